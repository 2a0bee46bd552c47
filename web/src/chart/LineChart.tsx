/**
 * Draws one PlotData with uPlot. The chart object is rebuilt only when the set of series changes
 * (runs shown, smoothing on/off, axis type); new points only call setData, so live updates do not
 * flicker. Zoom is reported upward (the caller re-queries exact data for the range) instead of
 * stretching the points already drawn.
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { colorOf, withAlpha, type RunColors } from "../colors";
import { formatDuration, formatNumber } from "../format";
import { valueAtOrBefore } from "./align";
import { zoomPreviewPainted } from "./paintTracker";
import type { PlotData } from "./plotData";

export interface LineChartProps {
  title: string;
  plot: PlotData;
  names: ReadonlyMap<string, string>;
  colors: RunColors;
  logY: boolean;
  height?: number;
  onZoom: (minStep: number, maxStep: number) => void;
  onReset: () => void;
  onWidth?: (width: number) => void;
  /** What the x values are: steps, epoch seconds (wall time), seconds since start, or a metric. */
  xKind?: XKind;
  xLabel?: string;
  /** Called after every paint with data, so callers can tell when a chart is on screen. */
  onDraw?: () => void;
}

export type XKind = "step" | "time" | "duration" | "value";

/** Line dash per key index in a chart with several keys (the run's colour tells runs apart). */
const DASHES: readonly (number[] | undefined)[] = [undefined, [6, 3], [2, 3], [10, 3, 2, 3]];

function formatX(kind: XKind, value: number): string {
  if (kind === "time") return new Date(value * 1000).toLocaleTimeString();
  if (kind === "duration") return formatDuration(value);
  return formatNumber(value);
}

function themeColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

function buildOptions(props: LineChartProps, width: number, height: number, onHover: (idx: number | null) => void): uPlot.Options {
  let previewing = false;
  const text = themeColor("--text-muted", "#666");
  const grid = themeColor("--grid", "#e5e5e5");
  const axis: uPlot.Axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const xKind = props.xKind ?? "step";
  const keys = [...new Set(props.plot.series.map((spec) => spec.key))];
  const xAxis: uPlot.Axis = xKind === "time" ? axis : { ...axis, values: (_u, ticks) => ticks.map((t) => formatX(xKind, t)) };
  return {
    width,
    height,
    legend: { show: false },
    scales: { x: { time: xKind === "time" }, y: { distr: props.logY ? 3 : 1 } },
    axes: [xAxis, { ...axis, size: 56, values: (_u, ticks) => ticks.map((t) => formatNumber(t)) }],
    cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
    series: [
      { label: props.xLabel ?? "step" },
      ...props.plot.series.map((spec): uPlot.Series => {
        const color = colorOf(props.colors, spec.runId);
        const name = props.names.get(spec.runId) ?? spec.runId;
        const label = keys.length > 1 ? `${name} · ${spec.key}` : name;
        const dash = DASHES[keys.indexOf(spec.key) % DASHES.length];
        if (spec.role === "min" || spec.role === "max") {
          return { label: `${label} ${spec.role}`, stroke: "transparent", width: 0, points: { show: false }, spanGaps: true };
        }
        if (spec.role === "raw") {
          return { label: `${label} raw`, stroke: withAlpha(color, 0.25), width: 1, points: { show: false }, spanGaps: true };
        }
        return { label, stroke: color, width: 1.5, spanGaps: true, ...(dash ? { dash } : {}) };
      }),
    ],
    bands: props.plot.bands.map((band) => ({ series: [band.upper, band.lower], fill: withAlpha(colorOf(props.colors, band.runId), 0.18) })),
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width > 3) {
            const min = u.posToVal(u.select.left, "x");
            const max = u.posToVal(u.select.left + u.select.width, "x");
            // Stretch what is drawn at once (feedback within a frame); the exact data for the
            // range, which the caller fetches, replaces it when it arrives.
            previewing = true;
            u.setScale("x", { min, max });
            props.onZoom(Math.floor(min), Math.ceil(max));
          }
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
        },
      ],
      setCursor: [(u) => onHover(u.cursor.idx ?? null)],
      draw: [
        (u) => {
          if (previewing) {
            previewing = false;
            zoomPreviewPainted();
          }
          if ((u.data[0]?.length ?? 0) > 0) props.onDraw?.();
        },
      ],
    },
  };
}

function toAligned(plot: PlotData): uPlot.AlignedData {
  return [plot.xs, ...plot.ys] as uPlot.AlignedData;
}

