import { afterEach, describe, expect, it } from '@jest/globals';
import type { VendorHandler } from '../../src/fulfillment/handler.ts';
import type { Outcome } from '../../src/fulfillment/outcomes.ts';
import { FALLBALL } from '../../src/simulator/index.ts';
import { startHarness, TEST_API_KEY, type Harness } from '../support/harness.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const PRODUCT = FALLBALL.id;

describe('dry run', () => {
  it('calls the handlers over a mixed queue, sends only GETs, logs every decision, and leaves the queue to a real run', async () => {
    const decide = new Map<string, Outcome>();
    const sawDryRun: boolean[] = [];
    const handler: VendorHandler = {
      products: [PRODUCT],
      purchase(request, context) {
        sawDryRun.push(context.dryRun);
        const outcome = decide.get(request.id);
        if (!outcome) throw new Error('backend down');
        return outcome;
      },
    };
    harness = await startHarness({
      handlers: [handler],
      settings: (s) => ({ ...s, dryRun: true, poll: { ...s.poll, pageSize: 2 } }),
    });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const add = (outcome: Outcome) => {
      const request = store.addRequest({ productId: PRODUCT });
      decide.set(request.id, outcome);
      return request;
    };
    const approved = add({ action: 'approve', templateId: 'TL-1', params: { email: 'a@example.com' } });
    const failed = add({ action: 'fail', reason: 'no such plan' });
    const inquired = add({
      action: 'inquire',
      params: { email: 'not an address' },
      note: 'Please fix the e-mail.',
    });
    const skipped = add({
      action: 'skip',
      reason: 'later',
      retryAfterMs: 600_000,
      note: 'Checking your order.',
    });
    // A handler that throws: a real run would put it in backoff.
    const broken = store.addRequest({ productId: PRODUCT });
    const onTest = store.addRequest({ productId: PRODUCT, connectionType: 'test' });
    decide.set(onTest.id, { action: 'approve', templateId: 'TL-1' });

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({
      result: 'completed',
      found: 6,
      errors: 1,
      approved: 2,
      failed: 1,
      inquired: 1,
      skipped: 1,
      dryRun: true,
    });
    expect(sawDryRun).toEqual([true, true, true, true, true, true]);
    // Nothing but reads reached the simulator.
    expect(harness.sim.journal.length).toBeGreaterThan(0);
    expect(new Set(harness.sim.journal.map((e) => e.method))).toEqual(new Set(['GET']));
    for (const request of [approved, failed, inquired, skipped, broken, onTest]) {
      expect(store.getRequest(request.id)?.status).toBe('pending');
    }
    // One decision per request, with the calls a real run would send.
    const decided = harness.logs.events('request.decided');
    expect(decided.map((l) => l.requestId).sort()).toEqual(
      [approved, failed, inquired, skipped, onTest].map((r) => r.id).sort(),
    );
    const callsOf = (id: string) =>
      decided.find((l) => l.requestId === id)!.calls as Array<{
        method: string;
        path: string;
        body?: unknown;
      }>;
    expect(callsOf(approved.id)).toEqual([
      {
        method: 'PUT',
        path: `/requests/${approved.id}`,
        body: { asset: { params: [{ id: 'email', value: 'a@example.com' }] } },
      },
      { method: 'POST', path: `/requests/${approved.id}/approve`, body: { template_id: 'TL-1' } },
    ]);
    expect(callsOf(failed.id)).toEqual([
      { method: 'POST', path: `/requests/${failed.id}/fail`, body: { reason: 'no such plan' } },
    ]);
    expect(callsOf(inquired.id).map((c) => `${c.method} ${c.path}`)).toEqual([
      `PUT /requests/${inquired.id}`,
      `POST /requests/${inquired.id}/inquire`,
      expect.stringMatching(/^POST \/conversations\/CO-[\d-]+\/messages$/),
    ]);
    expect(callsOf(skipped.id)).toEqual([
      expect.objectContaining({ method: 'POST', body: { text: 'Checking your order.' } }),
    ]);
    expect(harness.logs.events('request.processed')).toEqual([]);
    expect(harness.logs.events('cycle.finished')).toEqual([expect.objectContaining({ dryRun: true })]);
    expect(harness.logs.events('cycle.finished')[0]!.msg).toMatch(/^DRY RUN/);
    expect(harness.logs.text()).not.toContain(TEST_API_KEY);

    // Nothing recorded as done or failed: a later real run acts on these requests at once.
    for (const request of [skipped, broken]) {
      expect(await harness.backoff.check(request.id)).toMatchObject({ waitMs: 0 });
    }
  });
});
