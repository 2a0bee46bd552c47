import { describe, expect, it } from "vitest";
import { FilterSyntaxError, matches, parseFilter } from "./filter";

const run: Record<string, unknown> = {
  state: "finished",
  name: "bright-sky-3",
  tags: ["baseline", "resnet"],
  "config.lr": 0.001,
  "config.optimizer": "adam",
  "summary.val/acc": 0.91,
  "config.flag": true,
};
const get = (field: string) => run[field];
const check = (text: string) => {
  const expr = parseFilter(text);
  if (!expr) throw new Error("expected an expression");
  return matches(expr, get);
};

describe("parseFilter", () => {
  it("gives null for blank text", () => {
    expect(parseFilter("   ")).toBeNull();
  });

  it("parses the documented example", () => {
    expect(parseFilter("config.lr < 0.01 and state = finished")).toEqual({
      kind: "and",
      left: { kind: "compare", field: "config.lr", op: "<", value: 0.01 },
      right: { kind: "compare", field: "state", op: "=", value: "finished" },
    });
  });

  it("binds and tighter than or, and honours parentheses", () => {
    expect(parseFilter("a=1 or b=2 and c=3")).toMatchObject({ kind: "or", right: { kind: "and" } });
    expect(parseFilter("(a=1 or b=2) and c=3")).toMatchObject({ kind: "and", left: { kind: "or" } });
  });

  it("reads operators without spaces, quoted strings and literals", () => {
    expect(parseFilter('name="a b"')).toEqual({ kind: "compare", field: "name", op: "=", value: "a b" });
    expect(parseFilter("config.lr>=1e-3")).toEqual({ kind: "compare", field: "config.lr", op: ">=", value: 0.001 });
    expect(parseFilter("x == null")).toEqual({ kind: "compare", field: "x", op: "=", value: null });
  });

  it.each([
    ["state =", "expected a value"],
    ["config.lr 0.1", "expected an operator"],
    ["(state = finished", 'expected ")"'],
    ["state = finished extra", 'unexpected "extra"'],
    ['name = "open', "unterminated string"],
    ["= 3", "expected a field name"],
    ["a ! b", 'unknown operator "!"'],
  ])("rejects %j with a message saying what is wrong", (text, message) => {
    expect(() => parseFilter(text)).toThrow(FilterSyntaxError);
    expect(() => parseFilter(text)).toThrow(message);
  });
});

describe("matches", () => {
  it("compares numbers numerically", () => {
    expect(check("config.lr < 0.01")).toBe(true);
    expect(check("config.lr > 0.01")).toBe(false);
    expect(check("summary.val/acc >= 0.91")).toBe(true);
  });

  it("compares text, case-insensitive contains with ~", () => {
    expect(check("state = finished")).toBe(true);
    expect(check("state != finished")).toBe(false);
    expect(check("name ~ SKY")).toBe(true);
  });

  it("matches a list when any element matches", () => {
    expect(check("tags = resnet")).toBe(true);
    expect(check("tags != resnet")).toBe(false);
    expect(check("tags ~ base")).toBe(true);
  });

  it("treats a missing field as null", () => {
    expect(check("config.missing = null")).toBe(true);
    expect(check("config.missing < 3")).toBe(false);
    expect(check("config.missing != 3")).toBe(true);
  });

  it("never matches a number against text by ordering", () => {
    expect(check("config.optimizer < 3")).toBe(false);
  });

  it("combines with and, or, not", () => {
    expect(check("config.lr < 0.01 and state = finished")).toBe(true);
    expect(check("config.lr > 0.01 or config.optimizer = adam")).toBe(true);
    expect(check("not state = finished")).toBe(false);
    expect(check("config.flag = true")).toBe(true);
  });
});
