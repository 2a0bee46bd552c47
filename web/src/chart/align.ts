/**
 * uPlot draws columnar data: one shared x array and one y column per series. Runs log at
 * different steps, so their curves are merged onto the union of steps, with null where a run has
 * no point (the chart spans those gaps).
 */
import type { Value } from "./curve";

export interface StepColumns {
  steps: readonly number[];
  /** Columns parallel to `steps`. */
  columns: readonly (readonly Value[])[];
}

export interface Aligned {
  xs: number[];
  /** Every input column, in input order, re-indexed onto `xs`. */
  columns: Value[][];
}

export function alignSteps(parts: readonly StepColumns[]): Aligned {
  const xs = unionOfSorted(parts.map((part) => part.steps));
  const position = new Map<number, number>();
  xs.forEach((x, i) => position.set(x, i));
  const columns: Value[][] = [];
  for (const part of parts) {
    for (const column of part.columns) {
      const out: Value[] = new Array<Value>(xs.length).fill(null);
      part.steps.forEach((step, i) => {
        const at = position.get(step);
        if (at !== undefined) out[at] = column[i] ?? null;
      });
      columns.push(out);
    }
  }
  return { xs, columns };
}

function unionOfSorted(lists: readonly (readonly number[])[]): number[] {
  if (lists.length === 1) return dedupeSorted(lists[0] ?? []);
  const all: number[] = [];
  for (const list of lists) for (const step of list) all.push(step);
  all.sort((a, b) => a - b);
  return dedupeSorted(all);
}

function dedupeSorted(sorted: readonly number[]): number[] {
  const out: number[] = [];
  for (const value of sorted) if (out.length === 0 || out[out.length - 1] !== value) out.push(value);
  return out;
}

/** The value at `index`, or the nearest one before it: what hover shows for a run without a point there. */
export function valueAtOrBefore(column: readonly Value[], index: number): Value {
  for (let i = Math.min(index, column.length - 1); i >= 0; i--) {
    const value = column[i];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}
