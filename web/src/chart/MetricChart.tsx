/**
 * One chart panel: one or more keys across runs. Fetches each run's curve at the chart's pixel
 * width once the panel scrolls into view, appends only new steps on live `points` events, and
 * re-queries the server for exact data when the user zooms (so a zoomed view is never a stretched
 * thumbnail). The panel collapses, widens and resizes; its layout is kept by the workspace.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, isAbort } from "../api/client";
import type { ProjectEvents } from "../api/events";
import type { RunColors } from "../colors";
import { ErrorBanner } from "../components/ErrorBanner";
import { useInView } from "../components/useInView";
import { STEP_AXIS } from "../workspace/settings";
import { appendTail, curveFromLine, lastStep, lineId, type Curve } from "./curve";
import { LineChart, type XKind } from "./LineChart";
import { chartGone, chartPainted, chartPending, preloadGate, zoomPainted } from "./paintTracker";
import { buildPlotData } from "./plotData";
import type { SmoothingKind } from "./smoothing";
import { stepRangeOfX } from "./xaxis";

export interface MetricChartProps {
  entity: string;
  project: string;
  /** The panel's id in the layout: the key for automatic panels, `custom:<n>` for hand-made ones. */
  panelId: string;
  keys: readonly string[];
  /** Run ids in drawing order. */
  runIds: readonly string[];
  names: ReadonlyMap<string, string>;
  colors: RunColors;
  events: ProjectEvents;
  smoothing: number;
  smoothingKind: SmoothingKind;
  logY: boolean;
  xAxis: string;
  collapsed: boolean;
  wide: boolean;
  height: number;
  onLayout: (change: { collapsed?: boolean; wide?: boolean; height?: number }) => void;
  onRemove?: () => void;
}

interface Zoom {
  min: number;
  max: number;
}

const LIVE_COALESCE_MS = 250;

export function xKindOf(xAxis: string): XKind {
  return xAxis === STEP_AXIS ? "step" : xAxis === "_timestamp" ? "time" : xAxis === "_runtime" ? "duration" : "value";
}

export function xLabelOf(xAxis: string): string {
  return xAxis === STEP_AXIS ? "step" : xAxis === "_timestamp" ? "wall time" : xAxis === "_runtime" ? "relative time" : xAxis;
}

function emptyCurve(runId: string, key: string, withX: boolean): Curve {
  return { runId, key, steps: [], mean: [], min: [], max: [], exact: true, ...(withX ? { xs: [] } : {}) };
}

