/** What an empty project shows: the few lines that log a first run to it. */
export function FirstRunHint({ entity, project }: { entity: string; project: string }) {
  const code = [
    "import epochal as wandb",
    `run = wandb.init(entity=${JSON.stringify(entity)}, project=${JSON.stringify(project)}, config={"lr": 0.01})`,
    "for step in range(100):",
    '    wandb.log({"train/loss": 1 / (step + 1)})',
    "run.finish()",
  ].join("\n");
  return (
    <div class="empty-hint">
      <h2>No runs yet</h2>
      <p>
        Log a first run with these five lines (set <code>EPOCHAL_BASE_URL={location.origin}</code> when this server is
        not the default). It appears here live.
      </p>
      <pre class="code">{code}</pre>
    </div>
  );
}
