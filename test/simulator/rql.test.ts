import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rql, joinQuery } from '../../src/connect/rql.ts';
import {
  parseQuery,
  startSimulator,
  type ConnectRequest,
  type RunningSimulator,
} from '../../src/simulator/index.ts';
import { api, ids } from './helpers.ts';

describe('parseQuery', () => {
  it('reads nested RQL, plain pairs, ordering, paging and select together', () => {
    const query = parseQuery(
      'and(eq(status,pending),in(asset.product.id,(PRD-1,PRD-2)))&type=purchase&ordering(-created,id)&limit=10&offset=20&select(-asset.items,events)',
    );
    expect(query).toEqual({
      filter: {
        op: 'and',
        terms: [
          {
            op: 'and',
            terms: [
              { op: 'eq', field: 'status', value: 'pending' },
              { op: 'in', field: 'asset.product.id', values: ['PRD-1', 'PRD-2'] },
            ],
          },
          { op: 'eq', field: 'type', value: 'purchase' },
        ],
      },
      ordering: [
        { field: 'created', descending: true },
        { field: 'id', descending: false },
      ],
      limit: 10,
      offset: 20,
      exclude: ['asset.items'],
    });
  });

  it('decodes values after tokenising, and never reads + as a space', () => {
    const query = parseQuery(
      'eq(note,a%2Cb%28c%29%26d+e%20f)&ge(created,2026-11-24T07:30:00.123%2B00:00)&eq(x,1+1)',
    );
    expect(query.filter).toEqual({
      op: 'and',
      terms: [
        { op: 'eq', field: 'note', value: 'a,b(c)&d+e f' },
        { op: 'ge', field: 'created', value: '2026-11-24T07:30:00.123+00:00' },
        { op: 'eq', field: 'x', value: '1+1' },
      ],
    });
  });

  it('reads null(), not(), out(), limit(count,offset) and ordering=', () => {
    expect(parseQuery('eq(note,null())').filter).toEqual({ op: 'eq', field: 'note', value: null });
    expect(parseQuery('not(out(type,(a,null())))').filter).toEqual({
      op: 'not',
      term: { op: 'out', field: 'type', values: ['a', null] },
    });
    expect(parseQuery('limit(5,15)')).toMatchObject({ limit: 5, offset: 15 });
    expect(parseQuery('ordering=-updated').ordering).toEqual([{ field: 'updated', descending: true }]);
  });

  it.each([
    ['eq(status,pending', 'Unbalanced "("'],
    ['eq(status,pending))', 'Unbalanced ")"'],
    ['foo(status,pending)', 'unsupported RQL operator "foo"'],
    ['eq(status)', 'eq takes (field,value)'],
    ['eq(sta tus,x)', '"sta tus" is not a field name'],
    ['eq(status,(a,b))', 'expected a value, found a list'],
    ['in(status)', 'in takes (field,(value,...))'],
    ['and()', 'and() needs at least one expression'],
    ['not(eq(a,b),eq(c,d))', 'not takes exactly one expression'],
    ['limit=-1', 'not a non-negative integer'],
    ['limit(ten)', 'not a non-negative integer'],
    ['eq(status,%E0%A4%A)', 'malformed percent-encoding'],
    ['justtext', 'neither an RQL expression nor a field=value pair'],
    ['eq(status,pending)x', 'unexpected text after the expression'],
  ])('refuses %s, naming the term', (raw, message) => {
    expect(() => parseQuery(raw)).toThrow(message);
    expect(() => parseQuery(raw)).toThrow(raw.split('&')[0]!);
  });
});

