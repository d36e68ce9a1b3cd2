import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { delay } from 'msw';
import {
  ACME_BACKUP_ID,
  CONTOSO_MAIL_ID,
  FALLBALL_ID,
  NORTHWIND_PBX_ID,
  SimulatorStore,
  parseQuery,
  seedStore,
  startSimulator,
  type ConnectRequest,
  type RunningSimulator,
} from '../../src/simulator/index.ts';
import { api, ids, waitFor } from './helpers.ts';

const START = '2026-11-22T07:00:00.000+00:00';

function demoStore(seed = 1): SimulatorStore {
  const store = new SimulatorStore({ seed });
  seedStore(store, { seed, startAt: START });
  return store;
}

describe('the demo seed', () => {
  const store = demoStore();
  const requests = store.listRequests();
  const pending = requests.filter((r) => r.status === 'pending');
  const param = (request: ConnectRequest, id: string) => request.asset.params.find((p) => p.id === id)?.value;

  it('is deterministic: the same seed gives the same data, another seed other ids', () => {
    expect(demoStore().listRequests()).toEqual(requests);
    expect(
      demoStore(2)
        .listRequests()
        .map((r) => r.id),
    ).not.toEqual(requests.map((r) => r.id));
  });

  it('queues about 25 pending requests of every type over the three products', () => {
    expect(pending).toHaveLength(26);
    expect(new Set(pending.map((r) => r.type))).toEqual(
      new Set(['purchase', 'change', 'suspend', 'resume', 'cancel', 'adjustment']),
    );
    expect(new Set(pending.map((r) => r.asset.product.id))).toEqual(
      new Set([FALLBALL_ID, ACME_BACKUP_ID, CONTOSO_MAIL_ID]),
    );
  });

  it('has requests in other statuses for realism', () => {
    expect(new Set(requests.map((r) => r.status))).toEqual(
      new Set(['pending', 'draft', 'tiers_setup', 'inquiring', 'approved', 'failed']),
    );
  });

  it('has two requests sharing the very same created timestamp', () => {
    const created = pending.map((r) => r.created);
    expect(new Set(created).size).toBe(created.length - 1);
  });

  it('has messy values: invalid e-mails, "unlimited" and decimal quantities, a numeric external id, nulls', () => {
    expect(pending.map((r) => param(r, 'email'))).toEqual(expect.arrayContaining(['john.doe@', 'n/a']));
    const quantities = pending.flatMap((r) => r.asset.items.map((i) => i.quantity));
    expect(quantities).toEqual(expect.arrayContaining(['unlimited', '1.5']));
    expect(pending.some((r) => typeof r.asset.external_id === 'number')).toBe(true);
    expect(pending.some((r) => r.asset.external_uid === null)).toBe(true);
    expect(pending.some((r) => r.note === null) && pending.some((r) => r.note !== null)).toBe(true);
  });

  it('has tier2 on some requests, not on others, and full contact info everywhere', () => {
    expect(pending.some((r) => r.asset.tiers.tier2) && pending.some((r) => !r.asset.tiers.tier2)).toBe(true);
    for (const r of pending) {
      expect(r.asset.tiers.customer.contact_info.contact).toEqual({
        first_name: expect.any(String),
        last_name: expect.any(String),
        email: expect.stringContaining('@'),
        phone_number: expect.objectContaining({ country_code: '+1' }),
      });
    }
  });

  it('leaves subscription_id empty on new purchases, set on most active assets, missing on a few', () => {
    expect(
      pending
        .filter((r) => r.type === 'purchase' && r.asset.product.id === FALLBALL_ID)
        .every((r) => param(r, 'subscription_id') === null),
    ).toBe(true);
    const active = store.listAssets().filter((a) => a.status === 'active' && a.product.id === FALLBALL_ID);
    const withId = active.filter((a) =>
      /^FB-\d{6}$/.test(String(a.params.find((p) => p.id === 'subscription_id')!.value)),
    );
    expect(withId.length).toBeGreaterThan(active.length / 2);
    expect(withId.length).toBeLessThan(active.length);
    const unknownCancel = pending.find(
      (r) =>
        r.type === 'cancel' && r.asset.product.id === FALLBALL_ID && param(r, 'subscription_id') === null,
    );
    expect(unknownCancel).toBeDefined();
  });

  it("holds the tiered product's first purchases in tiers_setup on their resellers' setup TCRs, with the codes given", () => {
    const waiting = requests.filter((r) => r.asset.product.id === NORTHWIND_PBX_ID);
    expect(waiting.map((r) => r.status)).toEqual(['tiers_setup', 'tiers_setup']);
    const open = store.listTierConfigRequests().filter((t) => t.status === 'pending');
    const codeOf = (t: (typeof open)[number]) => t.params.find((p) => p.id === 'reseller_code')?.value;
    expect(
      waiting.map((r) => {
        const tcr = open.find(
          (t) => t.type === 'setup' && t.configuration.account?.id === r.asset.tiers.tier1.id,
        );
        return tcr && codeOf(tcr);
      }),
    ).toEqual(['NW-4417', 'northwind partner']);
    expect(open.filter((t) => t.type === 'update').map(codeOf)).toEqual(['NW-2087']);
  });

  it('uses the demo hub, marketplace and connections', () => {
    const production = pending.filter((r) => r.asset.connection.type === 'production');
    expect(
      production.every(
        (r) => r.asset.connection.hub.id === 'HB-0309-9389' && r.marketplace.id === 'MP-91673',
      ),
    ).toBe(true);
    expect(new Set(production.map((r) => `${r.asset.product.id} ${r.asset.connection.id}`))).toEqual(
      new Set([
        `${FALLBALL_ID} CT-0000-0000-0001`,
        `${ACME_BACKUP_ID} CT-0000-0000-0002`,
        `${CONTOSO_MAIL_ID} CT-0000-0000-0003`,
      ]),
    );
  });
});

