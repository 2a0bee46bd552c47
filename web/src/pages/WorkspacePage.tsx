/**
 * The project workspace: the runs table above, chart panels and media panels below, all live.
 * What the user sees is a function of WorkspaceSettings, which the URL and localStorage hold.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, isAbort } from "../api/client";
import type { RunInfo } from "../api/types";
import { useProjectEvents } from "../api/useProjectEvents";
import { MetricChart } from "../chart/MetricChart";
import { sectionsFor } from "../chart/sections";
import { meanWindow } from "../chart/smoothing";
import { TIME_AXES } from "../chart/xaxis";
import { colorsFor } from "../colors";
import { ErrorBanner } from "../components/ErrorBanner";
import { LiveBadge } from "../components/LiveBadge";
import { useSlashFocus } from "../components/useSlashFocus";
import { Link } from "../router";
import { columnsFor, sortRows, toRow } from "../table/columns";
import { FilterSyntaxError, matches, parseFilter, type FilterExpr } from "../table/filter";
import { groupRows, tableLines, type TableLine } from "../table/groups";
import { columnFiltersExpr, moveColumn, orderedColumns, visibleColumns } from "../table/layout";
import { RunsTable } from "../table/RunsTable";
import { AddPanelDialog } from "../workspace/AddPanelDialog";
import { ColumnChooser } from "../workspace/ColumnChooser";
import { MediaPanel } from "../workspace/MediaPanel";
import {
  loadStoredSettings,
  settingsFromQuery,
  settingsToQuery,
  storeSettings,
  toggled,
  type PanelLayout,
  type WorkspaceSettings,
} from "../workspace/settings";
import { FirstRunHint } from "./FirstRunHint";
import { summaryMediaKeys } from "./mediaLoad";

/** Beyond this many visible runs, charts show the first ones in table order (and say so). */
const MAX_CHART_RUNS = 100;
const CHART_HEIGHT = 220;

