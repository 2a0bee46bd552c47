/**
 * The runs table, virtualised: only the lines in view (plus a margin) are in the DOM, so 5,000
 * runs scroll as smoothly as 5. Headers sort and can be dragged to reorder; pinned columns stay
 * in place while scrolling sideways; a filter row under the headers filters each column; group
 * lines (when grouping) show counts and aggregates and collapse; names are edited in place.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { colorOf, type RunColors } from "../colors";
import { formatDuration, formatNumber, formatTime, formatValue } from "../format";
import { StateBadge } from "../components/StateBadge";
import { Link, runHref } from "../router";
import type { Column, RunRow } from "./columns";
import type { Group, TableLine } from "./groups";

const ROW_HEIGHT = 30;
const OVERSCAN = 8;
const LEAD_WIDTH = 84;

export interface RunsTableProps {
  lines: readonly TableLine[];
  columns: readonly Column[];
  pinned: ReadonlySet<string>;
  sort: string | null;
  onSort: (sort: string | null) => void;
  hidden: ReadonlySet<string>;
  selected: ReadonlySet<string>;
  colors: RunColors;
  onToggle: (runId: string) => void;
  onSelect: (runId: string) => void;
  onToggleGroup: (label: string) => void;
  onMoveColumn: (id: string, target: string) => void;
  columnFilters: Readonly<Record<string, string>>;
  onColumnFilter: (id: string, text: string) => void;
  onRename: (runId: string, name: string) => Promise<void>;
  height: number;
}

/** Left offsets of pinned columns (they stick after the swatch/eye/select column). */
function pinnedOffsets(columns: readonly Column[], pinned: ReadonlySet<string>): Map<string, number> {
  const offsets = new Map<string, number>();
  let left = LEAD_WIDTH;
  for (const column of columns) {
    if (!pinned.has(column.id)) continue;
    offsets.set(column.id, left);
    left += column.width;
  }
  return offsets;
}

