import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ACME_BACKUP, FALLBALL, startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { api, ids } from './helpers.ts';

let sim: RunningSimulator;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  sim = await startSimulator({ seed: { pendingRequests: 0 } }); // the demo catalog, nothing else
  client = api(sim);
});
afterAll(() => sim.close());

const account = (name: string, externalId: string | number) => ({
  name,
  external_id: externalId,
  contact_info: {
    address_line1: '1 Main St',
    city: 'Austin',
    postal_code: '73301',
    country: 'US',
    contact: { first_name: 'Ann', last_name: 'Lee', email: 'ann.lee@example.com' },
  },
});

const purchaseBody = (externalId: string, overrides: Record<string, unknown> = {}) => ({
  type: 'purchase',
  marketplace: { id: 'MP-91673' },
  asset: {
    external_id: externalId,
    external_uid: `uid-${externalId}`,
    product: { id: FALLBALL.id },
    connection: { id: 'CT-0000-0000-0001' },
    items: [{ id: `${FALLBALL.id}-0001`, quantity: 5 }],
    params: [{ id: 'email', value: 'admin@shop.example.com' }],
    tiers: { customer: account('Shop LLC', '76829'), tier1: account('Reseller Inc', 12) },
    ...overrides,
  },
});

/** Creates a purchase over HTTP and approves it through the store: an active asset to act on. */
async function activeAsset(externalId: string): Promise<string> {
  const created = await client.post('/requests', purchaseBody(externalId));
  sim.store.act(created.body.id, 'approve', { template_id: 'TL-1' });
  return created.body.asset.id;
}

describe('POST /requests', () => {
  it('purchase: 201 with a new pending request and a new asset, as sent', async () => {
    const answer = await client.post('/requests', purchaseBody('SUB-1001'));
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      type: 'purchase',
      status: 'pending',
      marketplace: { id: 'MP-91673', name: 'Ingram Micro US Cloud' },
      asset: {
        status: 'processing',
        external_id: 'SUB-1001',
        external_uid: 'uid-SUB-1001',
        product: { id: FALLBALL.id, name: FALLBALL.name },
        connection: { id: 'CT-0000-0000-0001', type: 'production', hub: { id: 'HB-0309-9389' } },
        items: [{ id: `${FALLBALL.id}-0001`, mpn: 'FB-USERS', quantity: '5', old_quantity: null }],
        tiers: {
          customer: { name: 'Shop LLC', external_id: '76829' },
          tier1: { name: 'Reseller Inc', external_id: 12 },
        },
      },
    });
    expect(answer.body.asset.params.map((p: { id: string; value: unknown }) => [p.id, p.value])).toEqual([
      ['email', 'admin@shop.example.com'],
      ['domain', null],
      ['subscription_id', null],
    ]);
    expect(answer.body.asset.tiers).not.toHaveProperty('tier2');
    expect(answer.body.asset.tiers.customer.id).toMatch(/^TA-\d{4}-\d{4}-\d{4}$/);
    expect(sim.store.getAsset(answer.body.asset.id)!.status).toBe('processing');
    expect((await client.get(`/requests/${answer.body.id}`)).body).toEqual(answer.body);
  });

  it('purchase without a customer account: the reseller buys for itself', async () => {
    const body = purchaseBody('SUB-1002');
    delete (body.asset.tiers as { customer?: unknown }).customer;
    const answer = await client.post('/requests', body);
    expect(answer.status).toBe(201);
    expect(answer.body.asset.tiers.customer.name).toBe('Reseller Inc');
  });

  it.each([
    [
      'an unknown connection',
      { connection: { id: 'CT-9999-9999-9999' } },
      'asset.connection.id: connection CT-9999-9999-9999 does not exist',
    ],
    [
      "a product that is not the connection's",
      { product: { id: ACME_BACKUP.id } },
      `is for product ${FALLBALL.id}, not ${ACME_BACKUP.id}`,
    ],
    [
      'an item of another product',
      { items: [{ id: `${ACME_BACKUP.id}-0001`, quantity: 1 }] },
      `asset.items[0].id: ${ACME_BACKUP.id}-0001 is not an item of this product`,
    ],
    ['no items', { items: [] }, 'asset.items is required'],
    [
      'a negative quantity',
      { items: [{ id: `${FALLBALL.id}-0001`, quantity: -1 }] },
      'asset.items[0].quantity must be a number of at least 0',
    ],
    [
      'an unknown parameter',
      { params: [{ id: 'colour', value: 'red' }] },
      'asset.params[0].id: colour is not a parameter of this product',
    ],
    ['no external id', { external_id: undefined }, 'asset.external_id is required'],
    ['no tier1', { tiers: { customer: account('Shop', '1') } }, 'asset.tiers.tier1 is required'],
    [
      'a tier1 without a city',
      {
        tiers: {
          tier1: { ...account('R', '1'), contact_info: { ...account('R', '1').contact_info, city: '' } },
        },
      },
      'asset.tiers.tier1.contact_info.city is required',
    ],
  ])('purchase with %s: 400 naming the problem', async (_what, overrides, message) => {
    const before = sim.store.listRequests().length;
    const answer = await client.post('/requests', purchaseBody('SUB-BAD', overrides));
    expect(answer.status).toBe(400);
    expect(answer.body.error_code).toBe('VAL_001');
    expect(answer.body.errors[0]).toContain(message);
    expect(sim.store.listRequests()).toHaveLength(before);
  });

  it('refuses an unknown type and an unknown marketplace', async () => {
    expect((await client.post('/requests', { type: 'renew', asset: {} })).body.errors[0]).toContain(
      'type must be one of',
    );
    const answer = await client.post('/requests', {
      ...purchaseBody('SUB-MP'),
      marketplace: { id: 'MP-00000' },
    });
    expect(answer.body.errors[0]).toContain('marketplace MP-00000 does not exist');
  });

  it('change by asset id: the new quantity, the old one kept as old_quantity', async () => {
    const assetId = await activeAsset('SUB-2001');
    const answer = await client.post('/requests', {
      type: 'change',
      asset: { id: assetId, items: [{ id: `${FALLBALL.id}-0001`, quantity: 8 }] },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      type: 'change',
      status: 'pending',
      asset: { id: assetId, status: 'active' },
    });
    expect(answer.body.asset.items).toEqual([
      expect.objectContaining({ id: `${FALLBALL.id}-0001`, quantity: '8', old_quantity: '5' }),
    ]);
    expect(answer.body.id).toMatch(new RegExp(`^PR-${assetId.slice(3)}-002$`));
  });

  it.each([
    ['suspend', 'active', 'suspended'],
    ['cancel', 'active', 'terminated'],
  ] as const)(
    '%s by external_id and external_uid, then approved: asset %s → %s',
    async (type, before, after) => {
      const assetId = await activeAsset(`SUB-${type}`);
      const answer = await client.post('/requests', {
        type,
        asset: { external_id: `SUB-${type}`, external_uid: `uid-SUB-${type}` },
      });
      expect(answer.status).toBe(201);
      expect(answer.body.asset).toMatchObject({ id: assetId, status: before });
      await client.post(`/requests/${answer.body.id}/approve`, { template_id: 'TL-1' });
      expect(sim.store.getAsset(assetId)!.status).toBe(after);
    },
  );

  it('resume needs a suspended asset', async () => {
    const assetId = await activeAsset('SUB-3001');
    const refused = await client.post('/requests', { type: 'resume', asset: { id: assetId } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toContain(`${assetId} is active; a resume request needs it suspended`);
    const suspend = await client.post('/requests', { type: 'suspend', asset: { id: assetId } });
    sim.store.act(suspend.body.id, 'approve', { template_id: 'TL-1' });
    expect((await client.post('/requests', { type: 'resume', asset: { id: assetId } })).status).toBe(201);
  });

  it('refuses a second request while the asset has one open', async () => {
    const assetId = await activeAsset('SUB-4001');
    const first = await client.post('/requests', { type: 'cancel', asset: { id: assetId } });
    const second = await client.post('/requests', { type: 'suspend', asset: { id: assetId } });
    expect(second.status).toBe(400);
    expect(second.body.errors[0]).toContain(`already has request ${first.body.id} (pending)`);
  });

  it('finds assets by external_id, needing external_uid only when several share it', async () => {
    const one = await activeAsset('SUB-SHARED');
    expect(
      (await client.post('/requests', { type: 'suspend', asset: { external_id: 'SUB-SHARED' } })).status,
    ).toBe(201);
    const created = await client.post('/requests', purchaseBody('SUB-SHARED', { external_uid: 'uid-other' }));
    sim.store.act(created.body.id, 'approve', { template_id: 'TL-1' });
    const ambiguous = await client.post('/requests', {
      type: 'cancel',
      asset: { external_id: 'SUB-SHARED' },
    });
    expect(ambiguous.body.errors[0]).toContain(
      `several assets have external_id SUB-SHARED (${one}, ${created.body.asset.id})`,
    );
    const missing = await client.post('/requests', { type: 'cancel', asset: { external_id: 'SUB-NONE' } });
    expect(missing.body.errors[0]).toContain('no live asset has external_id SUB-NONE');
    expect((await client.post('/requests', { type: 'cancel', asset: {} })).body.errors[0]).toContain(
      'give its id, or its external_id',
    );
  });
});

