import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./redirect";

const SITE = "http://127.0.0.1:3000";

describe("the path to return to after signing in", () => {
  it("keeps a path on this site, with its query and fragment, or this site's own absolute URL", () => {
    expect(safeCallbackPath("/c/123?x=1#end", SITE)).toBe("/c/123?x=1#end");
    expect(safeCallbackPath(`${SITE}/c/123`, SITE)).toBe("/c/123");
    expect(safeCallbackPath("/", SITE)).toBe("/");
  });

  it.each([
    "//evil.example/phish",
    "/\\evil.example/phish",
    "\\\\evil.example",
    "/.//evil.example/phish",
    "/./\\evil.example",
    "/%2e//evil.example",
    "/a/..//evil.example",
    "http://evil.example/phish",
    "https://127.0.0.1:3000.evil.example/",
    "http://127.0.0.1:3001/",
    "javascript:alert(1)",
    "evil.example/phish",
    "  //evil.example",
    "\t/\\evil.example",
    "/" + "a".repeat(2_001),
  ])("sends %j home instead", (callback) => {
    expect(safeCallbackPath(callback, SITE)).toBe("/");
  });

  it("sends a missing or non-text callback home", () => {
    expect(safeCallbackPath(null, SITE)).toBe("/");
    expect(safeCallbackPath("", SITE)).toBe("/");
    expect(safeCallbackPath(42, SITE)).toBe("/");
  });
});
