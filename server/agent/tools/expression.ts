/**
 * Arithmetic for the calculator tool: a small recursive-descent parser, so model-written input is
 * only ever read as numbers and operators, never executed as code.
 *
 *   expr   = term (("+" | "-") term)*
 *   term   = unary (("*" | "/" | "%") unary)*
 *   unary  = ("-" | "+") unary | power      (so -2^2 = -4, as in mathematics)
 *   power  = primary ("^" unary)?           (right-associative: 2^3^2 = 2^9)
 *   primary = name "(" expr ("," expr)* ")" | name | number | "(" expr ")"
 */

export class ExpressionError extends Error {}

const FUNCTIONS: Record<string, { arity: number | [number, number]; fn: (...a: number[]) => number }> = {
  sqrt: { arity: 1, fn: Math.sqrt },
  abs: { arity: 1, fn: Math.abs },
  round: { arity: [1, 2], fn: (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d },
  floor: { arity: 1, fn: Math.floor },
  ceil: { arity: 1, fn: Math.ceil },
  ln: { arity: 1, fn: Math.log },
  log: { arity: 1, fn: Math.log10 },
  sin: { arity: 1, fn: Math.sin },
  cos: { arity: 1, fn: Math.cos },
  tan: { arity: 1, fn: Math.tan },
  min: { arity: [1, 20], fn: Math.min },
  max: { arity: [1, 20], fn: Math.max },
};
const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };

const MAX_LENGTH = 500;
const MAX_DEPTH = 64;

type Token = { kind: "num"; value: number } | { kind: "name"; value: string } | { kind: "op"; value: string };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  // People and models write ×, ÷ and −; read them as they mean.
  const src = input.replace(/[×·]/g, "*").replace(/÷/g, "/").replace(/[−–]/g, "-").replace(/\*\*/g, "^");
  // For each open parenthesis, whether it opens a function's arguments, where a comma separates
  // them: max(1,234) is 234. Elsewhere "1,234" is a number written with a thousands separator.
  const parens: boolean[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (/[0-9.]/.test(c)) {
      const number = parens.at(-1) ? /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i : /^(\d+(?:,\d{3}\b)*\.?\d*|\.\d+)(e[+-]?\d+)?/i;
      const m = number.exec(src.slice(i));
      if (!m) throw new ExpressionError(`Unexpected "${c}" at position ${i + 1}`);
      tokens.push({ kind: "num", value: Number(m[0].replaceAll(",", "")) });
      i += m[0].length;
    } else if (/[a-z]/i.test(c)) {
      const m = /^[a-z]+/i.exec(src.slice(i))!;
      tokens.push({ kind: "name", value: m[0].toLowerCase() });
      i += m[0].length;
    } else if ("+-*/%^(),".includes(c)) {
      if (c === "(") parens.push(tokens.at(-1)?.kind === "name");
      if (c === ")") parens.pop();
      tokens.push({ kind: "op", value: c });
      i++;
    } else {
      throw new ExpressionError(`Unexpected "${c}" at position ${i + 1}`);
    }
  }
  return tokens;
}

export function evaluate(input: string): number {
  if (input.length > MAX_LENGTH) throw new ExpressionError(`Expression is longer than ${MAX_LENGTH} characters`);
  const tokens = tokenize(input);
  if (tokens.length === 0) throw new ExpressionError("Expression is empty");
  let pos = 0;
  let depth = 0;

  const peek = () => tokens[pos];
  const isOp = (v: string) => peek()?.kind === "op" && peek()!.value === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new ExpressionError(`Expected "${v}"${peek() ? ` but found "${peek()!.value}"` : " at the end"}`);
    pos++;
  };
  const nested = <T>(fn: () => T): T => {
    if (++depth > MAX_DEPTH) throw new ExpressionError("Expression is nested too deeply");
    try {
      return fn();
    } finally {
      depth--;
    }
  };

  const expr = (): number =>
    nested(() => {
      let v = term();
      while (isOp("+") || isOp("-")) v = tokens[pos++]!.value === "+" ? v + term() : v - term();
      return v;
    });
  const term = (): number => {
    let v = unary();
    while (isOp("*") || isOp("/") || isOp("%")) {
      const op = tokens[pos++]!.value;
      const r = unary();
      if ((op === "/" || op === "%") && r === 0) throw new ExpressionError("Division by zero");
      v = op === "*" ? v * r : op === "/" ? v / r : v % r;
    }
    return v;
  };
  const unary = (): number => {
    if (isOp("-")) {
      pos++;
      return -nested(unary);
    }
    if (isOp("+")) {
      pos++;
      return nested(unary);
    }
    return power();
  };
  const power = (): number => {
    const base = primary();
    if (isOp("^")) {
      pos++;
      return base ** nested(unary);
    }
    return base;
  };
  const primary = (): number => {
    const t = peek();
    if (!t) throw new ExpressionError("Expression ends too early");
    if (t.kind === "num") {
      pos++;
      return t.value;
    }
    if (isOp("(")) {
      pos++;
      const v = expr();
      expect(")");
      return v;
    }
    if (t.kind === "name") {
      pos++;
      if (Object.hasOwn(CONSTANTS, t.value) && !isOp("(")) return CONSTANTS[t.value]!;
      const f = Object.hasOwn(FUNCTIONS, t.value) ? FUNCTIONS[t.value]! : null;
      if (!f) throw new ExpressionError(`Unknown name "${t.value}"`);
      expect("(");
      const args = [expr()];
      while (isOp(",")) {
        pos++;
        args.push(expr());
      }
      expect(")");
      const [lo, hi] = typeof f.arity === "number" ? [f.arity, f.arity] : f.arity;
      if (args.length < lo || args.length > hi) throw new ExpressionError(`${t.value}() takes ${lo === hi ? lo : `${lo} to ${hi}`} argument(s)`);
      return f.fn(...args);
    }
    throw new ExpressionError(`Unexpected "${t.value}"`);
  };

  const result = expr();
  if (pos < tokens.length) throw new ExpressionError(`Unexpected "${tokens[pos]!.value}"`);
  if (!Number.isFinite(result)) throw new ExpressionError("The result is not a finite number");
  return result;
}

/** 84, 0.3333333333, 1.5e+21: readable, without float noise like 0.30000000000000004. */
export function formatNumber(n: number): string {
  return String(Number(n.toPrecision(12)));
}
