/**
 * The benchmark's realistic data and its independent Connect model: the requests pass the client's
 * own schemas at the size asked for, and the daemon's client lists every pending request from the
 * model exactly once (keyset paging over ties included) and approves each through it.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { realisticRequests } from '../../bench/connect-model/requests.ts';
import { startConnectModel, type RunningModel } from '../../bench/connect-model/server.ts';
import { connectTo, type ConnectConnection } from '../../src/connect/index.ts';
import { FulfillmentRequestSchema } from '../../src/connect/schemas.ts';
import { captureLogs } from '../support/log-capture.ts';
import { testSettings, TEST_API_KEY } from '../support/harness.ts';

const PRODUCTS = ['PRD-000-000-001', 'PRD-000-000-002'];

describe('realistic benchmark requests', () => {
  it.each([5120, 8192])(
    'are valid requests of at least %i bytes, with full tiers, params and items',
    (bytes) => {
      const requests = realisticRequests({ count: 20, products: PRODUCTS, bytes });
      for (const request of requests) {
        expect(FulfillmentRequestSchema.safeParse(request).success).toBe(true);
        const size = JSON.stringify(request).length;
        expect(size).toBeGreaterThanOrEqual(bytes);
        expect(size).toBeLessThan(bytes + 1024);
        expect(request.asset.params.length).toBeGreaterThanOrEqual(3);
        expect(request.asset.items.length).toBeGreaterThanOrEqual(2);
        expect(request.asset.tiers.tier2.contact_info.contact.email).toMatch(/@/);
      }
      expect(new Set(requests.map((r) => r.id)).size).toBe(20);
    },
  );
});

describe('the independent Connect model', () => {
  let model: RunningModel | undefined;
  let connection: ConnectConnection | undefined;
  afterEach(async () => {
    await connection?.close();
    await model?.close();
    model = connection = undefined;
  });

  it('serves the client keyset pages: every pending request listed once, each approved once', async () => {
    model = await startConnectModel({
      requests: realisticRequests({ count: 57, products: [...PRODUCTS, 'PRD-OTHER'], bytes: 5120 }),
      latencyMs: 0,
      apiKey: TEST_API_KEY,
    });
    const settings = testSettings(model.url);
    connection = connectTo(
      { ...settings.connect, requestsPerSecond: 1_000, concurrency: 8, retry: settings.retry },
      captureLogs({ secrets: [TEST_API_KEY] }).logger,
    );
    const listed: string[] = [];
    for await (const request of connection.client.listPendingRequests(PRODUCTS, { pageSize: 5 })) {
      listed.push(request.id);
      await connection.client.approve(request.id, { template_id: 'TL-1' });
    }
    const ours = model.requests().filter((r) => PRODUCTS.includes(r.asset.product.id));
    expect(listed.sort()).toEqual(ours.map((r) => r.id).sort());
    expect(ours.every((r) => r.status === 'approved')).toBe(true);
    expect(
      model
        .requests()
        .filter((r) => r.status === 'pending')
        .map((r) => r.asset.product.id),
    ).toEqual(Array(19).fill('PRD-OTHER'));
    const approves = model.journal.filter((e) => e.method === 'POST');
    expect(new Set(approves.map((e) => e.path)).size).toBe(approves.length);
  });
});
