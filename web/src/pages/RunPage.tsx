/**
 * One run: overview (editable name, tags, notes), its charts, images, files and a raw history row.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, fileUrl } from "../api/client";
import type { RunInfo } from "../api/types";
import { useProjectEvents } from "../api/useProjectEvents";
import { MetricChart } from "../chart/MetricChart";
import { sectionsFor } from "../chart/sections";
import type { ProjectEvents } from "../api/events";
import { colorsFor, type RunColors } from "../colors";
import { ErrorBanner } from "../components/ErrorBanner";
import { LiveBadge } from "../components/LiveBadge";
import { useAsync } from "../components/useAsync";
import { formatBytes, formatDuration, formatTime, formatValue } from "../format";
import { StateBadge } from "../components/StateBadge";
import { Link, workspaceHref } from "../router";
import { flatten } from "../table/columns";
import { STEP_AXIS } from "../workspace/settings";
import { ImagesPanel } from "./ImagesPanel";
import { RunEditor } from "./RunEditor";
import { RawRow } from "./RawRow";

export function RunPage({ entity, project, runId }: { entity: string; project: string; runId: string }) {
  const { events, status } = useProjectEvents(entity, project);
  const loaded = useAsync((signal) => api.run(entity, project, runId, signal), [entity, project, runId]);
  const [run, setRun] = useState<RunInfo | undefined>(undefined);
  useEffect(() => setRun(loaded.data), [loaded.data]);
  useEffect(
    () => events.subscribe({ run: (next) => next.run_id === runId && setRun(next), resync: loaded.reload }),
    [events, runId],
  );
  const keys = useAsync((signal) => api.runKeys(entity, project, runId, signal), [entity, project, runId, run?.last_step]);
  const files = useAsync((signal) => api.files(entity, project, runId, signal), [entity, project, runId, run?.updated_at]);
  const sections = useMemo(() => sectionsFor((keys.data ?? []).map((k) => k.key)), [keys.data]);
  const colors = useMemo(() => colorsFor([{ run_id: runId, created_at: 0 }]), [runId]);
  const names = useMemo(() => new Map([[runId, run?.name ?? runId]]), [runId, run?.name]);

  return (
    <div class="page run-page">
      <header class="page-header">
        <nav class="crumbs">
          <Link href="/">Projects</Link> / <span>{entity}</span> / <Link href={workspaceHref(entity, project)}>{project}</Link> /{" "}
          <strong>{run?.name ?? runId}</strong>
        </nav>
        <LiveBadge status={status} />
      </header>
      <ErrorBanner error={loaded.error} context="Loading the run" />
      {run ? (
        <>
          <section class="panel overview">
            <RunEditor run={run} onSaved={setRun} />
            <Overview run={run} />
          </section>
          <section class="panel two-columns">
            <KeyValues title="Config" values={flatten(run.config)} />
            <KeyValues title="Summary" values={flatten(run.summary)} />
          </section>
          <section class="panel">
            <h2>Charts</h2>
            <ErrorBanner error={keys.error} context="Loading keys" />
            {sections.map((section) => (
              <details class="chart-section" open key={section.name} data-section={section.name}>
                <summary>{section.name}</summary>
                <div class="chart-grid">
                  {section.keys.map((key) => (
                    <RunChart key={key} entity={entity} project={project} metric={key} runId={runId} names={names} colors={colors} events={events} />
                  ))}
                </div>
              </details>
            ))}
            {keys.data?.length === 0 ? <p class="hint">This run has logged no scalar metrics.</p> : null}
          </section>
          <ImagesPanel run={run} />
          <section class="panel">
            <h2>Files</h2>
            <ErrorBanner error={files.error} context="Loading files" />
            {files.data?.length ? (
              <table class="plain-table files">
                <thead>
                  <tr>
                    <th>Path</th>
                    <th class="num">Size</th>
                    <th>Updated</th>
                  </tr>
                </thead>
                <tbody>
                  {files.data.map((file) => (
                    <tr key={file.path} data-file={file.path}>
                      <td>
                        <a href={fileUrl(entity, project, runId, file.path)} download={file.path.split("/").pop()}>
                          {file.path}
                        </a>
                      </td>
                      <td class="num" title={`${file.size} bytes`}>
                        {formatBytes(file.size)}
                      </td>
                      <td>{formatTime(file.updated_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : files.data ? (
              <p class="hint">No files saved. Save one with <code>wandb.save("model.pt")</code>.</p>
            ) : null}
          </section>
          <RawRow run={run} />
        </>
      ) : null}
    </div>
  );
}

function Overview({ run }: { run: RunInfo }) {
  const system = run.system;
  const git = (system.git ?? {}) as Record<string, unknown>;
  const command = [system.program, ...(Array.isArray(system.args) ? system.args : [])].filter((part) => part !== undefined).map(String).join(" ");
  const duration = run.state === "running" ? Date.now() / 1000 - run.created_at : run.runtime;
  const items: [string, unknown][] = [
    ["Run id", run.run_id],
    ["Created", formatTime(run.created_at)],
    ["Duration", formatDuration(duration)],
    ["Last step", run.last_step],
    ["Group", run.group],
    ["Job type", run.job_type],
    ["Host", system.hostname],
    ["OS", system.os],
    ["Python", system.python],
    ["Git commit", git.commit ? `${String(git.commit)}${git.dirty ? " (dirty)" : ""}` : undefined],
    ["Git remote", git.remote],
    ["Command", command || undefined],
    ["Working dir", system.cwd],
    ["Exit code", run.exit_code],
    ["Error", run.error],
    ["Rejected rows", run.rejected_rows || undefined],
  ];
  const facts: [string, ComponentChildren][] = [
    ["State", <StateBadge state={run.state} />],
    ...items.filter(([, value]) => value !== undefined && value !== null && value !== "").map(([label, value]): [string, ComponentChildren] => [label, formatValue(value)]),
  ];
  return (
    <dl class="facts">
      {facts.map(([label, value]) => (
        <div key={label} class="fact">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function KeyValues({ title, values }: { title: string; values: Record<string, unknown> }) {
  const entries = Object.entries(values).filter(([key]) => !key.startsWith("_"));
  return (
    <div class="key-values" data-testid={title.toLowerCase()}>
      <h2>{title}</h2>
      {entries.length === 0 ? (
        <p class="hint">empty</p>
      ) : (
        <table class="plain-table">
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th>{key}</th>
                <td>{formatValue(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** One key's chart on the run page; its layout (collapsed, wide, height) lasts for the visit. */
function RunChart(props: { entity: string; project: string; metric: string; runId: string; names: ReadonlyMap<string, string>; colors: RunColors; events: ProjectEvents }) {
  const [layout, setLayout] = useState({ collapsed: false, wide: false, height: 220 });
  return (
    <MetricChart
      entity={props.entity}
      project={props.project}
      panelId={props.metric}
      keys={[props.metric]}
      runIds={[props.runId]}
      names={props.names}
      colors={props.colors}
      events={props.events}
      smoothing={0}
      smoothingKind="ema"
      logY={false}
      xAxis={STEP_AXIS}
      {...layout}
      onLayout={(change) => setLayout((current) => ({ ...current, ...change }))}
    />
  );
}
