import type { Outcome } from '../fulfillment/outcomes.ts';
import type { BackoffEntry, StateStore } from './store.ts';

/** Today's behaviour: state lives as long as the process. */
export class MemoryStateStore implements StateStore {
  readonly kind = 'memory';
  readonly #backoff = new Map<string, BackoffEntry>();
  readonly #outcomes = new Map<string, Outcome>();

  async getBackoff(requestId: string) {
    return this.#backoff.get(requestId);
  }
  async setBackoff(requestId: string, entry: BackoffEntry) {
    this.#backoff.set(requestId, entry);
  }
  async deleteBackoff(requestId: string) {
    this.#backoff.delete(requestId);
  }
  async recordOutcome(requestId: string, outcome: Outcome) {
    this.#outcomes.set(requestId, outcome);
  }
  async recordedOutcome(requestId: string) {
    return this.#outcomes.get(requestId);
  }
  async clearOutcome(requestId: string) {
    this.#outcomes.delete(requestId);
  }
  async retainOnly(pending: ReadonlySet<string>) {
    for (const map of [this.#backoff, this.#outcomes])
      for (const id of map.keys()) if (!pending.has(id)) map.delete(id);
  }
  async backoffCount() {
    return this.#backoff.size;
  }
  async close() {}
}
