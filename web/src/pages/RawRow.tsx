import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { RunInfo } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { useAsync } from "../components/useAsync";

/** The history row at (or after) a step exactly as the API returns it. */
export function RawRow({ run }: { run: RunInfo }) {
  const [step, setStep] = useState(0);
  const row = useAsync(
    (signal) => api.history(run.entity, run.project, run.run_id, { minStep: step, limit: 1 }, signal),
    [run.entity, run.project, run.run_id, step],
  );
  return (
    <section class="panel">
      <h2>Raw history row</h2>
      <label>
        Step{" "}
        <input
          type="number"
          min={0}
          max={run.last_step ?? undefined}
          value={step}
          onChange={(e) => setStep(Math.max(0, Number((e.currentTarget as HTMLInputElement).value) || 0))}
          aria-label="History step"
        />
      </label>
      <ErrorBanner error={row.error} context="Loading history" />
      <pre class="code json" data-testid="raw-row">
        {row.data ? (row.data.rows[0] ? JSON.stringify(row.data.rows[0], null, 2) : "no row at or after this step") : ""}
      </pre>
    </section>
  );
}
