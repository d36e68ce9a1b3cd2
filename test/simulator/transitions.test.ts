import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  FALLBALL,
  startSimulator,
  REQUEST_STATUSES,
  type RequestStatus,
  type RequestType,
  type RunningSimulator,
} from '../../src/simulator/index.ts';
import { api } from './helpers.ts';

let sim: RunningSimulator;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  sim = await startSimulator({ seed: false });
  client = api(sim);
});
afterAll(() => sim.close());

const PRODUCT = 'PRD-100-200-300';

function addRequest(
  status: RequestStatus = 'pending',
  type: RequestType = 'purchase',
  valueError: string | null = null,
) {
  return sim.store.addRequest({
    type,
    status,
    productId: PRODUCT,
    params: { email: { value: 'n/a', value_error: valueError } },
  });
}

describe('actions, allowed and refused by status', () => {
  const cases: Array<{ action: string; body: object; allowedFrom: RequestStatus[]; to: RequestStatus }> = [
    { action: 'approve', body: { template_id: 'TL-111-222-333' }, allowedFrom: ['pending'], to: 'approved' },
    {
      action: 'fail',
      body: { reason: 'Out of stock' },
      allowedFrom: ['pending', 'inquiring', 'tiers_setup'],
      to: 'failed',
    },
    { action: 'inquire', body: {}, allowedFrom: ['pending'], to: 'inquiring' },
    { action: 'pend', body: {}, allowedFrom: ['inquiring'], to: 'pending' },
  ];
  for (const { action, body, allowedFrom, to } of cases) {
    for (const from of REQUEST_STATUSES) {
      const allowed = allowedFrom.includes(from);
      it(`${action} from ${from} is ${allowed ? `200 → ${to}` : '400 REQ_003'}`, async () => {
        const request = addRequest(from, 'purchase', 'Please fix');
        const answer = await client.post(`/requests/${request.id}/${action}`, body);
        if (allowed) {
          expect(answer.status).toBe(200);
          expect(answer.body).toMatchObject({ id: request.id, status: to });
          expect(sim.store.getRequest(request.id)!.status).toBe(to);
        } else {
          expect(answer.status).toBe(400);
          expect(answer.body.error_code).toBe('REQ_003');
          expect(answer.body.errors[0]).toContain(from);
          expect(sim.store.getRequest(request.id)!.status).toBe(from);
        }
      });
    }
  }
});

describe('action bodies', () => {
  it('approve needs template_id or activation_tile', async () => {
    const request = addRequest();
    const answer = await client.post(`/requests/${request.id}/approve`, {});
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error_code: 'VAL_001',
      errors: [expect.stringContaining('template_id or activation_tile')],
    });
    expect(sim.store.getRequest(request.id)!.status).toBe('pending');
  });

  it('approve takes an activation_tile of up to 4096 characters, not one more', async () => {
    const tooLong = addRequest();
    expect(
      (await client.post(`/requests/${tooLong.id}/approve`, { activation_tile: 'x'.repeat(4097) })).status,
    ).toBe(400);
    const justRight = addRequest();
    const answer = await client.post(`/requests/${justRight.id}/approve`, {
      activation_tile: 'x'.repeat(4096),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.activation_key).toBe('x'.repeat(4096));
  });

  it('fail needs a reason of up to 4096 characters, and keeps it', async () => {
    const request = addRequest();
    expect((await client.post(`/requests/${request.id}/fail`, {})).body.error_code).toBe('VAL_001');
    expect((await client.post(`/requests/${request.id}/fail`, { reason: 'r'.repeat(4097) })).status).toBe(
      400,
    );
    const answer = await client.post(`/requests/${request.id}/fail`, { reason: 'Domain already taken' });
    expect(answer.status).toBe(200);
    expect(answer.body.reason).toBe('Domain already taken');
  });

  it('inquire is refused until a parameter has a value_error (the simulator is strict here)', async () => {
    const request = addRequest('pending', 'purchase', null);
    const refused = await client.post(`/requests/${request.id}/inquire`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0]).toMatch(/value_error/);
    await client.put(`/requests/${request.id}`, {
      asset: { params: [{ id: 'email', value_error: 'Not an e-mail address' }] },
    });
    expect((await client.post(`/requests/${request.id}/inquire`, {})).status).toBe(200);
  });

  it('a body that is not JSON is a 400, and nothing changes', async () => {
    const request = addRequest();
    const answer = await client.call('POST', `/requests/${request.id}/approve`, {
      rawBody: '{"template_id":',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]).toMatch(/not valid JSON/);
    expect(sim.store.getRequest(request.id)!.status).toBe('pending');
  });

  it('an unknown request is a 404 with a Connect error body', async () => {
    const answer = await client.post('/requests/PR-0000-0000-0000-000/approve', { template_id: 'TL-1' });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      error_code: 'REQ_404',
      errors: ['Request PR-0000-0000-0000-000 not found.'],
    });
    expect((await client.get('/requests/PR-0000-0000-0000-000')).status).toBe(404);
  });
});

