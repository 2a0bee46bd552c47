/** TypeScript mirrors of the JSON shapes in src/epochal/wire/api.py (see docs/api.md). */

export type RunState = "running" | "finished" | "failed" | "crashed";

/** JSON carries non-finite floats as these strings (docs/api.md). */
export type JsonFloat = number | "NaN" | "Infinity" | "-Infinity";

export interface ProjectInfo {
  entity: string;
  name: string;
  run_count: number;
  created_at: number;
  last_activity: number;
}

export interface RunInfo {
  entity: string;
  project: string;
  run_id: string;
  name: string;
  state: RunState;
  created_at: number;
  updated_at: number;
  heartbeat_at: number;
  finished_at: number | null;
  runtime: number;
  group: string | null;
  job_type: string | null;
  tags: string[];
  notes: string | null;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  system: Record<string, unknown>;
  exit_code: number | null;
  error: string | null;
  last_step: number | null;
  history_rows: number;
  rejected_rows: number;
}

export interface RunPage {
  runs: RunInfo[];
  total: number;
}

export interface RunPatch {
  name?: string;
  notes?: string;
  tags?: string[];
  group?: string;
}

export interface SeriesKey {
  key: string;
  count: number;
  first_step: number;
  last_step: number;
  min: JsonFloat;
  max: JsonFloat;
  last: JsonFloat;
}

export interface FileInfo {
  path: string;
  size: number;
  sha256: string;
  updated_at: number;
}

/** One run's curve for one key: every point when `exact`, else min/max/mean buckets. */
export interface SeriesLine {
  run_id: string;
  key: string;
  steps: number[];
  min: JsonFloat[];
  max: JsonFloat[];
  mean: JsonFloat[];
  exact: boolean;
  /** With `x_key`: that key's value at each entry's step. */
  x?: JsonFloat[] | null;
}

export interface SeriesResponse {
  lines: SeriesLine[];
}

export interface HistoryPage {
  rows: Record<string, unknown>[];
  next_step: number | null;
}

/** Data of the SSE `points` event. */
export interface PointsEvent {
  run_id: string;
  keys: string[];
  last_step: number;
}

/** A media reference inside a history row (src/epochal/wire/media.py). */
export interface ImageRef {
  _type: "image-file";
  sha256: string;
  width?: number;
  height?: number;
  caption?: string | null;
}
