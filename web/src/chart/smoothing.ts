/**
 * Exponential moving average with bias correction, so the smoothed line starts on the first
 * value instead of creeping up from zero. Gaps (null) stay gaps and do not disturb the average.
 *
 * `weight` is in [0, 1): 0 leaves values unchanged, 0.99 is very smooth.
 */
import type { Value } from "./curve";

export function ema(values: readonly Value[], weight: number): Value[] {
  if (!(weight > 0)) return values.slice();
  const w = Math.min(weight, 0.999);
  let average = 0;
  let seen = 0;
  return values.map((value) => {
    if (value === null) return null;
    seen += 1;
    average = average * w + (1 - w) * value;
    return average / (1 - w ** seen);
  });
}

/**
 * Trailing running mean over the last `window` values (gaps skipped, not counted), so a point is
 * never influenced by the future, like the EMA.
 */
export function runningMean(values: readonly Value[], window: number): Value[] {
  const size = Math.max(1, Math.round(window));
  if (size === 1) return values.slice();
  const recent: number[] = [];
  let sum = 0;
  return values.map((value) => {
    if (value === null) return null;
    recent.push(value);
    sum += value;
    if (recent.length > size) sum -= recent.shift() ?? 0;
    return sum / recent.length;
  });
}

export type SmoothingKind = "ema" | "mean";

/** The running-mean window the smoothing slider's amount in [0, 1) stands for: 1 to 100 points. */
export function meanWindow(amount: number): number {
  return Math.max(1, Math.round(amount * 101));
}

export function smooth(values: readonly Value[], kind: SmoothingKind, amount: number): Value[] {
  return kind === "mean" ? runningMean(values, meanWindow(amount)) : ema(values, amount);
}
