import { describe, expect, it } from "vitest";
import type { RunInfo } from "../api/types";
import { columnsFor, flatten, sortRows, toRow } from "./columns";

function run(id: string, config: Record<string, unknown>, summary: Record<string, unknown>): RunInfo {
  return {
    entity: "e", project: "p", run_id: id, name: id, state: "finished", created_at: 0, updated_at: 0,
    heartbeat_at: 0, finished_at: null, runtime: 0, group: null, job_type: null, tags: [], notes: null,
    config, summary, system: {}, exit_code: null, error: null, last_step: null, history_rows: 0, rejected_rows: 0,
  };
}

describe("flatten", () => {
  it("joins nested keys with dots and keeps media refs and lists whole", () => {
    const image = { _type: "image-file", sha256: "x" };
    expect(flatten({ opt: { lr: 1, betas: [0.9, 0.99] }, img: image })).toEqual({
      "opt.lr": 1,
      "opt.betas": [0.9, 0.99],
      img: image,
    });
  });
});

describe("columns and sorting", () => {
  const rows = [
    run("a", { lr: 0.1 }, { acc: 0.5, _step: 9 }),
    run("b", { lr: 0.01, model: { depth: 4 } }, { acc: 0.9 }),
    run("c", { lr: 0.001 }, {}),
  ].map(toRow);

  it("has a column per config and summary key, internal summary keys left out", () => {
    const ids = columnsFor(rows).map((c) => c.id);
    expect(ids).toContain("config.lr");
    expect(ids).toContain("config.model.depth");
    expect(ids).toContain("summary.acc");
    expect(ids).not.toContain("summary._step");
  });

  it("sorts numerically both ways with empty cells last", () => {
    expect(sortRows(rows, "summary.acc").map((r) => r.run.run_id)).toEqual(["a", "b", "c"]);
    expect(sortRows(rows, "-summary.acc").map((r) => r.run.run_id)).toEqual(["b", "a", "c"]);
    expect(sortRows(rows, "config.lr").map((r) => r.run.run_id)).toEqual(["c", "b", "a"]);
  });
});
