import type { LiveStatus } from "../api/events";

const TEXT: Record<LiveStatus, string> = { connecting: "connecting…", live: "live", reconnecting: "reconnecting…" };

/** Whether live updates are flowing; a lost connection says so instead of silently going stale. */
export function LiveBadge({ status }: { status: LiveStatus }) {
  return (
    <span class={`live-badge live-${status}`} data-status={status} role="status">
      <i class="live-dot" aria-hidden="true" />
      {TEXT[status]}
    </span>
  );
}
