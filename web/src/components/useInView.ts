import { type RefObject } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";

/** Charts this close below the viewport load too, once the preload is allowed to start. */
const PRELOAD_MARGIN_PX = 100;

/** Calls `start` once preloading may begin (now or later); returns a function that cancels the wait. */
export type PreloadGate = (start: () => void) => () => void;

/**
 * Becomes true once the element is in the viewport, or within the preload margin below it once
 * `preloadGate` opens, and stays true: charts load when first seen. The margin waits for the gate
 * so that what is already on screen gets the server and the main thread to itself first.
 */
export function useInView<T extends Element>(preloadGate: PreloadGate): [RefObject<T>, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(false);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || seen) return;
    // Already in view: no need to wait a frame for the observer's first report.
    const box = element.getBoundingClientRect();
    if (box.top < window.innerHeight && box.bottom > 0) return setSeen(true);
    const observers: IntersectionObserver[] = [];
    const observe = (marginPx: number) => {
      const observer = new IntersectionObserver(
        (entries) => {
          if (entries.some((entry) => entry.isIntersecting)) setSeen(true);
        },
        { rootMargin: `${marginPx}px` },
      );
      observer.observe(element);
      observers.push(observer);
    };
    observe(0);
    const cancelGate = preloadGate(() => observe(PRELOAD_MARGIN_PX));
    return () => {
      cancelGate();
      for (const observer of observers) observer.disconnect();
    };
  }, [seen]);
  return [ref, seen];
}
