/**
 * When are the charts on screen drawn? Charts in view report themselves pending until they have
 * painted every run's line; when none is pending the time goes into
 * `window.__epochalChartsPainted` (and a performance mark), and a chart painted after a zoom
 * stamps `window.__epochalZoomPainted`. The UI benchmark (bench/ui) reads these; users never see them.
 */
declare global {
  interface Window {
    __epochalChartsPainted?: number;
    __epochalZoomPainted?: number;
    __epochalZoomPreviewPainted?: number;
  }
}

const pending = new Set<string>();

export function chartPending(id: string): void {
  pending.add(id);
}

export function chartPainted(id: string): void {
  if (!pending.delete(id) || pending.size > 0) return;
  window.__epochalChartsPainted = performance.now();
  performance.mark("epochal:charts-painted");
}

/** A chart that goes away (or collapses) no longer holds the others back. */
export function chartGone(id: string): void {
  pending.delete(id);
}

export function zoomPainted(): void {
  window.__epochalZoomPainted = performance.now();
  performance.mark("epochal:zoom-painted");
}

export function zoomPreviewPainted(): void {
  window.__epochalZoomPreviewPainted = performance.now();
}
