import { afterEach, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import type { VendorHandler } from '../../src/fulfillment/handler.ts';
import { conversationIdOf } from '../../src/simulator/conversations.ts';
import { FALLBALL } from '../../src/simulator/index.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { checkAgainstSpec } from '../support/openapi.ts';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const PRODUCT = FALLBALL.id;

describe('notes on the request conversation', () => {
  it('posts a skip note once over three cycles, and again when its text changes', async () => {
    let note = 'Waiting for stock at the warehouse.';
    const handler: VendorHandler = {
      products: [PRODUCT],
      purchase: () => ({ action: 'skip', reason: 'no stock', note }),
    };
    harness = await startHarness({ handlers: [handler] });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const request = store.addRequest({ productId: PRODUCT });

    for (let cycle = 0; cycle < 3; cycle++) await harness.daemon.runCycle();
    expect(store.messagesOf(request.id).map((m) => m.text)).toEqual([note]);

    note = 'Stock arrives on Monday.';
    await harness.daemon.runCycle();
    await harness.daemon.runCycle();
    expect(store.messagesOf(request.id).map((m) => m.text)).toEqual([
      'Waiting for stock at the warehouse.',
      'Stock arrives on Monday.',
    ]);
    expect(store.getRequest(request.id)?.status).toBe('pending');
    expect(harness.logs.events('note.posted')).toHaveLength(2);
    expect(await checkAgainstSpec(harness.sim.journal)).toEqual([]);
  });

  it('dedupes against the conversation itself: a fresh daemon does not repeat the last note', async () => {
    harness = await startHarness({
      handlers: [{ products: [PRODUCT], purchase: () => ({ action: 'skip', note: 'Checking your order.' }) }],
    });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const request = store.addRequest({ productId: PRODUCT });
    // Posted before this daemon ever ran (an earlier process, or a restart).
    store.postMessage(conversationIdOf(request.id), { text: 'Checking your order.' });

    await harness.daemon.runCycle();

    expect(store.messagesOf(request.id)).toHaveLength(1);
  });

  it('carries out the outcome when the note cannot be posted, and logs why', async () => {
    harness = await startHarness({
      handlers: [
        {
          products: [PRODUCT],
          purchase: () => ({ action: 'approve', templateId: 'TL-1', note: 'Your account is ready.' }),
        },
      ],
    });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const request = store.addRequest({ productId: PRODUCT });
    harness.sim.use(
      http.post('*/public/v1/conversations/:id/messages', () =>
        HttpResponse.json({ error_code: 'SYS_001', errors: ['down'] }, { status: 503 }),
      ),
    );

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ approved: 1, errors: 0 });
    expect(store.getRequest(request.id)?.status).toBe('approved');
    expect(store.messagesOf(request.id)).toEqual([]);
    expect(harness.logs.events('note.error')[0]).toMatchObject({ requestId: request.id });
  });

  it('sets aside a message of unexpected shape with a log line naming it, and still posts the note', async () => {
    harness = await startHarness({
      handlers: [{ products: [PRODUCT], purchase: () => ({ action: 'skip', note: 'Checking your order.' }) }],
    });
    const { store } = harness.sim;
    store.addProduct(FALLBALL);
    const request = store.addRequest({ productId: PRODUCT });
    harness.sim.use(
      http.get(
        '*/public/v1/conversations/:id/messages',
        () => HttpResponse.json([{ id: 'ME-BAD-1', text: 42 }]),
        {
          once: true,
        },
      ),
    );

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ skipped: 1, errors: 0 });
    expect(harness.logs.events('note.invalid')[0]).toMatchObject({
      requestId: request.id,
      itemId: 'ME-BAD-1',
    });
    expect(store.messagesOf(request.id).map((m) => m.text)).toEqual(['Checking your order.']);
  });

  it('refuses an empty note as an invalid outcome', async () => {
    harness = await startHarness({
      handlers: [{ products: [PRODUCT], purchase: () => ({ action: 'skip', note: '  ' }) }],
    });
    harness.sim.store.addProduct(FALLBALL);
    harness.sim.store.addRequest({ productId: PRODUCT });

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ errors: 1 });
    expect(String(harness.logs.events('request.error')[0]?.msg)).toMatch(/note/);
  });
});
