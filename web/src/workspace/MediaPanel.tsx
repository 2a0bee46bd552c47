/**
 * The workspace's media panel for one image key: every shown run's images at one step, chosen
 * with a slider over the steps any run logged images at. A run without images at that exact step
 * shows its latest ones before it, labelled with their own step.
 */
import { useMemo, useState } from "preact/hooks";
import { blobUrl } from "../api/client";
import type { RunInfo } from "../api/types";
import { colorOf, type RunColors } from "../colors";
import { ErrorBanner } from "../components/ErrorBanner";
import { useAsync } from "../components/useAsync";
import { imagesAtOrBefore, unionSteps, type ImageStep } from "../pages/media";
import { loadRunImages } from "../pages/mediaLoad";

/** Runs whose images the panel shows at most (the first shown runs in table order). */
export const MAX_MEDIA_RUNS = 12;

export function MediaPanel({ mediaKey, runs, colors }: { mediaKey: string; runs: readonly RunInfo[]; colors: RunColors }) {
  const shown = runs.slice(0, MAX_MEDIA_RUNS);
  const signature = shown.map((run) => `${run.run_id}@${run.last_step ?? ""}`).join(",");
  const loaded = useAsync(
    async (signal) => {
      const perRun = await Promise.all(shown.map((run) => loadRunImages(run, signal, [mediaKey])));
      return new Map(shown.map((run, i) => [run.run_id, perRun[i]?.get(mediaKey) ?? []]));
    },
    [mediaKey, signature],
  );
  const byRun: ReadonlyMap<string, ImageStep[]> = loaded.data ?? new Map();
  const steps = useMemo(() => unionSteps([...byRun.values()]), [byRun]);
  const [index, setIndex] = useState<number | null>(null);
  const at = Math.min(index ?? steps.length - 1, steps.length - 1);
  const step = steps[at];
  return (
    <div class="chart-panel wide media-panel" data-media-key={mediaKey}>
      <div class="toolbar">
        <strong>{mediaKey}</strong>
        <input
          type="range"
          min={0}
          max={Math.max(steps.length - 1, 0)}
          value={Math.max(at, 0)}
          onInput={(e) => setIndex(Number((e.currentTarget as HTMLInputElement).value))}
          aria-label={`Step of ${mediaKey}`}
          disabled={steps.length < 2}
        />
        <span class="media-step" data-testid="media-panel-step">
          {step === undefined ? (loaded.loading ? "loading…" : "no images") : `step ${step}`}
        </span>
        {runs.length > MAX_MEDIA_RUNS ? <span class="note">first {MAX_MEDIA_RUNS} of {runs.length} shown runs</span> : null}
      </div>
      <ErrorBanner error={loaded.error} context={`Images of ${mediaKey}`} />
      <div class="media-runs">
        {step === undefined
          ? null
          : shown.map((run) => {
              const found = imagesAtOrBefore(byRun.get(run.run_id) ?? [], step);
              return (
                <div class="media-run" key={run.run_id} data-run-id={run.run_id} data-step={found?.step ?? ""}>
                  <div class="media-run-name">
                    <i class="swatch" style={{ background: colorOf(colors, run.run_id) }} /> {run.name || run.run_id}
                    {found && found.step !== step ? <span class="hint"> (step {found.step})</span> : null}
                  </div>
                  <div class="media-grid">
                    {found
                      ? found.images.map((image, i) => (
                          <figure key={`${image.sha256}-${i}`}>
                            <img
                              src={blobUrl(run.entity, run.project, run.run_id, image.sha256)}
                              alt={image.caption ?? `${mediaKey} of ${run.name} at step ${found.step}`}
                              width={image.width}
                              height={image.height}
                              data-sha256={image.sha256}
                              loading="lazy"
                            />
                            {image.caption ? <figcaption>{image.caption}</figcaption> : null}
                          </figure>
                        ))
                      : <span class="hint">no images yet</span>}
                  </div>
                </div>
              );
            })}
      </div>
    </div>
  );
}
