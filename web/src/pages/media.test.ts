import { describe, expect, it } from "vitest";
import { imagesAtOrBefore, imagesByKey, unionSteps } from "./media";

const image = (sha256: string, caption?: string) => ({ _type: "image-file" as const, sha256, width: 2, height: 2, caption });

describe("imagesByKey", () => {
  it("collects single images and lists per key in step order, ignoring scalars", () => {
    const rows = [
      { _step: 5, samples: [image("c"), image("d", "two")], loss: 1 },
      { _step: 1, "val/pred": image("a", "first") },
      { _step: 3, "val/pred": image("b") },
      { _step: 4, loss: 0.5 },
    ];
    const byKey = imagesByKey(rows);
    expect([...byKey.keys()].sort()).toEqual(["samples", "val/pred"]);
    expect(byKey.get("val/pred")?.map((s) => s.step)).toEqual([1, 3]);
    expect(byKey.get("samples")?.[0]?.images.map((i) => i.sha256)).toEqual(["c", "d"]);
  });
});

describe("media across runs", () => {
  const at = (step: number) => ({ step, images: [image(`s${step}`)] });

  it("offers every step any run logged images at", () => {
    expect(unionSteps([[at(4), at(12)], [at(8), at(12)]])).toEqual([4, 8, 12]);
  });

  it("shows a run's images at the step, else its latest before it, else none", () => {
    const steps = [at(4), at(12)];
    expect(imagesAtOrBefore(steps, 12)?.step).toBe(12);
    expect(imagesAtOrBefore(steps, 8)?.step).toBe(4);
    expect(imagesAtOrBefore(steps, 3)).toBeNull();
  });
});
