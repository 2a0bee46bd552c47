import { describe, expect, it } from "vitest";
import { imagesByKey } from "./media";

const image = (sha256: string, caption?: string) => ({ _type: "image-file", sha256, width: 2, height: 2, caption });

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
