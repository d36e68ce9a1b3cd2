import type { Logger } from 'pino';
import { runCycle, type CycleDeps } from '../fulfillment/cycle.ts';
import type { CycleSummary } from '../fulfillment/events.ts';
import type { Leadership } from '../state/leadership.ts';
import { Scheduler } from './scheduler.ts';

export interface DaemonOptions {
  cycle: CycleDeps;
  schedule: string;
  log: Logger;
  /** With several replicas: cycles run only while this replica holds the lease. */
  leadership?: Leadership;
}

/**
 * The polling loop: a first cycle at start, then one per cron tick, never two at once. Stopping is
 * two-stage (graphile-worker style): drain — no new cycle, no new request, in-flight requests finish —
 * then, after the grace period or on demand, abort what is still running.
 */
export class Daemon {
  readonly #options: DaemonOptions;
  readonly #scheduler: Scheduler;
  readonly #drain = new AbortController();
  readonly #abort = new AbortController();
  #current: { id: Promise<CycleSummary>; cycleId?: string } | undefined;
  #inFlight = 0;
  #started = false;

  constructor(options: DaemonOptions) {
    this.#options = options;
    this.#scheduler = new Scheduler(options.schedule, () => this.tick());
    options.cycle.events.on('cycle:start', ({ cycleId }) => {
      if (this.#current) this.#current.cycleId = cycleId;
    });
    options.cycle.events.on('request:start', () => this.#inFlight++);
    options.cycle.events.on('request:done', () => this.#inFlight--);
    // A new holder starts at once rather than at the next tick.
    options.leadership?.on('change', (role) => {
      if (role === 'leader' && this.#started) this.tick();
    });
  }

  get events() {
    return this.#options.cycle.events;
  }

  get stopping(): boolean {
    return this.#drain.signal.aborted;
  }

  /** Requests being handled right now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Starts the schedule and runs a first cycle right away. */
  start(): void {
    this.#started = true;
    this.#scheduler.start();
    this.tick();
  }

  /** One tick: a cycle, unless one is running (then the tick is skipped and logged). */
  tick(): void {
    if (this.stopping) return;
    if (this.#options.leadership && !this.#options.leadership.holding) return; // a standby
    if (this.#current) {
      this.#options.log.warn(
        { event: 'cycle.skipped', runningCycleId: this.#current.cycleId },
        'tick skipped: the previous cycle is still running',
      );
      this.events.emit('cycle:skipped', { runningCycleId: this.#current.cycleId });
      return;
    }
    // runCycle reports its own failures. A rejection here is a bug: it surfaces as an unhandled
    // rejection, which the process logs as fatal and exits on, rather than run on in an unknown state.
    void this.runCycle();
  }

  /** Runs one cycle now (run-once, and each tick). */
  async runCycle(): Promise<CycleSummary> {
    const term = this.#options.leadership?.signal;
    // Losing the lease aborts the cycle like a forced stop: no new request, handlers' signals abort.
    const abort = term ? AbortSignal.any([this.#abort.signal, term]) : this.#abort.signal;
    const running = runCycle(this.#options.cycle, { drain: this.#drain.signal, abort });
    this.#current = { id: running };
    try {
      return await running;
    } finally {
      this.#current = undefined;
    }
  }

  /**
   * Drains, waits up to `graceMs` for the running cycle, then aborts it. Resolves once nothing runs.
   * Returns true when everything finished within the grace period.
   */
  async stop(graceMs: number): Promise<boolean> {
    this.#scheduler.stop();
    this.#drain.abort(new Error('shutting down'));
    const running = this.#current?.id;
    if (!running) return true;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const finished = await Promise.race([
      running.then(
        () => 'done' as const,
        () => 'done' as const,
      ),
      graceOver,
    ]);
    clearTimeout(timer);
    if (finished === 'done') return true;
    this.abort();
    await running.catch(() => {});
    return false;
  }

  /** Aborts in-flight work at once (second signal, or the grace period is over). */
  abort(): void {
    this.#drain.abort(new Error('shutting down'));
    this.#abort.abort(new Error('forced shutdown'));
    this.#scheduler.stop();
  }
}
