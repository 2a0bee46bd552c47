/**
 * Charts are grouped by the key's prefix before the first `/` (`train/loss` → "train"); keys
 * without one go to "Charts", and system metrics come last because they are looked at least.
 */
export interface Section {
  name: string;
  keys: string[];
}

const UNPREFIXED = "Charts";
const LAST = "system";

export function sectionsFor(keys: readonly string[], search = ""): Section[] {
  const needle = search.trim().toLowerCase();
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    if (key.startsWith("_") || (needle && !key.toLowerCase().includes(needle))) continue;
    const slash = key.indexOf("/");
    const name = slash > 0 ? key.slice(0, slash) : UNPREFIXED;
    const group = groups.get(name) ?? [];
    group.push(key);
    groups.set(name, group);
  }
  const rank = (name: string) => (name === LAST ? 2 : name === UNPREFIXED ? 1 : 0);
  return [...groups.entries()]
    .map(([name, group]) => ({ name, keys: group.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) }))
    .sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}
