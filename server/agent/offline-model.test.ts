import { describe, expect, it } from "vitest";
import { MAX_MESSAGE_LENGTH } from "@/lib/limits";
import { findExpression } from "./offline-model";

/** The fastest of a few runs, in ms: the least disturbed by whatever else the machine does. */
function fastest(fn: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    fn();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

const longest = (pattern: string) => pattern.repeat(Math.ceil(MAX_MESSAGE_LENGTH / pattern.length)).slice(0, MAX_MESSAGE_LENGTH);

describe("the offline model's text rules", () => {
  it("reads the longest message of runs that never end on a digit as fast as plain words", () => {
    const words = fastest(() => findExpression(longest("hello there ")));
    // Each of these made the old pattern rescan the rest of the message from every character.
    for (const pattern of ["(", ".", "( ", "(.", " ("]) {
      const text = longest(pattern);
      expect(findExpression(text)).toBeNull();
      expect(fastest(() => findExpression(text)) / words, JSON.stringify(pattern)).toBeLessThan(50);
    }
  });

  it("finds the same expressions as before: whole runs, trimmed to digits and parentheses, with their function", () => {
    expect(findExpression("what is 12*7?")).toBe("12*7");
    expect(findExpression("((( what is 2+2 ...")).toBe("2+2");
    expect(findExpression("and (1 + 2)) * 3 ((")).toBe("(1 + 2)) * 3");
    expect(findExpression("the max(3, 4) please")).toBe("max(3, 4)");
    expect(findExpression("the MAX(3, 4) please")).toBe("MAX(3, 4)");
    expect(findExpression("max (3, 4)")).toBeNull();
    expect(findExpression("sqrt(16)")).toBe("sqrt(16)");
    expect(findExpression("a .5*2 b")).toBe(".5*2");
    expect(findExpression("call 555 1234, or 7")).toBeNull();
    expect(findExpression("1, 2 and 3 + 4")).toBe("3 + 4");
    expect(findExpression("")).toBeNull();
  });
});
