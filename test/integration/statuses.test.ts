import { afterEach, describe, expect, it } from '@jest/globals';
import type { VendorHandler } from '../../src/fulfillment/handler.ts';
import { FALLBALL } from '../../src/simulator/index.ts';
import { startHarness, type Harness } from '../support/harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const PRODUCT = FALLBALL.id;

describe('handlers called for inquiring requests (statuses)', () => {
  it('pends an inquiring request, then approves it in a later cycle, with one listing of both statuses', async () => {
    const seen: string[] = [];
    const handler: VendorHandler = {
      products: [PRODUCT],
      statuses: ['pending', 'inquiring'],
      purchase(request) {
        seen.push(`${request.id} ${request.status}`);
        // The vendor fixed the problem on its side: no need to wait for the customer.
        if (request.status === 'inquiring') return { action: 'pend' };
        return { action: 'approve', templateId: 'TL-1' };
      },
    };
    harness = await startHarness({ handlers: [handler] });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const waiting = store.addRequest({ productId: PRODUCT, status: 'inquiring' });

    const first = await harness.daemon.runCycle();
    expect(first).toMatchObject({ result: 'completed', found: 1, pended: 1, errors: 0 });
    expect(store.getRequest(waiting.id)?.status).toBe('pending');
    const listings = harness.sim.journal.filter((e) => e.method === 'GET' && e.path === '/requests');
    expect(listings).toHaveLength(1);
    expect(decodeURIComponent(listings[0]!.query)).toContain('in(status,(inquiring,pending))');

    const second = await harness.daemon.runCycle();
    expect(second).toMatchObject({ result: 'completed', found: 1, approved: 1, errors: 0 });
    expect(store.getRequest(waiting.id)?.status).toBe('approved');
    expect(seen).toEqual([`${waiting.id} inquiring`, `${waiting.id} pending`]);
  });

  it('treats approve for an inquiring request as the handler error and leaves the request untouched', async () => {
    harness = await startHarness({
      handlers: [
        {
          products: [PRODUCT],
          statuses: ['inquiring'],
          purchase: () => ({ action: 'approve', templateId: 'TL-1' }),
        },
      ],
    });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const waiting = store.addRequest({ productId: PRODUCT, status: 'inquiring' });
    const pending = store.addRequest({ productId: PRODUCT }); // not asked for: never listed

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ found: 1, approved: 0, errors: 1 });
    expect(store.getRequest(waiting.id)?.status).toBe('inquiring');
    expect(store.getRequest(pending.id)?.status).toBe('pending');
    expect(harness.sim.journal.filter((e) => e.method !== 'GET')).toEqual([]);
    const [error] = harness.logs.events('request.error');
    expect(error).toMatchObject({ requestId: waiting.id, code: 'invalid_outcome' });
    expect(String(error?.msg)).toMatch(/approve is not allowed for request .* which is inquiring/);
  });

  it('treats pend for a pending request as the handler error', async () => {
    harness = await startHarness({
      handlers: [{ products: [PRODUCT], purchase: () => ({ action: 'pend' }) }],
    });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const request = store.addRequest({ productId: PRODUCT });

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ found: 1, pended: 0, errors: 1 });
    expect(store.getRequest(request.id)?.status).toBe('pending');
    expect(harness.logs.events('request.error')[0]).toMatchObject({ code: 'invalid_outcome' });
  });

  it('does not call a pending-only handler for the inquiring requests another handler asks for', async () => {
    const calls: string[] = [];
    const other = 'PRD-900-000-001';
    harness = await startHarness({
      handlers: [
        {
          products: [PRODUCT],
          purchase: (r) => (calls.push(r.id), { action: 'skip' }),
        },
        {
          products: [other],
          statuses: ['inquiring'],
          purchase: (r) => (calls.push(r.id), { action: 'skip' }),
        },
      ],
    });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const ours = store.addRequest({ productId: PRODUCT, status: 'inquiring' });
    const theirs = store.addRequest({ productId: other, status: 'inquiring' });

    const summary = await harness.daemon.runCycle();

    expect(calls).toEqual([theirs.id]);
    expect(summary).toMatchObject({ found: 2, errors: 0 });
    expect(store.getRequest(ours.id)?.status).toBe('inquiring');
  });
});