/** A string that changes exactly when the chart must be rebuilt rather than fed new data. */
function structureOf(plot: PlotData, logY: boolean, colors: RunColors, xKind: XKind): string {
  return `${logY}|${xKind}|${plot.series.map((s) => `${s.runId}:${s.key}:${s.role}:${colors.get(s.runId) ?? ""}`).join(",")}`;
}

export function LineChart(props: LineChartProps) {
  const { plot, logY, height = 220 } = props;
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const [hoverIdx, setHoverIdx] = useState<number | null>(null);
  const [width, setWidth] = useState(0);
  const xKind = props.xKind ?? "step";
  const structure = structureOf(plot, logY, props.colors, xKind);

  // Layout effects: the width is known (and the data fetch can start) before the first paint.
  useLayoutEffect(() => {
    const element = host.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setWidth(Math.floor(element.clientWidth)));
    observer.observe(element);
    setWidth(Math.floor(element.clientWidth));
    return () => observer.disconnect();
  }, []);

  useLayoutEffect(() => {
    if (width > 0) latest.current.onWidth?.(width);
  }, [width]);

  useEffect(() => {
    const element = host.current;
    if (!element || width === 0) return;
    // Callbacks go through `latest` so the chart never calls a stale closure.
    const proxy: LineChartProps = {
      ...latest.current,
      onZoom: (a, b) => latest.current.onZoom(a, b),
      onReset: () => latest.current.onReset(),
      onDraw: () => latest.current.onDraw?.(),
    };
    const u = new uPlot(buildOptions(proxy, width, height, setHoverIdx), toAligned(latest.current.plot), element);
    const onDoubleClick = () => latest.current.onReset();
    u.over.addEventListener("dblclick", onDoubleClick);
    chart.current = u;
    return () => {
      u.over.removeEventListener("dblclick", onDoubleClick);
      u.destroy();
      chart.current = null;
    };
    // Rebuilt only when the structure or the size changes; data changes go through setData below.
  }, [structure, width, height]);

  useEffect(() => {
    chart.current?.setData(toAligned(plot));
  }, [plot]);

  const legend = useMemo(() => legendRows(plot, props.names, hoverIdx), [plot, props.names, hoverIdx]);
  const lineCount = plot.series.filter((s) => s.role === "line").length;
  const hoverX = hoverIdx !== null ? plot.xs[hoverIdx] : undefined;
  const xLabel = props.xLabel ?? "step";

  return (
    <div class="line-chart" data-lines={lineCount} data-x-kind={xKind} data-max-step={plot.xs.length ? plot.xs[plot.xs.length - 1] : ""}>
      <div class="line-chart-canvas" ref={host} />
      <div class="chart-legend">
        <span class="legend-step">{hoverX !== undefined ? `${xLabel} ${formatX(xKind, hoverX)}` : "last"}</span>
        {legend.shown.map((row) => (
          <span class="legend-item" key={`${row.runId}:${row.key}`} data-run-id={row.runId} data-key={row.key} data-last-step={row.lastStep ?? ""} title={row.name}>
            <i class="swatch" style={{ background: colorOf(props.colors, row.runId) }} />
            <span class="legend-name">{row.name}</span>
            <b>{row.value === null ? "–" : formatNumber(row.value)}</b>
          </span>
        ))}
        {legend.more > 0 ? <span class="legend-more">+{legend.more} more</span> : null}
      </div>
    </div>
  );
}

const LEGEND_ROWS = 8;

function legendRows(plot: PlotData, names: ReadonlyMap<string, string>, hoverIdx: number | null) {
  const at = hoverIdx ?? plot.xs.length - 1;
  const multiKey = new Set(plot.series.map((spec) => spec.key)).size > 1;
  const rows = plot.series.flatMap((spec, i) => {
    if (spec.role !== "line") return [];
    const column = plot.ys[i] ?? [];
    const name = names.get(spec.runId) ?? spec.runId;
    return [{ runId: spec.runId, key: spec.key, name: multiKey ? `${name} · ${spec.key}` : name, value: valueAtOrBefore(column, at), lastStep: lastDrawnStep(plot.xs, column) }];
  });
  if (hoverIdx !== null) rows.sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity));
  return { shown: rows.slice(0, LEGEND_ROWS), more: Math.max(0, rows.length - LEGEND_ROWS) };
}

/** The step of the run's last drawn point (the legend exposes it; live updates move it). */
function lastDrawnStep(xs: readonly number[], column: readonly (number | null)[]): number | null {
  for (let i = column.length - 1; i >= 0; i--) if (column[i] !== null && column[i] !== undefined) return xs[i] ?? null;
  return null;
}
