/**
 * When are the charts on screen drawn? Charts in view report themselves pending until they have
 * painted every run's line; when none is pending the time goes into
 * `window.__epochalChartsPainted` (and a performance mark), and a chart painted after a zoom
 * stamps `window.__epochalZoomPainted`. The UI benchmark (bench/ui) reads these; users never see them.
 * The same moment opens the preload of charts just below the viewport (preloadGate).
 */
declare global {
  interface Window {
    __epochalChartsPainted?: number;
    __epochalZoomPainted?: number;
    __epochalZoomPreviewPainted?: number;
  }
}

const pending = new Set<string>();
/** Waiting for the first charts in view to be drawn; null once they have been (see preloadGate). */
let preloadWaiters: Set<() => void> | null = new Set();

/**
 * Charts just below the viewport start loading only once the charts in view have painted (or
 * gone): loading them together made every request share the server and the browser's cores.
 */
export function preloadGate(start: () => void): () => void {
  const waiters = preloadWaiters;
  if (waiters === null) {
    start();
    return () => undefined;
  }
  waiters.add(start);
  return () => waiters.delete(start);
}

function openPreloadGate(): void {
  const waiters = preloadWaiters;
  if (waiters === null) return;
  preloadWaiters = null;
  for (const start of waiters) start();
}

export function chartPending(id: string): void {
  pending.add(id);
}

export function chartPainted(id: string): void {
  if (!pending.delete(id) || pending.size > 0) return;
  window.__epochalChartsPainted = performance.now();
  performance.mark("epochal:charts-painted");
  openPreloadGate();
}

/** A chart that goes away (or collapses) no longer holds the others back. */
export function chartGone(id: string): void {
  if (pending.delete(id) && pending.size === 0) openPreloadGate();
}

export function zoomPainted(): void {
  window.__epochalZoomPainted = performance.now();
  performance.mark("epochal:zoom-painted");
}

export function zoomPreviewPainted(): void {
  window.__epochalZoomPreviewPainted = performance.now();
}
