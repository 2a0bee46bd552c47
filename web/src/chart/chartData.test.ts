import { describe, expect, it } from "vitest";
import type { SeriesLine } from "../api/types";
import { alignSteps, valueAtOrBefore } from "./align";
import { appendTail, curveFromLine, type Curve } from "./curve";
import { buildPlotData } from "./plotData";
import { ema } from "./smoothing";

function line(runId: string, steps: number[], mean: SeriesLine["mean"], exact = true, spread = 0): SeriesLine {
  const low = mean.map((v) => (typeof v === "number" ? v - spread : v));
  const high = mean.map((v) => (typeof v === "number" ? v + spread : v));
  return { run_id: runId, key: "loss", steps, mean, min: low, max: high, exact };
}

describe("curveFromLine", () => {
  it("turns the JSON spellings of NaN and infinities into gaps", () => {
    const curve = curveFromLine(line("a", [0, 1, 2, 3], [1, "NaN", "Infinity", "-Infinity"]));
    expect(curve.mean).toEqual([1, null, null, null]);
    expect(curve.steps).toEqual([0, 1, 2, 3]);
  });
});

describe("appendTail", () => {
  it("appends only the steps beyond what is drawn", () => {
    const drawn = curveFromLine(line("a", [0, 1, 2], [5, 4, 3]));
    const tail = curveFromLine(line("a", [2, 3, 4], [3, 2, 1]));
    const merged = appendTail(drawn, tail);
    expect(merged.steps).toEqual([0, 1, 2, 3, 4]);
    expect(merged.mean).toEqual([5, 4, 3, 2, 1]);
  });

  it("returns the same curve when nothing is new", () => {
    const drawn = curveFromLine(line("a", [0, 1], [5, 4]));
    expect(appendTail(drawn, curveFromLine(line("a", [1], [4])))).toBe(drawn);
  });

  it("marks the result inexact when the tail is an envelope", () => {
    const drawn = curveFromLine(line("a", [0], [1]));
    expect(appendTail(drawn, curveFromLine(line("a", [5], [2], false))).exact).toBe(false);
  });
});

describe("ema", () => {
  it("leaves values alone at weight 0", () => {
    expect(ema([1, 2, 3], 0)).toEqual([1, 2, 3]);
  });

  it("starts on the first value (bias corrected) and follows a constant exactly", () => {
    expect(ema([4, 4, 4], 0.9).map((v) => Number(v?.toFixed(10)))).toEqual([4, 4, 4]);
  });

  it("matches the debiased recurrence", () => {
    const w = 0.5;
    const out = ema([0, 10], w);
    // avg1 = 0, avg2 = 0*0.5 + 0.5*10 = 5; debiased: 5 / (1 - 0.25)
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo(5 / 0.75, 12);
  });

  it("keeps gaps as gaps without disturbing the average", () => {
    const out = ema([2, null, 2], 0.6);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeCloseTo(2, 12);
  });

  it("dampens a spike", () => {
    const out = ema([0, 0, 0, 100, 0], 0.9);
    expect(out[3]).toBeGreaterThan(0);
    expect(out[3]).toBeLessThan(100);
  });
});

describe("alignSteps", () => {
  it("merges runs logged at different steps onto one sorted x axis with gaps", () => {
    const aligned = alignSteps([
      { steps: [0, 2, 4], columns: [[1, 2, 3]] },
      { steps: [1, 2, 3], columns: [[10, 20, 30]] },
    ]);
    expect(aligned.xs).toEqual([0, 1, 2, 3, 4]);
    expect(aligned.columns).toEqual([
      [1, null, 2, null, 3],
      [null, 10, 20, 30, null],
    ]);
  });

  it("keeps a single run's steps as they are", () => {
    const aligned = alignSteps([{ steps: [3, 7], columns: [[1, 2], [0, 0]] }]);
    expect(aligned.xs).toEqual([3, 7]);
    expect(aligned.columns).toEqual([
      [1, 2],
      [0, 0],
    ]);
  });

  it("hover reads the nearest value at or before the cursor", () => {
    expect(valueAtOrBefore([1, null, null, 4], 2)).toBe(1);
    expect(valueAtOrBefore([null, 3], 0)).toBeNull();
  });
});

describe("buildPlotData", () => {
  const exact = curveFromLine(line("a", [0, 1, 2], [3, 2, 1]));
  const envelope: Curve = curveFromLine(line("b", [0, 10], [5, 6], false, 1));

  it("draws an exact run as one line and an envelope run as a min/max band plus its mean", () => {
    const plot = buildPlotData([exact, envelope], { smoothing: 0, logY: false });
    expect(plot.series).toEqual([
      { runId: "a", role: "line" },
      { runId: "b", role: "min" },
      { runId: "b", role: "max" },
      { runId: "b", role: "line" },
    ]);
    // uPlot series index = spec index + 1 (0 is x): the band spans b's max (3) down to b's min (2).
    expect(plot.bands).toEqual([{ runId: "b", upper: 3, lower: 2 }]);
    expect(plot.xs).toEqual([0, 1, 2, 10]);
    expect(plot.ys[1]).toEqual([4, null, null, 5]);
    expect(plot.ys[2]).toEqual([6, null, null, 7]);
    expect(plot.ys[3]).toEqual([5, null, null, 6]);
  });

  it("adds the raw line behind the smoothed one when smoothing", () => {
    const plot = buildPlotData([exact], { smoothing: 0.5, logY: false });
    expect(plot.series.map((s) => s.role)).toEqual(["raw", "line"]);
    expect(plot.ys[0]).toEqual([3, 2, 1]);
    expect(plot.ys[1]).toEqual(ema([3, 2, 1], 0.5));
  });

  it("turns values a log axis cannot show into gaps", () => {
    const curve = curveFromLine(line("c", [0, 1, 2], [0, -1, 2]));
    expect(buildPlotData([curve], { smoothing: 0, logY: true }).ys[0]).toEqual([null, null, 2]);
  });
});
