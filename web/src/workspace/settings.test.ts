import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, parseLayout, settingsFromQuery, settingsToQuery, type WorkspaceSettings } from "./settings";

describe("workspace settings in the URL", () => {
  it("round-trips every setting", () => {
    const settings: WorkspaceSettings = {
      sort: "-summary.acc",
      filter: "state = finished",
      hidden: ["r1"],
      smoothing: 0.3,
      smoothingKind: "mean",
      logY: true,
      keySearch: "loss",
      columnOrder: ["summary.acc", "name"],
      hiddenColumns: ["tags"],
      pinned: ["name"],
      groupBy: "config.opt",
      columnFilters: { "config.lr": "< 0.01" },
      selected: ["r2", "r3"],
      onlySelected: true,
      xAxis: "_timestamp",
      panels: { collapsed: ["val/loss"], wide: ["train/loss"], heights: { "train/loss": 300 }, custom: [["a", "b"]] },
    };
    const query = new URLSearchParams(settingsToQuery(settings).toString());
    expect(settingsFromQuery(query)).toEqual(settings);
  });

  it("writes nothing for the defaults, so a plain link uses the stored settings", () => {
    expect(settingsToQuery(DEFAULT_SETTINGS).toString()).toBe("");
    expect(settingsFromQuery(new URLSearchParams(""))).toBeNull();
  });

  it("keeps only the well-formed parts of a hand-edited panel layout", () => {
    expect(parseLayout('{"collapsed": [1, 2], "custom": [["a"], [], "x"], "heights": {"k": 5000, "j": "tall"}}')).toEqual({
      collapsed: [],
      wide: [],
      heights: { k: 1200 },
      custom: [["a"]],
    });
    expect(parseLayout("not json")).toEqual(DEFAULT_SETTINGS.panels);
  });
});
