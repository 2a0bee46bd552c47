import { describe, expect, it } from "vitest";
import { colorOf, colorsFor, withAlpha } from "./colors";

describe("colorsFor", () => {
  it("gives runs distinct colours by creation order, whatever order they are listed in", () => {
    const runs = [
      { run_id: "c", created_at: 3 },
      { run_id: "a", created_at: 1 },
      { run_id: "b", created_at: 2 },
    ];
    const colors = colorsFor(runs);
    expect(new Set(colors.values()).size).toBe(3);
    expect(colorsFor(runs.slice().reverse())).toEqual(colors);
    expect(colorOf(colors, "a")).toBe(colorsFor([{ run_id: "a", created_at: 1 }]).get("a"));
  });

  it("adds an alpha channel", () => {
    expect(withAlpha("#112233", 0.5)).toBe("#11223380");
  });
});
