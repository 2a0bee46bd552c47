/**
 * The project's live stream (SSE). EventSource reconnects by itself after a dropped connection;
 * when the server answered with an error it gives up, so we then reopen it after a pause. After
 * any reconnect listeners get `resync`: events sent while we were away are lost, so they refetch.
 */
import { eventsUrl } from "./client";
import type { PointsEvent, RunInfo } from "./types";

export type LiveStatus = "connecting" | "live" | "reconnecting";

export interface LiveListeners {
  status?: (status: LiveStatus) => void;
  run?: (run: RunInfo) => void;
  points?: (event: PointsEvent) => void;
  resync?: () => void;
}

export class ProjectEvents {
  private source: EventSource | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  private readonly listeners = new Set<LiveListeners>();
  private wasDown = false;
  status: LiveStatus = "connecting";

  constructor(
    private readonly entity: string,
    private readonly project: string,
  ) {
    this.open();
  }

  subscribe(listeners: LiveListeners): () => void {
    this.listeners.add(listeners);
    return () => this.listeners.delete(listeners);
  }

  close(): void {
    if (this.retry) clearTimeout(this.retry);
    this.source?.close();
    this.source = null;
    this.listeners.clear();
  }

  private open(): void {
    const source = new EventSource(eventsUrl(this.entity, this.project));
    this.source = source;
    source.onopen = () => {
      this.setStatus("live");
      if (this.wasDown) this.emit((l) => l.resync?.());
      this.wasDown = false;
    };
    source.onerror = () => {
      this.wasDown = true;
      this.setStatus("reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        this.retry = setTimeout(() => this.open(), 2000);
      }
    };
    source.addEventListener("run", (event) => {
      const run = parse<RunInfo>(event);
      if (run) this.emit((l) => l.run?.(run));
    });
    source.addEventListener("points", (event) => {
      const points = parse<PointsEvent>(event);
      if (points) this.emit((l) => l.points?.(points));
    });
  }

  private setStatus(status: LiveStatus): void {
    this.status = status;
    this.emit((l) => l.status?.(status));
  }

  private emit(call: (listeners: LiveListeners) => void): void {
    for (const listeners of this.listeners) call(listeners);
  }
}

function parse<T>(event: Event): T | null {
  try {
    return JSON.parse((event as MessageEvent<string>).data) as T;
  } catch {
    console.warn("ignored a malformed live event", event);
    return null;
  }
}
