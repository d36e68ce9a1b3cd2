import PQueue from 'p-queue';

export interface GateOptions {
  /** Ceiling on calls started per second, retries included. */
  requestsPerSecond: number;
  /** Calls in flight at once. */
  concurrency: number;
}

export interface GateEvents {
  /** The shared pause was started or extended (Retry-After). */
  onPause?: (ms: number) => void;
}

/**
 * Small margin added to the rate window. The ceiling is enforced on call starts here, but measured
 * on arrivals at the server; a call that starts late in its window and one that starts early in the
 * next could otherwise arrive a hair less than a second apart.
 */
const WINDOW_MARGIN_MS = 15;

/**
 * The one gate every API call passes: at most `concurrency` calls in flight, at most
 * `requestsPerSecond` call starts in ANY sliding 1-second window (p-queue's strict mode keeps the start
 * times, so two bursts cannot meet at a fixed window's edge), and one shared pause that a Retry-After
 * from the server imposes on all calls, not just the one that got it.
 */
export class Gate {
  readonly #queue: PQueue;
  readonly #events: GateEvents;
  #pausedUntil = 0;
  #resumeTimer: NodeJS.Timeout | undefined;

  constructor(options: GateOptions, events: GateEvents = {}) {
    const { cap, intervalMs } = rateWindow(options.requestsPerSecond);
    this.#queue = new PQueue({
      concurrency: options.concurrency,
      intervalCap: cap,
      interval: intervalMs + WINDOW_MARGIN_MS,
      strict: true,
    });
    this.#events = events;
  }

  /** Runs `call` when the gate allows; rejects with the signal's reason if it aborts while waiting. */
  run<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#queue.add(call, signal ? { signal } : {});
  }

  /**
   * Holds every call that has not started yet for `ms`. Overlapping pauses extend, never shorten.
   * Calls already in flight finish; their retries queue behind the pause.
   */
  pauseFor(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.#pausedUntil) return;
    this.#pausedUntil = until;
    this.#queue.pause();
    clearTimeout(this.#resumeTimer);
    this.#resumeTimer = setTimeout(() => {
      this.#pausedUntil = 0;
      this.#queue.start();
    }, ms);
    this.#resumeTimer.unref();
    this.#events.onPause?.(ms);
  }

  get pausedForMs(): number {
    return Math.max(0, this.#pausedUntil - Date.now());
  }

  get inFlight(): number {
    return this.#queue.pending;
  }

  get waiting(): number {
    return this.#queue.size;
  }

  /** Drops waiting calls (they reject with an AbortError) and lifts the pause timer. */
  close(): void {
    clearTimeout(this.#resumeTimer);
    this.#queue.clear();
  }
}

/** p-queue needs an integer cap: below 1/s, allow one call per 1/rps seconds instead. */
function rateWindow(requestsPerSecond: number): { cap: number; intervalMs: number } {
  if (requestsPerSecond >= 1) return { cap: Math.floor(requestsPerSecond), intervalMs: 1000 };
  return { cap: 1, intervalMs: Math.ceil(1000 / requestsPerSecond) };
}
