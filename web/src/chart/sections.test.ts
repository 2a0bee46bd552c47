import { describe, expect, it } from "vitest";
import { sectionsFor } from "./sections";

describe("sectionsFor", () => {
  it("groups keys by prefix, unprefixed then system last, internal keys left out", () => {
    const sections = sectionsFor(["val/acc", "system/cpu", "lr", "train/loss", "train/acc", "_runtime"]);
    expect(sections).toEqual([
      { name: "train", keys: ["train/acc", "train/loss"] },
      { name: "val", keys: ["val/acc"] },
      { name: "Charts", keys: ["lr"] },
      { name: "system", keys: ["system/cpu"] },
    ]);
  });

  it("keeps only keys matching the search", () => {
    expect(sectionsFor(["train/loss", "val/loss", "train/acc"], "LOSS").flatMap((s) => s.keys)).toEqual([
      "train/loss",
      "val/loss",
    ]);
  });
});
