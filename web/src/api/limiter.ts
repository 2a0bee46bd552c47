/**
 * At most `limit` tasks at a time, started in the order they were queued. Chart data requests go
 * through one: a page's charts asked all at once made the server share its cores among them, so
 * every chart arrived late together; one after another, the first is drawn while the next is
 * computed. A task whose signal aborts while it waits is dropped without being started.
 */
export function concurrencyLimiter(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  const next = () => {
    running--;
    waiting.shift()?.();
  };
  return function run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const start = () => {
        signal?.removeEventListener("abort", drop);
        running++;
        task().then(resolve, reject).finally(next);
      };
      const drop = () => {
        waiting.splice(waiting.indexOf(start), 1);
        reject(signal?.reason);
      };
      if (running < limit) return start();
      signal?.addEventListener("abort", drop, { once: true });
      waiting.push(start);
    });
  };
}