describe('GET /requests filters, ordering and paging over HTTP', () => {
  let sim: RunningSimulator;
  let client: ReturnType<typeof api>;
  const r: Record<string, ConnectRequest> = {};
  const T = (minute: number) => `2026-11-24T07:${String(minute).padStart(2, '0')}:00.000+00:00`;

  beforeAll(async () => {
    sim = await startSimulator({ seed: false });
    client = api(sim);
    const add = (key: string, spec: Parameters<typeof sim.store.addRequest>[0]) =>
      (r[key] = sim.store.addRequest(spec));
    add('a', { productId: 'PRD-1', created: T(10), params: { email: 'a@x.example.com' }, note: 'first' });
    add('b', { productId: 'PRD-2', created: T(20), params: { email: 'n/a' }, connectionType: 'test' });
    add('c', { productId: 'PRD-1', created: T(20), status: 'inquiring', externalId: 4711 }); // same created as b
    add('d', { productId: 'PRD-3', created: T(30), type: 'cancel' });
    add('e', { productId: 'PRD-2', created: '2026-11-24T08:40:00+01:00', status: 'approved' }); // 07:40 UTC
    add('f', { productId: 'PRD-1', created: T(5), type: 'change' });
  });
  afterAll(() => sim.close());

  const list = (query: string) => client.get(`/requests?${query}`);
  const keysOf = (answer: Awaited<ReturnType<typeof list>>) =>
    ids(answer).map((id) => Object.keys(r).find((key) => r[key]!.id === id));

  it('orders by created ascending by default, ties in insertion order', async () => {
    expect(keysOf(await list(''))).toEqual(['f', 'a', 'b', 'c', 'd', 'e']);
  });

  it.each([
    ['eq(status,inquiring)', ['c']],
    ['status=inquiring', ['c']],
    ['ne(status,pending)', ['c', 'e']],
    ['in(asset.product.id,(PRD-2,PRD-3))', ['b', 'd', 'e']],
    ['out(asset.product.id,(PRD-2,PRD-3))', ['f', 'a', 'c']],
    ['eq(type,cancel)', ['d']],
    ['eq(asset.connection.type,test)', ['b']],
    ['eq(asset.params.value,n%2Fa)', ['b']],
    ['and(eq(asset.params.id,email),eq(asset.params.value,a%40x.example.com))', ['a']],
    ['eq(asset.external_id,4711)', ['c']],
    ['eq(note,null())', ['f', 'b', 'c', 'd', 'e']],
    ['ne(note,null())', ['a']],
    ['eq(asset.tiers.tier2,null())', ['f', 'a', 'b', 'c', 'd', 'e']],
    ['or(eq(status,approved),eq(type,change))', ['f', 'e']],
    ['not(or(eq(status,approved),eq(type,change)))', ['a', 'b', 'c', 'd']],
    ['and(eq(asset.product.id,PRD-1),not(eq(status,pending)))', ['c']],
    ['eq(asset.product.id,PRD-1)&eq(status,pending)', ['f', 'a']],
    ['like(note,fir*)', ['a']],
    ['ilike(asset.product.id,prd-3)', ['d']],
  ])('%s', async (query, expected) => {
    const answer = await list(query);
    expect(answer.status).toBe(200);
    expect(keysOf(answer)).toEqual(expected);
  });

  it.each([
    ['gt', ['b', 'c', 'd', 'e']],
    ['ge', ['a', 'b', 'c', 'd', 'e']],
    ['lt', ['f']],
    ['le', ['f', 'a']],
  ])('%s(created, ...) compares instants, whatever the offset notation', async (op, expected) => {
    expect(keysOf(await list(`${op}(created,2026-11-24T07:10:00.000%2B00:00)`))).toEqual(expected);
    expect(keysOf(await list(`${op}(created,2026-11-24T09:10:00%2B02:00)`))).toEqual(expected);
    expect(keysOf(await list(`${op}(created,2026-11-24T07:10:00Z)`))).toEqual(expected);
  });

  it('compares an instant with an offset (e at 08:40+01:00 is 07:40 UTC)', async () => {
    expect(keysOf(await list('gt(created,2026-11-24T07:35:00%2B00:00)'))).toEqual(['e']);
  });

  it("accepts exactly what the project's RQL builder produces", async () => {
    const query = joinQuery(
      rql.and(
        rql.eq('status', 'pending'),
        rql.in('asset.product.id', ['PRD-1', 'PRD-2']),
        rql.ge('created', T(10)),
      ),
      rql.ordering('created'),
      'limit=100',
      'offset=0',
    );
    expect(keysOf(await list(query))).toEqual(['a', 'b']);
  });

  it('orders by several fields, ascending or descending, stable for ties', async () => {
    expect(keysOf(await list('ordering(-created)'))).toEqual(['e', 'd', 'b', 'c', 'a', 'f']);
    expect(keysOf(await list('ordering(asset.product.id,-created)'))).toEqual(['c', 'a', 'f', 'e', 'b', 'd']);
  });

  it('pages with limit and offset, reporting the range in Content-Range', async () => {
    const first = await list('ordering(created)&limit=4&offset=0');
    expect(first.headers.get('content-range')).toBe('items 0-3/6');
    expect(keysOf(first)).toEqual(['f', 'a', 'b', 'c']);
    const second = await list('ordering(created)&limit(4,4)');
    expect(second.headers.get('content-range')).toBe('items 4-5/6');
    expect(keysOf(second)).toEqual(['d', 'e']);
  });

  it('answers an empty listing with [] and items 0-0/0', async () => {
    const answer = await list('eq(status,revoked)');
    expect(answer.body).toEqual([]);
    expect(answer.headers.get('content-range')).toBe('items 0-0/0');
  });

  it('answers limit=0 with [] and the total in Content-Range', async () => {
    const answer = await list('eq(asset.product.id,PRD-1)&limit=0');
    expect(answer.body).toEqual([]);
    expect(answer.headers.get('content-range')).toBe('items 0-0/3');
  });

  it('answers an offset past the end with [] and the total', async () => {
    const answer = await list('limit=10&offset=50');
    expect(answer.body).toEqual([]);
    expect(answer.headers.get('content-range')).toBe('items 50-50/6');
  });

  it('drops the fields named in select(-...)', async () => {
    const [first] = (await list('select(-asset.items,-asset.params.description,note)&limit=1')).body;
    expect(first.asset).not.toHaveProperty('items');
    expect(first.asset.params[0]).not.toHaveProperty('description');
    expect(first.asset.params[0]).toHaveProperty('title');
    expect(sim.store.getRequest(first.id)!.asset.items).toHaveLength(1);
  });

  it('refuses unknown syntax with a 400 naming the term', async () => {
    const answer = await list('eq(status,pending)&regex(note,a.*)');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error_code: 'RQL_001',
      errors: [expect.stringContaining('regex(note,a.*)')],
    });
  });
});

describe('limits of a listing', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: { pendingRequests: 1200, products: 1 } });
  });
  afterAll(() => sim.close());

  it('defaults to 100 items and caps limit at 1000', async () => {
    const client = api(sim);
    const byDefault = await client.get('/requests');
    expect(byDefault.body).toHaveLength(100);
    expect(byDefault.headers.get('content-range')).toBe('items 0-99/1200');
    const capped = await client.get('/requests?limit=5000');
    expect(capped.body).toHaveLength(1000);
    expect(capped.headers.get('content-range')).toBe('items 0-999/1200');
  });
});
