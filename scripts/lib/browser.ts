import fs from "node:fs";
import path from "node:path";
import { chromium } from "@playwright/test";
import { fail } from "./fail";

/** What the lookup reads of the machine, passed in so that a test can stage any machine. */
export interface Machine {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  /** Where Playwright keeps the Chromium that `npx playwright install chromium` downloads. */
  playwrightChromium: string;
  /** Google Chrome where its macOS installer puts it. */
  macChrome: string;
  /** /etc/os-release, to name the right install command. */
  osRelease: string;
}

export type Lookup = { path: string; from: string } | { missing: string };

const NAMES_ON_PATH = ["chromium", "chromium-browser", "google-chrome"];
const MAC_CHROME = "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome";

const executable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};

/**
 * The Chromium or Chrome that the end-to-end tests and the screenshot script drive: CHROMIUM_PATH;
 * else the one Playwright installed; else chromium, chromium-browser or google-chrome on PATH; else
 * Chrome's usual place on macOS. With none, one line saying how to install one on this platform.
 */
export function findBrowser(machine: Machine): Lookup {
  const given = machine.env.CHROMIUM_PATH;
  if (given) {
    // An explicit choice that is wrong should say so, not quietly run another browser.
    return executable(given) ? { path: given, from: "CHROMIUM_PATH" } : { missing: `CHROMIUM_PATH is ${given}, which is not an executable file.` };
  }
  if (executable(machine.playwrightChromium)) return { path: machine.playwrightChromium, from: "Playwright's own browsers" };
  const win = machine.platform === "win32";
  const dirs = (machine.env.PATH ?? "").split(win ? ";" : ":").filter(Boolean);
  for (const name of NAMES_ON_PATH) {
    for (const dir of dirs) {
      const file = path.join(dir, win ? `${name}.exe` : name);
      if (executable(file)) return { path: file, from: "PATH" };
    }
  }
  if (machine.platform === "darwin" && executable(machine.macChrome)) return { path: machine.macChrome, from: "Google Chrome's application" };
  return {
    missing: `No Chromium or Chrome found (CHROMIUM_PATH, Playwright's browsers, ${NAMES_ON_PATH.join(", ")} on PATH${machine.platform === "darwin" ? `, ${machine.macChrome}` : ""}). Install one with \`${installCommand(machine)}\`, or set CHROMIUM_PATH.`,
  };
}

function installCommand(machine: Machine): string {
  if (machine.platform === "linux") {
    const id = /^ID=["']?([\w.-]+)/m.exec(machine.osRelease)?.[1];
    if (id === "debian") return "sudo apt-get install -y chromium";
    // Ubuntu's chromium package is a snap, whose private /tmp hides the profile Playwright makes there.
    if (id === "ubuntu") return "npx playwright install --with-deps chromium";
  }
  return "npx playwright install chromium";
}

function thisMachine(): Machine {
  let osRelease = "";
  try {
    osRelease = fs.readFileSync("/etc/os-release", "utf8");
  } catch {
    // Not Linux, or a minimal one: the generic command is right.
  }
  return { env: process.env, platform: process.platform, playwrightChromium: chromium.executablePath(), macChrome: MAC_CHROME, osRelease };
}

/** The browser's path on this machine; ends the process with the install line when there is none. */
export function browserPath(): string {
  const found = findBrowser(thisMachine());
  return "path" in found ? found.path : fail(found.missing);
}
