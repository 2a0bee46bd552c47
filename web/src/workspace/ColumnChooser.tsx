/**
 * Choosing columns: show or hide each, move it left or right, pin it (pinned columns come first
 * and stay in place while the table scrolls sideways). Esc or the close button closes it.
 */
import { useEffect } from "preact/hooks";
import type { Column } from "../table/columns";

export interface ColumnChooserProps {
  /** Every column in display order, hidden ones included. */
  columns: readonly Column[];
  hidden: ReadonlySet<string>;
  pinned: ReadonlySet<string>;
  onToggleVisible: (id: string) => void;
  onTogglePinned: (id: string) => void;
  onMove: (id: string, delta: number) => void;
  onClose: () => void;
}

export function ColumnChooser(props: ColumnChooserProps) {
  const { columns, hidden, pinned } = props;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [props.onClose]);
  return (
    <div class="dialog column-chooser" role="dialog" aria-label="Choose columns">
      <div class="dialog-header">
        <strong>Columns</strong>
        <button class="link-button" onClick={props.onClose} aria-label="Close">
          ✕
        </button>
      </div>
      <ul class="chooser-list">
        {columns.map((column, i) => (
          <li key={column.id} data-chooser-column={column.id}>
            <label>
              <input type="checkbox" checked={!hidden.has(column.id)} onChange={() => props.onToggleVisible(column.id)} aria-label={`show ${column.label}`} />
              {column.label}
            </label>
            <span class="chooser-actions">
              <button class="move-up" disabled={i === 0} onClick={() => props.onMove(column.id, -1)} aria-label={`move ${column.label} left`}>
                ↑
              </button>
              <button class="move-down" disabled={i === columns.length - 1} onClick={() => props.onMove(column.id, 1)} aria-label={`move ${column.label} right`}>
                ↓
              </button>
              <button class="pin" aria-pressed={pinned.has(column.id)} onClick={() => props.onTogglePinned(column.id)} aria-label={`pin ${column.label}`}>
                {pinned.has(column.id) ? "unpin" : "pin"}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
