import { describe, expect, it } from "vitest";
import { calculator } from "./calculator";
import { evaluate, ExpressionError, formatNumber } from "./expression";

describe("expression parser", () => {
  it.each([
    ["12*7", 84],
    ["2 + 3 * 4", 14],
    ["(2 + 3) * 4", 20],
    ["2 ^ 3 ^ 2", 512],
    ["-2 ^ 2", -4],
    ["2 ^ -1", 0.5],
    ["--3", 3],
    ["10 % 4", 2],
    ["sqrt(16) + abs(-2)", 6],
    ["round(2.345, 2)", 2.35],
    ["max(1, 9, 3)", 9],
    ["1,234 × 2", 2468],
    ["1,234,567.5 + 1", 1234568.5],
    ["(1,234 + 1) * 2", 2470],
    ["max(1,234)", 234],
    ["round(1234.5678,100)", 1234.5678],
    ["min(2,000, 1,500)", 0],
    ["max((1,234), 5)", 1234],
    ["sqrt(abs(-16)) + 1,000", 1004],
    ["6 ÷ 4", 1.5],
    ["2**10", 1024],
    [".5 + 1e3", 1000.5],
  ])("%s = %d", (input, expected) => {
    expect(evaluate(input)).toBeCloseTo(expected, 10);
  });

  it.each([
    ["", "Expression is empty"],
    ["2 +", "Expression ends too early"],
    ["(1 + 2", 'Expected ")" at the end'],
    ["1 / 0", "Division by zero"],
    ["foo(2)", 'Unknown name "foo"'],
    ["sqrt(1, 2)", "sqrt() takes 1 argument(s)"],
    ["process.exit(1)", 'Unexpected "." at position 8'],
    ["constructor", 'Unknown name "constructor"'],
    ["__proto__", 'Unexpected "_" at position 1'],
    ["1; rm -rf /", 'Unexpected ";" at position 2'],
    ["2 3", 'Unexpected "3"'],
    ["10 ^ 400", "The result is not a finite number"],
    ["(".repeat(100) + "1" + ")".repeat(100), "Expression is nested too deeply"],
    ["1+".repeat(300) + "1", "Expression is longer than 500 characters"],
  ])("rejects %j: %s", (input, message) => {
    expect(() => evaluate(input)).toThrow(new ExpressionError(message));
  });

  it("formats results without float noise", () => {
    expect(formatNumber(0.1 + 0.2)).toBe("0.3");
    expect(formatNumber(1 / 3)).toBe("0.333333333333");
  });
});

describe("calculator tool", () => {
  it("answers with the result, or a bad expression with an error result instead of throwing", async () => {
    await expect(calculator.invoke({ expression: "2 +* 3" })).resolves.toBe('Error: Unexpected "*"');
    await expect(calculator.invoke({ expression: "12 * 7" })).resolves.toBe("84");
    await expect(calculator.invoke({ expression: "max(1,234) + 1,000" })).resolves.toBe("1234");
  });
});
