import { type RefObject } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";

/** Charts this close below the viewport load too; more would compete with the visible ones. */
const MARGIN_PX = 100;

/** Becomes true once the element nears the viewport, and stays true: charts load when first seen. */
export function useInView<T extends Element>(): [RefObject<T>, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(false);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || seen) return;
    // Already near the viewport: no need to wait a frame for the observer's first report.
    const box = element.getBoundingClientRect();
    if (box.top < window.innerHeight + MARGIN_PX && box.bottom > -MARGIN_PX) return setSeen(true);
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) setSeen(true);
      },
      { rootMargin: `${MARGIN_PX}px` },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [seen]);
  return [ref, seen];
}
