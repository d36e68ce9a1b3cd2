import { CreatedList, merged, type Entry } from './created-list.ts';
import type { ConnectRequest, RequestStatus } from './model.ts';
import type { Selection, SortedIndex } from './query.ts';
import { planOf, requiredStatus, type Plan } from './request-plan.ts';
import type { OrderTerm, RqlFilter } from './rql.ts';
import { toMillis } from './timestamps.ts';

/** The requests listing's default order, and the one kept here. */
export const CREATED_ORDER: readonly OrderTerm[] = [{ field: 'created', descending: false }];

/**
 * The store's requests in `created` order, ties in insertion order (as a stable sort of the insertion
 * order leaves them): all of them, per status, and per status and product. A listing in that order
 * (the requests' default) reads its items from here without sorting. When its filter is nothing but
 * what these lists answer (request-plan.ts: the daemon's pending listing is), the page and the total
 * are read off them without looking at any other request; otherwise the filter goes through the
 * requests of the status it requires, or through all of them.
 * `created` and a request's product never change; a change of status moves it between lists.
 */
export class RequestIndex implements SortedIndex<ConnectRequest> {
  readonly ordering = CREATED_ORDER;

  readonly #all = new CreatedList();
  /** Keyed by status, and by status and product (see listKey). */
  readonly #lists = new Map<string, CreatedList>();
  readonly #entries = new WeakMap<ConnectRequest, Entry>();
  #inserted = 0;

  add(request: ConnectRequest): void {
    const created = toMillis(request.created);
    const entry = { created, seq: this.#inserted++, product: request.asset.product.id, request };
    this.#entries.set(request, entry);
    this.#all.insert(entry);
    this.#list(request.status).insert(entry);
    this.#list(request.status, entry.product).insert(entry);
  }

  /** To be told after every change of a request's status. */
  statusChanged(request: ConnectRequest, from: RequestStatus): void {
    const entry = this.#entries.get(request);
    if (entry === undefined || from === request.status) return;
    this.#list(from).remove(entry);
    this.#list(from, entry.product).remove(entry);
    this.#list(request.status).insert(entry);
    this.#list(request.status, entry.product).insert(entry);
  }

  select(filter: RqlFilter | undefined): Selection<ConnectRequest> {
    const plan = planOf(filter);
    return (plan && this.#exactly(plan)) ?? this.#candidates(requiredStatus(filter));
  }

  /** The plan's matches, off the lists of its status (and products); only all requests without a status. */
  #exactly({ statuses, products, after }: Plan): Selection<ConnectRequest> | undefined {
    let lists: CreatedList[];
    if (statuses !== undefined)
      lists = statuses.flatMap((status) =>
        (products ?? [undefined]).flatMap((product) => this.#lists.get(listKey(status, product)) ?? []),
      );
    else if (products === undefined && after === undefined) lists = [this.#all];
    else return undefined;
    const starts = lists.map((list) => list.start(after));
    return {
      exact: true,
      count: lists.reduce((sum, list, i) => sum + list.entries.length - starts[i]!, 0),
      slice: (start, end) => merged(lists, starts, start, end),
    };
  }

  /** The requests of the status every match must have, or all: the filter decides which match. */
  #candidates(status: string | undefined): Selection<ConnectRequest> {
    const list = status === undefined ? this.#all : this.#lists.get(listKey(status));
    return { exact: false, candidates: list?.requests() ?? [] };
  }

  #list(status: string, product?: string): CreatedList {
    const key = listKey(status, product);
    let list = this.#lists.get(key);
    if (list === undefined) this.#lists.set(key, (list = new CreatedList()));
    return list;
  }
}

function listKey(status: string, product?: string): string {
  return product === undefined ? status : `${status} ${product}`;
}
