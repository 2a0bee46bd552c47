/**
 * A run keeps one colour everywhere (table swatch, every chart, any link a colleague opens):
 * it comes from a hash of the run id, not from the run's position in a list.
 */
const PALETTE = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf",
  "#bcbd22", "#3b5bdb", "#f06595", "#0ca678", "#f59f00", "#ae3ec9", "#e8590c", "#1098ad",
];

export function runColor(runId: string): string {
  let hash = 2166136261;
  for (let i = 0; i < runId.length; i++) {
    hash ^= runId.charCodeAt(i);
    hash = Math.imul(hash, 16777619);
  }
  return PALETTE[(hash >>> 0) % PALETTE.length] ?? "#1f77b4";
}

/** The colour with an alpha, for faint raw lines and envelope bands. */
export function withAlpha(hex: string, alpha: number): string {
  const a = Math.round(Math.min(Math.max(alpha, 0), 1) * 255)
    .toString(16)
    .padStart(2, "0");
  return `${hex}${a}`;
}
