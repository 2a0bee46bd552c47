/**
 * The chart's x axis when it is not the step: wall time (`_timestamp`), relative time
 * (`_runtime`) or another metric. The server sends that key's value beside each point
 * (`series?x_key=`), and a zoom over x becomes a query over the steps whose x lies in it.
 */
import type { Curve } from "./curve";

export const TIME_AXES: readonly { key: string; label: string }[] = [
  { key: "_step", label: "Step" },
  { key: "_timestamp", label: "Wall time" },
  { key: "_runtime", label: "Relative time" },
];

/** The smallest step range holding every drawn point whose x is in [minX, maxX], or null if none is. */
export function stepRangeOfX(curves: readonly Curve[], minX: number, maxX: number): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const curve of curves) {
    curve.xs?.forEach((x, i) => {
      const step = curve.steps[i];
      if (x === null || step === undefined || x < minX || x > maxX) return;
      if (step < min) min = step;
      if (step > max) max = step;
    });
  }
  return min <= max ? { min, max } : null;
}
