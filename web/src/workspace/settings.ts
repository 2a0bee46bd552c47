/**
 * What a workspace looks like (table columns, sort, filters, grouping, selection, chart settings).
 * It lives in the URL so a link shows a colleague the same view, and in localStorage per project
 * so it survives a visit.
 */

export type SmoothingKind = "ema" | "mean";

/** Chart panels: which are collapsed or wide, their heights, and the ones added by hand. */
export interface PanelLayout {
  collapsed: string[];
  wide: string[];
  /** Panel id → chart height in pixels, for panels the user resized. */
  heights: Record<string, number>;
  /** Hand-made panels, each a list of keys drawn in one chart. */
  custom: string[][];
}

export interface WorkspaceSettings {
  /** Column id, `-` prefixed for descending; null keeps the server's order (newest first). */
  sort: string | null;
  filter: string;
  hidden: string[];
  /** EMA weight in [0, 1); for the running mean, the window is derived from it (see smoothing.ts). */
  smoothing: number;
  smoothingKind: SmoothingKind;
  logY: boolean;
  /** Only charts whose key contains this text are shown. */
  keySearch: string;
  /** Column ids the user moved, in their order; the rest follow in the default order. */
  columnOrder: string[];
  hiddenColumns: string[];
  pinned: string[];
  groupBy: string | null;
  /** Column id → that column's filter, e.g. `< 0.01` or `resnet` (see filter.ts, columnFilterExpr). */
  columnFilters: Record<string, string>;
  selected: string[];
  onlySelected: boolean;
  /** `_step`, `_timestamp` (wall time), `_runtime` (relative time) or any scalar key. */
  xAxis: string;
  panels: PanelLayout;
}

export const STEP_AXIS = "_step";

export const EMPTY_LAYOUT: PanelLayout = { collapsed: [], wide: [], heights: {}, custom: [] };

export const DEFAULT_SETTINGS: WorkspaceSettings = {
  sort: null,
  filter: "",
  hidden: [],
  smoothing: 0,
  smoothingKind: "ema",
  logY: false,
  keySearch: "",
  columnOrder: [],
  hiddenColumns: [],
  pinned: [],
  groupBy: null,
  columnFilters: {},
  selected: [],
  onlySelected: false,
  xAxis: STEP_AXIS,
  panels: EMPTY_LAYOUT,
};

const PARAMS = ["sort", "filter", "hide", "smooth", "smoothk", "logy", "keys", "cols", "hidecols", "pin", "group", "sel", "only", "x", "panels"] as const;
const COLUMN_FILTER = "f.";

const list = (values: readonly string[]) => values.join(",");
const unlist = (text: string | null) => (text ?? "").split(",").filter(Boolean);

export function settingsToQuery(settings: WorkspaceSettings): URLSearchParams {
  const params = new URLSearchParams();
  if (settings.sort) params.set("sort", settings.sort);
  if (settings.filter) params.set("filter", settings.filter);
  if (settings.hidden.length) params.set("hide", list(settings.hidden));
  if (settings.smoothing > 0) params.set("smooth", String(settings.smoothing));
  if (settings.smoothingKind !== "ema") params.set("smoothk", settings.smoothingKind);
  if (settings.logY) params.set("logy", "1");
  if (settings.keySearch) params.set("keys", settings.keySearch);
  if (settings.columnOrder.length) params.set("cols", list(settings.columnOrder));
  if (settings.hiddenColumns.length) params.set("hidecols", list(settings.hiddenColumns));
  if (settings.pinned.length) params.set("pin", list(settings.pinned));
  if (settings.groupBy) params.set("group", settings.groupBy);
  for (const [column, text] of Object.entries(settings.columnFilters)) if (text) params.set(`${COLUMN_FILTER}${column}`, text);
  if (settings.selected.length) params.set("sel", list(settings.selected));
  if (settings.onlySelected) params.set("only", "1");
  if (settings.xAxis !== STEP_AXIS) params.set("x", settings.xAxis);
  if (!isEmptyLayout(settings.panels)) params.set("panels", JSON.stringify(settings.panels));
  return params;
}

/** Settings named in the URL, or null when the URL names none (then the stored ones apply). */
export function settingsFromQuery(params: URLSearchParams): WorkspaceSettings | null {
  const names = [...params.keys()];
  if (!names.some((name) => (PARAMS as readonly string[]).includes(name) || name.startsWith(COLUMN_FILTER))) return null;
  const smoothing = Number(params.get("smooth") ?? 0);
  const columnFilters: Record<string, string> = {};
  for (const [name, value] of params) if (name.startsWith(COLUMN_FILTER) && value) columnFilters[name.slice(COLUMN_FILTER.length)] = value;
  return {
    sort: params.get("sort") || null,
    filter: params.get("filter") ?? "",
    hidden: unlist(params.get("hide")),
    smoothing: Number.isFinite(smoothing) ? Math.min(Math.max(smoothing, 0), 0.99) : 0,
    smoothingKind: params.get("smoothk") === "mean" ? "mean" : "ema",
    logY: params.get("logy") === "1",
    keySearch: params.get("keys") ?? "",
    columnOrder: unlist(params.get("cols")),
    hiddenColumns: unlist(params.get("hidecols")),
    pinned: unlist(params.get("pin")),
    groupBy: params.get("group") || null,
    columnFilters,
    selected: unlist(params.get("sel")),
    onlySelected: params.get("only") === "1",
    xAxis: params.get("x") || STEP_AXIS,
    panels: parseLayout(params.get("panels")),
  };
}

function isEmptyLayout(layout: PanelLayout): boolean {
  return !layout.collapsed.length && !layout.wide.length && !Object.keys(layout.heights).length && !layout.custom.length;
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

/** A layout from the URL, keeping only well-formed parts: a hand-edited link must not break the page. */
export function parseLayout(text: string | null): PanelLayout {
  if (!text) return EMPTY_LAYOUT;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return EMPTY_LAYOUT;
  }
  if (typeof raw !== "object" || raw === null) return EMPTY_LAYOUT;
  const value = raw as Record<string, unknown>;
  const heights: Record<string, number> = {};
  if (typeof value.heights === "object" && value.heights !== null) {
    for (const [id, height] of Object.entries(value.heights)) {
      if (typeof height === "number" && Number.isFinite(height)) heights[id] = Math.min(Math.max(Math.round(height), 120), 1200);
    }
  }
  return {
    collapsed: isStringList(value.collapsed) ? value.collapsed : [],
    wide: isStringList(value.wide) ? value.wide : [],
    heights,
    custom: Array.isArray(value.custom) ? value.custom.filter(isStringList).filter((keys) => keys.length > 0) : [],
  };
}

function storageKey(entity: string, project: string): string {
  return `epochal.workspace.${entity}/${project}`;
}

export function loadStoredSettings(entity: string, project: string): WorkspaceSettings {
  try {
    const text = localStorage.getItem(storageKey(entity, project));
    if (!text) return DEFAULT_SETTINGS;
    return settingsFromQuery(new URLSearchParams(text)) ?? DEFAULT_SETTINGS;
  } catch {
    return DEFAULT_SETTINGS; // storage disabled (private mode): settings just do not persist
  }
}

export function storeSettings(entity: string, project: string, settings: WorkspaceSettings): void {
  try {
    localStorage.setItem(storageKey(entity, project), settingsToQuery(settings).toString());
  } catch {
    // storage full or disabled: the URL still holds the view
  }
}

/** Adds `item` when absent, removes it when present. */
export function toggled(items: readonly string[], item: string): string[] {
  return items.includes(item) ? items.filter((x) => x !== item) : [...items, item];
}
