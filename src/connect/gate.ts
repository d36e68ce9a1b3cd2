import PQueue from 'p-queue';
import { sleep } from '../util/sleep.ts';
import { RateWindow } from './rate-window.ts';

export interface GateOptions {
  /** Ceiling on calls per sliding second, retries included. */
  requestsPerSecond: number;
  /** Calls in flight at once. */
  concurrency: number;
}

export interface GateEvents {
  /** The shared pause was started or extended (Retry-After). */
  onPause?: (ms: number) => void;
}

/**
 * The one gate every API call passes: at most `concurrency` calls in flight, at most
 * `requestsPerSecond` calls in ANY sliding second as the server sees them (see RateWindow for why
 * call starts alone are not enough), and one shared pause that a Retry-After from the server imposes
 * on all calls, not just the one that got it.
 */
export class Gate {
  readonly #queue: PQueue;
  readonly #rate: RateWindow;
  readonly #events: GateEvents;
  #pausedUntil = 0;

  constructor(options: GateOptions, events: GateEvents = {}) {
    const { cap, intervalMs } = rateWindow(options.requestsPerSecond);
    this.#queue = new PQueue({ concurrency: options.concurrency });
    this.#rate = new RateWindow(cap, intervalMs);
    this.#events = events;
  }

  /** Runs `call` when the gate allows; rejects with the signal's reason if it aborts while waiting. */
  run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#queue.add(
      async () => {
        await this.#admit(signal);
        try {
          return await call();
        } finally {
          this.#rate.release();
        }
      },
      signal ? { signal } : {},
    );
  }

  /**
   * Holds every call that has not started yet for `ms`. Overlapping pauses extend, never shorten.
   * Calls already in flight finish; their retries wait behind the pause.
   */
  pauseFor(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.#events.onPause?.(ms);
  }

  get pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - Date.now());
  }

  /** Drops waiting calls (they reject with an AbortError). */
  close(): void {
    this.#rate.close();
    this.#queue.clear();
  }

  /** Waits out the shared pause, then for a rate slot; a pause that began meanwhile is waited out too. */
  async #admit(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (this.pausedForMs > 0) await sleep(this.pausedForMs, signal);
      await this.#rate.acquire(signal);
      if (this.pausedForMs === 0) return;
      this.#rate.giveBack();
    }
  }
}

/** Our clock and the server's may round a millisecond apart; a hair of slack keeps us on the safe side. */
const CLOCK_SLACK_MS = 2;

/** An integer cap per window: below 1/s, one call per 1/rps seconds instead. */
function rateWindow(requestsPerSecond: number): { cap: number; intervalMs: number } {
  if (requestsPerSecond >= 1)
    return { cap: Math.floor(requestsPerSecond), intervalMs: 1000 + CLOCK_SLACK_MS };
  return { cap: 1, intervalMs: Math.ceil(1000 / requestsPerSecond) + CLOCK_SLACK_MS };
}
