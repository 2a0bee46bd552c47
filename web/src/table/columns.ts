/**
 * The runs table's columns. A column id is also the field name the text filter and the URL's
 * sort use: `name`, `state`, `created_at`, `runtime`, `tags`, `group`, `config.<a.b>`, `summary.<key>`.
 */
import type { RunInfo } from "../api/types";

export type ColumnKind = "text" | "number" | "time" | "duration" | "state" | "tags" | "value";

export interface Column {
  id: string;
  label: string;
  kind: ColumnKind;
  width: number;
}

const FIXED: readonly Column[] = [
  { id: "name", label: "Name", kind: "text", width: 180 },
  { id: "state", label: "State", kind: "state", width: 100 },
  { id: "created_at", label: "Created", kind: "time", width: 140 },
  { id: "runtime", label: "Runtime", kind: "duration", width: 90 },
  { id: "tags", label: "Tags", kind: "tags", width: 130 },
  { id: "group", label: "Group", kind: "text", width: 100 },
];

/** Nested dicts become dotted keys (`{"opt": {"lr": 1}}` → `opt.lr`); media refs and lists stay whole. */
export function flatten(value: Record<string, unknown>, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, item] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (item !== null && typeof item === "object" && !Array.isArray(item) && !("_type" in item)) {
      flatten(item as Record<string, unknown>, name, out);
    } else {
      out[name] = item;
    }
  }
  return out;
}

export interface RunRow {
  run: RunInfo;
  fields: Map<string, unknown>;
}

const rowCache = new WeakMap<RunInfo, RunRow>();

/** The run with every column value precomputed once (runs are replaced, never mutated). */
export function toRow(run: RunInfo): RunRow {
  const cached = rowCache.get(run);
  if (cached) return cached;
  const fields = new Map<string, unknown>([
    ["id", run.run_id],
    ["run_id", run.run_id],
    ["name", run.name],
    ["state", run.state],
    ["created_at", run.created_at],
    ["runtime", run.runtime],
    ["tags", run.tags],
    ["group", run.group],
    ["job_type", run.job_type],
    ["notes", run.notes],
  ]);
  for (const [key, value] of Object.entries(flatten(run.config))) fields.set(`config.${key}`, value);
  for (const [key, value] of Object.entries(flatten(run.summary))) fields.set(`summary.${key}`, value);
  const row = { run, fields };
  rowCache.set(run, row);
  return row;
}

/** Fixed columns, then every config key, then every summary key (internal `_` keys left out). */
export function columnsFor(rows: readonly RunRow[]): Column[] {
  const config = new Set<string>();
  const summary = new Set<string>();
  for (const row of rows) {
    for (const key of row.fields.keys()) {
      if (key.startsWith("config.")) config.add(key);
      else if (key.startsWith("summary.") && !key.startsWith("summary._")) summary.add(key);
    }
  }
  const dynamic = (ids: Set<string>): Column[] =>
    [...ids].sort().map((id) => ({ id, label: id, kind: "value", width: 110 }));
  return [...FIXED, ...dynamic(config), ...dynamic(summary)];
}

/** Sort order for mixed cells: numbers, then text, then empty cells last whichever the direction. */
export function compareCells(a: unknown, b: unknown): number {
  const emptyA = a === undefined || a === null || a === "";
  const emptyB = b === undefined || b === null || b === "";
  if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "number") return -1;
  if (typeof b === "number") return 1;
  const textA = typeof a === "object" ? JSON.stringify(a) : String(a);
  const textB = typeof b === "object" ? JSON.stringify(b) : String(b);
  return textA.localeCompare(textB, undefined, { numeric: true });
}

/** A sort spec is a column id, `-` prefixed for descending (the API's `order` convention). */
export function sortRows(rows: readonly RunRow[], sort: string | null): RunRow[] {
  if (!sort) return rows.slice();
  const descending = sort.startsWith("-");
  const id = descending ? sort.slice(1) : sort;
  const decorated = rows.map((row, index) => ({ row, index, value: row.fields.get(id) }));
  decorated.sort((x, y) => {
    const emptyX = x.value === undefined || x.value === null;
    const emptyY = y.value === undefined || y.value === null;
    if (emptyX !== emptyY) return emptyX ? 1 : -1;
    const order = compareCells(x.value, y.value);
    return (descending ? -order : order) || x.index - y.index;
  });
  return decorated.map((item) => item.row);
}
