import { useEffect } from "preact/hooks";
import { ProjectsPage } from "./pages/ProjectsPage";
import { RunPage } from "./pages/RunPage";
import { WorkspacePage } from "./pages/WorkspacePage";
import { Link, parseRoute, useLocation } from "./router";

export function App() {
  const { pathname } = useLocation();
  const route = parseRoute(pathname);
  useEffect(() => {
    document.title =
      route.page === "workspace"
        ? `${route.project} · Epochal`
        : route.page === "run"
          ? `${route.runId} · ${route.project} · Epochal`
          : "Epochal";
  }, [pathname]);
  return (
    <div class="app">
      <header class="topbar">
        <Link href="/" class="brand">
          epochal
        </Link>
        <a class="topbar-link" href="/api/v1/docs">
          API
        </a>
      </header>
      <main>
        {route.page === "projects" ? <ProjectsPage /> : null}
        {route.page === "workspace" ? <WorkspacePage key={`${route.entity}/${route.project}`} entity={route.entity} project={route.project} /> : null}
        {route.page === "run" ? <RunPage key={`${route.entity}/${route.project}/${route.runId}`} entity={route.entity} project={route.project} runId={route.runId} /> : null}
        {route.page === "not-found" ? (
          <div class="page">
            <div class="error-banner" role="alert">
              No page at {route.path}. <Link href="/">All projects</Link>
            </div>
          </div>
        ) : null}
      </main>
    </div>
  );
}
