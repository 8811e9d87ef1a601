/** Counts AWS API calls (each HTTP attempt) by operation: for the scan summary and /metrics. */
export type CallOutcome = 'success' | 'throttled' | 'error';

export interface OperationCount {
  calls: number;
  throttled: number;
  errors: number;
}

const THROTTLING = /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|LimitExceeded/;

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING.test(error.name);
}

export class ApiCallCounter {
  private readonly counts = new Map<string, OperationCount>();

  record(operation: string, outcome: CallOutcome): void {
    let count = this.counts.get(operation);
    if (count === undefined) {
      count = { calls: 0, throttled: 0, errors: 0 };
      this.counts.set(operation, count);
    }
    count.calls++;
    if (outcome === 'throttled') count.throttled++;
    if (outcome === 'error') count.errors++;
  }

  snapshot(): Record<string, OperationCount> {
    return Object.fromEntries(
      [...this.counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v }]),
    );
  }

  /** The counts since the previous call, then zero: what a worker reports for its share of a scan. */
  takeAll(): Record<string, OperationCount> {
    const counts = this.snapshot();
    this.counts.clear();
    return counts;
  }
}
