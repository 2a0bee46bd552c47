/** Adding a chart panel by hand: pick one or more keys to draw together in one chart. */
import { useEffect, useState } from "preact/hooks";

export function AddPanelDialog({ keys, onAdd, onClose }: { keys: readonly string[]; onAdd: (keys: string[]) => void; onClose: () => void }) {
  const [search, setSearch] = useState("");
  const [chosen, setChosen] = useState<string[]>([]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  const needle = search.trim().toLowerCase();
  const listed = keys.filter((key) => !key.startsWith("_") && key.toLowerCase().includes(needle));
  return (
    <div class="dialog add-panel" role="dialog" aria-label="Add a chart panel">
      <div class="dialog-header">
        <strong>Add a chart</strong>
        <button class="link-button" onClick={onClose} aria-label="Close">
          ✕
        </button>
      </div>
      <input type="search" placeholder="Search keys" value={search} onInput={(e) => setSearch((e.currentTarget as HTMLInputElement).value)} aria-label="Search keys" />
      <ul class="chooser-list">
        {listed.map((key) => (
          <li key={key}>
            <label>
              <input
                type="checkbox"
                data-panel-key={key}
                checked={chosen.includes(key)}
                onChange={() => setChosen((current) => (current.includes(key) ? current.filter((k) => k !== key) : [...current, key]))}
              />
              {key}
            </label>
          </li>
        ))}
      </ul>
      <div class="form-actions">
        <button class="create-panel" disabled={chosen.length === 0} onClick={() => onAdd(chosen)}>
          Add chart of {chosen.length} key{chosen.length === 1 ? "" : "s"}
        </button>
      </div>
    </div>
  );
}
