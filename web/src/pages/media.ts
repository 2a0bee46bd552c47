/** Finding images in history rows: values that are `{"_type": "image-file", ...}` refs (wire/media.py). */
import type { ImageRef } from "../api/types";

export function isImageRef(value: unknown): value is ImageRef {
  return typeof value === "object" && value !== null && (value as { _type?: unknown })._type === "image-file";
}

/** The image refs in a value: one, a list of them, or none. */
export function imageRefs(value: unknown): ImageRef[] {
  if (isImageRef(value)) return [value];
  if (Array.isArray(value) && value.length > 0 && value.every(isImageRef)) return value;
  return [];
}

export interface ImageStep {
  step: number;
  images: ImageRef[];
}

/** Per media key, the steps that logged images, in step order. */
export function imagesByKey(rows: readonly Record<string, unknown>[]): Map<string, ImageStep[]> {
  const byKey = new Map<string, ImageStep[]>();
  for (const row of rows) {
    const step = typeof row._step === "number" ? row._step : null;
    if (step === null) continue;
    for (const [key, value] of Object.entries(row)) {
      const images = imageRefs(value);
      if (images.length === 0) continue;
      const steps = byKey.get(key) ?? [];
      steps.push({ step, images });
      byKey.set(key, steps);
    }
  }
  for (const steps of byKey.values()) steps.sort((a, b) => a.step - b.step);
  return byKey;
}

/** Every step at which any run logged images, ascending. */
export function unionSteps(perRun: readonly (readonly ImageStep[])[]): number[] {
  return [...new Set(perRun.flatMap((steps) => steps.map((s) => s.step)))].sort((a, b) => a - b);
}

/** A run's images at `step`, or at its last image step before it (runs log at different steps). */
export function imagesAtOrBefore(steps: readonly ImageStep[], step: number): ImageStep | null {
  let found: ImageStep | null = null;
  for (const entry of steps) {
    if (entry.step > step) break;
    found = entry;
  }
  return found;
}
