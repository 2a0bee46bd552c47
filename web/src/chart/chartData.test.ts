import { describe, expect, it } from "vitest";
import type { SeriesLine } from "../api/types";
import { alignSteps, valueAtOrBefore } from "./align";
import { appendTail, curveFromLine, type Curve } from "./curve";
import { buildPlotData } from "./plotData";
import { ema, meanWindow, runningMean, smooth } from "./smoothing";
import { stepRangeOfX } from "./xaxis";

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
      { runId: "a", key: "loss", role: "line" },
      { runId: "b", key: "loss", role: "min" },
      { runId: "b", key: "loss", role: "max" },
      { runId: "b", key: "loss", role: "line" },
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

describe("running mean", () => {
  it("averages the trailing window, never the future", () => {
    expect(runningMean([1, 2, 3, 4, 5], 2)).toEqual([1, 1.5, 2.5, 3.5, 4.5]);
  });

  it("keeps gaps as gaps and leaves them out of the window", () => {
    expect(runningMean([2, null, 4, 6], 2)).toEqual([2, null, 3, 5]);
  });

  it("is chosen by the smoothing kind, the slider amount giving the window", () => {
    expect(meanWindow(0.02)).toBe(2);
    expect(smooth([1, 3], "mean", 0.02)).toEqual([1, 2]);
    expect(smooth([1, 3], "ema", 0.5)).toEqual(ema([1, 3], 0.5));
  });
});

describe("another x axis", () => {
  const withX = (runId: string, steps: number[], xs: (number | null)[], mean: number[]): Curve => ({
    ...curveFromLine(line(runId, steps, mean)),
    xs,
  });

  it("plots each run at its own x values, sorted, dropping points without an x", () => {
    const a = withX("a", [0, 1, 2], [100, 101, null], [3, 2, 1]);
    const b = withX("b", [0, 1], [100.5, 99], [7, 8]);
    const plot = buildPlotData([a, b], { smoothing: 0, logY: false });
    expect(plot.xs).toEqual([99, 100, 100.5, 101]);
    expect(plot.ys[0]).toEqual([null, 3, null, 2]);
    expect(plot.ys[1]).toEqual([8, null, 7, null]);
  });

  it("smooths in step order before placing points by x", () => {
    const a = withX("a", [0, 1, 2], [3, 2, 1], [10, 20, 30]);
    const plot = buildPlotData([a], { smoothing: 0.02, smoothingKind: "mean", logY: false });
    // running mean (window 2) in step order: 10, 15, 25; then sorted by x (1, 2, 3)
    expect(plot.xs).toEqual([1, 2, 3]);
    expect(plot.ys[1]).toEqual([25, 15, 10]);
  });

  it("turns a zoom over x into the range of steps whose x lies inside", () => {
    const a = withX("a", [0, 10, 20, 30], [0, 5, 9, 14], [1, 1, 1, 1]);
    expect(stepRangeOfX([a], 4, 10)).toEqual({ min: 10, max: 20 });
    expect(stepRangeOfX([a], 100, 200)).toBeNull();
  });
});
