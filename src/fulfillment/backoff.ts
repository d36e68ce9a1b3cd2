import { MemoryStateStore } from '../state/memory.ts';
import type { StateStore } from '../state/store.ts';

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
  readonly #options: Required<Omit<BackoffOptions, 'store'>>;

  constructor(options: BackoffOptions) {
    const { store, ...rest } = options;
    this.#store = store ?? new MemoryStateStore();
    this.#options = { now: Date.now, ...rest };
  }

  /** Milliseconds until the request may be tried again (0 when it is due), and its attempt number. */
  async check(requestId: string): Promise<{ waitMs: number; attempt: number }> {
    const entry = await this.#store.getBackoff(requestId);
    return {
      waitMs: entry ? Math.max(0, entry.notBefore - this.#options.now()) : 0,
      attempt: (entry?.failures ?? 0) + 1,
    };
  }

  /** Milliseconds until the request may be tried again; 0 when it is due. */
  async waitFor(requestId: string): Promise<number> {
    return (await this.check(requestId)).waitMs;
  }

  /** 1 on the first try, n+1 after n failures. */
  async attemptOf(requestId: string): Promise<number> {
    return (await this.check(requestId)).attempt;
  }

  /** Records a failure; returns the delay before the next attempt. */
  async recordFailure(requestId: string, lastError?: string): Promise<number> {
    const failures = ((await this.#store.getBackoff(requestId))?.failures ?? 0) + 1;
    const delay = Math.min(this.#options.maxMs, this.#options.baseMs * 2 ** (failures - 1));
    await this.#store.setBackoff(requestId, {
      failures,
      notBefore: this.#options.now() + delay,
      ...(lastError !== undefined ? { lastError: lastError.slice(0, 500) } : {}),
    });
    return delay;
  }

  /** The handler ran fine and asked to be called again later (or as soon as the next cycle). */
  async recordSkip(requestId: string, retryAfterMs: number | undefined): Promise<void> {
    if (retryAfterMs === undefined || retryAfterMs <= 0) await this.#store.deleteBackoff(requestId);
    else
      await this.#store.setBackoff(requestId, { failures: 0, notBefore: this.#options.now() + retryAfterMs });
  }

  async recordSuccess(requestId: string): Promise<void> {
    await this.#store.deleteBackoff(requestId);
  }

  /** Forgets every request not in `pending` (the ids a complete listing just returned). */
  async retainOnly(pending: ReadonlySet<string>): Promise<void> {
    await this.#store.retainOnly(pending);
  }

  /** Requests with an entry. */
  size(): Promise<number> {
    return this.#store.backoffCount();
  }
}
