import { afterEach, describe, expect, it } from '@jest/globals';
import type { VendorHandler } from '../../src/fulfillment/handler.ts';
import { loadHandlers } from '../../src/fulfillment/loader.ts';
import { FALLBALL as FALLBALL_PRODUCT } from '../../src/simulator/index.ts';
import { EXAMPLE_HANDLERS, startHarness, TEST_API_KEY, type Harness } from '../support/harness.ts';

const FALLBALL = 'PRD-276-377-545';
const OTHER = 'PRD-900-000-001';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const paramOf = (request: { asset: { params: Array<{ id: string }> } } | undefined, id: string) =>
  request?.asset.params.find((p) => p.id === id) as { value?: unknown; value_error?: unknown } | undefined;

describe('a cycle against the simulator', () => {
  it('hands every pending request to its handler and carries out each outcome', async () => {
    harness = await startHarness({ handlers: await loadHandlers([{ module: EXAMPLE_HANDLERS.fallball }]) });
    const { store } = harness.sim;
    store.addProduct(FALLBALL_PRODUCT);
    const good = store.addRequest({
      type: 'purchase',
      productId: FALLBALL,
      params: { email: 'ann@example.com' },
    });
    const badEmail = store.addRequest({
      type: 'purchase',
      productId: FALLBALL,
      params: { email: 'john.doe@' },
    });
    const known = store.addAsset({ productId: FALLBALL, params: { subscription_id: 'FB-100200' } });
    const unknown = store.addAsset({ productId: FALLBALL });
    const cancelKnown = store.addRequest({ type: 'cancel', productId: FALLBALL, assetId: known.id });
    const cancelUnknown = store.addRequest({ type: 'cancel', productId: FALLBALL, assetId: unknown.id });
    const change = store.addRequest({
      type: 'change',
      productId: FALLBALL,
      assetId: known.id,
      quantities: { 'PRD-276-377-545-0001': 7 },
    });
    const suspend = store.addRequest({ type: 'suspend', productId: FALLBALL });
    const adjustment = store.addRequest({ type: 'adjustment', productId: FALLBALL });
    const notOurs = store.addRequest({ type: 'purchase', productId: OTHER });

    const summary = await harness.daemon.runCycle();

    const status = (id: string) => store.getRequest(id)?.status;
    expect(status(good.id)).toBe('approved');
    expect(paramOf(store.getRequest(good.id), 'subscription_id')?.value).toMatch(/^FB-\d+$/);
    expect(store.getAsset(good.asset.id)?.status).toBe('active');
    expect(status(badEmail.id)).toBe('inquiring');
    expect(paramOf(store.getRequest(badEmail.id), 'email')?.value_error).toMatch(/not a valid e-mail/);
    expect(status(cancelKnown.id)).toBe('approved');
    expect(status(cancelUnknown.id)).toBe('failed');
    expect(store.getRequest(cancelUnknown.id)?.reason).toMatch(/unknown to Fallball/);
    expect(status(change.id)).toBe('approved');
    expect(status(suspend.id)).toBe('approved');
    expect(status(adjustment.id)).toBe('pending'); // the handler has no adjustment function
    expect(status(notOurs.id)).toBe('pending'); // no handler for that product: never listed

    expect(summary).toMatchObject({
      result: 'completed',
      found: 7,
      approved: 4,
      failed: 1,
      inquired: 1,
      skipped: 0,
      errors: 0,
      unhandled: 1, // the adjustment: counted apart from deliberate skips
    });
    const processed = harness.logs.events('request.processed');
    expect(processed).toHaveLength(6);
    expect(processed.find((l) => l.requestId === badEmail.id)).toMatchObject({
      cycleId: summary.cycleId,
      assetId: badEmail.asset.id,
      productId: FALLBALL,
      type: 'purchase',
      action: 'inquire',
      durationMs: expect.any(Number),
    });
    expect(harness.logs.events('api.connected')).toEqual([
      expect.objectContaining({ connectVersion: '37.0' }),
    ]);
    expect(harness.logs.events('request.unhandled')).toEqual([
      expect.objectContaining({ requestId: adjustment.id }),
    ]);
    expect(harness.logs.events('cycle.finished')).toEqual([
      expect.objectContaining({ cycleId: summary.cycleId, found: 7, approved: 4 }),
    ]);
    // Exactly one action was accepted for each of the six decided requests.
    const accepted = Object.entries(harness.sim.stats().actions).map(([id, actions]) => [
      id,
      Object.values(actions).reduce((a, b) => a + b, 0),
    ]);
    expect(accepted.filter(([, total]) => total !== 0).sort()).toEqual(
      processed.map((l) => [l.requestId, 1]).sort(),
    );
  });

  it('leaves the request of a throwing handler pending, backs it off, and processes the others', async () => {
    let calls = 0;
    const handler: VendorHandler = {
      products: [OTHER],
      purchase(request) {
        calls++;
        if (request.asset.external_id === 'boom') throw new Error('vendor API is down');
        return { action: 'approve', templateId: 'TL-1' };
      },
    };
    harness = await startHarness({ handlers: [handler] });
    const { store } = harness.sim;
    const broken = store.addRequest({ type: 'purchase', productId: OTHER, externalId: 'boom' });
    const fine = store.addRequest({ type: 'purchase', productId: OTHER });

    const first = await harness.daemon.runCycle();
    expect(first).toMatchObject({ found: 2, approved: 1, errors: 1 });
    expect(store.getRequest(broken.id)?.status).toBe('pending');
    expect(store.getRequest(fine.id)?.status).toBe('approved');
    expect(harness.logs.events('request.error')).toEqual([
      expect.objectContaining({
        requestId: broken.id,
        attempt: 1,
        nextAttemptInMs: 60_000,
        code: 'handler_error',
        err: expect.objectContaining({ message: expect.stringContaining('vendor API is down') }),
      }),
    ]);

    // Within its backoff the request is not offered to the handler again.
    const second = await harness.daemon.runCycle();
    expect(second).toMatchObject({ found: 1, skipped: 1, errors: 0 });
    expect(calls).toBe(2);
  });

  it('treats an invalid outcome as the handler’s error and leaves the request untouched', async () => {
    const handler: VendorHandler = {
      products: [OTHER],
      purchase: (request) =>
        request.asset.external_id === 'typo'
          ? { action: 'inquire', params: { emial: 'wrong' } }
          : ({ action: 'approve' } as never),
    };
    harness = await startHarness({ handlers: [handler] });
    const { store } = harness.sim;
    const typo = store.addRequest({ type: 'purchase', productId: OTHER, externalId: 'typo' });
    const noTemplate = store.addRequest({ type: 'purchase', productId: OTHER });

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ errors: 2 });
    expect(store.getRequest(typo.id)).toMatchObject({ status: 'pending' });
    expect(paramOf(store.getRequest(typo.id), 'email')?.value_error ?? null).toBeNull();
    expect(store.getRequest(noTemplate.id)?.status).toBe('pending');
    const errors = harness.logs.events('request.error');
    expect(errors.find((l) => l.requestId === typo.id)?.msg).toMatch(/emial/);
    expect(errors.find((l) => l.requestId === noTemplate.id)?.msg).toMatch(
      /exactly one of templateId or activationTile/,
    );
    // Nothing was written to Connect for either request.
    expect(harness.sim.journal.filter((e) => e.method !== 'GET')).toEqual([]);
  });

  it('never logs the API key, even at trace level with errors', async () => {
    harness = await startHarness({
      handlers: [
        {
          products: [OTHER],
          purchase: () => {
            throw new Error(`leaky handler ${TEST_API_KEY}`);
          },
        },
      ],
    });
    harness.sim.store.addRequest({ type: 'purchase', productId: OTHER });
    await harness.daemon.runCycle();
    expect(harness.logs.events('request.error')).toHaveLength(1);
    expect(harness.logs.text()).not.toContain(TEST_API_KEY);
    expect(harness.logs.text()).not.toContain(TEST_API_KEY.split(':')[1]);
  });
});
