import { afterEach, describe, expect, it } from '@jest/globals';
import type { HandlerEntry } from '../../src/config/index.ts';
import { loadHandlers } from '../../src/fulfillment/loader.ts';
import type { ParamDefinition, Product } from '../../src/simulator/model.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const PRODUCT_ID = 'PRD-700-100-200';
const param = (id: string): ParamDefinition => ({ id, title: id, type: 'text', phase: 'ordering' });
const PRODUCT: Product = {
  id: PRODUCT_ID,
  name: 'Rules-only product',
  params: ['email', 'domain', 'seats', 'region', 'code', 'note'].map(param),
  items: [
    { id: `${PRODUCT_ID}-0001`, mpn: 'R-1', display_name: 'Seats', unit: 'seats', item_type: 'Reservation' },
  ],
};

const RULES: HandlerEntry = {
  products: [PRODUCT_ID],
  rules: {
    purchase: {
      require: [
        { param: 'email', format: 'email', message: 'Enter a valid e-mail address.' },
        { param: 'domain', format: 'domain', message: 'Enter a domain like example.com.' },
        { param: 'seats', format: 'number', message: 'Seats must be a number.' },
        { param: 'region', oneOf: ['eu', 'us'], message: 'Region must be eu or us.' },
        { param: 'code', pattern: '[A-Z]{3}-\\d+', message: 'Code looks like ABC-123.' },
        { param: 'note', format: 'url', required: false, message: 'Note must be a link.' },
      ],
      approve: { templateId: 'TL-RULES-001' },
    },
    cancel: { fail: { reason: 'Cancel through the vendor portal.' } },
  },
};

const GOOD = { email: 'ann@example.com', domain: 'example.com', seats: '10', region: 'eu', code: 'ABC-42' };

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('a rules handler (no code) against the simulator', () => {
  it('inquires on exactly the bad parameters, approves valid requests and fails by rule', async () => {
    harness = await startHarness({ handlers: await loadHandlers([RULES]) });
    const { store } = harness.sim;
    store.addProduct(PRODUCT);
    const good = store.addRequest({ type: 'purchase', productId: PRODUCT_ID, params: GOOD });
    const bad = store.addRequest({
      type: 'purchase',
      productId: PRODUCT_ID,
      params: { ...GOOD, email: 'ann@', region: 'asia', code: 'abc-42', note: 'not a link' },
    });
    const missing = store.addRequest({
      type: 'purchase',
      productId: PRODUCT_ID,
      params: { ...GOOD, seats: '' },
    });
    const cancel = store.addRequest({ type: 'cancel', productId: PRODUCT_ID });
    const suspend = store.addRequest({ type: 'suspend', productId: PRODUCT_ID });

    const summary = await harness.daemon.runCycle();

    const after = (id: string) => store.getRequest(id)!;
    const errors = (id: string) =>
      Object.fromEntries(
        after(id)
          .asset.params.filter((p) => p.value_error)
          .map((p) => [p.id, p.value_error]),
      );
    expect(after(good.id).status).toBe('approved');
    expect(after(bad.id).status).toBe('inquiring');
    expect(errors(bad.id)).toEqual({
      email: 'Enter a valid e-mail address.',
      region: 'Region must be eu or us.',
      code: 'Code looks like ABC-123.',
      note: 'Note must be a link.',
    });
    expect(after(missing.id).status).toBe('inquiring');
    expect(errors(missing.id)).toEqual({ seats: 'Seats must be a number.' });
    expect(after(cancel.id).status).toBe('failed');
    expect(after(cancel.id).reason).toBe('Cancel through the vendor portal.');
    expect(after(suspend.id).status).toBe('pending'); // no rule for suspend
    expect(summary).toMatchObject({ approved: 1, inquired: 2, failed: 1, errors: 0 });
    const processed = harness.logs.events('request.processed');
    expect(processed.find((line) => line.requestId === good.id)).toMatchObject({ handler: 'rules[0]' });
  });
});
