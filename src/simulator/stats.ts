import { ACTIONS, type RequestAction } from './model.ts';

/** One HTTP request the simulator received, as tests and benchmarks read it back. */
export interface JournalEntry {
  /** Arrival time, ms since the epoch. */
  at: number;
  method: string;
  /** Without the API base: `/requests/PR-1234-5678-9012-001/approve`. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  /** Parsed JSON, or the raw text when it is not JSON; undefined without a body. */
  body: unknown;
  /** The status sent; 0 when the connection was dropped without an answer (HttpResponse.error()). */
  status: number;
  /** Whether the call carried the right API key (always true when the simulator has none). */
  authorized: boolean;
}

export interface SimulatorStats {
  calls: number;
  /** Calls per `METHOD /route`, ids replaced by `{id}`: `POST /requests/{id}/approve`. */
  byRoute: Record<string, number>;
  /** The most calls that arrived within any sliding 1 s window (429s included: it measures the client). */
  maxCallsInAnySecond: number;
  status429: number;
  /** Accepted actions per request id: a test can prove nothing was approved twice. */
  actions: Record<string, Record<RequestAction, number>>;
}

/** Events in the last `windowMs`, for "at most N per second, in any window". */
export class SlidingWindow {
  readonly #windowMs: number;
  readonly #times: number[] = [];

  constructor(windowMs = 1000) {
    this.#windowMs = windowMs;
  }

  /** How many events lie within (now - window, now]. */
  count(now: number): number {
    while (this.#times.length > 0 && this.#times[0]! <= now - this.#windowMs) this.#times.shift();
    return this.#times.length;
  }

  /** Records an event at `now`; returns the count including it. */
  add(now: number): number {
    this.count(now);
    this.#times.push(now);
    return this.#times.length;
  }
}

/** A path segment holding a digit is an id (`PR-...`, `UF-...`): routes group calls regardless of ids. */
export function routeOf(method: string, path: string): string {
  return `${method} ${path.replace(/\/[^/]*\d[^/]*/g, '/{id}')}`;
}

export class StatsRecorder {
  readonly journal: JournalEntry[] = [];
  readonly #arrivals = new SlidingWindow();
  #maxCallsInAnySecond = 0;
  readonly #byRoute: Record<string, number> = {};
  #status429 = 0;
  /** A Map: a plain object with thousands of request ids as keys is slow to grow. */
  readonly #actions = new Map<string, Record<RequestAction, number>>();

  /** Counted on arrival, before any latency, limit or fault decides the answer. */
  recordArrival(now: number): void {
    this.#maxCallsInAnySecond = Math.max(this.#maxCallsInAnySecond, this.#arrivals.add(now));
  }

  recordAnswer(entry: JournalEntry): void {
    this.journal.push(entry);
    const route = routeOf(entry.method, entry.path);
    this.#byRoute[route] = (this.#byRoute[route] ?? 0) + 1;
    if (entry.status === 429) this.#status429++;
  }

  recordAction(requestId: string, action: RequestAction): void {
    let counts = this.#actions.get(requestId);
    if (counts === undefined) this.#actions.set(requestId, (counts = noActions()));
    counts[action]++;
  }

  snapshot(): SimulatorStats {
    return {
      calls: this.journal.length,
      byRoute: { ...this.#byRoute },
      maxCallsInAnySecond: this.#maxCallsInAnySecond,
      status429: this.#status429,
      actions: Object.fromEntries([...this.#actions].map(([id, counts]) => [id, { ...counts }])),
    };
  }
}

function noActions(): Record<RequestAction, number> {
  const counts = {} as Record<RequestAction, number>;
  for (const action of ACTIONS) counts[action] = 0;
  return counts;
}
