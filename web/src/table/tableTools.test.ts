import { describe, expect, it } from "vitest";
import type { RunInfo } from "../api/types";
import { columnsFor, toRow, type Column } from "./columns";
import { matches } from "./filter";
import { aggregate, groupRows, tableLines, NO_VALUE } from "./groups";
import { columnFilterExpr, columnFiltersExpr, moveColumn, orderedColumns, visibleColumns } from "./layout";

function run(id: string, config: Record<string, unknown>, summary: Record<string, unknown> = {}): RunInfo {
  return {
    entity: "e", project: "p", run_id: id, name: id, state: "finished", created_at: 1, updated_at: 1, heartbeat_at: 1,
    finished_at: 2, runtime: 1, group: null, job_type: null, tags: [], notes: null, config, summary, system: {},
    exit_code: 0, error: null, last_step: 1, history_rows: 1, rejected_rows: 0,
  };
}

const rows = [
  run("a", { opt: "adam", lr: 0.1 }, { acc: 0.9 }),
  run("b", { opt: "sgd", lr: 0.01 }, { acc: 0.5 }),
  run("c", { opt: "adam", lr: 0.03 }, { acc: 0.7 }),
  run("d", { lr: 0.2 }),
].map(toRow);
const columns = columnsFor(rows);
const ids = (list: readonly Column[]) => list.map((c) => c.id);

describe("column layout", () => {
  it("puts moved columns first in their order and keeps new ones after", () => {
    const ordered = orderedColumns(columns, { columnOrder: ["summary.acc", "name"], hiddenColumns: [], pinned: [] });
    expect(ids(ordered).slice(0, 3)).toEqual(["summary.acc", "name", "state"]);
    expect(ordered).toHaveLength(columns.length);
  });

  it("pins columns to the front and hides hidden ones", () => {
    const shown = visibleColumns(columns, { columnOrder: [], hiddenColumns: ["state"], pinned: ["config.lr"] });
    expect(ids(shown)[0]).toBe("config.lr");
    expect(ids(shown)).not.toContain("state");
  });

  it("moves a column by one place or onto another", () => {
    expect(moveColumn(columns, "state", -1).slice(0, 2)).toEqual(["state", "name"]);
    const dropped = moveColumn(columns, "summary.acc", { target: "name" });
    expect(dropped.slice(0, 2)).toEqual(["summary.acc", "name"]);
    expect(moveColumn(columns, "name", -1)).toEqual(ids(columns));
  });
});

describe("column filters", () => {
  const kept = (column: string, text: string) => {
    const expr = columnFilterExpr(column, text);
    return rows.filter((row) => !expr || matches(expr, (f) => row.fields.get(f))).map((row) => row.run.run_id);
  };

  it("compares when the text starts with an operator, else matches contained text", () => {
    expect(kept("config.lr", "< 0.05")).toEqual(["b", "c"]);
    expect(kept("config.opt", "ad")).toEqual(["a", "c"]);
    expect(kept("config.opt", "= null")).toEqual(["d"]);
  });

  it("joins every column's filter and names the column of a bad one", () => {
    const both = columnFiltersExpr({ "config.opt": "adam", "config.lr": ">= 0.05" }).expr;
    expect(rows.filter((row) => both && matches(both, (f) => row.fields.get(f))).map((r) => r.run.run_id)).toEqual(["a"]);
    expect(columnFiltersExpr({ "config.lr": "< 1 and" }).error).toMatch(/^config.lr:/);
  });
});

describe("grouping", () => {
  it("groups by a column's values with mean, min and max of numeric columns", () => {
    const groups = groupRows(rows, "config.opt", columns);
    expect(groups.map((g) => g.label)).toEqual(["adam", "sgd", NO_VALUE]);
    const adam = groups[0]?.aggregates.get("summary.acc");
    expect(adam?.mean).toBeCloseTo(0.8, 12);
    expect(adam?.min).toBe(0.7);
    expect(adam?.max).toBe(0.9);
    expect(groups[2]?.aggregates.has("summary.acc")).toBe(false);
  });

  it("leaves the runs of collapsed groups out of the table lines", () => {
    const lines = tableLines(groupRows(rows, "config.opt", columns), new Set(["adam"]));
    expect(lines.map((line) => (line.kind === "group" ? `group:${line.group.label}` : line.row.run.run_id))).toEqual([
      "group:adam",
      "group:sgd",
      "b",
      `group:${NO_VALUE}`,
      "d",
    ]);
  });

  it("ignores cells that are not finite numbers", () => {
    expect(aggregate([toRow(run("x", { v: "text" })), toRow(run("y", { v: 4 }))], "config.v")).toEqual({ mean: 4, min: 4, max: 4, count: 1 });
  });
});
