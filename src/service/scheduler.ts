/**
 * Periodic scans from cron expressions (croner). A tick while the previous scheduled scan still runs is
 * skipped: scheduled scans never overlap.
 */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import type { ScheduleOptions } from '../scan/control.js';
import type { ScanService } from './scan-service.js';

export class Scheduler {
  private readonly jobs: Cron[] = [];
  private lastScanId: string | undefined;

  constructor(
    private readonly options: ScheduleOptions,
    private readonly service: ScanService,
    private readonly logger: Logger,
  ) {}

  /** Throws on an invalid cron expression, naming it. */
  start(): void {
    for (const expression of this.options.crons) {
      try {
        this.jobs.push(
          new Cron(expression, { timezone: this.options.timezone, protect: true }, () =>
            this.tick(expression),
          ),
        );
      } catch (error) {
        this.stop();
        throw new Error(
          `schedule.crons: invalid cron expression ${JSON.stringify(expression)}: ${(error as Error).message}`,
        );
      }
    }
  }

  async tick(expression: string): Promise<void> {
    if (this.lastScanId !== undefined && this.service.isRunning(this.lastScanId)) {
      this.logger.warn(
        { cron: expression, runningScanId: this.lastScanId },
        'scheduled scan skipped: the previous one is still running',
      );
      return;
    }
    const result = await this.service.start({}, 'schedule');
    if (result.started) this.lastScanId = result.scan.id;
    else
      this.logger.warn(
        { cron: expression, runningScanId: result.runningScanId },
        'scheduled scan skipped: same scope running',
      );
  }

  nextRuns(): string[] {
    return this.jobs
      .map((job) => job.nextRun())
      .filter((d): d is Date => d !== null)
      .map((d) => d.toISOString())
      .sort();
  }

  describe(): { crons: string[]; nextRuns: string[] } {
    return { crons: [...this.options.crons], nextRuns: this.nextRuns() };
  }

  stop(): void {
    for (const job of this.jobs) job.stop();
    this.jobs.length = 0;
  }
}
