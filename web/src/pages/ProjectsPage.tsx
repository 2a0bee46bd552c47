import { useMemo, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import { ErrorBanner } from "../components/ErrorBanner";
import { useAsync } from "../components/useAsync";
import { useSlashFocus } from "../components/useSlashFocus";
import { formatAgo, formatTime } from "../format";
import { Link, workspaceHref } from "../router";

/** Every project the caller can see, most recently active first. */
export function ProjectsPage() {
  const { data, error, loading } = useAsync((signal) => api.projects(signal), []);
  const [search, setSearch] = useState("");
  const input = useRef<HTMLInputElement>(null);
  useSlashFocus(input);
  const projects = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (data ?? [])
      .filter((p) => !needle || `${p.entity}/${p.name}`.toLowerCase().includes(needle))
      .sort((a, b) => b.last_activity - a.last_activity);
  }, [data, search]);

  return (
    <div class="page projects">
      <header class="page-header">
        <h1>Projects</h1>
        <input
          ref={input}
          type="search"
          placeholder="Search projects (press /)"
          value={search}
          onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)}
          aria-label="Search projects"
        />
      </header>
      <ErrorBanner error={error} context="Loading projects" />
      {!loading && !error && data?.length === 0 ? (
        <div class="empty-hint">
          <h2>No projects yet</h2>
          <p>
            A project appears when its first run logs. Try <code>epochal demo</code>, or log from Python with{" "}
            <code>import epochal as wandb; wandb.init(project="my-project")</code>.
          </p>
        </div>
      ) : (
        <table class="plain-table">
          <thead>
            <tr>
              <th>Project</th>
              <th>Entity</th>
              <th class="num">Runs</th>
              <th>Last activity</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {projects.map((p) => (
              <tr key={`${p.entity}/${p.name}`} data-project={`${p.entity}/${p.name}`}>
                <td>
                  <Link href={workspaceHref(p.entity, p.name)}>{p.name}</Link>
                </td>
                <td>{p.entity}</td>
                <td class="num">{p.run_count}</td>
                <td title={formatTime(p.last_activity)}>{formatAgo(p.last_activity)}</td>
                <td>{formatTime(p.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {search && data && projects.length === 0 ? <p class="hint">No project matches “{search}”.</p> : null}
    </div>
  );
}
