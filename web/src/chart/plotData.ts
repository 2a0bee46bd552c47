/**
 * Turns the curves of one chart into uPlot's columnar data plus a plain description of each
 * series (which run, which key, which role), so the drawing code stays a thin mapping and this
 * logic is testable without a canvas.
 *
 * Per curve, in order: the min and max of the envelope (only when the server sent buckets; drawn
 * as a band, never as lines), the raw line (faint, only when smoothing), and the main line.
 *
 * The x axis is the step, or (when curves carry `xs`) another key's value: each curve is then
 * smoothed in step order first and its points placed at their x values, sorted, leaving out
 * points without an x.
 */
import { alignSteps, type StepColumns } from "./align";
import type { Curve, Value } from "./curve";
import { smooth, type SmoothingKind } from "./smoothing";

export type SeriesRole = "min" | "max" | "raw" | "line";

export interface SeriesSpec {
  runId: string;
  key: string;
  role: SeriesRole;
}

/** A filled band between two series (indices into the uPlot series list, 0 being x). */
export interface BandSpec {
  runId: string;
  upper: number;
  lower: number;
}

export interface PlotData {
  xs: number[];
  /** Parallel to `series`. */
  ys: Value[][];
  series: SeriesSpec[];
  bands: BandSpec[];
}

export interface PlotOptions {
  smoothing: number;
  smoothingKind?: SmoothingKind;
  /** A log axis cannot show values <= 0; they become gaps rather than breaking the scale. */
  logY: boolean;
}

export function buildPlotData(curves: readonly Curve[], options: PlotOptions): PlotData {
  const parts: StepColumns[] = [];
  const series: SeriesSpec[] = [];
  const bands: BandSpec[] = [];
  const clean = options.logY ? positiveOnly : (values: readonly Value[]) => values;
  for (const curve of curves) {
    const columns: (readonly Value[])[] = [];
    const spec = (role: SeriesRole): SeriesSpec => ({ runId: curve.runId, key: curve.key, role });
    if (!curve.exact) {
      const minIndex = series.length + 1;
      series.push(spec("min"), spec("max"));
      columns.push(clean(curve.min), clean(curve.max));
      bands.push({ runId: curve.runId, upper: minIndex + 1, lower: minIndex });
    }
    const raw = clean(curve.mean);
    if (options.smoothing > 0) {
      series.push(spec("raw"), spec("line"));
      columns.push(raw, smooth(raw, options.smoothingKind ?? "ema", options.smoothing));
    } else {
      series.push(spec("line"));
      columns.push(raw);
    }
    parts.push(curve.xs ? byX(curve.xs, columns) : { steps: curve.steps, columns });
  }
  const aligned = alignSteps(parts);
  return { xs: aligned.xs, ys: aligned.columns, series, bands };
}

/** The columns re-ordered by x (points without an x dropped); equal x keep step order. */
export function byX(xs: readonly Value[], columns: readonly (readonly Value[])[]): StepColumns {
  const order: number[] = [];
  xs.forEach((x, i) => {
    if (x !== null) order.push(i);
  });
  order.sort((a, b) => (xs[a] as number) - (xs[b] as number) || a - b);
  return {
    steps: order.map((i) => xs[i] as number),
    columns: columns.map((column) => order.map((i) => column[i] ?? null)),
  };
}

function positiveOnly(values: readonly Value[]): Value[] {
  return values.map((value) => (value !== null && value > 0 ? value : null));
}
