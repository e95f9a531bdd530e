import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findBrowser, type Machine } from "./browser";

const DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n';
const UBUNTU = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n';

describe("findBrowser", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "threadline-browser-"));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** A file at root/rel, executable unless told otherwise; returns its path. */
  const put = (rel: string, mode = 0o755) => {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "#!/bin/sh\n");
    fs.chmodSync(file, mode);
    return file;
  };
  const dir = (rel: string) => {
    const made = path.join(root, rel);
    fs.mkdirSync(made, { recursive: true });
    return made;
  };
  const machine = (over: Partial<Machine> & { path?: string[] } = {}): Machine => ({
    env: { PATH: (over.path ?? []).join(":"), ...over.env },
    platform: over.platform ?? "linux",
    playwrightChromium: over.playwrightChromium ?? path.join(root, "ms-playwright/chromium-1/chrome-linux64/chrome"),
    macChrome: over.macChrome ?? path.join(root, "Applications/Google Chrome.app/Contents/MacOS/Google Chrome"),
    osRelease: over.osRelease ?? DEBIAN,
  });

  it("takes CHROMIUM_PATH before every other place", () => {
    const chosen = put("custom/chrome");
    const everywhere = machine({
      env: { CHROMIUM_PATH: chosen },
      playwrightChromium: put("ms-playwright/chrome"),
      path: [path.dirname(put("bin/chromium"))],
      platform: "darwin",
      macChrome: put("mac/Google Chrome"),
    });
    expect(findBrowser(everywhere)).toEqual({ path: chosen, from: "CHROMIUM_PATH" });
  });

  it("names a CHROMIUM_PATH that is not there instead of running another browser", () => {
    const wrong = path.join(root, "nowhere/chrome");
    const found = findBrowser(machine({ env: { CHROMIUM_PATH: wrong }, path: [path.dirname(put("bin/chromium"))] }));
    expect(found).toEqual({ missing: `CHROMIUM_PATH is ${wrong}, which is not an executable file.` });
  });

  it("takes the browser Playwright installed before one on PATH", () => {
    const own = put("ms-playwright/chromium-1/chrome-linux64/chrome");
    expect(findBrowser(machine({ playwrightChromium: own, path: [path.dirname(put("bin/chromium"))] }))).toEqual({
      path: own,
      from: "Playwright's own browsers",
    });
  });

  it("looks on PATH for chromium, then chromium-browser, then google-chrome, skipping files it cannot run", () => {
    put("first/chromium", 0o644);
    const chrome = put("first/google-chrome");
    const chromiumBrowser = put("second/chromium-browser");
    const dirs = [path.join(root, "first"), dir("empty"), path.join(root, "second")];
    expect(findBrowser(machine({ path: dirs }))).toEqual({ path: chromiumBrowser, from: "PATH" });
    const chromium = put("second/chromium");
    expect(findBrowser(machine({ path: dirs }))).toEqual({ path: chromium, from: "PATH" });
    fs.rmSync(chromium);
    fs.rmSync(chromiumBrowser);
    expect(findBrowser(machine({ path: dirs }))).toEqual({ path: chrome, from: "PATH" });
  });

  it("falls back to Chrome's macOS application, on macOS only", () => {
    const mac = put("Applications/Google Chrome.app/Contents/MacOS/Google Chrome");
    expect(findBrowser(machine({ platform: "darwin", macChrome: mac, path: [dir("bin")] }))).toEqual({ path: mac, from: "Google Chrome's application" });
    expect(findBrowser(machine({ platform: "linux", macChrome: mac, path: [dir("bin")] }))).toHaveProperty("missing");
    const onPath = put("bin/google-chrome");
    expect(findBrowser(machine({ platform: "darwin", macChrome: mac, path: [path.join(root, "bin")] }))).toEqual({ path: onPath, from: "PATH" });
  });

  it("with no browser, says in one line how to install one on this platform", () => {
    const none = (over: Partial<Machine>) => {
      const found = findBrowser(machine({ path: [dir("bin")], ...over }));
      expect(found).toHaveProperty("missing");
      const line = (found as { missing: string }).missing;
      expect(line).not.toContain("\n");
      return line;
    };
    expect(none({ osRelease: DEBIAN })).toContain("Install one with `sudo apt-get install -y chromium`, or set CHROMIUM_PATH.");
    expect(none({ osRelease: UBUNTU })).toContain("`npx playwright install --with-deps chromium`");
    expect(none({ osRelease: "ID=fedora\n" })).toContain("`npx playwright install chromium`");
    expect(none({ platform: "darwin", osRelease: "" })).toContain("`npx playwright install chromium`");
  });
});
