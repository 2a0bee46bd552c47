/**
 * A run's images: for each media key, the images logged at one step, chosen with a slider over
 * the steps that have images. Images come from the run's blobs (GET .../blobs/{sha256}).
 */
import { useState } from "preact/hooks";
import { blobUrl } from "../api/client";
import type { RunInfo } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { useAsync } from "../components/useAsync";
import type { ImageStep } from "./media";
import { loadRunImages, summaryMediaKeys } from "./mediaLoad";

export function ImagesPanel({ run }: { run: RunInfo }) {
  const history = useAsync((signal) => loadRunImages(run, signal), [run.entity, run.project, run.run_id, summaryMediaKeys(run).join(","), run.last_step]);
  const byKey = history.data;
  if (!history.error && (!byKey || byKey.size === 0)) return null;
  return (
    <section class="panel">
      <h2>Images</h2>
      <ErrorBanner error={history.error} context="Loading images" />
      {byKey
        ? [...byKey.entries()].map(([key, steps]) => <MediaKey key={key} run={run} mediaKey={key} steps={steps} />)
        : null}
    </section>
  );
}

function MediaKey({ run, mediaKey, steps }: { run: RunInfo; mediaKey: string; steps: ImageStep[] }) {
  const [index, setIndex] = useState(steps.length - 1);
  const at = steps[Math.min(index, steps.length - 1)];
  if (!at) return null;
  return (
    <div class="media-key" data-media-key={mediaKey}>
      <div class="toolbar">
        <strong>{mediaKey}</strong>
        <input
          type="range"
          min={0}
          max={steps.length - 1}
          value={Math.min(index, steps.length - 1)}
          onInput={(e) => setIndex(Number((e.currentTarget as HTMLInputElement).value))}
          aria-label={`Step of ${mediaKey}`}
          disabled={steps.length < 2}
        />
        <span class="media-step" data-testid="media-step">
          step {at.step}
        </span>
        <span class="hint">
          {steps.length} step{steps.length === 1 ? "" : "s"} with images
        </span>
      </div>
      <div class="media-grid">
        {at.images.map((image, i) => (
          <figure key={`${image.sha256}-${i}`}>
            <img
              src={blobUrl(run.entity, run.project, run.run_id, image.sha256)}
              alt={image.caption ?? `${mediaKey} at step ${at.step}`}
              width={image.width}
              height={image.height}
              data-sha256={image.sha256}
            />
            {image.caption ? <figcaption>{image.caption}</figcaption> : null}
          </figure>
        ))}
      </div>
    </div>
  );
}
