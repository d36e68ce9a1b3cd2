import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  FulfillmentRequestSchema,
  REQUEST_TYPES,
  TierConfigRequestSchema,
} from '../../src/connect/schemas.ts';
import { FALLBALL_ID } from '../../src/simulator/index.ts';
import { buildRequest, buildTierConfigRequest, TEST_PRODUCT_ID } from '../../src/testing/index.ts';
import { describeWithSpec, loadConnectSpec, SPEC_SKIPPED, type ConnectSpec } from '../support/openapi.ts';

/** The test kit's builders: complete objects, as Connect (and the daemon's own schemas) know them. */

const STATUSES = ['pending', 'inquiring'] as const;

describe('buildRequest', () => {
  it('defaults to a complete pending purchase of the test product', () => {
    const request = buildRequest();
    expect(request).toMatchObject({
      id: expect.stringMatching(/^PR-\d{4}-\d{4}-\d{4}-001$/),
      type: 'purchase',
      status: 'pending',
      asset: {
        id: expect.stringMatching(/^AS-/),
        product: { id: TEST_PRODUCT_ID },
        connection: { type: 'production', hub: { id: expect.stringMatching(/^HB-/) } },
        items: [expect.objectContaining({ quantity: '1' })],
        params: expect.arrayContaining([expect.objectContaining({ id: 'email', value: null })]),
        tiers: { customer: expect.objectContaining({ name: expect.any(String) }), tier1: expect.anything() },
      },
      marketplace: { id: expect.stringMatching(/^MP-/) },
    });
  });

  it('gives each request its own ids', () => {
    const [a, b] = [buildRequest(), buildRequest()];
    expect(a.id).not.toBe(b.id);
    expect(a.asset.id).not.toBe(b.asset.id);
  });

  it.each(REQUEST_TYPES.flatMap((type) => STATUSES.map((status) => [type, status] as const)))(
    '%s, %s: passes the client schema with the type, status, params and items asked for',
    (type, status) => {
      const request = buildRequest({
        type,
        status,
        product: { id: 'PRD-111-222-333', name: 'Cloud Seats' },
        params: { email: 'ann@example.com', domain: { value: 'bad domain', value_error: 'Not a domain' } },
        items: { 'SKU-SEATS': 10 },
      });
      expect(FulfillmentRequestSchema.safeParse(request).success).toBe(true);
      expect(request).toMatchObject({
        type,
        status,
        asset: { product: { id: 'PRD-111-222-333', name: 'Cloud Seats' } },
      });
      const params = Object.fromEntries(request.asset.params!.map((p) => [p.id, [p.value, p.value_error]]));
      expect(params).toMatchObject({
        email: ['ann@example.com', null],
        domain: ['bad domain', 'Not a domain'],
      });
      expect(request.asset.items).toEqual(
        expect.arrayContaining([expect.objectContaining({ id: 'SKU-SEATS', quantity: '10' })]),
      );
    },
  );

  it('a demo product keeps its own parameters; a change carries old quantities', () => {
    const request = buildRequest({ type: 'change', product: FALLBALL_ID, items: { 'FB-USERS': 20 } });
    expect(request.asset.params!.map((p) => p.id)).toEqual(['email', 'domain', 'subscription_id']);
    expect(request.asset.items).toEqual([
      expect.objectContaining({ mpn: 'FB-USERS', quantity: '20', old_quantity: expect.any(String) }),
    ]);
  });

  it('takes ids, note and asset id as given', () => {
    const request = buildRequest({ id: 'PR-1111-2222-3333-001', assetId: 'AS-1111-2222-3333', note: 'hi' });
    expect(request).toMatchObject({
      id: 'PR-1111-2222-3333-001',
      note: 'hi',
      asset: { id: 'AS-1111-2222-3333' },
    });
  });
});

describe('buildTierConfigRequest', () => {
  it.each(
    (['setup', 'update'] as const).flatMap((type) => STATUSES.map((status) => [type, status] as const)),
  )('%s, %s: passes the client schema with the tier-level params asked for', (type, status) => {
    const tcr = buildTierConfigRequest({
      type,
      status,
      product: 'PRD-111-222-333',
      params: { reseller_id: 'R-1' },
    });
    expect(TierConfigRequestSchema.safeParse(tcr).success).toBe(true);
    expect(tcr).toMatchObject({
      id: expect.stringMatching(/^TCR-\d{4}-\d{4}-\d{4}-001$/),
      type,
      status,
      configuration: {
        product: { id: 'PRD-111-222-333' },
        tier_level: 1,
        account: { id: expect.stringMatching(/^TA-/), name: expect.any(String) },
      },
      params: [expect.objectContaining({ id: 'reseller_id', value: 'R-1', scope: 'tier1' })],
    });
  });

  it('defaults to a pending setup of the test product', () => {
    expect(buildTierConfigRequest()).toMatchObject({
      type: 'setup',
      status: 'pending',
      configuration: { product: { id: TEST_PRODUCT_ID } },
    });
  });
});

describeWithSpec('the built objects fit the Connect OpenAPI spec', () => {
  let spec: ConnectSpec;
  beforeAll(async () => {
    if (!SPEC_SKIPPED) spec = await loadConnectSpec();
  });

  it('every request type and status, as GET /requests/{id} answers', () => {
    for (const type of REQUEST_TYPES)
      for (const status of STATUSES) {
        const request = buildRequest({
          type,
          status,
          params: { email: 'a@b.example', note: null },
          items: { X: 2 },
        });
        expect(spec.validateResponse('GET', `/requests/${request.id}`, 200, request)).toEqual([]);
      }
  });

  it('tier config requests, as GET /tier/config-requests/{id} answers', () => {
    for (const type of ['setup', 'update'] as const)
      for (const status of STATUSES) {
        const tcr = buildTierConfigRequest({ type, status, params: { reseller_id: null } });
        expect(spec.validateResponse('GET', `/tier/config-requests/${tcr.id}`, 200, tcr)).toEqual([]);
      }
  });
});
