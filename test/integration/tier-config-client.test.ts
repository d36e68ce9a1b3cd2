import { afterEach, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { connectTo, type ConnectConnection } from '../../src/connect/index.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import type { TierConfigSpec } from '../../src/simulator/store.ts';
import { captureLogs } from '../support/log-capture.ts';
import { testSettings, TEST_API_KEY } from '../support/harness.ts';

/** The client's tier configuration request (TCR) calls, against the simulator over loopback. */

const PRODUCT = 'PRD-900-000-001';
let sim: RunningSimulator | undefined;
let connection: ConnectConnection | undefined;
afterEach(async () => {
  await connection?.close();
  await sim?.close();
  sim = connection = undefined;
});

async function setUp() {
  sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
  const settings = testSettings(sim.url);
  const logs = captureLogs({ secrets: [TEST_API_KEY] });
  connection = connectTo(
    {
      ...settings.connect,
      apiKey: TEST_API_KEY,
      requestsPerSecond: 1_000,
      concurrency: 8,
      retry: settings.retry,
    },
    logs.logger,
  );
  const account = sim.store.addRequest({ productId: PRODUCT }).asset.tiers.tier1;
  const running = sim;
  const addTcr = (spec: Partial<TierConfigSpec> = {}) =>
    running.store.addTierConfigRequest({
      productId: PRODUCT,
      account,
      params: { reseller_id: null },
      ...spec,
    });
  return { sim, client: connection.client, logs, addTcr };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('listing tier configuration requests', () => {
  it('lists the pending and inquiring TCRs of the products once each while 2,500 change status under it', async () => {
    const { sim, client, addTcr } = await setUp();
    const start = Date.parse('2026-11-24T08:00:00Z');
    const ids = Array.from({ length: 5_000 }, (_, i) =>
      addTcr({
        status: i % 2 ? 'inquiring' : 'pending',
        params: { reseller_id: i % 2 ? 'R-1' : null },
        created: start + Math.floor(i / 4) * 1000, // ties of four
      }),
    ).map((tcr) => tcr.id);
    sim.store.addRequest({ productId: 'PRD-900-000-002' }); // registers that product
    addTcr({ productId: 'PRD-900-000-002' }); // another product's TCR: not listed
    const seen: string[] = [];
    let changed = 0;
    for await (const tcr of client.listTierConfigRequestsIn(['pending', 'inquiring'], [PRODUCT], {
      pageSize: 100,
    })) {
      seen.push(tcr.id);
      // Approving what was listed takes it out of the union (an offset pager would skip TCRs).
      if (tcr.status === 'pending')
        sim.store.actOnTierConfig(tcr.id, 'approve', { template: { id: 'TL-1' } });
      // Someone else moves a TCR not listed yet from one status of the union to the other.
      const ahead = ids[seen.length + 150];
      const status = ahead === undefined ? undefined : sim.store.getTierConfigRequest(ahead)?.status;
      if (status === 'inquiring') {
        sim.store.actOnTierConfig(ahead!, 'pend');
        changed++;
      } else if (status === 'pending' && seen.length % 2 === 0) {
        sim.store.updateTierConfig(ahead!, { params: [{ id: 'reseller_id', value_error: 'Unknown.' }] });
        sim.store.actOnTierConfig(ahead!, 'inquire');
        changed++;
      }
    }
    expect(changed).toBeGreaterThan(2_500);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(ids);
  });

  it('sets aside a malformed TCR with its id and uses the rest of the page', async () => {
    const { sim, client, addTcr } = await setUp();
    const good = addTcr();
    sim.use(
      http.get('*/public/v1/tier/config-requests', () =>
        HttpResponse.json(
          [
            { id: 'TCR-BROKEN-001', type: 'setup', status: 'pending' },
            sim!.store.getTierConfigRequest(good.id),
          ],
          { headers: { 'Content-Range': 'items 0-1/2' } },
        ),
      ),
    );
    const invalid: Array<{ id?: string; problems: string[] }> = [];
    const listed = await collect(
      client.listTierConfigRequestsIn(['pending'], [PRODUCT], {
        pageSize: 10,
        onInvalid: (item) => invalid.push(item),
      }),
    );
    expect(listed.map((tcr) => tcr.id)).toEqual([good.id]);
    expect(invalid).toEqual([
      expect.objectContaining({ id: 'TCR-BROKEN-001', problems: [expect.stringMatching(/^configuration/)] }),
    ]);
  });
});

describe('listing TCRs by connection type (poll.connectionTypes)', () => {
  it('asks for configuration.connection.type and gets only the TCRs of those connections', async () => {
    const { sim, client, addTcr } = await setUp();
    const onTest = addTcr({ connectionType: 'test' });
    addTcr({ connectionType: 'production' });

    const listed = await collect(
      client.listTierConfigRequestsIn(['pending'], [PRODUCT], { pageSize: 10, connectionTypes: ['test'] }),
    );

    expect(listed.map((t) => t.id)).toEqual([onTest.id]);
    const listing = sim.journal.find((e) => e.path === '/tier/config-requests');
    expect(decodeURIComponent(listing!.query)).toContain('eq(configuration.connection.type,test)');
  });
});

describe('TCR actions', () => {
  it('approve sends the template as {"template":{"id"}} and the TCR is approved with it', async () => {
    const { sim, client, addTcr } = await setUp();
    const tcr = addTcr();
    await expect(client.approveTierConfig(tcr.id, 'TL-191-299-001')).resolves.toEqual({
      result: 'done',
      action: 'approve',
    });
    expect(sim.store.getTierConfigRequest(tcr.id)).toMatchObject({
      status: 'approved',
      template: { id: 'TL-191-299-001' },
    });
    expect(sim.journal.find((e) => e.method === 'POST')?.body).toEqual({
      template: { id: 'TL-191-299-001' },
    });
  });

  it('inquire after a PUT of the params value_error; pend brings it back; fail with a reason', async () => {
    const { sim, client, addTcr } = await setUp();
    const tcr = addTcr();
    await client.updateTierConfigParams(tcr.id, [{ id: 'reseller_id', value_error: 'Unknown reseller.' }]);
    await client.inquireTierConfig(tcr.id);
    const inquiring = await client.getTierConfigRequest(tcr.id);
    expect(inquiring).toMatchObject({
      status: 'inquiring',
      params: [{ id: 'reseller_id', value_error: 'Unknown reseller.' }],
    });
    await client.pendTierConfig(tcr.id);
    expect(sim.store.getTierConfigRequest(tcr.id)?.status).toBe('pending');
    await client.failTierConfig(tcr.id, 'No such reseller.');
    expect(sim.store.getTierConfigRequest(tcr.id)).toMatchObject({
      status: 'failed',
      reason: 'No such reseller.',
    });
  });

  it('an approve of a TCR someone else approved counts as done, and one of a failed TCR is refused', async () => {
    const { sim, client, logs, addTcr } = await setUp();
    const tcr = addTcr();
    sim.store.actOnTierConfig(tcr.id, 'approve', { template: { id: 'TL-OTHER' } });
    await expect(client.approveTierConfig(tcr.id, 'TL-1')).resolves.toEqual({
      result: 'already_done',
      action: 'approve',
    });
    expect(logs.events('api.action_already_done')).toEqual([expect.objectContaining({ requestId: tcr.id })]);

    const failed = addTcr({ status: 'failed' });
    await expect(client.approveTierConfig(failed.id, 'TL-1')).rejects.toMatchObject({
      code: 'invalid_state',
    });
    expect(sim.store.getTierConfigRequest(failed.id)?.status).toBe('failed');
    expect(sim.journal.filter((e) => e.method === 'POST')).toHaveLength(2); // one approve each, none re-sent
  });
});
