import { describe, expect, it } from '@jest/globals';
import {
  SimulatorStore,
  parseQuery,
  runQuery,
  type ConnectRequest,
  type RequestStatus,
} from '../../src/simulator/index.ts';
import type { Selection } from '../../src/simulator/query.ts';
import { CREATED_ORDER, RequestIndex } from '../../src/simulator/request-index.ts';

const T = (second: number) => `2026-11-24T07:00:${String(second).padStart(2, '0')}.000+00:00`;

/** Just what the index reads of a request. */
function request(id: string, second: number, product = 'P1', status: RequestStatus = 'pending') {
  return { id, created: T(second), status, asset: { product: { id: product } } } as ConnectRequest;
}

const idsOf = (requests: Iterable<ConnectRequest>) => [...requests].map((r) => r.id);

/** What a selection holds: the page [start, end) and the count when exact, else every candidate. */
function read(selection: Selection<ConnectRequest>, start = 0, end = 100) {
  return selection.exact
    ? { exact: true, count: selection.count, items: idsOf(selection.slice(start, end)) }
    : { exact: false, items: idsOf(selection.candidates) };
}

function indexOf(...requests: ConnectRequest[]): RequestIndex {
  const index = new RequestIndex();
  for (const r of requests) index.add(r);
  return index;
}

const select = (index: RequestIndex, query: string) => index.select(parseQuery(query).filter);

describe('RequestIndex', () => {
  it('keeps requests in created order, ties in insertion order, whatever order they come in', () => {
    const index = indexOf(
      request('c', 3),
      request('a', 1),
      request('d', 3),
      request('b', 2),
      request('e', 3),
    );
    expect(read(index.select(undefined))).toEqual({
      exact: true,
      count: 5,
      items: ['a', 'b', 'c', 'd', 'e'],
    });
    expect(read(index.select(undefined), 1, 3).items).toEqual(['b', 'c']);
  });

  it('answers a status, products and a lower bound on created off its lists, merged in order', () => {
    const index = indexOf(
      request('a', 1, 'P1'),
      request('b', 2, 'P2'),
      request('c', 2, 'P1'), // same created as b, added after it
      request('d', 3, 'P3'),
      request('e', 4, 'P2', 'approved'),
      request('f', 5, 'P1'),
    );
    expect(read(select(index, 'eq(status,pending)'))).toEqual({
      exact: true,
      count: 5,
      items: ['a', 'b', 'c', 'd', 'f'],
    });
    expect(read(select(index, 'and(eq(status,pending),in(asset.product.id,(P2,P1,P2)))'))).toEqual({
      exact: true,
      count: 4,
      items: ['a', 'b', 'c', 'f'],
    });
    const since = encodeURIComponent(T(2));
    expect(
      read(select(index, `and(and(eq(status,pending),in(asset.product.id,(P1,P2))),ge(created,${since}))`)),
    ).toEqual({ exact: true, count: 3, items: ['b', 'c', 'f'] });
    expect(read(select(index, `status=pending&gt(created,${since})`), 1, 5)).toEqual({
      exact: true,
      count: 2,
      items: ['f'],
    });
    expect(read(select(index, 'eq(status,pending)&eq(asset.product.id,P9)'))).toEqual({
      exact: true,
      count: 0,
      items: [],
    });
  });

  it('leaves any other filter to the query, narrowed to the status it requires', () => {
    const index = indexOf(request('a', 1), request('b', 2, 'P1', 'approved'), request('c', 3));
    for (const query of [
      'eq(status,pending)&eq(type,purchase)',
      'eq(status,pending)&eq(status,approved)',
      'eq(status,pending)&in(asset.product.id,(P1,null()))',
      'eq(status,pending)&ge(created,2026)', // not an instant: compared as text
      'eq(status,pending)&lt(created,x)',
    ])
      expect(read(select(index, query))).toEqual({ exact: false, items: ['a', 'c'] });
    for (const query of ['or(eq(status,pending),eq(type,x))', 'eq(asset.product.id,P1)', 'eq(status,null())'])
      expect(read(select(index, query))).toEqual({ exact: false, items: ['a', 'b', 'c'] });
  });

  it('moves a request to the lists of its new status, in its place', () => {
    const [a, b, c] = [request('a', 1), request('b', 1), request('c', 2)];
    const index = indexOf(a, b, c);
    const ids = (query: string) => read(select(index, query)).items;
    a.status = 'inquiring';
    index.statusChanged(a, 'pending');
    expect(ids('eq(status,pending)&eq(asset.product.id,P1)')).toEqual(['b', 'c']);
    expect(ids('eq(status,inquiring)')).toEqual(['a']);
    a.status = 'pending';
    index.statusChanged(a, 'inquiring');
    expect(ids('eq(status,pending)&eq(asset.product.id,P1)')).toEqual(['a', 'b', 'c']);
    expect(ids('eq(status,inquiring)')).toEqual([]);
  });
});

describe('the store listing requests through the index', () => {
  it('answers as a full scan with a stable sort would, while statuses change', () => {
    const store = new SimulatorStore({ seed: 3 });
    const products = ['PRD-1', 'PRD-2', 'PRD-3'];
    // Out of created order, with ties, over several products and statuses.
    const seconds = [5, 1, 3, 3, 9, 1, 7, 3, 2, 8, 5, 1, 3, 6];
    const added = seconds.map((second, i) =>
      store.addRequest({
        created: T(second),
        productId: products[i % 3],
        status: i % 5 === 4 ? 'inquiring' : 'pending',
      }),
    );
    store.act(added[2]!.id, 'approve', { template_id: 'TL-1' });
    store.act(added[7]!.id, 'fail', { reason: 'No.' });
    store.act(added[4]!.id, 'pend');
    store.act(added[0]!.id, 'approve', { template_id: 'TL-1' });

    const at = (second: number) => encodeURIComponent(T(second));
    const pending = 'eq(status,pending)';
    const queries = [
      '',
      'limit=3&offset=4',
      pending,
      `and(${pending},ge(created,${at(3)}))&ordering(created)`,
      `and(${pending},gt(created,${at(3)}))`,
      `and(and(${pending},in(asset.product.id,(PRD-1,PRD-3))),ge(created,${at(3)}))&limit=2&offset=1`,
      `${pending}&in(asset.product.id,(PRD-2,PRD-2,PRD-9))`,
      `${pending}&eq(asset.product.id,PRD-1)&limit=0`,
      `${pending}&ge(created,2026-11-24T08:00:04%2B01:00)`,
      `${pending}&limit=3&offset=2`,
      `${pending}&limit=5&offset=50`,
      'status=approved',
      'or(eq(status,failed),eq(status,approved))',
      'ne(status,pending)',
      `${pending}&ordering(-created)`,
      'ordering(status,created)',
      `${pending}&ge(created,2026-11-24)`,
      `${pending}&ge(created,2026)`,
    ];
    for (const raw of queries) {
      const query = parseQuery(raw);
      const indexed = store.list('requests', query);
      const scanned = runQuery(store.listRequests(), query, { defaultOrdering: CREATED_ORDER });
      expect({ raw, ...indexed, items: idsOf(indexed.items as ConnectRequest[]) }).toEqual({
        raw,
        ...scanned,
        items: idsOf(scanned.items),
      });
    }
  });
});
