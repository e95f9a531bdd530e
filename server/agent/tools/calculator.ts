import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { evaluate, ExpressionError, formatNumber } from "./expression";

export const calculator = tool(
  ({ expression }) => {
    try {
      return formatNumber(evaluate(expression));
    } catch (err) {
      // The model gets the problem back as the tool's answer and can correct itself.
      if (err instanceof ExpressionError) return `Error: ${err.message}`;
      throw err;
    }
  },
  {
    name: "calculator",
    description:
      "Evaluates an arithmetic expression exactly. Supports + - * / % ^, parentheses, pi, e, and sqrt, abs, round, floor, ceil, ln, log, sin, cos, tan, min, max. Use it for any arithmetic rather than computing in your head.",
    schema: z.object({ expression: z.string().min(1).max(500).describe("The expression, e.g. (12 * 7) / 3") }),
  },
);