export function RunsTable(props: RunsTableProps) {
  const { lines, columns, sort, hidden, height } = props;
  const [scrollTop, setScrollTop] = useState(0);
  const [, tick] = useState(0);
  const dragged = useRef<string | null>(null);

  // Runtime of running runs counts up between server updates.
  const anyRunning = lines.some((line) => line.kind === "run" && line.row.run.state === "running");
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(timer);
  }, [anyRunning]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const count = Math.ceil(height / ROW_HEIGHT) + 2 * OVERSCAN;
  const last = Math.min(lines.length, first + count);
  const totalWidth = LEAD_WIDTH + columns.reduce((sum, column) => sum + column.width, 0);
  const offsets = pinnedOffsets(columns, props.pinned);
  const stickyStyle = (id: string) => {
    const left = offsets.get(id);
    return left === undefined ? undefined : { left: `${left}px` };
  };
  const cellClass = (id: string) => (offsets.has(id) ? "pinned" : undefined);

  const clickHeader = (id: string) => {
    // asc → desc → server order
    props.onSort(sort === id ? `-${id}` : sort === `-${id}` ? null : id);
  };

  return (
    <div class="runs-table" style={{ height: `${height}px` }} onScroll={(e) => setScrollTop((e.currentTarget as HTMLDivElement).scrollTop)}>
      <table style={{ width: `${totalWidth}px` }}>
        <colgroup>
          <col style={{ width: `${LEAD_WIDTH}px` }} />
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
                <th
                  key={column.id}
                  class={cellClass(column.id)}
                  style={stickyStyle(column.id)}
                  data-column={column.id}
                  aria-sort={direction}
                  title={`${column.label}: click to sort, drag to move`}
                  draggable
                  onDragStart={(e) => {
                    dragged.current = column.id;
                    e.dataTransfer?.setData("text/plain", column.id);
                  }}
                  onDragOver={(e) => e.preventDefault()}
                  onDrop={(e) => {
                    e.preventDefault();
                    const id = dragged.current ?? e.dataTransfer?.getData("text/plain");
                    dragged.current = null;
                    if (id && id !== column.id) props.onMoveColumn(id, column.id);
                  }}
                  onClick={() => clickHeader(column.id)}
                >
                  {column.label}
                  {direction === "ascending" ? " ▲" : direction === "descending" ? " ▼" : ""}
                </th>
              );
            })}
          </tr>
          <tr class="filter-row">
            <th class="sticky-col" />
            {columns.map((column) => (
              <th key={column.id} class={cellClass(column.id)} style={stickyStyle(column.id)}>
                <input
                  class="column-filter"
                  data-filter-column={column.id}
                  type="search"
                  placeholder="filter"
                  title="Text matches contained text; or start with an operator: < 0.01, = finished, != null"
                  value={props.columnFilters[column.id] ?? ""}
                  onInput={(e) => props.onColumnFilter(column.id, (e.currentTarget as HTMLInputElement).value)}
                  aria-label={`Filter ${column.label}`}
                />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {first > 0 ? <tr style={{ height: `${first * ROW_HEIGHT}px` }} aria-hidden="true" /> : null}
          {lines.slice(first, last).map((line) =>
            line.kind === "group" ? (
              <GroupLineView key={`group:${line.group.label}`} group={line.group} collapsed={line.collapsed} columns={columns} cellClass={cellClass} stickyStyle={stickyStyle} onToggle={props.onToggleGroup} />
            ) : (
              <RunRowView
                key={line.row.run.run_id}
                row={line.row}
                columns={columns}
                color={colorOf(props.colors, line.row.run.run_id)}
                hidden={hidden.has(line.row.run.run_id)}
                selected={props.selected.has(line.row.run.run_id)}
                cellClass={cellClass}
                stickyStyle={stickyStyle}
                onToggle={props.onToggle}
                onSelect={props.onSelect}
                onRename={props.onRename}
              />
            ),
          )}
          {last < lines.length ? <tr style={{ height: `${(lines.length - last) * ROW_HEIGHT}px` }} aria-hidden="true" /> : null}
        </tbody>
      </table>
    </div>
  );
}

interface CellPlacement {
  cellClass: (id: string) => string | undefined;
  stickyStyle: (id: string) => { left: string } | undefined;
}

function GroupLineView(props: CellPlacement & { group: Group; collapsed: boolean; columns: readonly Column[]; onToggle: (label: string) => void }) {
  const { group, collapsed, columns } = props;
  return (
    <tr class="group-row" data-group={group.label} style={{ height: `${ROW_HEIGHT}px` }}>
      <td class="sticky-col">
        <button class="link-button" aria-expanded={!collapsed} onClick={() => props.onToggle(group.label)} title={collapsed ? "Expand group" : "Collapse group"}>
          {collapsed ? "▸" : "▾"} {group.rows.length}
        </button>
      </td>
      {columns.map((column, i) => {
        const stats = group.aggregates.get(column.id);
        return (
          <td key={column.id} class={props.cellClass(column.id)} style={props.stickyStyle(column.id)} data-column={column.id}>
            {i === 0 ? <strong class="group-label">{group.label}</strong> : null}
            {stats && (column.kind === "value" || column.id === "runtime") ? (
              <span class="aggregate" data-mean={stats.mean} title={`mean ${stats.mean} · min ${stats.min} · max ${stats.max} (${stats.count} runs)`}>
                {column.id === "runtime" ? formatDuration(stats.mean) : formatNumber(stats.mean)}
                <small>
                  {" "}
                  [{column.id === "runtime" ? formatDuration(stats.min) : formatNumber(stats.min)}–
                  {column.id === "runtime" ? formatDuration(stats.max) : formatNumber(stats.max)}]
                </small>
              </span>
            ) : null}
          </td>
        );
      })}
    </tr>
  );
}

function RunRowView(
  props: CellPlacement & {
    row: RunRow;
    columns: readonly Column[];
    color: string;
    hidden: boolean;
    selected: boolean;
    onToggle: (id: string) => void;
    onSelect: (id: string) => void;
    onRename: (id: string, name: string) => Promise<void>;
  },
) {
  const { row, columns, color, hidden, selected } = props;
  const { run } = row;
  return (
    <tr class={`run-row${hidden ? " is-hidden" : ""}${selected ? " is-selected" : ""}`} data-run-id={run.run_id} style={{ height: `${ROW_HEIGHT}px` }}>
      <td class="sticky-col">
        <input type="checkbox" class="select-run" checked={selected} onChange={() => props.onSelect(run.run_id)} aria-label={`select ${run.name}`} />
        <i class="swatch" style={{ background: color }} />
        <button
          class="eye"
          aria-pressed={!hidden}
          aria-label={hidden ? `show ${run.name} in charts` : `hide ${run.name} from charts`}
          title={hidden ? "Show in charts" : "Hide from charts"}
          onClick={() => props.onToggle(run.run_id)}
        >
          {hidden ? "◌" : "●"}
        </button>
      </td>
      {columns.map((column) => (
        <td key={column.id} class={props.cellClass(column.id)} style={props.stickyStyle(column.id)} data-column={column.id}>
          {column.id === "name" ? <NameCell row={row} onRename={props.onRename} /> : <Cell row={row} column={column} />}
        </td>
      ))}
    </tr>
  );
}

/** The run's name as a link, or (after ✎) an input: Enter saves through PATCH, Esc cancels. */
function NameCell({ row, onRename }: { row: RunRow; onRename: (id: string, name: string) => Promise<void> }) {
  const { run } = row;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(run.name);
  const [error, setError] = useState<string | null>(null);
  if (editing) {
    const save = () => {
      const name = draft.trim();
      if (!name || name === run.name) return setEditing(false);
      onRename(run.run_id, name).then(
        () => setEditing(false),
        (caught: unknown) => setError(caught instanceof Error ? caught.message : String(caught)),
      );
    };
    return (
      <input
        class={error ? "name-input invalid" : "name-input"}
        value={draft}
        title={error ?? "Enter saves, Esc cancels"}
        ref={(element) => element?.focus()}
        onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") save();
          if (e.key === "Escape") setEditing(false);
        }}
        onBlur={() => setEditing(false)}
        aria-label={`New name of ${run.name}`}
        aria-invalid={error ? true : undefined}
      />
    );
  }
  return (
    <span class="name-cell">
      <Link href={runHref(run.entity, run.project, run.run_id)} title={`${run.name} (${run.run_id})`}>
        {run.name || run.run_id}
      </Link>
      <button
        class="edit-name link-button"
        title="Rename"
        aria-label={`rename ${run.name}`}
        onClick={() => {
          setDraft(run.name);
          setError(null);
          setEditing(true);
        }}
      />
    </span>
  );
}

function Cell({ row, column }: { row: RunRow; column: Column }) {
  const { run } = row;
  switch (column.id) {
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
