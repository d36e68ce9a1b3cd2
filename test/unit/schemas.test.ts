import { describe, expect, it } from '@jest/globals';
import { FulfillmentRequestSchema, parseContentRange, parseItems } from '../../src/connect/schemas.ts';

const request = (overrides: Record<string, unknown> = {}) => ({
  id: 'PR-1111-2222-3333-001',
  type: 'purchase',
  status: 'pending',
  created: '2026-11-24T07:30:00.102670+00:00',
  asset: {
    id: 'AS-1111-2222-3333',
    external_id: 12345,
    product: { id: 'PRD-276-377-545', name: 'Fallball' },
    items: [
      { id: 'SKU-1', quantity: 'unlimited', old_quantity: null },
      { id: 'SKU-2', quantity: '2.5' },
    ],
    params: [{ id: 'email', value: null, value_error: null }],
    tiers: { customer: { id: 'TA-1', contact_info: null }, tier1: { id: 'TA-2' } },
    brand_new_field: { nested: true },
  },
  ...overrides,
});

describe('request schema', () => {
  it('accepts messy real data and keeps unknown fields as they came', () => {
    const parsed = FulfillmentRequestSchema.parse(request());
    expect(parsed.asset.external_id).toBe(12345);
    expect(parsed.asset.items?.[0]?.quantity).toBe('unlimited');
    expect((parsed.asset as Record<string, unknown>).brand_new_field).toEqual({ nested: true });
    expect(parsed.asset.tiers?.tier2).toBeUndefined();
  });

  it('sets aside malformed items with their ids and keeps the rest of the page', () => {
    const elements = [
      request(),
      request({ id: 'PR-BAD', asset: { id: 'AS-1' } }),
      'garbage',
      request({ id: 'PR-OK-2' }),
    ].map((item) => Buffer.from(JSON.stringify(item)));
    elements.push(Buffer.from('{"id":"PR-TRUNC'));
    const { valid, invalid } = parseItems(elements, FulfillmentRequestSchema);
    expect(valid.map((r) => r.id)).toEqual(['PR-1111-2222-3333-001', 'PR-OK-2']);
    expect(invalid).toEqual([
      expect.objectContaining({
        id: 'PR-BAD',
        index: 1,
        problems: [expect.stringContaining('asset.product')],
      }),
      expect.objectContaining({ id: undefined, index: 2 }),
      { id: undefined, index: 4, problems: [expect.stringMatching(/^not valid JSON/)] },
    ]);
  });
});

describe('Content-Range', () => {
  it('parses items first-last/total', () => {
    expect(parseContentRange('items 100-199/250')).toEqual({ first: 100, last: 199, total: 250 });
    expect(parseContentRange('items 0-0/0')).toEqual({ first: 0, last: 0, total: 0 });
    expect(parseContentRange('bytes 0-1/2')).toBeUndefined();
    expect(parseContentRange(undefined)).toBeUndefined();
  });
});
