/** A run's state; running runs get a pulsing dot so live work stands out in a long table. */
export function StateBadge({ state }: { state: string }) {
  return (
    <span class={`state state-${state}`}>
      {state === "running" ? <i class="live-dot" aria-hidden="true" /> : null}
      {state}
    </span>
  );
}
