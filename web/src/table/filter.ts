/**
 * The runs table's text filter, e.g. `config.lr < 0.01 and state = finished`.
 *
 *   expr       := and ("or" and)*
 *   and        := unary ("and" unary)*
 *   unary      := "not" unary | "(" expr ")" | field op value
 *   op         := = | == | != | < | <= | > | >= | ~   (~ is "contains", case-insensitive)
 *   value      := number | true | false | null | "quoted" | 'quoted' | bare-word
 *
 * Field names are the table's column ids (`state`, `name`, `tags`, `config.a.b`, `summary.x`).
 * Comparisons are numeric when both sides are numbers; a list field (tags) matches when any
 * element does; a missing field matches only `= null`.
 */

export type Op = "=" | "!=" | "<" | "<=" | ">" | ">=" | "~";
export type Literal = number | string | boolean | null;

export type FilterExpr =
  | { kind: "and" | "or"; left: FilterExpr; right: FilterExpr }
  | { kind: "not"; inner: FilterExpr }
  | { kind: "compare"; field: string; op: Op; value: Literal };

export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at character ${position + 1})`);
    this.name = "FilterSyntaxError";
  }
}

interface Token {
  type: "word" | "string" | "op" | "(" | ")";
  text: string;
  at: number;
}

const OPERATORS: readonly string[] = ["==", "!=", "<=", ">=", "=", "<", ">", "~"];
const OPERATOR_CHARS = "=!<>~";

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const char = source[i] ?? "";
    if (/\s/.test(char)) {
      i++;
    } else if (char === "(" || char === ")") {
      tokens.push({ type: char, text: char, at: i++ });
    } else if (char === '"' || char === "'") {
      const end = source.indexOf(char, i + 1);
      if (end < 0) throw new FilterSyntaxError("unterminated string", i);
      tokens.push({ type: "string", text: source.slice(i + 1, end), at: i });
      i = end + 1;
    } else if (OPERATOR_CHARS.includes(char)) {
      const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
      if (!op) throw new FilterSyntaxError(`unknown operator "${char}"`, i);
      tokens.push({ type: "op", text: op === "==" ? "=" : op, at: i });
      i += op.length;
    } else {
      const start = i;
      while (i < source.length && !/[\s()]/.test(source[i] ?? "") && !OPERATOR_CHARS.includes(source[i] ?? "")) i++;
      tokens.push({ type: "word", text: source.slice(start, i), at: start });
    }
  }
  return tokens;
}

/** Parses a filter; an empty or blank text gives null (no filter). */
export function parseFilter(source: string): FilterExpr | null {
  const tokens = tokenize(source);
  if (tokens.length === 0) return null;
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isKeyword = (token: Token | undefined, word: string): boolean =>
    token?.type === "word" && token.text.toLowerCase() === word;
  const fail = (message: string): never => {
    throw new FilterSyntaxError(message, peek()?.at ?? source.length);
  };

  const parseOr = (): FilterExpr => {
    let left = parseAnd();
    while (isKeyword(peek(), "or")) {
      pos++;
      left = { kind: "or", left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterExpr => {
    let left = parseUnary();
    while (isKeyword(peek(), "and")) {
      pos++;
      left = { kind: "and", left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): FilterExpr => {
    const token = peek();
    if (isKeyword(token, "not")) {
      pos++;
      return { kind: "not", inner: parseUnary() };
    }
    if (token?.type === "(") {
      pos++;
      const inner = parseOr();
      if (peek()?.type !== ")") fail('expected ")"');
      pos++;
      return inner;
    }
    return parseComparison();
  };
  const parseComparison = (): FilterExpr => {
    const field = peek();
    if (field?.type !== "word") return fail("expected a field name such as state or config.lr");
    pos++;
    const op = peek();
    if (op?.type !== "op") return fail(`expected an operator (= != < <= > >= ~) after "${field.text}"`);
    pos++;
    const value = peek();
    if (value?.type !== "word" && value?.type !== "string") return fail(`expected a value after "${op.text}"`);
    pos++;
    return { kind: "compare", field: field.text, op: op.text as Op, value: value.type === "string" ? value.text : literal(value.text) };
  };

  const expr = parseOr();
  if (pos < tokens.length) fail(`unexpected "${peek()?.text ?? ""}"`);
  return expr;
}

function literal(word: string): Literal {
  const lower = word.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (lower === "null") return null;
  if (/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(word)) return Number(word);
  return word;
}

/** True when the record whose fields `get` reads satisfies `expr`. */
export function matches(expr: FilterExpr, get: (field: string) => unknown): boolean {
  switch (expr.kind) {
    case "and":
      return matches(expr.left, get) && matches(expr.right, get);
    case "or":
      return matches(expr.left, get) || matches(expr.right, get);
    case "not":
      return !matches(expr.inner, get);
    case "compare": {
      const actual = get(expr.field);
      if (Array.isArray(actual)) {
        const hit = actual.some((item) => compare(item, expr.op === "!=" ? "=" : expr.op, expr.value));
        return expr.op === "!=" ? !hit : hit;
      }
      return compare(actual, expr.op, expr.value);
    }
  }
}

function compare(actual: unknown, op: Op, expected: Literal): boolean {
  if (actual === undefined || actual === null) {
    if (op === "=") return expected === null;
    if (op === "!=") return expected !== null;
    return false;
  }
  if (expected === null) return op === "!=";
  if (op === "~") return String(actual).toLowerCase().includes(String(expected).toLowerCase());
  const order = ordering(actual, expected);
  if (order === null) return op === "!=";
  switch (op) {
    case "=":
      return order === 0;
    case "!=":
      return order !== 0;
    case "<":
      return order < 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case ">=":
      return order >= 0;
  }
}

/** Numbers compare as numbers, everything else as text; null when they cannot be compared. */
function ordering(actual: unknown, expected: Exclude<Literal, null>): number | null {
  if (typeof expected === "number") {
    const number = typeof actual === "number" ? actual : typeof actual === "string" && actual.trim() !== "" ? Number(actual) : NaN;
    if (Number.isNaN(number)) return null;
    return number === expected ? 0 : number < expected ? -1 : 1;
  }
  if (typeof expected === "boolean") return typeof actual === "boolean" ? Number(actual) - Number(expected) : null;
  const text = typeof actual === "object" ? JSON.stringify(actual) : String(actual);
  return text === expected ? 0 : text < expected ? -1 : 1;
}
