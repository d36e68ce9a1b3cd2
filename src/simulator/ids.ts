import type { Random } from './random.ts';

/**
 * Connect-looking ids from the seeded PRNG (`AS-1234-5678-9012`, `TA-...`), never handed out twice,
 * and request ids derived from their asset's (`PR-1234-5678-9012-001`, then `-002`...), as Connect does.
 */
export class IdGenerator {
  readonly #random: Random;
  readonly #used = new Set<string>();
  readonly #requestSerials = new Map<string, number>();

  constructor(random: Random) {
    this.#random = random;
  }

  /** Takes an id chosen by the caller; throws when it is taken. */
  claim(id: string, what: string): string {
    if (this.#used.has(id)) throw new Error(`${what} ${id} already exists`);
    this.#used.add(id);
    return id;
  }

  /** `PREFIX-dddd-dddd-dddd`, random digits. */
  next(prefix: string): string {
    for (;;) {
      const id = `${prefix}-${this.#random.digits(4)}-${this.#random.digits(4)}-${this.#random.digits(4)}`;
      if (!this.#used.has(id)) return this.claim(id, prefix);
    }
  }

  /** The next request id of an asset: `PR-<asset digits>-<serial>`. */
  nextRequest(assetId: string): string {
    for (;;) {
      const serial = (this.#requestSerials.get(assetId) ?? 0) + 1;
      this.#requestSerials.set(assetId, serial);
      const id = `PR-${assetId.replace(/^AS-/, '')}-${String(serial).padStart(3, '0')}`;
      if (!this.#used.has(id)) return this.claim(id, 'request');
    }
  }

  /** A random version-4-looking UUID, as distributors send for external_uid. */
  uuid(): string {
    const hex = (count: number) => this.#random.hex(count);
    return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  }
}