describe('distributor-side reads', () => {
  it('GET /assets filters by id, external_id, external_uid, product.id and status', async () => {
    const assetId = await activeAsset('SUB-5001');
    const byExternal = await client.get(
      '/assets?and(eq(external_id,SUB-5001),eq(external_uid,uid-SUB-5001))',
    );
    expect(ids(byExternal)).toEqual([assetId]);
    expect(byExternal.headers.get('content-range')).toBe('items 0-0/1');
    expect(ids(await client.get(`/assets?eq(id,${assetId})`))).toEqual([assetId]);
    const active = (await client.get(`/assets?eq(product.id,${FALLBALL.id})&status=active&limit=1000`))
      .body as Array<{ status: string; product: { id: string } }>;
    expect(active.length).toBeGreaterThan(0);
    expect(active.every((asset) => asset.status === 'active' && asset.product.id === FALLBALL.id)).toBe(true);
    expect((await client.get(`/assets/${assetId}`)).body.id).toBe(assetId);
    expect((await client.get('/assets/AS-0000-0000-0000')).status).toBe(404);
  });

  it('GET /products/{id}/connections filters by hub.id', async () => {
    const answer = await client.get(`/products/${FALLBALL.id}/connections?eq(hub.id,HB-0309-9389)`);
    expect(answer.body).toEqual([
      expect.objectContaining({
        id: 'CT-0000-0000-0001',
        type: 'production',
        hub: { id: 'HB-0309-9389', name: expect.any(String) },
      }),
    ]);
    expect((await client.get(`/products/${FALLBALL.id}/connections`)).body).toHaveLength(2);
    expect((await client.get('/products/PRD-000-000-000/connections')).status).toBe(404);
  });

  it('GET /marketplaces filters by name', async () => {
    const answer = await client.get('/marketplaces?eq(name,Ingram%20Micro%20US%20Cloud)');
    expect(answer.body).toEqual([expect.objectContaining({ id: 'MP-91673', name: 'Ingram Micro US Cloud' })]);
  });
});
