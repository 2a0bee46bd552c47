/**
 * A three-route router on the History API: the server answers every non-/api path with
 * index.html, so any of these URLs can be opened, bookmarked or shared.
 */
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { page: "projects" }
  | { page: "workspace"; entity: string; project: string }
  | { page: "run"; entity: string; project: string; runId: string }
  | { page: "not-found"; path: string };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const [entity, project, runs, runId] = parts;
  if (parts.length === 0) return { page: "projects" };
  if (parts.length === 2 && entity && project) return { page: "workspace", entity, project };
  if (parts.length === 4 && entity && project && runs === "runs" && runId) return { page: "run", entity, project, runId };
  return { page: "not-found", path: pathname };
}

export function workspaceHref(entity: string, project: string): string {
  return `/${encodeURIComponent(entity)}/${encodeURIComponent(project)}`;
}

export function runHref(entity: string, project: string, runId: string): string {
  return `${workspaceHref(entity, project)}/runs/${encodeURIComponent(runId)}`;
}

const NAVIGATE = "epochal:navigate";

export function navigate(href: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  window.dispatchEvent(new Event(NAVIGATE));
}

/** The current location; re-renders on back/forward and on navigate(). */
export function useLocation(): { pathname: string; search: string } {
  const read = () => ({ pathname: location.pathname, search: location.search });
  const [current, setCurrent] = useState(read);
  useEffect(() => {
    const update = () => setCurrent(read());
    window.addEventListener("popstate", update);
    window.addEventListener(NAVIGATE, update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener(NAVIGATE, update);
    };
  }, []);
  return current;
}

/** An ordinary link (middle-click and copy work) that navigates without a page load. */
export function Link(props: { href: string; children: ComponentChildren } & JSX.HTMLAttributes<HTMLAnchorElement>) {
  const { href, children, ...rest } = props;
  const onClick = (event: MouseEvent) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}
