import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { RunInfo, RunPatch } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";

/** Name, tags and notes: the fields a user edits after the fact (PATCH, see docs/api.md). */
export function RunEditor({ run, onSaved }: { run: RunInfo; onSaved: (run: RunInfo) => void }) {
  const [name, setName] = useState(run.name);
  const [tags, setTags] = useState(run.tags.join(", "));
  const [notes, setNotes] = useState(run.notes ?? "");
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  useEffect(() => {
    setName(run.name);
    setTags(run.tags.join(", "));
    setNotes(run.notes ?? "");
  }, [run.run_id]);

  const patch: RunPatch = {};
  if (name.trim() && name.trim() !== run.name) patch.name = name.trim();
  const tagList = tags.split(",").map((t) => t.trim()).filter(Boolean);
  if (tagList.join(",") !== run.tags.join(",")) patch.tags = tagList;
  if (notes !== (run.notes ?? "")) patch.notes = notes;
  const dirty = Object.keys(patch).length > 0;

  const save = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    try {
      onSaved(await api.patchRun(run.entity, run.project, run.run_id, patch));
      setError(null);
      setSavedAt(Date.now());
    } catch (caught) {
      setError(caught);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form class="run-editor" onSubmit={save}>
      <label>
        Name
        <input value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} aria-label="Run name" />
      </label>
      <label>
        Tags
        <input value={tags} placeholder="comma, separated" onInput={(e) => setTags((e.currentTarget as HTMLInputElement).value)} aria-label="Tags" />
      </label>
      <label class="notes">
        Notes
        <textarea value={notes} rows={3} placeholder="What was this run about?" onInput={(e) => setNotes((e.currentTarget as HTMLTextAreaElement).value)} aria-label="Notes" />
      </label>
      <div class="form-actions">
        <button type="submit" disabled={!dirty || saving}>
          {saving ? "Saving…" : "Save"}
        </button>
        {savedAt && !dirty ? <span class="hint">saved</span> : null}
      </div>
      <ErrorBanner error={error} context="Saving" />
    </form>
  );
}
