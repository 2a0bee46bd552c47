/**
 * The runs table, virtualised: only the rows in view (plus a margin) are in the DOM, so 5,000
 * runs scroll as smoothly as 5. Headers sort; the eye toggles a run's lines in every chart.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { colorOf, type RunColors } from "../colors";
import { formatDuration, formatTime, formatValue } from "../format";
import { StateBadge } from "../components/StateBadge";
import { Link, runHref } from "../router";
import type { Column, RunRow } from "./columns";

const ROW_HEIGHT = 30;
const OVERSCAN = 8;

export interface RunsTableProps {
  rows: readonly RunRow[];
  columns: readonly Column[];
  sort: string | null;
  onSort: (sort: string | null) => void;
  hidden: ReadonlySet<string>;
  colors: RunColors;
  onToggle: (runId: string) => void;
  height: number;
}

export function RunsTable(props: RunsTableProps) {
  const { rows, columns, sort, hidden, height } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [, tick] = useState(0);

  // Runtime of running runs counts up between server updates.
  const anyRunning = rows.some((row) => row.run.state === "running");
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [anyRunning]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const count = Math.ceil(height / ROW_HEIGHT) + 2 * OVERSCAN;
  const last = Math.min(rows.length, first + count);
  const totalWidth = 64 + columns.reduce((sum, column) => sum + column.width, 0);

  const clickHeader = (id: string) => {
    // asc → desc → server order
    props.onSort(sort === id ? `-${id}` : sort === `-${id}` ? null : id);
  };

  return (
    <div class="runs-table" ref={scroller} style={{ height: `${height}px` }} onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}>
      <table style={{ width: `${totalWidth}px` }}>
        <colgroup>
          <col style={{ width: "64px" }} />
          {columns.map((column) => (
            <col key={column.id} style={{ width: `${column.width}px` }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th class="sticky-col" />
            {columns.map((column) => {
              const direction = sort === column.id ? "ascending" : sort === `-${column.id}` ? "descending" : "none";
              return (
                <th key={column.id} data-column={column.id} aria-sort={direction} title={`${column.label}: click to sort`} onClick={() => clickHeader(column.id)}>
                  {column.label}
                  {direction === "ascending" ? " ▲" : direction === "descending" ? " ▼" : ""}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {first > 0 ? <tr style={{ height: `${first * ROW_HEIGHT}px` }} aria-hidden="true" /> : null}
          {rows.slice(first, last).map((row) => (
            <RunRowView key={row.run.run_id} row={row} columns={columns} color={colorOf(props.colors, row.run.run_id)} hidden={hidden.has(row.run.run_id)} onToggle={props.onToggle} />
          ))}
          {last < rows.length ? <tr style={{ height: `${(rows.length - last) * ROW_HEIGHT}px` }} aria-hidden="true" /> : null}
        </tbody>
      </table>
    </div>
  );
}

function RunRowView(props: { row: RunRow; columns: readonly Column[]; color: string; hidden: boolean; onToggle: (id: string) => void }) {
  const { row, columns, color, hidden, onToggle } = props;
  const { run } = row;
  return (
    <tr class={hidden ? "run-row is-hidden" : "run-row"} data-run-id={run.run_id} style={{ height: `${ROW_HEIGHT}px` }}>
      <td class="sticky-col">
        <i class="swatch" style={{ background: color }} />
        <button
          class="eye"
          aria-pressed={!hidden}
          aria-label={hidden ? `show ${run.name} in charts` : `hide ${run.name} from charts`}
          title={hidden ? "Show in charts" : "Hide from charts"}
          onClick={() => onToggle(run.run_id)}
        >
          {hidden ? "◌" : "●"}
        </button>
      </td>
      {columns.map((column) => (
        <td key={column.id} data-column={column.id}>
          <Cell row={row} column={column} />
        </td>
      ))}
    </tr>
  );
}

function Cell({ row, column }: { row: RunRow; column: Column }) {
  const { run } = row;
  switch (column.id) {
    case "name":
      return (
        <Link href={runHref(run.entity, run.project, run.run_id)} title={`${run.name} (${run.run_id})`}>
          {run.name || run.run_id}
        </Link>
      );
    case "state":
      return <StateBadge state={run.state} />;
    case "created_at":
      return <span title={new Date(run.created_at * 1000).toISOString()}>{formatTime(run.created_at)}</span>;
    case "runtime":
      return <span>{formatDuration(run.state === "running" ? Math.max(run.runtime, Date.now() / 1000 - run.created_at) : run.runtime)}</span>;
    case "tags":
      return (
        <span class="tags">
          {run.tags.map((tag) => (
            <span class="tag" key={tag}>
              {tag}
            </span>
          ))}
        </span>
      );
    default: {
      const text = formatValue(row.fields.get(column.id));
      return <span title={text}>{text}</span>;
    }
  }
}
