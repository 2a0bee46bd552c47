/**
 * Grouping the runs table by a column: one header line per distinct value with the count and the
 * mean, minimum and maximum of every numeric column, then (unless collapsed) its runs. The table
 * virtualises this flat list of lines exactly as it does plain rows.
 */
import { compareCells, type Column, type RunRow } from "./columns";

export interface Aggregate {
  mean: number;
  min: number;
  max: number;
  count: number;
}

export interface Group {
  /** The group value as text (`(none)` for runs without one); also its id for collapsing. */
  label: string;
  rows: RunRow[];
  aggregates: Map<string, Aggregate>;
}

export type TableLine = { kind: "group"; group: Group; collapsed: boolean } | { kind: "run"; row: RunRow };

export const NO_VALUE = "(none)";

function groupLabel(value: unknown): string {
  if (value === undefined || value === null || value === "") return NO_VALUE;
  if (Array.isArray(value)) return value.length ? value.map(String).join(", ") : NO_VALUE;
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Mean/min/max over the finite numbers of one column (other cells are left out). */
export function aggregate(rows: readonly RunRow[], column: string): Aggregate | null {
  let sum = 0;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    const value = row.fields.get(column);
    if (typeof value !== "number" || !Number.isFinite(value)) continue;
    sum += value;
    count++;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return count ? { mean: sum / count, min, max, count } : null;
}

/** Groups in order of their values (numbers numerically); rows keep their (sorted) order inside. */
export function groupRows(rows: readonly RunRow[], by: string, columns: readonly Column[]): Group[] {
  const byLabel = new Map<string, { value: unknown; rows: RunRow[] }>();
  for (const row of rows) {
    const value = row.fields.get(by);
    const label = groupLabel(value);
    const entry = byLabel.get(label) ?? { value, rows: [] };
    entry.rows.push(row);
    byLabel.set(label, entry);
  }
  const ordered = [...byLabel.entries()].sort(([, a], [, b]) => compareCells(a.value, b.value));
  return ordered.map(([label, entry]) => {
    const aggregates = new Map<string, Aggregate>();
    for (const column of columns) {
      const found = aggregate(entry.rows, column.id);
      if (found) aggregates.set(column.id, found);
    }
    return { label, rows: entry.rows, aggregates };
  });
}

export function tableLines(groups: readonly Group[], collapsed: ReadonlySet<string>): TableLine[] {
  const lines: TableLine[] = [];
  for (const group of groups) {
    const isCollapsed = collapsed.has(group.label);
    lines.push({ kind: "group", group, collapsed: isCollapsed });
    if (!isCollapsed) for (const row of group.rows) lines.push({ kind: "run", row });
  }
  return lines;
}
