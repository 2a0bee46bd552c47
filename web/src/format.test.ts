import { describe, expect, it } from "vitest";
import { formatBytes, formatDuration, formatNumber, formatValue } from "./format";

describe("formatting", () => {
  it("keeps numbers short enough for an axis or a cell", () => {
    expect(formatNumber(5e-4)).toBe("5e-4");
    expect(formatNumber(1.23456e-5)).toBe("1.235e-5");
    expect(formatNumber(0.123456789)).toBe("0.12346");
    expect(formatNumber(42)).toBe("42");
  });

  it("shows media refs and lists as readable text", () => {
    expect(formatValue({ _type: "image-file", sha256: "x" })).toBe("[image-file]");
    expect(formatValue([1, 2])).toBe("[1,2]");
    expect(formatValue(null)).toBe("");
  });

  it("formats durations and sizes", () => {
    expect(formatDuration(3725)).toBe("1h 2m");
    expect(formatBytes(1536)).toBe("1.5 KiB");
  });
});
