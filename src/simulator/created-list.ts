import type { ConnectRequest } from './model.ts';

/**
 * A list of requests kept in `created` order, ties in insertion order: one of RequestIndex's lists.
 * Requests mostly come in ascending `created`, so inserting is mostly appending.
 */

export interface Entry {
  /** `created` in ms: what the listing's sort compares. */
  created: number;
  /** Insertion order, for ties. */
  seq: number;
  /** The request's product, which never changes: the key of its per-product lists. */
  product: string;
  request: ConnectRequest;
}

/** `created` at or after `ms` (strictly after, unless inclusive). */
export interface LowerBound {
  ms: number;
  inclusive: boolean;
}

export class CreatedList {
  readonly entries: Entry[] = [];

  insert(entry: Entry): void {
    this.entries.splice(this.#position(entry), 0, entry);
  }

  remove(entry: Entry): void {
    const at = this.#position(entry);
    if (this.entries[at] === entry) this.entries.splice(at, 1);
  }

  requests(): ConnectRequest[] {
    return this.entries.map((entry) => entry.request);
  }

  /** Where the entries within the bound begin. */
  start(after: LowerBound | undefined): number {
    if (after === undefined) return 0;
    return this.#search(
      (entry) => entry.created < after.ms || (!after.inclusive && entry.created === after.ms),
    );
  }

  /** Where the entry is, or would go: after every entry before it. */
  #position(entry: Entry): number {
    const last = this.entries[this.entries.length - 1];
    if (last === undefined || before(last, entry)) return this.entries.length;
    return this.#search((other) => before(other, entry));
  }

  /** The first index whose entry is not `lower` (the entries that are come first). */
  #search(lower: (entry: Entry) => boolean): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (lower(this.entries[middle]!)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

/** Items [start, end) of the lists merged in order, each list read from its own start. */
export function merged(lists: CreatedList[], starts: number[], start: number, end: number): ConnectRequest[] {
  const at = [...starts];
  const items: ConnectRequest[] = [];
  for (let n = 0; n < end; n++) {
    let next = -1;
    for (let i = 0; i < lists.length; i++) {
      const candidate = lists[i]!.entries[at[i]!];
      if (candidate !== undefined && (next < 0 || before(candidate, lists[next]!.entries[at[next]!]!)))
        next = i;
    }
    if (next < 0) break;
    if (n >= start) items.push(lists[next]!.entries[at[next]!]!.request);
    at[next]!++;
  }
  return items;
}

function before(a: Entry, b: Entry): boolean {
  return a.created < b.created || (a.created === b.created && a.seq < b.seq);
}
