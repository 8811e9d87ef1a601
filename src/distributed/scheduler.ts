/**
 * Scheduled scans across `serve` replicas: every replica declares the same BullMQ job schedulers (one per
 * cron expression; declaring is idempotent), BullMQ makes one job per tick, and whichever replica takes it
 * starts the scan. A tick whose scope is still running is skipped, as in-process.
 */
import { Cron } from 'croner';
import type { Queue } from 'bullmq';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../log/index.js';
import type { ScheduleOptions } from '../scan/control.js';
import type { DistributedScanService } from './scan-service.js';
import { QUEUES } from './jobs.js';

const SCHEDULER_PREFIX = 'cron-';

export class DistributedScheduler {
  private worker: Worker | undefined;
  private readonly crons: Cron[] = [];

  constructor(
    private readonly options: ScheduleOptions,
    private readonly queue: Queue,
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly service: DistributedScanService,
    private readonly logger: Logger,
  ) {}

  /** Throws on an invalid cron expression, naming it (checked with croner before BullMQ sees it). */
  async start(): Promise<void> {
    for (const expression of this.options.crons) {
      try {
        this.crons.push(new Cron(expression, { timezone: this.options.timezone, paused: true }));
      } catch (error) {
        throw new Error(
          `schedule.crons: invalid cron expression ${JSON.stringify(expression)}: ${(error as Error).message}`,
        );
      }
    }
    const wanted = new Set<string>();
    for (const expression of this.options.crons) {
      const id = `${SCHEDULER_PREFIX}${expression}@${this.options.timezone}`;
      wanted.add(id);
      await this.queue.upsertJobScheduler(
        id,
        { pattern: expression, tz: this.options.timezone },
        {
          name: 'tick',
          data: { cron: expression },
          opts: { removeOnComplete: { age: 7 * 86_400, count: 1_000 }, removeOnFail: { age: 7 * 86_400 } },
        },
      );
    }
    // Schedules removed from the configuration stop ticking (the replica that starts last decides).
    for (const scheduler of await this.queue.getJobSchedulers())
      if (scheduler.key.startsWith(SCHEDULER_PREFIX) && !wanted.has(scheduler.key))
        await this.queue.removeJobScheduler(scheduler.key);
    this.worker = new Worker(QUEUES.schedule, async (job) => this.tick(String(job.data.cron)), {
      connection: this.connection,
      prefix: this.prefix,
      concurrency: 1,
    });
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'schedule worker error'));
    await this.worker.waitUntilReady();
  }

  async tick(expression: string): Promise<void> {
    const result = await this.service.start({}, 'schedule');
    if (!result.started)
      this.logger.warn(
        { cron: expression, runningScanId: result.runningScanId },
        'scheduled scan skipped: the previous one is still running',
      );
  }

  describe(): { crons: string[]; nextRuns: string[] } {
    return {
      crons: [...this.options.crons],
      nextRuns: this.crons
        .map((cron) => cron.nextRun())
        .filter((d): d is Date => d !== null)
        .map((d) => d.toISOString())
        .sort(),
    };
  }

  async stop(): Promise<void> {
    for (const cron of this.crons) cron.stop();
    this.crons.length = 0;
    await this.worker?.close();
  }
}
