/**
 * A run's curve as plain arrays: what the server's SeriesLine becomes once its JSON floats are
 * numbers (non-finite values become gaps, which is what a line chart can draw).
 */
import type { JsonFloat, SeriesLine } from "../api/types";

export type Value = number | null;

export interface Curve {
  runId: string;
  key: string;
  steps: number[];
  /** The x key's value at each step, when the chart's x axis is not the step (null: none there). */
  xs?: Value[];
  mean: Value[];
  min: Value[];
  max: Value[];
  /** False when entries are buckets whose min/max envelope must be drawn. */
  exact: boolean;
}

/** A JSON float as a drawable number; NaN and infinities become null (a gap in the line). */
export function finite(value: JsonFloat | null | undefined): Value {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

export function curveFromLine(line: SeriesLine): Curve {
  return {
    runId: line.run_id,
    key: line.key,
    steps: line.steps.slice(),
    ...(line.x ? { xs: line.x.map(finite) } : {}),
    mean: line.mean.map(finite),
    min: line.min.map(finite),
    max: line.max.map(finite),
    exact: line.exact,
  };
}

/** Where a curve sits among a chart's lines: one per run and key. */
export function lineId(runId: string, key: string): string {
  return `${runId}\u0000${key}`;
}

export function lastStep(curve: Curve): number | null {
  return curve.steps.length ? (curve.steps[curve.steps.length - 1] ?? null) : null;
}

/**
 * The curve with the entries of `tail` that lie beyond its last step appended: live updates fetch
 * only what is new, and anything already drawn is never duplicated.
 */
export function appendTail(curve: Curve, tail: Curve): Curve {
  const after = lastStep(curve);
  let start = 0;
  if (after !== null) while (start < tail.steps.length && (tail.steps[start] ?? -Infinity) <= after) start++;
  if (start >= tail.steps.length) return curve;
  return {
    runId: curve.runId,
    key: curve.key,
    steps: curve.steps.concat(tail.steps.slice(start)),
    ...(curve.xs ? { xs: curve.xs.concat(tail.xs?.slice(start) ?? tail.steps.slice(start).map(() => null)) } : {}),
    mean: curve.mean.concat(tail.mean.slice(start)),
    min: curve.min.concat(tail.min.slice(start)),
    max: curve.max.concat(tail.max.slice(start)),
    exact: curve.exact && tail.exact,
  };
}