describe('the bench seed', () => {
  it('makes 10,000 pending requests over P products quickly, in the asked type mix', () => {
    const started = performance.now();
    const store = new SimulatorStore({ seed: 7 });
    seedStore(store, { pendingRequests: 10_000, products: 4, typeMix: { purchase: 1, cancel: 1 } });
    // A guard against accidental quadratic work, not a benchmark: about 1 s here, a loaded CI may be slower.
    expect(performance.now() - started).toBeLessThan(10_000);
    const count = (query: string) => store.list('requests', parseQuery(`${query}&limit=0`)).total;
    expect(count('')).toBe(10_000);
    expect(count('ne(status,pending)')).toBe(0);
    const products = store.listProducts().map((product) => product.id);
    expect(products).toHaveLength(4);
    for (const id of products) expect(count(`eq(asset.product.id,${id})`)).toBe(2500);
    expect(count('eq(type,cancel)')).toBeGreaterThan(4000);
    expect(count('eq(type,cancel)') + count('eq(type,purchase)')).toBe(10_000);
  });

  it('defaults to purchases only', () => {
    const store = new SimulatorStore();
    seedStore(store, { pendingRequests: 50 });
    expect(new Set(store.listRequests().map((r) => r.type))).toEqual(new Set(['purchase']));
  });
});

describe('usage', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(() => sim.close());

  it('serves the usage file, and a 404 for an unknown one', async () => {
    const answer = await api(sim).get('/usage/files/UF-2026-11-0001');
    expect(answer.body).toMatchObject({ id: 'UF-2026-11-0001', status: 'ready', records: { valid: 250 } });
    expect((await api(sim).get('/usage/files/UF-1999-01-0001')).status).toBe(404);
  });

  it('pages the 250 records of UF-2026-11-0001, over several products, each exactly once', async () => {
    const seen: string[] = [];
    const ranges: string[] = [];
    for (let offset = 0; offset < 300; offset += 100) {
      const page = await api(sim).get(
        `/usage/records?eq(usage_file,UF-2026-11-0001)&limit=100&offset=${offset}`,
      );
      ranges.push(page.headers.get('content-range')!);
      seen.push(...ids(page));
      for (const record of page.body) expect(record.usagefile.id).toBe('UF-2026-11-0001');
    }
    expect(ranges).toEqual(['items 0-99/250', 'items 100-199/250', 'items 200-249/250']);
    expect(new Set(seen).size).toBe(250);
    const all = (await api(sim).get('/usage/records?eq(usage_file,UF-2026-11-0001)&limit=1000'))
      .body as Array<{ item: { id: string } }>;
    expect(new Set(all.map((r) => r.item.id.replace(/-\d{4}$/, '')))).toEqual(
      new Set([FALLBALL_ID, ACME_BACKUP_ID]),
    );
    expect(
      (await api(sim).get('/usage/records?eq(usage_file,UF-2026-10-0001)')).headers.get('content-range'),
    ).toBe('items 0-39/40');
  });
});

describe('demo activity', () => {
  it('trickles new pending requests in, until closed', async () => {
    const sim = await startSimulator({ trickle: { everyMs: 25 } });
    const before = sim.store.listRequests().length;
    await waitFor(() => sim.store.listRequests().length >= before + 3);
    await sim.close();
    const count = sim.store.listRequests().length;
    await delay(100);
    expect(sim.store.listRequests()).toHaveLength(count);
  });

  it('lets customers answer inquiries: value_error params corrected, pending again', async () => {
    const sim = await startSimulator({ seed: false, customerAnswersAfterMs: 50 });
    const request = sim.store.addRequest({ params: { email: 'n/a' } });
    const client = api(sim);
    await client.put(`/requests/${request.id}`, {
      asset: { params: [{ id: 'email', value_error: 'Not an e-mail address.' }] },
    });
    const inquired = await client.post(`/requests/${request.id}/inquire`, {});
    expect(inquired.body.status).toBe('inquiring');
    await waitFor(() => sim.store.getRequest(request.id)!.status === 'pending');
    const answered = sim.store.getRequest(request.id)!;
    await sim.close();
    expect(answered).toMatchObject({ status: 'pending', answered: true });
    const email = answered.asset.params.find((p) => p.id === 'email')!;
    expect(email.value_error).toBeNull();
    expect(email.value).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
  });
});
