import { afterEach, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import type { VendorHandler } from '../../src/fulfillment/handler.ts';
import { FALLBALL } from '../../src/simulator/index.ts';
import type { Product } from '../../src/simulator/model.ts';
import { compileRules } from '../../src/handlers/rules/compile.ts';
import type { RulesSpec } from '../../src/handlers/rules/types.ts';
import { startHarness, type Harness } from '../support/harness.ts';

/** The daemon's tier config requests (TCRs), against the simulator over real sockets. */

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A product with a tier-level parameter: its purchases wait in tiers_setup on a setup TCR. */
const TIERED: Product = {
  ...FALLBALL,
  id: 'PRD-900-100-001',
  name: 'Tiered Storage',
  params: [
    ...FALLBALL.params,
    { id: 'reseller_id', title: 'Reseller id', type: 'text', phase: 'ordering', scope: 'tier1' },
  ],
};

describe('tier config requests in the cycle', () => {
  it('approves a purchase waiting in tiers_setup in the same cycle that approves its TCR', async () => {
    const order: string[] = [];
    const handler: VendorHandler = {
      products: [TIERED.id],
      purchase(request) {
        order.push(request.id);
        return { action: 'approve', templateId: 'TL-PURCHASE' };
      },
      tierConfig: {
        setup(tcr) {
          order.push(tcr.id);
          return { action: 'approve', templateId: 'TL-TIER', note: 'Reseller account set up.' };
        },
      },
    };
    harness = await startHarness({ handlers: [handler] });
    const { store } = harness.sim;
    store.addProduct(TIERED);
    const purchase = store.addRequest({ productId: TIERED.id });
    expect(purchase.status).toBe('tiers_setup');
    const [tcr] = store.listTierConfigRequests();
    expect(tcr).toMatchObject({
      type: 'setup',
      status: 'pending',
      configuration: {
        product: { id: TIERED.id },
        account: { id: purchase.asset.tiers.tier1.id },
        tier_level: 1,
      },
    });

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({
      result: 'completed',
      tcrFound: 1,
      tcrApproved: 1,
      tcrErrors: 0,
      found: 1,
      approved: 1,
      errors: 0,
    });
    expect(order).toEqual([tcr!.id, purchase.id]);
    expect(store.getTierConfigRequest(tcr!.id)).toMatchObject({
      status: 'approved',
      template: { id: 'TL-TIER' },
    });
    expect(store.getRequest(purchase.id)?.status).toBe('approved');
    const approveCall = harness.sim.journal.find(
      (e) => e.path === `/tier/config-requests/${tcr!.id}/approve`,
    );
    expect(approveCall?.body).toEqual({ template: { id: 'TL-TIER' } });
    expect(harness.logs.events('tcr.processed')).toEqual([
      expect.objectContaining({
        tcrId: tcr!.id,
        productId: TIERED.id,
        accountId: purchase.asset.tiers.tier1.id,
        type: 'setup',
        action: 'approve',
      }),
    ]);
    expect(store.messagesOf(tcr!.id).map((m) => m.text)).toEqual(['Reseller account set up.']);
  });

  it('inquires a TCR: value_error on the TCR’s params, then inquiring', async () => {
    harness = await startHarness({
      handlers: [
        {
          products: [TIERED.id],
          tierConfig: {
            setup: () => ({ action: 'inquire', params: { reseller_id: 'Enter your reseller id.' } }),
          },
        },
      ],
    });
    const { store } = harness.sim;
    store.addProduct(TIERED);
    const purchase = store.addRequest({ productId: TIERED.id });
    const [tcr] = store.listTierConfigRequests();

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ tcrFound: 1, tcrInquired: 1, tcrErrors: 0 });
    const after = store.getTierConfigRequest(tcr!.id)!;
    expect(after.status).toBe('inquiring');
    expect(after.params).toEqual([
      expect.objectContaining({ id: 'reseller_id', value_error: 'Enter your reseller id.' }),
    ]);
    expect(store.getRequest(purchase.id)?.status).toBe('tiers_setup'); // still waits on its TCR
    const writes = harness.sim.journal.filter((e) => e.method !== 'GET').map((e) => `${e.method} ${e.path}`);
    expect(writes).toEqual([
      `PUT /tier/config-requests/${tcr!.id}`,
      `POST /tier/config-requests/${tcr!.id}/inquire`,
    ]);
  });

  it('treats approve for an inquiring TCR as the handler error and leaves the TCR untouched', async () => {
    harness = await startHarness({
      handlers: [
        {
          products: [TIERED.id],
          statuses: ['inquiring'],
          tierConfig: { setup: () => ({ action: 'approve', templateId: 'TL-1' }) },
        },
      ],
    });
    const { store } = harness.sim;
    store.addProduct(TIERED);
    const account = store.addRequest({ productId: TIERED.id }).asset.tiers.tier1;
    const [pending] = store.listTierConfigRequests(); // not asked for (statuses: inquiring): never listed
    const inquiring = store.addTierConfigRequest({ productId: TIERED.id, account, status: 'inquiring' });

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ tcrFound: 1, tcrApproved: 0, tcrErrors: 1 });
    expect(store.getTierConfigRequest(inquiring.id)?.status).toBe('inquiring');
    expect(store.getTierConfigRequest(pending!.id)?.status).toBe('pending');
    expect(harness.sim.journal.filter((e) => e.method !== 'GET')).toEqual([]);
    const [error] = harness.logs.events('tcr.error');
    expect(error).toMatchObject({
      tcrId: inquiring.id,
      code: 'invalid_outcome',
      handlerFunction: 'tierConfig.setup',
    });
    expect(String(error?.msg)).toMatch(
      /approve is not allowed for tier config request .* which is inquiring/,
    );
  });

  it('does not list TCRs when no handler has tierConfig', async () => {
    harness = await startHarness({
      handlers: [{ products: [TIERED.id], purchase: () => ({ action: 'skip' }) }],
    });
    harness.sim.store.addProduct(TIERED);
    harness.sim.store.addRequest({ productId: TIERED.id, status: 'pending' });
    const summary = await harness.daemon.runCycle();
    expect(summary).toMatchObject({ found: 1, tcrFound: 0 });
    expect(harness.sim.journal.filter((e) => e.path.startsWith('/tier/'))).toEqual([]);
  });

  it('sets a malformed TCR aside by its id and goes on with the other TCRs and the requests', async () => {
    harness = await startHarness({
      handlers: [
        {
          products: [TIERED.id],
          purchase: () => ({ action: 'skip' }),
          tierConfig: { setup: () => ({ action: 'approve', templateId: 'TL-1' }) },
        },
      ],
    });
    const { sim } = harness;
    sim.store.addProduct(TIERED);
    const request = sim.store.addRequest({ productId: TIERED.id, status: 'pending' });
    const good = sim.store.addTierConfigRequest({ productId: TIERED.id, account: request.asset.tiers.tier1 });
    sim.use(
      http.get('*/public/v1/tier/config-requests', () =>
        HttpResponse.json(
          [
            { id: 'TCR-BROKEN-001', type: 'setup', status: 'pending' },
            sim.store.getTierConfigRequest(good.id),
          ],
          { headers: { 'Content-Range': 'items 0-1/2' } },
        ),
      ),
    );

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({
      result: 'completed',
      tcrInvalid: 1,
      tcrFound: 1,
      tcrApproved: 1,
      found: 1,
    });
    expect(sim.store.getTierConfigRequest(good.id)?.status).toBe('approved');
    const [invalid] = harness.logs.events('tcr.invalid');
    expect(invalid).toMatchObject({ tcrId: 'TCR-BROKEN-001' });
    expect(String(invalid?.msg)).toContain('TCR-BROKEN-001');
  });

  it('loses nothing in the listings of TCRs and requests while 2,500 of each change status during the cycle', async () => {
    const N = 3_000;
    const seenTcrs: string[] = [];
    const seenRequests: string[] = [];
    let tcrIds: string[] = [];
    let requestIds: string[] = [];
    let changedTcrs = 0;
    let changedRequests = 0;
    const handler: VendorHandler = {
      products: [TIERED.id],
      statuses: ['pending', 'inquiring'],
      purchase(request) {
        seenRequests.push(request.id);
        // Someone else moves a request not listed yet from one status of the union to the other.
        const ahead = requestIds[seenRequests.length + 150];
        const status = ahead === undefined ? undefined : store.getRequest(ahead)?.status;
        if (status === 'inquiring') {
          store.act(ahead!, 'pend');
          changedRequests++;
        } else if (status === 'pending') {
          store.update(ahead!, { asset: { params: [{ id: 'email', value_error: 'Wrong.' }] } });
          store.act(ahead!, 'inquire');
          changedRequests++;
        }
        return { action: 'skip' };
      },
      tierConfig: {
        setup(tcr) {
          seenTcrs.push(tcr.id);
          const ahead = tcrIds[seenTcrs.length + 150];
          const status = ahead === undefined ? undefined : store.getTierConfigRequest(ahead)?.status;
          if (status === 'inquiring') {
            store.actOnTierConfig(ahead!, 'pend');
            changedTcrs++;
          } else if (status === 'pending') {
            store.updateTierConfig(ahead!, { params: [{ id: 'reseller_id', value_error: 'Unknown.' }] });
            store.actOnTierConfig(ahead!, 'inquire');
            changedTcrs++;
          }
          return { action: 'skip' };
        },
      },
    };
    harness = await startHarness({
      handlers: [handler],
      settings: (s) => ({
        ...s,
        poll: { ...s.poll, pageSize: 100 },
        processing: { ...s.processing, concurrency: 1 },
      }),
    });
    const { store } = harness.sim;
    store.addProduct(TIERED);
    const start = Date.parse('2026-11-24T08:00:00Z');
    requestIds = Array.from({ length: N }, (_, i) =>
      store.addRequest({
        productId: TIERED.id,
        status: i % 2 ? 'inquiring' : 'pending',
        created: start + Math.floor(i / 4) * 1000, // ties of four
      }),
    ).map((r) => r.id);
    const account = store.getRequest(requestIds[0]!)!.asset.tiers.tier1;
    tcrIds = Array.from({ length: N }, (_, i) =>
      store.addTierConfigRequest({
        productId: TIERED.id,
        account,
        status: i % 2 ? 'inquiring' : 'pending',
        params: { reseller_id: 'R-1' },
        created: start + Math.floor(i / 4) * 1000,
      }),
    ).map((tcr) => tcr.id);

    const summary = await harness.daemon.runCycle();

    expect(changedTcrs).toBeGreaterThanOrEqual(2_500);
    expect(changedRequests).toBeGreaterThanOrEqual(2_500);
    expect(summary).toMatchObject({ result: 'completed', tcrFound: N, found: N, errors: 0, tcrErrors: 0 });
    expect(seenTcrs).toEqual(tcrIds);
    expect(seenRequests).toEqual(requestIds);
  });
});

