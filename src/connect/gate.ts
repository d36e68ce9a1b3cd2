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
  async run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await this.#queue.add(
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
    } finally {
      // The slot is free, and the next waiting call starts in this same turn of the event loop. Hand
      // the answer back only after that call is on the wire (see afterDeferredWrites).
      await afterDeferredWrites();
    }
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

/**
 * Resolves after the requests started so far have been written. undici writes a request on a reused
 * keep-alive socket only in the event loop's check phase (a setImmediate, so that bytes or a close
 * already pending on the idle socket are seen first; GHSA-35p6-xmwp-9g52). What a caller does with
 * an answer (its handling, the next request's parsing, validation and handler) would otherwise run
 * first and hold back the calls that the answer's free slot let start. With 16 calls in flight at
 * 20 ms, that cost 6-10 % of the drain (BENCHMARKS.md, "Answers handed back after the writes").
 * Two hops, because an immediate that undici schedules after ours runs after ours in the same check
 * phase, while one scheduled from a check-phase callback waits for the next turn of the loop.
 */
function afterDeferredWrites(): Promise<void> {
  return new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
}

/** Our clock and the server's may round a millisecond apart; a hair of slack keeps us on the safe side. */
const CLOCK_SLACK_MS = 2;

/** An integer cap per window: below 1/s, one call per 1/rps seconds instead. */
function rateWindow(requestsPerSecond: number): { cap: number; intervalMs: number } {
  if (requestsPerSecond >= 1)
    return { cap: Math.floor(requestsPerSecond), intervalMs: 1000 + CLOCK_SLACK_MS };
  return { cap: 1, intervalMs: Math.ceil(1000 / requestsPerSecond) + CLOCK_SLACK_MS };
}