describe('effects on the asset', () => {
  const cases: Array<{ type: RequestType; action: 'approve' | 'fail'; before: string; after: string }> = [
    { type: 'purchase', action: 'approve', before: 'processing', after: 'active' },
    { type: 'purchase', action: 'fail', before: 'processing', after: 'terminated' },
    { type: 'cancel', action: 'approve', before: 'active', after: 'terminated' },
    { type: 'suspend', action: 'approve', before: 'active', after: 'suspended' },
    { type: 'resume', action: 'approve', before: 'suspended', after: 'active' },
    { type: 'cancel', action: 'fail', before: 'active', after: 'active' },
  ];
  for (const { type, action, before, after } of cases) {
    it(`${action} of a ${type}: asset ${before} → ${after}`, async () => {
      const request = addRequest('pending', type);
      expect(sim.store.getAsset(request.asset.id)!.status).toBe(before);
      const answer = await client.post(
        `/requests/${request.id}/${action}`,
        action === 'approve' ? { template_id: 'TL-1' } : { reason: 'No' },
      );
      expect(answer.status).toBe(200);
      expect(answer.body.asset.status).toBe(after);
      expect(sim.store.getAsset(request.asset.id)!.status).toBe(after);
    });
  }

  it('an approved change applies its quantities; a new item is added', async () => {
    if (!sim.store.getProduct(FALLBALL.id)) sim.store.addProduct(FALLBALL);
    const asset = sim.store.addAsset({ productId: FALLBALL.id, quantities: { 'FB-USERS': 10 } });
    const request = sim.store.addRequest({
      type: 'change',
      assetId: asset.id,
      quantities: { 'FB-USERS': '12.5', 'FB-STORAGE-TB': 2 },
    });
    expect(request.asset.items.map((i) => [i.mpn, i.quantity, i.old_quantity])).toEqual([
      ['FB-USERS', '12.5', '10'],
      ['FB-STORAGE-TB', '2', '0'],
    ]);
    expect(sim.store.getAsset(asset.id)!.items).toHaveLength(1);
    expect((await client.post(`/requests/${request.id}/approve`, { template_id: 'TL-1' })).status).toBe(200);
    expect(sim.store.getAsset(asset.id)!.items.map((i) => [i.mpn, i.quantity])).toEqual([
      ['FB-USERS', '12.5'],
      ['FB-STORAGE-TB', '2'],
    ]);
  });

  it("an approved request's parameter values (the vendor's fulfillment parameters) reach the asset", async () => {
    const request = addRequest();
    await client.put(`/requests/${request.id}`, {
      asset: { params: [{ id: 'account_id', value: 'ACC-42' }] },
    });
    expect(sim.store.getAsset(request.asset.id)!.params.find((p) => p.id === 'account_id')!.value).toBeNull();
    await client.post(`/requests/${request.id}/approve`, { template_id: 'TL-1' });
    expect(sim.store.getAsset(request.asset.id)!.params.find((p) => p.id === 'account_id')!.value).toBe(
      'ACC-42',
    );
  });
});

describe('timestamps', () => {
  it('updated moves forward on every change, created never', async () => {
    const request = addRequest();
    const put = await client.put(`/requests/${request.id}`, {
      asset: { params: [{ id: 'email', value_error: 'bad' }] },
    });
    const inquired = await client.post(`/requests/${request.id}/inquire`, {});
    const pended = await client.post(`/requests/${request.id}/pend`, {});
    const stamps = [request.updated, put.body.updated, inquired.body.updated, pended.body.updated].map(
      (s: string) => Date.parse(s),
    );
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]!).toBeGreaterThan(stamps[i - 1]!);
    expect(pended.body.created).toBe(request.created);
  });
});
