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
