import { AsyncLocalStorage } from 'node:async_hooks';

/** A write the client would have sent, as `request.decided` shows it. */
export interface WouldSend {
  method: string;
  /** With the query string, when the call has one. */
  path: string;
  body?: unknown;
}

/**
 * Dry run: the client hands every write (action, PUT, note) here instead of sending it. Each request
 * is processed inside `collect`, so the writes made for it — by the executor, the notes, or the
 * handler's own calls through `context.client` — are attributed to it even while others run at once.
 */
export class DryRun {
  readonly #calls = new AsyncLocalStorage<WouldSend[]>();

  /** Runs `work` with a list of its own; what it would have sent comes back with its result. */
  async collect<T>(work: () => Promise<T>): Promise<{ result: T; calls: WouldSend[] }> {
    const calls: WouldSend[] = [];
    const result = await this.#calls.run(calls, work);
    return { result, calls };
  }

  /** Called by the client in place of sending; a write outside `collect` is dropped all the same. */
  record(call: WouldSend): void {
    this.#calls.getStore()?.push(call);
  }
}