export function WorkspacePage({ entity, project }: { entity: string; project: string }) {
  const { events, status } = useProjectEvents(entity, project);
  const [settings, setSettings] = useState<WorkspaceSettings>(
    () => settingsFromQuery(new URLSearchParams(location.search)) ?? loadStoredSettings(entity, project),
  );
  const update = (patch: Partial<WorkspaceSettings>) => setSettings((current) => ({ ...current, ...patch }));
  useEffect(() => {
    const query = settingsToQuery(settings).toString();
    history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}`);
    storeSettings(entity, project, settings);
  }, [settings, entity, project]);

  const { runs, keys, error, loaded, replaceRun } = useProjectData(entity, project, events);
  const [actionError, setActionError] = useState<unknown>(null);
  const [dialog, setDialog] = useState<"columns" | "panel" | null>(null);
  const closeDialog = useCallback(() => setDialog(null), []);
  const [collapsedGroups, setCollapsedGroups] = useState<ReadonlySet<string>>(new Set());
  const filterInput = useRef<HTMLInputElement>(null);
  useSlashFocus(filterInput);

  const rows = useMemo(() => runs.map(toRow), [runs]);
  const allColumns = useMemo(() => columnsFor(rows), [rows]);
  const layout = { columnOrder: settings.columnOrder, hiddenColumns: settings.hiddenColumns, pinned: settings.pinned };
  const arranged = useMemo(() => orderedColumns(allColumns, layout), [allColumns, settings.columnOrder, settings.pinned]);
  const columns = useMemo(() => visibleColumns(allColumns, layout), [allColumns, settings.columnOrder, settings.hiddenColumns, settings.pinned]);
  const filter = useMemo((): { expr: FilterExpr | null; error: FilterSyntaxError | null } => {
    try {
      return { expr: parseFilter(settings.filter), error: null };
    } catch (caught) {
      if (caught instanceof FilterSyntaxError) return { expr: null, error: caught };
      throw caught;
    }
  }, [settings.filter]);
  const columnFilter = useMemo(() => columnFiltersExpr(settings.columnFilters), [settings.columnFilters]);
  const selected = useMemo(() => new Set(settings.selected), [settings.selected]);
  const shownRows = useMemo(() => {
    const exprs = [filter.expr, columnFilter.expr].filter((expr): expr is FilterExpr => expr !== null);
    const kept = rows.filter(
      (row) =>
        (!settings.onlySelected || selected.has(row.run.run_id)) && exprs.every((expr) => matches(expr, (field) => row.fields.get(field))),
    );
    return sortRows(kept, settings.sort);
  }, [rows, filter, columnFilter, settings.sort, settings.onlySelected, selected]);
  const lines = useMemo((): TableLine[] => {
    if (!settings.groupBy) return shownRows.map((row) => ({ kind: "run", row }));
    return tableLines(groupRows(shownRows, settings.groupBy, columns), collapsedGroups);
  }, [shownRows, settings.groupBy, columns, collapsedGroups]);

  const hidden = useMemo(() => new Set(settings.hidden), [settings.hidden]);
  const chartRuns = useMemo(() => shownRows.filter((row) => !hidden.has(row.run.run_id)).map((row) => row.run), [shownRows, hidden]);
  const chartRunIds = useMemo(() => chartRuns.slice(0, MAX_CHART_RUNS).map((run) => run.run_id), [chartRuns]);
  const colors = useMemo(() => colorsFor(runs), [runs]);
  const names = useMemo(() => new Map(runs.map((run) => [run.run_id, run.name || run.run_id])), [runs]);
  const sections = useMemo(() => sectionsFor(keys, settings.keySearch), [keys, settings.keySearch]);
  const mediaKeys = useMemo(() => {
    const needle = settings.keySearch.trim().toLowerCase();
    const found = new Set(chartRuns.slice(0, MAX_CHART_RUNS).flatMap(summaryMediaKeys));
    return [...found].filter((key) => key.toLowerCase().includes(needle)).sort();
  }, [chartRuns, settings.keySearch]);
  const panels = settings.panels;
  const setPanel = (id: string, change: { collapsed?: boolean; wide?: boolean; height?: number }) => {
    const next: PanelLayout = { ...panels };
    if (change.collapsed !== undefined && change.collapsed !== panels.collapsed.includes(id)) next.collapsed = toggled(panels.collapsed, id);
    if (change.wide !== undefined && change.wide !== panels.wide.includes(id)) next.wide = toggled(panels.wide, id);
    if (change.height !== undefined) next.heights = { ...panels.heights, [id]: change.height };
    update({ panels: next });
  };
  const rename = async (runId: string, name: string) => {
    try {
      replaceRun(await api.patchRun(entity, project, runId, { name }));
      setActionError(null);
    } catch (caught) {
      setActionError(caught);
      throw caught;
    }
  };

  const chart = (panelId: string, chartKeys: readonly string[], onRemove?: () => void) => (
    <MetricChart
      key={`${panelId}|${settings.xAxis}`}
      entity={entity}
      project={project}
      panelId={panelId}
      keys={chartKeys}
      runIds={chartRunIds}
      names={names}
      colors={colors}
      events={events}
      smoothing={settings.smoothing}
      smoothingKind={settings.smoothingKind}
      logY={settings.logY}
      xAxis={settings.xAxis}
      collapsed={panels.collapsed.includes(panelId)}
      wide={panels.wide.includes(panelId)}
      height={panels.heights[panelId] ?? CHART_HEIGHT}
      onLayout={(change) => setPanel(panelId, change)}
      {...(onRemove ? { onRemove } : {})}
    />
  );

  const empty = loaded && runs.length === 0 && !error;
  const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;
  return (
    <div class="page workspace">
      <header class="page-header">
        <nav class="crumbs">
          <Link href="/">Projects</Link> / <span>{entity}</span> / <strong>{project}</strong>
        </nav>
        <LiveBadge status={status} />
      </header>
      <ErrorBanner error={error} context="Loading the project" />
      <ErrorBanner error={actionError} context="Saving" />
      {empty ? (
        <FirstRunHint entity={entity} project={project} />
      ) : (
        <>
          <section class="panel">
            <div class="toolbar">
              <input
                ref={filterInput}
                class={filter.error ? "filter-input invalid" : "filter-input"}
                type="search"
                placeholder="Filter runs, e.g. config.lr < 0.01 and state = finished   (press / to focus)"
                value={settings.filter}
                onInput={(e) => update({ filter: value(e) })}
                aria-label="Filter runs"
              />
              <span class="count" data-testid="run-count">
                {shownRows.length} of {runs.length} runs
              </span>
              <label>
                Group by{" "}
                <select class="group-by" value={settings.groupBy ?? ""} onChange={(e) => update({ groupBy: value(e) || null })} aria-label="Group by">
                  <option value="">(none)</option>
                  {arranged.map((column) => (
                    <option key={column.id} value={column.id}>
                      {column.label}
                    </option>
                  ))}
                </select>
              </label>
              <button class="choose-columns" onClick={() => setDialog(dialog === "columns" ? null : "columns")} aria-expanded={dialog === "columns"}>
                Columns
              </button>
              <label title="Show only the runs whose checkbox is ticked">
                <input type="checkbox" class="only-selected" checked={settings.onlySelected} onChange={(e) => update({ onlySelected: (e.currentTarget as HTMLInputElement).checked })} />
                Only selected ({settings.selected.length})
              </label>
              <button onClick={() => update({ selected: [], onlySelected: false })} disabled={settings.selected.length === 0}>
                Clear selection
              </button>
              <button onClick={() => update({ hidden: [] })} disabled={settings.hidden.length === 0}>
                Show all
              </button>
              <button onClick={() => update({ hidden: shownRows.map((row) => row.run.run_id) })}>Hide all</button>
            </div>
            {filter.error ? <div class="filter-error">{filter.error.message}</div> : null}
            {columnFilter.error ? <div class="filter-error">{columnFilter.error}</div> : null}
            {dialog === "columns" ? (
              <ColumnChooser
                columns={arranged}
                hidden={new Set(settings.hiddenColumns)}
                pinned={new Set(settings.pinned)}
                onToggleVisible={(id) => update({ hiddenColumns: toggled(settings.hiddenColumns, id) })}
                onTogglePinned={(id) => update({ pinned: toggled(settings.pinned, id) })}
                onMove={(id, delta) => update({ columnOrder: moveColumn(arranged, id, delta) })}
                onClose={closeDialog}
              />
            ) : null}
            <RunsTable
              lines={lines}
              columns={columns}
              pinned={new Set(settings.pinned)}
              sort={settings.sort}
              onSort={(sort) => update({ sort })}
              hidden={hidden}
              selected={selected}
              colors={colors}
              onToggle={(runId) => update({ hidden: toggled(settings.hidden, runId) })}
              onSelect={(runId) => update({ selected: toggled(settings.selected, runId) })}
              onToggleGroup={(label) => setCollapsedGroups((current) => new Set(toggled([...current], label)))}
              onMoveColumn={(id, target) => update({ columnOrder: moveColumn(arranged, id, { target }) })}
              columnFilters={settings.columnFilters}
              onColumnFilter={(id, text) => update({ columnFilters: { ...settings.columnFilters, [id]: text } })}
              onRename={rename}
              height={Math.min(360, 66 + Math.max(lines.length, 3) * 30)}
            />
          </section>
          <section class="panel">
            <div class="toolbar">
              <input type="search" placeholder="Search charts by key" value={settings.keySearch} onInput={(e) => update({ keySearch: value(e) })} aria-label="Search charts" />
              <label>
                X axis{" "}
                <select class="x-axis" value={settings.xAxis} onChange={(e) => update({ xAxis: value(e) })} aria-label="X axis">
                  {TIME_AXES.map((axis) => (
                    <option key={axis.key} value={axis.key}>
                      {axis.label}
                    </option>
                  ))}
                  {keys
                    .filter((key) => !key.startsWith("_"))
                    .map((key) => (
                      <option key={key} value={key}>
                        {key}
                      </option>
                    ))}
                </select>
              </label>
              <label title="EMA: exponential moving average; running mean: average of the last N points. The raw line stays faint behind.">
                Smoothing{" "}
                <select class="smoothing-kind" value={settings.smoothingKind} onChange={(e) => update({ smoothingKind: value(e) === "mean" ? "mean" : "ema" })} aria-label="Smoothing kind">
                  <option value="ema">EMA</option>
                  <option value="mean">running mean</option>
                </select>
                <input
                  type="range"
                  min={0}
                  max={0.99}
                  step={0.01}
                  value={settings.smoothing}
                  onInput={(e) => update({ smoothing: Number(value(e)) })}
                  aria-label="Smoothing"
                />
                <output>{settings.smoothingKind === "mean" ? `${meanWindow(settings.smoothing)} pts` : settings.smoothing.toFixed(2)}</output>
              </label>
              <label>
                <input type="checkbox" checked={settings.logY} onChange={(e) => update({ logY: (e.currentTarget as HTMLInputElement).checked })} />
                Log y
              </label>
              <button class="add-panel-button" onClick={() => setDialog(dialog === "panel" ? null : "panel")} aria-expanded={dialog === "panel"}>
                Add chart
              </button>
              {chartRuns.length > MAX_CHART_RUNS ? (
                <span class="note">charts show the first {MAX_CHART_RUNS} of {chartRuns.length} visible runs</span>
              ) : null}
            </div>
            {dialog === "panel" ? (
              <AddPanelDialog
                keys={keys}
                onClose={closeDialog}
                onAdd={(chosen) => {
                  update({ panels: { ...panels, custom: [...panels.custom, chosen] } });
                  setDialog(null);
                }}
              />
            ) : null}
            {loaded && keys.length === 0 && mediaKeys.length === 0 ? <p class="hint">No scalar metrics logged yet; charts appear with the first log().</p> : null}
            {panels.custom.length ? (
              <details class="chart-section" open data-section="Custom">
                <summary>
                  Custom <span class="count">{panels.custom.length}</span>
                </summary>
                <div class="chart-grid">
                  {panels.custom.map((chartKeys, i) =>
                    chart(`custom:${i}`, chartKeys, () => update({ panels: { ...panels, custom: panels.custom.filter((_, j) => j !== i) } })),
                  )}
                </div>
              </details>
            ) : null}
            {sections.map((section) => (
              <details class="chart-section" open key={section.name} data-section={section.name}>
                <summary>
                  {section.name} <span class="count">{section.keys.length}</span>
                </summary>
                <div class="chart-grid">{section.keys.map((key) => chart(key, [key]))}</div>
              </details>
            ))}
            {mediaKeys.length ? (
              <details class="chart-section" open data-section="Media">
                <summary>
                  Media <span class="count">{mediaKeys.length}</span>
                </summary>
                <div class="chart-grid">
                  {mediaKeys.map((key) => (
                    <MediaPanel key={key} mediaKey={key} runs={chartRuns} colors={colors} />
                  ))}
                </div>
              </details>
            ) : null}
          </section>
        </>
      )}
    </div>
  );
}

/** The project's runs and keys, kept current by the live stream. */
function useProjectData(entity: string, project: string, events: ReturnType<typeof useProjectEvents>["events"]) {
  const [runs, setRuns] = useState<RunInfo[]>([]);
  const [keys, setKeys] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [loaded, setLoaded] = useState(false);
  const keysRef = useRef(keys);
  keysRef.current = keys;

  useEffect(() => {
    const controller = new AbortController();
    const loadAll = () => {
      Promise.all([api.runs(entity, project, controller.signal), api.projectKeys(entity, project, controller.signal)]).then(
        ([page, projectKeys]) => {
          setRuns(page.runs);
          setKeys(projectKeys);
          setError(null);
          setLoaded(true);
        },
        (caught: unknown) => {
          if (isAbort(caught)) return;
          // A project exists once its first run logs: until then it is simply empty.
          if (caught instanceof ApiError && caught.status === 404) {
            setRuns([]);
            setKeys([]);
            setLoaded(true);
          } else setError(caught);
        },
      );
    };
    loadAll();
    let keysTimer: ReturnType<typeof setTimeout> | null = null;
    const reloadKeys = () => {
      keysTimer = null;
      api.projectKeys(entity, project, controller.signal).then(setKeys, (caught: unknown) => isAbort(caught) || setError(caught));
    };
    const unsubscribe = events.subscribe({
      run: (run) =>
        setRuns((current) => {
          const at = current.findIndex((r) => r.run_id === run.run_id);
          if (at < 0) return [run, ...current];
          const next = current.slice();
          next[at] = run;
          return next;
        }),
      points: (event) => {
        if (event.keys.some((key) => !keysRef.current.includes(key))) keysTimer ??= setTimeout(reloadKeys, 300);
      },
      resync: loadAll,
    });
    return () => {
      controller.abort();
      unsubscribe();
      if (keysTimer) clearTimeout(keysTimer);
    };
  }, [entity, project, events]);

  const replaceRun = useCallback((run: RunInfo) => setRuns((current) => current.map((r) => (r.run_id === run.run_id ? run : r))), []);
  return { runs, keys, error, loaded, replaceRun };
}
