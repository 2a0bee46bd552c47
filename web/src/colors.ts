/**
 * Run colours. A run keeps one colour everywhere on a page (table swatch, every chart): colours
 * go by creation order in the project, so the first ten runs get ten clearly different colours
 * and a link opened by a colleague shows the same ones.
 */
const PALETTE = [
  "#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
  "#ff9da7", "#3b5bdb", "#0ca678", "#ae3ec9", "#d9480f", "#1098ad", "#5c940d", "#868e96",
];

export type RunColors = ReadonlyMap<string, string>;

export function colorsFor(runs: readonly { run_id: string; created_at: number }[]): RunColors {
  const ordered = runs.slice().sort((a, b) => a.created_at - b.created_at || a.run_id.localeCompare(b.run_id));
  return new Map(ordered.map((run, index) => [run.run_id, PALETTE[index % PALETTE.length] ?? "#4e79a7"]));
}

export function colorOf(colors: RunColors, runId: string): string {
  return colors.get(runId) ?? "#868e96";
}

/** The colour with an alpha, for faint raw lines and envelope bands. */
export function withAlpha(hex: string, alpha: number): string {
  const a = Math.round(Math.min(Math.max(alpha, 0), 1) * 255)
    .toString(16)
    .padStart(2, "0");
  return `${hex}${a}`;
}
