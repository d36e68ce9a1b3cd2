import { afterEach, describe, expect, it } from '@jest/globals';
import type { VendorHandler } from '../../src/fulfillment/handler.ts';
import { Router } from '../../src/fulfillment/router.ts';
import { FALLBALL } from '../../src/simulator/index.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const PRODUCT = FALLBALL.id;
const approveAll: VendorHandler = {
  products: [PRODUCT],
  purchase: () => ({ action: 'approve', templateId: 'TL-1' }),
};

function routerFor(
  connectionTypes: Array<'test' | 'preview' | 'production'>,
  entryTypes?: Array<'test' | 'preview' | 'production'>,
): Router {
  return new Router(
    [
      {
        name: 'fallball',
        handler: approveAll,
        products: [PRODUCT],
        ...(entryTypes ? { connectionTypes: entryTypes } : {}),
      },
    ],
    { connectionTypes },
  );
}

describe('poll.connectionTypes', () => {
  it('a daemon limited to test approves test requests and leaves production requests untouched', async () => {
    harness = await startHarness({ handlers: routerFor(['test']) });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const onTest = [
      store.addRequest({ productId: PRODUCT, connectionType: 'test' }),
      store.addRequest({ productId: PRODUCT, connectionType: 'test' }),
    ];
    const onProduction = store.addRequest({ productId: PRODUCT, connectionType: 'production' });

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ result: 'completed', found: 2, approved: 2, errors: 0 });
    for (const request of onTest) expect(store.getRequest(request.id)?.status).toBe('approved');
    expect(store.getRequest(onProduction.id)?.status).toBe('pending');
    // The production request is not even listed: the filter is in the query, not after it.
    const listing = harness.sim.journal.find((e) => e.method === 'GET' && e.path === '/requests');
    expect(decodeURIComponent(listing!.query)).toContain('eq(asset.connection.type,test)');
    expect(harness.sim.journal.filter((e) => e.method !== 'GET').map((e) => e.path)).not.toContain(
      `/requests/${onProduction.id}/approve`,
    );
  });

  it("an entry's own connectionTypes narrow the global list: other types are not listed at all", async () => {
    harness = await startHarness({ handlers: routerFor(['test', 'production'], ['production', 'preview']) });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const onTest = store.addRequest({ productId: PRODUCT, connectionType: 'test' });
    const onProduction = store.addRequest({ productId: PRODUCT, connectionType: 'production' });

    const summary = await harness.daemon.runCycle();

    // preview is not in the global list, test not in the entry's: production alone is left.
    expect(harness.router.connectionTypes).toEqual(['production']);
    expect(summary).toMatchObject({ result: 'completed', found: 1, approved: 1 });
    expect(store.getRequest(onProduction.id)?.status).toBe('approved');
    expect(store.getRequest(onTest.id)?.status).toBe('pending');
  });

  it('a request listed for one entry is not handed to an entry that does not take its type', async () => {
    const calls: string[] = [];
    const other = { ...FALLBALL, id: 'PRD-999-000-001', name: 'Other' };
    const router = new Router(
      [
        {
          name: 'test-only',
          handler: { purchase: (r) => (calls.push(r.id), { action: 'approve', templateId: 'TL-1' }) },
          products: [PRODUCT],
          connectionTypes: ['test'],
        },
        { name: 'all', handler: approveAll, products: [other.id] },
      ],
      { connectionTypes: ['test', 'production'] },
    );
    harness = await startHarness({ handlers: router });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const onProduction = store.addRequest({ productId: PRODUCT, connectionType: 'production' });
    const onTest = store.addRequest({ productId: PRODUCT, connectionType: 'test' });

    const summary = await harness.daemon.runCycle();

    // Listed (the other entry takes production), but not handed to the test-only handler.
    expect(summary).toMatchObject({ found: 2, approved: 1, skipped: 1, errors: 0 });
    expect(calls).toEqual([onTest.id]);
    expect(store.getRequest(onProduction.id)?.status).toBe('pending');
  });
});
