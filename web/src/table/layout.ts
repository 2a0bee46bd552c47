/**
 * Which columns the table shows and in what order: the user's moves, hidden columns and pinned
 * columns applied to the columns the runs have. New config or summary keys still appear (after
 * the ones the user arranged), so a saved layout never hides data the user has not seen yet.
 */
import type { Column } from "./columns";
import { FilterSyntaxError, parseFilter, type FilterExpr } from "./filter";

export interface ColumnLayout {
  columnOrder: readonly string[];
  hiddenColumns: readonly string[];
  pinned: readonly string[];
}

/** Every column in display order (pinned first), hidden ones included; see visibleColumns. */
export function orderedColumns(all: readonly Column[], layout: ColumnLayout): Column[] {
  const byId = new Map(all.map((column) => [column.id, column]));
  const arranged = layout.columnOrder.flatMap((id) => {
    const column = byId.get(id);
    return column ? [column] : [];
  });
  const placed = new Set(arranged.map((column) => column.id));
  const ordered = [...arranged, ...all.filter((column) => !placed.has(column.id))];
  const pinned = new Set(layout.pinned);
  return [...ordered.filter((column) => pinned.has(column.id)), ...ordered.filter((column) => !pinned.has(column.id))];
}

export function visibleColumns(all: readonly Column[], layout: ColumnLayout): Column[] {
  const hidden = new Set(layout.hiddenColumns);
  return orderedColumns(all, layout).filter((column) => !hidden.has(column.id));
}

/**
 * The full column order after moving `id` by `delta` places (−1 left, +1 right), or onto
 * `target`'s place when dropping it there. Returned as ids for WorkspaceSettings.columnOrder.
 */
export function moveColumn(ordered: readonly Column[], id: string, to: number | { target: string }): string[] {
  const ids = ordered.map((column) => column.id);
  const from = ids.indexOf(id);
  if (from < 0) return ids;
  const destination = typeof to === "number" ? from + to : ids.indexOf(to.target);
  if (destination < 0 || destination >= ids.length || destination === from) return ids;
  ids.splice(from, 1);
  ids.splice(destination, 0, id);
  return ids;
}

/**
 * A per-column filter as an expression: text starting with an operator compares (`< 0.01`,
 * `= finished`, `!= null`), any other text is "contains" (`resnet` → `~ resnet`).
 */
export function columnFilterExpr(column: string, text: string): FilterExpr | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (!/^[=!<>~]/.test(trimmed)) return { kind: "compare", field: column, op: "~", value: trimmed };
  const parsed = parseFilter(`x ${trimmed}`);
  if (parsed?.kind !== "compare") throw new FilterSyntaxError(`"${trimmed}" is not one comparison`, 0);
  return { ...parsed, field: column };
}

/** All column filters joined with `and`; the first bad one is reported with its column. */
export function columnFiltersExpr(filters: Readonly<Record<string, string>>): { expr: FilterExpr | null; error: string | null } {
  let expr: FilterExpr | null = null;
  for (const [column, text] of Object.entries(filters)) {
    let part: FilterExpr | null;
    try {
      part = columnFilterExpr(column, text);
    } catch (caught) {
      if (caught instanceof FilterSyntaxError) return { expr: null, error: `${column}: ${caught.message}` };
      throw caught;
    }
    if (part) expr = expr ? { kind: "and", left: expr, right: part } : part;
  }
  return { expr, error: null };
}
