import { afterAll, expect, it } from '@jest/globals';
import {
  createCancelRequest,
  createChangeRequest,
  createPurchaseRequest,
} from '../../src/connect/distributor.ts';
import { listUsageRecords } from '../../src/connect/usage.ts';
import { loadHandlers } from '../../src/fulfillment/loader.ts';
import { FALLBALL } from '../../src/simulator/index.ts';
import { checkAgainstSpec, describeWithSpec } from '../support/openapi.ts';
import { EXAMPLE_HANDLERS, startHarness, type Harness } from '../support/harness.ts';

let harness: Harness | undefined;
afterAll(async () => harness?.close());

const tier1 = {
  name: 'Contoso Reseller',
  external_id: 'R-3003',
  contact_info: {
    address_line1: '9 Harbour Road',
    city: 'Springfield',
    state: 'Illinois',
    postal_code: '62701',
    country: 'US',
    contact: {
      first_name: 'Alan',
      last_name: 'Turing',
      email: 'alan@contoso.example',
      phone_number: { country_code: '+1', area_code: '217', phone_number: '5550100', extension: '' },
    },
  },
};

describeWithSpec('what the client sends matches the Connect OpenAPI spec', () => {
  it('listing, parameter updates, every action, distributor creates and usage records', async () => {
    harness = await startHarness({
      handlers: await loadHandlers([{ module: EXAMPLE_HANDLERS.fallball }]),
      simulator: { seed: {} }, // the demo data: catalog, marketplaces, assets, usage file
    });
    const { client } = harness.connection;
    const { store } = harness.sim;

    // The daemon's own traffic: list, PUT values / value errors, approve, fail, inquire.
    store.addRequest({ type: 'purchase', productId: FALLBALL.id, params: { email: 'not-an-email' } });
    const summary = await harness.daemon.runCycle();
    expect(summary).toMatchObject({ result: 'completed', errors: 0 });
    expect(summary.approved + summary.failed + summary.inquired).toBeGreaterThan(3);
    const inquiring = store.listRequests().find((r) => r.status === 'inquiring')!;
    await client.pend(inquiring.id);
    await client.approve(store.addRequest({ productId: FALLBALL.id }).id, { activation_tile: '# Ready' });

    // The distributor's: lookups, creates, usage records.
    const purchase = await createPurchaseRequest(client, {
      externalId: 'CONTRACT-1',
      hubId: 'HB-0309-9389',
      marketplace: 'Ingram Micro US Cloud',
      tier1,
      itemId: 'PRD-276-377-545-0001',
      quantity: 3,
      params: { email: 'it@contoso.example' },
    });
    store.act(purchase.id, 'approve', { template_id: 'TL-1' });
    await createChangeRequest(client, {
      externalId: 'CONTRACT-1',
      itemGlobalId: 'PRD-276-377-545-0001',
      quantity: 4,
    });
    store.act(
      store
        .listRequests()
        .find((r) => r.type === 'change' && r.status === 'pending' && r.asset.external_id === 'CONTRACT-1')!
        .id,
      'approve',
      { template_id: 'TL-1' },
    );
    await createCancelRequest(client, { externalId: 'CONTRACT-1' });
    let records = 0;
    for await (const _ of listUsageRecords(client, 'UF-2026-11-0001', { pageSize: 100 })) records++;
    expect(records).toBe(250);

    const routes = new Set(
      harness.sim.journal.map((e) => `${e.method} ${e.path.replace(/[A-Z]{2,3}-[\dA-Z-]+/g, '{id}')}`),
    );
    expect([...routes].sort()).toEqual(
      expect.arrayContaining([
        'GET /requests',
        'PUT /requests/{id}',
        'POST /requests/{id}/approve',
        'POST /requests/{id}/fail',
        'POST /requests/{id}/inquire',
        'POST /requests/{id}/pend',
        'POST /requests',
        'GET /assets',
        'GET /marketplaces',
        'GET /usage/records',
      ]),
    );
    expect(await checkAgainstSpec(harness.sim.journal)).toEqual([]);
  });
});
