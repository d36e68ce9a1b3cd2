/** A bounded list that keeps the newest `capacity` items: memory stays flat however long the daemon runs. */
export class Ring<T> {
  readonly #items: T[] = [];
  readonly capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
    if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1, got ${capacity}`);
  }

  push(item: T): void {
    this.#items.push(item);
    if (this.#items.length > this.capacity) this.#items.shift();
  }

  /** Newest first. */
  newestFirst(): T[] {
    return [...this.#items].reverse();
  }

  /** The newest item, if any. */
  last(): T | undefined {
    return this.#items.at(-1);
  }

  /** Drops items from the oldest end while `drop` says so. */
  dropWhile(drop: (item: T) => boolean): void {
    while (this.#items.length > 0 && drop(this.#items[0]!)) this.#items.shift();
  }

  get size(): number {
    return this.#items.length;
  }
}
