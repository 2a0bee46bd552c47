/**
 * The only way the UI talks to the server: the public JSON API of docs/api.md.
 * Every failure becomes an ApiError carrying the server's {code, message} so pages can show it.
 */
import type {
  FileInfo,
  HistoryPage,
  ProjectInfo,
  RunInfo,
  RunPage,
  RunPatch,
  SeriesKey,
  SeriesResponse,
} from "./types";
import { concurrencyLimiter } from "./limiter";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const API = "/api/v1";
const SERIES_AT_ONCE = 1;

function seg(value: string): string {
  return encodeURIComponent(value);
}

export function projectPath(entity: string, project: string): string {
  return `${API}/projects/${seg(entity)}/${seg(project)}`;
}

export function runPath(entity: string, project: string, runId: string): string {
  return `${projectPath(entity, project)}/runs/${seg(runId)}`;
}

export function fileUrl(entity: string, project: string, runId: string, path: string): string {
  return `${runPath(entity, project, runId)}/files/${path.split("/").map(seg).join("/")}`;
}

export function blobUrl(entity: string, project: string, runId: string, sha256: string): string {
  return `${runPath(entity, project, runId)}/blobs/${seg(sha256)}`;
}

export function eventsUrl(entity: string, project: string): string {
  return `${projectPath(entity, project)}/events`;
}

type Query = Record<string, string | number | readonly (string | number)[] | undefined>;

function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, String(item));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** With auth on, cookie-signed-in writes must echo the readable epochal_csrf cookie (docs/security.md). */
function csrfHeader(method: string | undefined): Record<string, string> {
  if (!method || method === "GET" || method === "HEAD") return {};
  const token = document.cookie.split("; ").find((part) => part.startsWith("epochal_csrf="));
  return token ? { "X-CSRF-Token": decodeURIComponent(token.slice("epochal_csrf=".length)) } : {};
}

async function request<T>(url: string, init?: RequestInit, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    const headers = { Accept: "application/json", ...csrfHeader(init?.method), ...init?.headers };
    response = await fetch(url, { ...init, signal: signal ?? null, headers });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    throw new ApiError(0, "network_error", `cannot reach the server (${String(error)})`);
  }
  if (response.status === 401) {
    // Signed out (auth on): the server's sign-in page brings the browser back here afterwards.
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.code) return new ApiError(response.status, body.error.code, body.error.message ?? "");
  } catch {
    // Not our JSON error shape (a proxy page, say): show the status and the start of the body.
  }
  return new ApiError(response.status, `http_${response.status}`, text.slice(0, 200) || response.statusText);
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

/** Series answers are the big ones (megabytes for 100 runs): see limiter.ts for why one at a time. */
const seriesQueue = concurrencyLimiter(SERIES_AT_ONCE);

export const api = {
  projects: (signal?: AbortSignal) => request<ProjectInfo[]>(`${API}/projects`, undefined, signal),
  project: (e: string, p: string, signal?: AbortSignal) => request<ProjectInfo>(projectPath(e, p), undefined, signal),
  runs: (e: string, p: string, signal?: AbortSignal) =>
    request<RunPage>(withQuery(`${projectPath(e, p)}/runs`, { limit: 10000 }), undefined, signal),
  run: (e: string, p: string, id: string, signal?: AbortSignal) => request<RunInfo>(runPath(e, p, id), undefined, signal),
  patchRun: (e: string, p: string, id: string, patch: RunPatch) =>
    request<RunInfo>(runPath(e, p, id), {
      method: "PATCH",
      body: JSON.stringify(patch),
      headers: { "Content-Type": "application/json" },
    }),
  projectKeys: (e: string, p: string, signal?: AbortSignal) =>
    request<string[]>(`${projectPath(e, p)}/keys`, undefined, signal),
  runKeys: (e: string, p: string, id: string, signal?: AbortSignal) =>
    request<SeriesKey[]>(`${runPath(e, p, id)}/keys`, undefined, signal),
  series: (
    e: string,
    p: string,
    q: { runs: readonly string[]; key: string; width: number; minStep?: number; maxStep?: number; xKey?: string },
    signal?: AbortSignal,
  ) =>
    seriesQueue(
      () =>
        request<SeriesResponse>(
          withQuery(`${projectPath(e, p)}/series`, {
            run: q.runs,
            key: q.key,
            width: Math.max(1, Math.min(10000, Math.round(q.width))),
            min_step: q.minStep,
            max_step: q.maxStep,
            x_key: q.xKey,
          }),
          undefined,
          signal,
        ),
      signal,
    ),
  history: (e: string, p: string, id: string, q: { keys?: readonly string[]; minStep?: number; limit?: number }, signal?: AbortSignal) =>
    request<HistoryPage>(
      withQuery(`${runPath(e, p, id)}/history`, {
        keys: q.keys?.length ? q.keys.join(",") : undefined,
        min_step: q.minStep,
        limit: q.limit,
      }),
      undefined,
      signal,
    ),
  files: (e: string, p: string, id: string, signal?: AbortSignal) =>
    request<FileInfo[]>(`${runPath(e, p, id)}/files`, undefined, signal),
};
