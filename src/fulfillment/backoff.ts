export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  notBefore: number;
}

/**
 * Per-request backoff across cycles, like a reconciler's work queue: a request whose handler threw,
 * timed out or whose actions failed waits base·2^(n-1) (capped) before it is tried again; a success
 * resets it; a skip with retryAfterMs defers it without counting as a failure. Memory stays bounded:
 * after each complete listing, requests that are no longer pending are forgotten.
 */
export class RequestBackoff {
  readonly #entries = new Map<string, Entry>();
  readonly #options: Required<BackoffOptions>;

  constructor(options: BackoffOptions) {
    this.#options = { now: Date.now, ...options };
  }

  /** Milliseconds until the request may be tried again; 0 when it is due. */
  waitFor(requestId: string): number {
    const entry = this.#entries.get(requestId);
    return entry ? Math.max(0, entry.notBefore - this.#options.now()) : 0;
  }

  /** 1 on the first try, n+1 after n failures. */
  attemptOf(requestId: string): number {
    return (this.#entries.get(requestId)?.failures ?? 0) + 1;
  }

  /** Records a failure; returns the delay before the next attempt. */
  recordFailure(requestId: string): number {
    const failures = (this.#entries.get(requestId)?.failures ?? 0) + 1;
    const delay = Math.min(this.#options.maxMs, this.#options.baseMs * 2 ** (failures - 1));
    this.#entries.set(requestId, { failures, notBefore: this.#options.now() + delay });
    return delay;
  }

  /** The handler ran fine and asked to be called again later (or as soon as the next cycle). */
  recordSkip(requestId: string, retryAfterMs: number | undefined): void {
    if (retryAfterMs === undefined || retryAfterMs <= 0) this.#entries.delete(requestId);
    else this.#entries.set(requestId, { failures: 0, notBefore: this.#options.now() + retryAfterMs });
  }

  recordSuccess(requestId: string): void {
    this.#entries.delete(requestId);
  }

  /** Forgets every request not in `pending` (the ids a complete listing just returned). */
  retainOnly(pending: ReadonlySet<string>): void {
    for (const id of this.#entries.keys()) if (!pending.has(id)) this.#entries.delete(id);
  }

  get size(): number {
    return this.#entries.size;
  }
}
