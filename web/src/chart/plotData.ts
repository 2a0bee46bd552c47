/**
 * Turns the curves of one chart into uPlot's columnar data plus a plain description of each
 * series (which run, which role), so the drawing code stays a thin mapping and this logic is
 * testable without a canvas.
 *
 * Per run, in order: the min and max of the envelope (only when the server sent buckets; drawn
 * as a band, never as lines), the raw line (faint, only when smoothing), and the main line.
 */
import { alignSteps, type StepColumns } from "./align";
import type { Curve, Value } from "./curve";
import { ema } from "./smoothing";

export type SeriesRole = "min" | "max" | "raw" | "line";

export interface SeriesSpec {
  runId: string;
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
    if (!curve.exact) {
      const minIndex = series.length + 1;
      series.push({ runId: curve.runId, role: "min" }, { runId: curve.runId, role: "max" });
      columns.push(clean(curve.min), clean(curve.max));
      bands.push({ runId: curve.runId, upper: minIndex + 1, lower: minIndex });
    }
    const raw = clean(curve.mean);
    if (options.smoothing > 0) {
      series.push({ runId: curve.runId, role: "raw" });
      columns.push(raw);
      series.push({ runId: curve.runId, role: "line" });
      columns.push(ema(raw, options.smoothing));
    } else {
      series.push({ runId: curve.runId, role: "line" });
      columns.push(raw);
    }
    parts.push({ steps: curve.steps, columns });
  }
  const aligned = alignSteps(parts);
  return { xs: aligned.xs, ys: aligned.columns, series, bands };
}

function positiveOnly(values: readonly Value[]): Value[] {
  return values.map((value) => (value !== null && value > 0 ? value : null));
}
