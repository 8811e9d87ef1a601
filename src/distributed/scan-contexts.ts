/**
 * A worker's AWS clients, one set per scan it has units of: units of the same scan and account share the
 * member role's credentials instead of assuming it once per unit. A scan's set is closed when the worker
 * has had no unit of it for a while.
 */
import { ApiCallCounter } from '../aws/index.js';
import type { AwsContext } from '../aws/index.js';

interface Entry {
  aws: AwsContext;
  counter: ApiCallCounter;
  active: number;
  idleTimer?: NodeJS.Timeout;
}

export class ScanContexts {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly create: (scanId: string, counter: ApiCallCounter) => AwsContext,
    private readonly idleMs = 60_000,
  ) {}

  acquire(scanId: string): { aws: AwsContext; counter: ApiCallCounter } {
    let entry = this.entries.get(scanId);
    if (entry === undefined) {
      const counter = new ApiCallCounter();
      entry = { aws: this.create(scanId, counter), counter, active: 0 };
      this.entries.set(scanId, entry);
    }
    clearTimeout(entry.idleTimer);
    entry.active++;
    return entry;
  }

  release(scanId: string): void {
    const entry = this.entries.get(scanId);
    if (entry === undefined) return;
    entry.active--;
    if (entry.active > 0) return;
    entry.idleTimer = setTimeout(() => {
      if (entry.active > 0) return;
      entry.aws.destroy();
      this.entries.delete(scanId);
    }, this.idleMs);
    entry.idleTimer.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  closeAll(): void {
    for (const entry of this.entries.values()) {
      clearTimeout(entry.idleTimer);
      entry.aws.destroy();
    }
    this.entries.clear();
  }
}
