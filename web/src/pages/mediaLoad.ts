/**
 * Reading a run's images from its history: media keys are those the summary holds image refs for,
 * plus any found in the first rows (the summary may keep only scalars); then only those keys are
 * paged through.
 */
import { api } from "../api/client";
import type { HistoryPage, RunInfo } from "../api/types";
import { flatten } from "../table/columns";
import { imageRefs, imagesByKey, type ImageStep } from "./media";

const PAGE = 10000;
/** Pages of history read for media before giving up (a run with images at 100k steps is rare). */
const MAX_PAGES = 10;
const FIRST_LOOK = 1000;

/** Keys whose summary value is an image or a list of images. */
export function summaryMediaKeys(run: RunInfo): string[] {
  return Object.entries(flatten(run.summary))
    .filter(([, value]) => imageRefs(value).length > 0)
    .map(([key]) => key);
}

/** The run's images per key and step; `only` limits the keys (and skips the first look). */
export async function loadRunImages(run: RunInfo, signal: AbortSignal, only?: readonly string[]): Promise<Map<string, ImageStep[]>> {
  const read = (keys: readonly string[], minStep: number | undefined, limit: number) =>
    api.history(run.entity, run.project, run.run_id, { keys, minStep, limit }, signal);
  let keys: string[];
  if (only) keys = [...only];
  else {
    const first = await read([], undefined, FIRST_LOOK);
    keys = [...new Set([...summaryMediaKeys(run), ...imagesByKey(first.rows).keys()])];
  }
  if (keys.length === 0) return imagesByKey([]);
  const rows: HistoryPage["rows"] = [];
  let minStep: number | undefined = undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result: HistoryPage = await read(keys, minStep, PAGE);
    rows.push(...result.rows);
    if (result.next_step === null) break;
    minStep = result.next_step;
  }
  return imagesByKey(rows);
}
