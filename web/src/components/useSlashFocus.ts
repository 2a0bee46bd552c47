import { type RefObject } from "preact";
import { useEffect } from "preact/hooks";

/** `/` focuses the page's search box (unless typing elsewhere); Esc leaves it. */
export function useSlashFocus(input: RefObject<HTMLInputElement>): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      const typing = target?.closest("input, textarea, select, [contenteditable]") !== null && target !== null;
      if (event.key === "/" && !typing) {
        event.preventDefault();
        input.current?.focus();
        input.current?.select();
      } else if (event.key === "Escape" && target === input.current) {
        input.current?.blur();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [input]);
}
