/**
 * Waiting for asynchronous work in tests: poll for a state, or wait for a promise, and FAIL with a message
 * when the deadline passes. Never a fixed sleep, never a deadline that passes silently.
 */

export interface WaitOptions {
  /** How long to wait before failing the test. */
  timeoutMs?: number;
  /** Pause between two probes of a poll. */
  intervalMs?: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeValue(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value)?.slice(0, 500) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Calls `probe` until it returns a value other than `undefined`, `null` or `false`, and returns that value.
 * A probe that throws is retried (the service may not be listening yet); the last error or value is in the
 * failure message.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let last: unknown = 'never probed';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${describeValue(last)})`);
    }
    await pause(intervalMs);
  }
}

/** Resolves with the promise's value, or fails when it has not settled within the deadline. */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
