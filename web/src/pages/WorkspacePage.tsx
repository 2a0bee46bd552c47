/**
 * The project workspace: the runs table above, one chart per scalar key below, all live.
 * What the user sees is a function of WorkspaceSettings, which the URL and localStorage hold.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError, isAbort } from "../api/client";
import type { RunInfo } from "../api/types";
import { useProjectEvents } from "../api/useProjectEvents";
import { MetricChart } from "../chart/MetricChart";
import { sectionsFor } from "../chart/sections";
import { colorsFor } from "../colors";
import { ErrorBanner } from "../components/ErrorBanner";
import { LiveBadge } from "../components/LiveBadge";
import { useSlashFocus } from "../components/useSlashFocus";
import { Link } from "../router";
import { columnsFor, sortRows, toRow } from "../table/columns";
import { FilterSyntaxError, matches, parseFilter, type FilterExpr } from "../table/filter";
import { RunsTable } from "../table/RunsTable";
import {
  loadStoredSettings,
  settingsFromQuery,
  settingsToQuery,
  storeSettings,
  type WorkspaceSettings,
} from "../workspace/settings";
import { FirstRunHint } from "./FirstRunHint";

/** Beyond this many visible runs, charts show the first ones in table order (and say so). */
const MAX_CHART_RUNS = 100;

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

  const { runs, keys, error, loaded } = useProjectData(entity, project, events);
  const filterInput = useRef<HTMLInputElement>(null);
  useSlashFocus(filterInput);

  const rows = useMemo(() => runs.map(toRow), [runs]);
  const columns = useMemo(() => columnsFor(rows), [rows]);
  const filter = useMemo((): { expr: FilterExpr | null; error: FilterSyntaxError | null } => {
    try {
      return { expr: parseFilter(settings.filter), error: null };
    } catch (caught) {
      if (caught instanceof FilterSyntaxError) return { expr: null, error: caught };
      throw caught;
    }
  }, [settings.filter]);
  const shownRows = useMemo(() => {
    const { expr } = filter;
    const kept = expr ? rows.filter((row) => matches(expr, (field) => row.fields.get(field))) : rows;
    return sortRows(kept, settings.sort);
  }, [rows, filter, settings.sort]);

  const hidden = useMemo(() => new Set(settings.hidden), [settings.hidden]);
  const chartRunIds = useMemo(
    () => shownRows.filter((row) => !hidden.has(row.run.run_id)).map((row) => row.run.run_id),
    [shownRows, hidden],
  );
  const colors = useMemo(() => colorsFor(runs), [runs]);
  const names = useMemo(() => new Map(runs.map((run) => [run.run_id, run.name || run.run_id])), [runs]);
  const sections = useMemo(() => sectionsFor(keys, settings.keySearch), [keys, settings.keySearch]);
  const toggle = (runId: string) =>
    update({ hidden: hidden.has(runId) ? settings.hidden.filter((id) => id !== runId) : [...settings.hidden, runId] });

  const empty = loaded && runs.length === 0 && !error;
  return (
    <div class="page workspace">
      <header class="page-header">
        <nav class="crumbs">
          <Link href="/">Projects</Link> / <span>{entity}</span> / <strong>{project}</strong>
        </nav>
        <LiveBadge status={status} />
      </header>
      <ErrorBanner error={error} context="Loading the project" />
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
                onInput={(e) => update({ filter: (e.currentTarget as HTMLInputElement).value })}
                aria-label="Filter runs"
              />
              <span class="count" data-testid="run-count">
                {shownRows.length} of {runs.length} runs
              </span>
              <button onClick={() => update({ hidden: [] })} disabled={settings.hidden.length === 0}>
                Show all
              </button>
              <button onClick={() => update({ hidden: shownRows.map((row) => row.run.run_id) })}>Hide all</button>
            </div>
            {filter.error ? <div class="filter-error">{filter.error.message}</div> : null}
            <RunsTable
              rows={shownRows}
              columns={columns}
              sort={settings.sort}
              onSort={(sort) => update({ sort })}
              hidden={hidden}
              colors={colors}
              onToggle={toggle}
              height={Math.min(360, 34 + Math.max(shownRows.length, 3) * 30)}
            />
          </section>
          <section class="panel">
            <div class="toolbar">
              <input
                type="search"
                placeholder="Search charts by key"
                value={settings.keySearch}
                onInput={(e) => update({ keySearch: (e.currentTarget as HTMLInputElement).value })}
                aria-label="Search charts"
              />
              <label title="Exponential moving average; the raw line stays faint behind">
                Smoothing
                <input
                  type="range"
                  min={0}
                  max={0.99}
                  step={0.01}
                  value={settings.smoothing}
                  onInput={(e) => update({ smoothing: Number((e.currentTarget as HTMLInputElement).value) })}
                  aria-label="Smoothing"
                />
                <output>{settings.smoothing.toFixed(2)}</output>
              </label>
              <label>
                <input type="checkbox" checked={settings.logY} onChange={(e) => update({ logY: (e.currentTarget as HTMLInputElement).checked })} />
                Log y
              </label>
              {chartRunIds.length > MAX_CHART_RUNS ? (
                <span class="note">charts show the first {MAX_CHART_RUNS} of {chartRunIds.length} visible runs</span>
              ) : null}
            </div>
            {loaded && keys.length === 0 ? <p class="hint">No scalar metrics logged yet; charts appear with the first log().</p> : null}
            {sections.map((section) => (
              <details class="chart-section" open key={section.name} data-section={section.name}>
                <summary>
                  {section.name} <span class="count">{section.keys.length}</span>
                </summary>
                <div class="chart-grid">
                  {section.keys.map((key) => (
                    <MetricChart
                      key={key}
                      entity={entity}
                      project={project}
                      metric={key}
                      runIds={chartRunIds.slice(0, MAX_CHART_RUNS)}
                      names={names}
                      colors={colors}
                      events={events}
                      smoothing={settings.smoothing}
                      logY={settings.logY}
                    />
                  ))}
                </div>
              </details>
            ))}
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

  return { runs, keys, error, loaded };
}
