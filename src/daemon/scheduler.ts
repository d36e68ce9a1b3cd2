import { CronJob } from 'cron';

/**
 * Fires `tick` on a cron schedule. Overlap is the caller's business (the daemon skips a tick while a
 * cycle runs), so the cron job never waits for the tick's promise.
 */
export class Scheduler {
  readonly #job: CronJob;

  constructor(schedule: string, tick: () => void) {
    this.#job = CronJob.from({ cronTime: schedule, onTick: tick, start: false });
  }

  start(): void {
    this.#job.start();
  }

  stop(): void {
    void this.#job.stop();
  }
}

/** Milliseconds between the next two firings: how often the schedule really runs. */
export function scheduleIntervalMs(schedule: string): number {
  const job = CronJob.from({ cronTime: schedule, onTick: () => {}, start: false });
  const [a, b] = job.nextDates(2);
  return a && b ? b.toMillis() - a.toMillis() : Number.POSITIVE_INFINITY;
}
