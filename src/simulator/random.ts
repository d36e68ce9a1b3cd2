/**
 * A seeded PRNG (mulberry32): the same seed gives the same ids and data on every run, so seeded
 * stores, failing tests and bench runs can be reproduced.
 */
// Module-level bindings: under jest every global lookup (Math, String) in a hot loop goes through the
// test context's global proxy and costs ~100x more; seeding 10,000 requests makes millions of them.
const { imul, floor, min } = Math;

export class Random {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [low, high], both included. */
  int(low: number, high: number): number {
    return low + floor(this.next() * (high - low + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(values: readonly T[]): T {
    if (values.length === 0) throw new RangeError('Random.pick: no values');
    return values[this.int(0, values.length - 1)]!;
  }

  /** A string of `count` decimal digits, leading zeros allowed. */
  digits(count: number): string {
    let text = '';
    while (text.length < count) {
      const chunk = min(count - text.length, 8);
      text += `${floor(this.next() * 10 ** chunk)}`.padStart(chunk, '0');
    }
    return text;
  }

  /** A string of `count` lowercase hex digits. */
  hex(count: number): string {
    let text = '';
    while (text.length < count) {
      const chunk = min(count - text.length, 8);
      text += floor(this.next() * 16 ** chunk)
        .toString(16)
        .padStart(chunk, '0');
    }
    return text;
  }

  /** Picks a key with probability proportional to its weight. */
  weighted<K extends string>(weights: Partial<Record<K, number>>): K {
    const entries = Object.entries(weights).filter(
      (entry): entry is [K, number] => typeof entry[1] === 'number' && entry[1] > 0,
    );
    const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
    if (total === 0) throw new RangeError('Random.weighted: no positive weight');
    let roll = this.next() * total;
    for (const [key, weight] of entries) {
      roll -= weight;
      if (roll < 0) return key;
    }
    return entries[entries.length - 1]![0];
  }
}