export function MetricChart(props: MetricChartProps) {
  const { entity, project, keys, runIds, events, panelId, collapsed } = props;
  const xKey = props.xAxis === STEP_AXIS ? undefined : props.xAxis;
  const [panel, seen] = useInView<HTMLDivElement>(preloadGate);
  const inView = seen && !collapsed;
  const [curves, setCurves] = useState<ReadonlyMap<string, Curve>>(new Map());
  const [zoom, setZoom] = useState<Zoom | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [width, setWidth] = useState(0);
  const [dragHeight, setDragHeight] = useState<number | null>(null);
  const curvesRef = useRef(curves);
  curvesRef.current = curves;
  // Bumped by every full fetch so a late live append cannot land on newer data.
  const generation = useRef(0);
  const awaitingZoomPaint = useRef(false);
  // The zoom the drawn curves belong to: after a zoom they stay on screen until the new range's
  // data arrives and replaces them in one setData (no blank chart, no rebuild of the plot).
  const drawnZoom = useRef<Zoom | null>(null);
  const runKey = runIds.join("\u0000");
  const keysKey = keys.join("\u0000");
  const complete = runIds.every((id) => keys.every((key) => curves.has(lineId(id, key))));

  // Pending from when it comes into view until its first complete paint (see paintTracker).
  const hasRuns = runIds.length > 0;
  useEffect(() => {
    if (!inView || !hasRuns) return;
    chartPending(panelId);
    return () => chartGone(panelId);
  }, [inView, hasRuns, panelId]);

  // Full fetch of whatever is missing: on first view, new runs shown, zoom, width, resync.
  const [resyncs, setResyncs] = useState(0);
  useEffect(() => {
    if (!inView || width === 0) return;
    const replace = drawnZoom.current !== zoom;
    const have = replace ? new Map<string, Curve>() : curvesRef.current;
    const requests = keys.flatMap((key) => {
      const missing = runIds.filter((id) => !have.has(lineId(id, key)));
      return missing.length ? [{ key, missing }] : [];
    });
    if (requests.length === 0) return;
    const controller = new AbortController();
    const myGeneration = ++generation.current;
    Promise.all(
      requests.map(({ key, missing }) =>
        api.series(entity, project, { runs: missing, key, width, minStep: zoom?.min, maxStep: zoom?.max, xKey }, controller.signal),
      ),
    )
      .then((responses) => {
        if (myGeneration !== generation.current) return;
        setError(null);
        drawnZoom.current = zoom;
        if (replace && zoom) awaitingZoomPaint.current = true;
        setCurves((previous) => {
          const next = new Map(replace ? [] : previous);
          requests.forEach(({ key, missing }) => {
            for (const id of missing) next.set(lineId(id, key), emptyCurve(id, key, xKey !== undefined));
          });
          for (const response of responses) for (const line of response.lines) next.set(lineId(line.run_id, line.key), curveFromLine(line));
          return next;
        });
      })
      .catch((caught: unknown) => {
        if (!isAbort(caught)) setError(caught);
      });
    return () => controller.abort();
  }, [inView, width, runKey, keysKey, zoom, resyncs, entity, project, xKey]);

  // Curves of runs no longer shown are dropped: shown again later, they are fetched fresh.
  useEffect(() => {
    const shown = new Set(runIds);
    if ([...curvesRef.current.values()].every((curve) => shown.has(curve.runId))) return;
    setCurves((previous) => new Map([...previous].filter(([, curve]) => shown.has(curve.runId))));
  }, [runKey]);

  // Live: coalesce `points` events and fetch only steps above what is drawn, for those runs.
  useEffect(() => {
    if (zoom) return; // a zoomed view stays put; reset shows the live tail again
    const pending = new Map<string, Set<string>>(); // key → run ids
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const batches = [...pending.entries()];
      pending.clear();
      const myGeneration = generation.current;
      for (const [key, runs] of batches) {
        const ids = [...runs].filter((id) => curvesRef.current.has(lineId(id, key)));
        if (ids.length === 0) continue;
        const steps = ids.map((id) => {
          const curve = curvesRef.current.get(lineId(id, key));
          return curve ? lastStep(curve) : null;
        });
        const minStep = steps.some((s) => s === null) ? undefined : Math.min(...(steps as number[])) + 1;
        api.series(entity, project, { runs: ids, key, width: width || 600, minStep, xKey }).then(
          (response) => {
            if (myGeneration !== generation.current) return;
            setCurves((previous) => {
              const next = new Map(previous);
              for (const line of response.lines) {
                const id = lineId(line.run_id, line.key);
                const drawn = next.get(id);
                if (drawn) next.set(id, appendTail(drawn, curveFromLine(line)));
              }
              return next;
            });
          },
          (caught: unknown) => setError(caught),
        );
      }
    };
    const unsubscribe = events.subscribe({
      points: (event) => {
        for (const key of event.keys) {
          if (!keys.includes(key) || !curvesRef.current.has(lineId(event.run_id, key))) continue;
          const runs = pending.get(key) ?? new Set<string>();
          runs.add(event.run_id);
          pending.set(key, runs);
          timer ??= setTimeout(flush, LIVE_COALESCE_MS);
        }
      },
      resync: () => {
        generation.current++;
        setCurves(new Map());
        setResyncs((n) => n + 1);
      },
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [events, zoom, entity, project, keysKey, width, xKey]);

  const changeZoom = (next: Zoom | null) => {
    generation.current++; // live appends in flight belong to the old range
    setZoom(next);
  };

  const onZoom = (min: number, max: number) => {
    if (!xKey) return changeZoom({ min: Math.floor(min), max: Math.ceil(max) });
    // Another x axis: zoom to the steps whose x lies in the selection.
    const range = stepRangeOfX([...curvesRef.current.values()], min, max);
    if (range) changeZoom(range);
  };

  const plot = useMemo(() => {
    const shown = runIds.flatMap((id) =>
      keys.flatMap((key) => {
        const curve = curves.get(lineId(id, key));
        return curve && curve.steps.length ? [curve] : [];
      }),
    );
    return buildPlotData(shown, { smoothing: props.smoothing, smoothingKind: props.smoothingKind, logY: props.logY });
  }, [curves, runKey, keysKey, props.smoothing, props.smoothingKind, props.logY]);

  const onDraw = () => {
    if (!complete) return;
    chartPainted(panelId);
    if (awaitingZoomPaint.current) {
      awaitingZoomPaint.current = false;
      zoomPainted();
    }
  };

  const startResize = (down: PointerEvent) => {
    down.preventDefault();
    const startY = down.clientY;
    const startHeight = props.height;
    let height = startHeight;
    const move = (e: PointerEvent) => {
      height = Math.min(1200, Math.max(120, startHeight + e.clientY - startY));
      setDragHeight(height);
    };
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
      setDragHeight(null);
      props.onLayout({ height });
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  };

  const title = keys.join(" · ");
  return (
    <div class={`chart-panel${props.wide ? " wide" : ""}${collapsed ? " collapsed" : ""}`} ref={panel} data-key={title} data-panel={panelId}>
      <div class="chart-title">
        <button class="link-button collapse-panel" aria-expanded={!collapsed} title={collapsed ? "Expand" : "Collapse"} onClick={() => props.onLayout({ collapsed: !collapsed })}>
          {collapsed ? "▸" : "▾"}
        </button>
        <span class="chart-name" title={title}>
          {title}
        </span>
        {zoom ? (
          <button class="link-button" onClick={() => changeZoom(null)} title="Double-click the chart also resets">
            steps {zoom.min}–{zoom.max} · reset
          </button>
        ) : null}
        <span class="panel-actions">
          <button class="link-button widen-panel" aria-pressed={props.wide} title={props.wide ? "Normal width" : "Full width"} onClick={() => props.onLayout({ wide: !props.wide })}>
            {props.wide ? "⇥⇤" : "⇤⇥"}
          </button>
          {props.onRemove ? (
            <button class="link-button remove-panel" title="Remove this panel" onClick={props.onRemove}>
              ✕
            </button>
          ) : null}
        </span>
      </div>
      {collapsed ? null : (
        <>
          <ErrorBanner error={error} context={`series ${title}`} />
          <LineChart
            title={title}
            plot={plot}
            names={props.names}
            colors={props.colors}
            logY={props.logY}
            height={dragHeight ?? props.height}
            xKind={xKindOf(props.xAxis)}
            xLabel={xLabelOf(props.xAxis)}
            onWidth={(w) => setWidth((current) => current || w)}
            onZoom={onZoom}
            onReset={() => (zoom ? changeZoom(null) : undefined)}
            onDraw={onDraw}
          />
          <div class="resize-handle" title="Drag to resize" onPointerDown={startResize} />
        </>
      )}
    </div>
  );
}
