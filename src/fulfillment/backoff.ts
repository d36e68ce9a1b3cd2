import { MemoryStateStore } from '../state/memory.ts';
import type { BackoffEntry, StateStore } from '../state/store.ts';

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  now?: () => number;
  /** Where entries live; in memory unless the daemon has a durable store (state.url). */
  store?: StateStore;
}

/**
 * Per-request backoff across cycles, like a reconciler's work queue: a request whose handler threw,
 * timed out or whose actions failed waits base·2^(n-1) (capped) before it is tried again; a success
 * resets it; a skip with retryAfterMs defers it without counting as a failure. Entries go through the
 * state store, so with PostgreSQL a restart or a failover keeps them. Memory stays bounded: after
 * each complete listing, requests that are no longer pending are forgotten.
 */
export class RequestBackoff {
  readonly #store: StateStore;
  /** What this replica last read or wrote, for the synchronous views (metrics, status page). */
  readonly #seen = new Map<string, BackoffEntry>();
  readonly #options: Required<Omit<BackoffOptions, 'store'>>;

  constructor(options: BackoffOptions) {
    const { store, ...rest } = options;
    this.#store = store ?? new MemoryStateStore();
    this.#options = { now: Date.now, ...rest };
  }

  /** Milliseconds until the request may be tried again (0 when it is due), and its attempt number. */
  async check(requestId: string): Promise<{ waitMs: number; attempt: number }> {
    const entry = await this.#store.getBackoff(requestId);
    this.#remember(requestId, entry);
    return {
      waitMs: entry ? Math.max(0, entry.notBefore - this.#options.now()) : 0,
      attempt: (entry?.failures ?? 0) + 1,
    };
  }

  /** Milliseconds until the request may be tried again (0 when due), as this replica last saw it. */
  waitFor(requestId: string): number {
    const entry = this.#seen.get(requestId);
    return entry ? Math.max(0, entry.notBefore - this.#options.now()) : 0;
  }

  /** 1 on the first try, n+1 after n failures, as this replica last saw it. */
  attemptOf(requestId: string): number {
    return (this.#seen.get(requestId)?.failures ?? 0) + 1;
  }

  /** Requests with an entry, as this replica last saw them. */
  get size(): number {
    return this.#seen.size;
  }

  #remember(requestId: string, entry: BackoffEntry | undefined): void {
    if (entry) this.#seen.set(requestId, entry);
    else this.#seen.delete(requestId);
  }

  /** Records a failure; returns the delay before the next attempt. */
  async recordFailure(requestId: string, lastError?: string): Promise<number> {
    const failures = ((await this.#store.getBackoff(requestId))?.failures ?? 0) + 1;
    const delay = Math.min(this.#options.maxMs, this.#options.baseMs * 2 ** (failures - 1));
    const entry = {
      failures,
      notBefore: this.#options.now() + delay,
      ...(lastError !== undefined ? { lastError: lastError.slice(0, 500) } : {}),
    };
    this.#remember(requestId, entry); // first: the synchronous views see it at once
    await this.#store.setBackoff(requestId, entry);
    return delay;
  }

  /** The handler ran fine and asked to be called again later (or as soon as the next cycle). */
  async recordSkip(requestId: string, retryAfterMs: number | undefined): Promise<void> {
    if (retryAfterMs === undefined || retryAfterMs <= 0) return this.recordSuccess(requestId);
    const entry = { failures: 0, notBefore: this.#options.now() + retryAfterMs };
    this.#remember(requestId, entry);
    await this.#store.setBackoff(requestId, entry);
  }

  async recordSuccess(requestId: string): Promise<void> {
    this.#seen.delete(requestId);
    await this.#store.deleteBackoff(requestId);
  }

  /** Forgets every request not in `pending` (the ids a complete listing just returned). */
  async retainOnly(pending: ReadonlySet<string>): Promise<void> {
    for (const id of this.#seen.keys()) if (!pending.has(id)) this.#seen.delete(id);
    await this.#store.retainOnly(pending);
  }
}
