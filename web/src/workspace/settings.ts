/**
 * What a workspace looks like (sort, filter, hidden runs, chart settings). It lives in the URL so
 * a link shows a colleague the same view, and in localStorage per project so it survives a visit.
 */

export interface WorkspaceSettings {
  /** Column id, `-` prefixed for descending; null keeps the server's order (newest first). */
  sort: string | null;
  filter: string;
  hidden: string[];
  /** EMA weight in [0, 1). */
  smoothing: number;
  logY: boolean;
  /** Only charts whose key contains this text are shown. */
  keySearch: string;
}

export const DEFAULT_SETTINGS: WorkspaceSettings = {
  sort: null,
  filter: "",
  hidden: [],
  smoothing: 0,
  logY: false,
  keySearch: "",
};

const PARAMS = ["sort", "filter", "hide", "smooth", "logy", "keys"] as const;

export function settingsToQuery(settings: WorkspaceSettings): URLSearchParams {
  const params = new URLSearchParams();
  if (settings.sort) params.set("sort", settings.sort);
  if (settings.filter) params.set("filter", settings.filter);
  if (settings.hidden.length) params.set("hide", settings.hidden.join(","));
  if (settings.smoothing > 0) params.set("smooth", String(settings.smoothing));
  if (settings.logY) params.set("logy", "1");
  if (settings.keySearch) params.set("keys", settings.keySearch);
  return params;
}

/** Settings named in the URL, or null when the URL names none (then the stored ones apply). */
export function settingsFromQuery(params: URLSearchParams): WorkspaceSettings | null {
  if (!PARAMS.some((name) => params.has(name))) return null;
  const smoothing = Number(params.get("smooth") ?? 0);
  return {
    sort: params.get("sort") || null,
    filter: params.get("filter") ?? "",
    hidden: (params.get("hide") ?? "").split(",").filter(Boolean),
    smoothing: Number.isFinite(smoothing) ? Math.min(Math.max(smoothing, 0), 0.99) : 0,
    logY: params.get("logy") === "1",
    keySearch: params.get("keys") ?? "",
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
