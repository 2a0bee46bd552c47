import { useEffect, useState } from "preact/hooks";
import { isAbort } from "../api/client";

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
}

/** Runs `load` when `deps` change, aborting the previous request; errors are kept for display. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): AsyncState<T> & { reload: () => void } {
  const [state, setState] = useState<AsyncState<T>>({ data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    load(controller.signal).then(
      (data) => setState({ data, error: undefined, loading: false }),
      (error: unknown) => {
        if (!isAbort(error)) setState({ data: undefined, error, loading: false });
      },
    );
    return () => controller.abort();
  }, [...deps, generation]);
  return { ...state, reload: () => setGeneration((n) => n + 1) };
}