/** A `rules:` entry handles tier config requests like a module's `tierConfig` (DESIGN.md). */
describe('rules for tier config requests', () => {
  it('approve a setup TCR whose params pass, inquire one whose do not, on exactly the failing param', async () => {
    const rules = compileRules(
      {
        tierConfig: {
          setup: {
            require: [{ param: 'reseller_id', pattern: 'R-\\d{4}', message: 'The code looks like R-1234.' }],
            approve: { templateId: 'TL-TIER-RULES' },
          },
        },
      } as RulesSpec,
      'rules[0]',
    );
    harness = await startHarness({ handlers: [{ ...rules, products: [TIERED.id] }] });
    const { store } = harness.sim;
    store.addProduct(TIERED);
    // Two resellers' accounts (taken from purchases of a product without tier parameters).
    const accountOf = () => store.addRequest({ productId: FALLBALL.id }).asset.tiers.tier1;
    const tcrOf = (reseller_id: string) =>
      store.addTierConfigRequest({ productId: TIERED.id, account: accountOf(), params: { reseller_id } });
    const [good, bad] = [tcrOf('R-0042'), tcrOf('reseller 42')];

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ tcrFound: 2, tcrApproved: 1, tcrInquired: 1, tcrErrors: 0 });
    expect(store.getTierConfigRequest(good.id)).toMatchObject({
      status: 'approved',
      template: { id: 'TL-TIER-RULES' },
    });
    const inquired = store.getTierConfigRequest(bad.id)!;
    expect(inquired.status).toBe('inquiring');
    expect(inquired.params.filter((p) => p.value_error).map((p) => [p.id, p.value_error])).toEqual([
      ['reseller_id', 'The code looks like R-1234.'],
    ]);
    expect(harness.logs.events('tcr.processed').map((e) => e.handler)).toEqual(['rules[0]', 'rules[0]']);
  });
});
