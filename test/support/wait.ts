// The one way tests wait for something asynchronous: poll a predicate until it holds, bounded, so a broken test
// fails with what it was waiting for instead of hanging the suite.

export interface WaitOptions {
  /** Give up after this long (default 5 s). */
  readonly timeoutMs?: number;
  /** Pause between polls (default 5 ms); 0 yields to the event loop once (setImmediate) between polls. */
  readonly intervalMs?: number;
  /** What is awaited, for the error ("timed out after 5000 ms waiting for <what>"). */
  readonly what?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Resolves once `predicate` holds (it may be async; a throw ends the wait with that error). */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  { timeoutMs = 5000, intervalMs = 5, what = 'a condition' }: WaitOptions = {},
): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await (intervalMs > 0 ? sleep(intervalMs) : tick());
  }
}

/**
 * `promise`'s value, or `timedOut` if it has not settled within `ms`. The timer is cleared either way: a bare
 * `Promise.race([p, sleep(30_000)])` keeps the test process alive until the sleep ends (it cost drain-e2e 27 s).
 */
export async function within<T, F>(promise: Promise<T>, ms: number, timedOut: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((r) => (timer = setTimeout(() => r(timedOut), ms)));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
