import { describe, expect, it } from "vitest";
import { concurrencyLimiter } from "./limiter";

function deferred() {
  let resolve!: (value: string) => void;
  const promise = new Promise<string>((r) => (resolve = r));
  return { promise, resolve };
}

describe("concurrencyLimiter", () => {
  it("starts queued tasks in order as running ones finish", async () => {
    const run = concurrencyLimiter(1);
    const started: string[] = [];
    const a = deferred();
    const b = deferred();
    const first = run(() => (started.push("a"), a.promise));
    const second = run(() => (started.push("b"), b.promise));
    await Promise.resolve();
    expect(started).toEqual(["a"]);
    a.resolve("A");
    expect(await first).toBe("A");
    await Promise.resolve();
    expect(started).toEqual(["a", "b"]);
    b.resolve("B");
    expect(await second).toBe("B");
  });

  it("drops a waiting task whose signal aborts, and runs the next", async () => {
    const run = concurrencyLimiter(1);
    const started: string[] = [];
    const a = deferred();
    const controller = new AbortController();
    const first = run(() => (started.push("a"), a.promise));
    const dropped = run(() => (started.push("b"), Promise.resolve("B")), controller.signal);
    const third = run(() => (started.push("c"), Promise.resolve("C")));
    controller.abort();
    await expect(dropped).rejects.toThrow();
    a.resolve("A");
    await first;
    expect(await third).toBe("C");
    expect(started).toEqual(["a", "c"]);
  });

  it("lets a failed task free its place", async () => {
    const run = concurrencyLimiter(1);
    await expect(run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await run(() => Promise.resolve("next"))).toBe("next");
  });
});
