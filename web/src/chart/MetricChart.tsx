/**
 * One key's chart across runs: fetches each run's curve at the chart's pixel width once the
 * panel scrolls into view, appends only new steps on live `points` events, and re-queries the
 * server for exact data when the user zooms (so a zoomed view is never a stretched thumbnail).
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, isAbort } from "../api/client";
import type { ProjectEvents } from "../api/events";
import type { RunColors } from "../colors";
import { ErrorBanner } from "../components/ErrorBanner";
import { useInView } from "../components/useInView";
import { appendTail, curveFromLine, lastStep, type Curve } from "./curve";
import { LineChart } from "./LineChart";
import { buildPlotData } from "./plotData";

export interface MetricChartProps {
  entity: string;
  project: string;
  metric: string;
  /** Run ids in drawing order. */
  runIds: readonly string[];
  names: ReadonlyMap<string, string>;
  colors: RunColors;
  events: ProjectEvents;
  smoothing: number;
  logY: boolean;
}

interface Zoom {
  min: number;
  max: number;
}

const LIVE_COALESCE_MS = 250;

export function MetricChart(props: MetricChartProps) {
  const { entity, project, metric, runIds, events } = props;
  const [panel, inView] = useInView<HTMLDivElement>();
  const [curves, setCurves] = useState<ReadonlyMap<string, Curve>>(new Map());
  const [zoom, setZoom] = useState<Zoom | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [width, setWidth] = useState(0);
  const curvesRef = useRef(curves);
  curvesRef.current = curves;
  // Bumped by every full fetch so a late live append cannot land on newer data.
  const generation = useRef(0);
  const runKey = runIds.join("\u0000");

  // Full fetch of whatever is missing: on first view, new runs shown, zoom, width, resync.
  const [resyncs, setResyncs] = useState(0);
  useEffect(() => {
    if (!inView || width === 0) return;
    const have = curvesRef.current;
    const missing = runIds.filter((id) => !have.has(id));
    if (missing.length === 0) return;
    const controller = new AbortController();
    const myGeneration = ++generation.current;
    api
      .series(entity, project, { runs: missing, key: metric, width, minStep: zoom?.min, maxStep: zoom?.max }, controller.signal)
      .then((response) => {
        if (myGeneration !== generation.current) return;
        setError(null);
        setCurves((previous) => {
          const next = new Map(previous);
          for (const id of missing) next.set(id, { runId: id, steps: [], mean: [], min: [], max: [], exact: true });
          for (const line of response.lines) next.set(line.run_id, curveFromLine(line));
          return next;
        });
      })
      .catch((caught: unknown) => {
        if (!isAbort(caught)) setError(caught);
      });
    return () => controller.abort();
  }, [inView, width, runKey, zoom, resyncs, entity, project, metric]);

  // Curves of runs no longer shown are dropped: shown again later, they are fetched fresh.
  useEffect(() => {
    const shown = new Set(runIds);
    if ([...curvesRef.current.keys()].every((id) => shown.has(id))) return;
    setCurves((previous) => new Map([...previous].filter(([id]) => shown.has(id))));
  }, [runKey]);

  // Live: coalesce `points` events and fetch only steps above what is drawn, for those runs.
  useEffect(() => {
    if (zoom) return; // a zoomed view stays put; reset shows the live tail again
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const ids = [...pending].filter((id) => curvesRef.current.has(id));
      pending.clear();
      if (ids.length === 0) return;
      const steps = ids.map((id) => {
        const curve = curvesRef.current.get(id);
        return curve ? lastStep(curve) : null;
      });
      const minStep = steps.some((s) => s === null) ? undefined : Math.min(...(steps as number[])) + 1;
      const myGeneration = generation.current;
      api.series(entity, project, { runs: ids, key: metric, width: width || 600, minStep }).then(
        (response) => {
          if (myGeneration !== generation.current) return;
          setCurves((previous) => {
            const next = new Map(previous);
            for (const line of response.lines) {
              const drawn = next.get(line.run_id);
              if (drawn) next.set(line.run_id, appendTail(drawn, curveFromLine(line)));
            }
            return next;
          });
        },
        (caught: unknown) => setError(caught),
      );
    };
    const unsubscribe = events.subscribe({
      points: (event) => {
        if (!event.keys.includes(metric) || !curvesRef.current.has(event.run_id)) return;
        pending.add(event.run_id);
        timer ??= setTimeout(flush, LIVE_COALESCE_MS);
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
  }, [events, zoom, entity, project, metric, width]);

  const changeZoom = (next: Zoom | null) => {
    generation.current++;
    setCurves(new Map());
    setZoom(next);
  };

  const plot = useMemo(() => {
    const shown = runIds.flatMap((id) => {
      const curve = curves.get(id);
      return curve && curve.steps.length ? [curve] : [];
    });
    return buildPlotData(shown, { smoothing: props.smoothing, logY: props.logY });
  }, [curves, runKey, props.smoothing, props.logY]);

  return (
    <div class="chart-panel" ref={panel} data-key={metric}>
      <div class="chart-title">
        <span title={metric}>{metric}</span>
        {zoom ? (
          <button class="link-button" onClick={() => changeZoom(null)} title="Double-click the chart also resets">
            steps {zoom.min}–{zoom.max} · reset
          </button>
        ) : null}
      </div>
      <ErrorBanner error={error} context={`series ${metric}`} />
      <LineChart
        title={metric}
        plot={plot}
        names={props.names}
        colors={props.colors}
        logY={props.logY}
        onWidth={(w) => setWidth((current) => current || w)}
        onZoom={(min, max) => changeZoom({ min, max })}
        onReset={() => (zoom ? changeZoom(null) : undefined)}
      />
    </div>
  );
}
