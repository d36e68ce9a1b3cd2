import { afterAll, beforeAll, expect, it } from '@jest/globals';
import {
  ACME_BACKUP,
  FALLBALL,
  startSimulator,
  type JournalEntry,
  type RunningSimulator,
} from '../../src/simulator/index.ts';
import {
  checkAgainstSpec,
  describeWithSpec,
  loadConnectSpec,
  SPEC_SKIPPED,
  type ConnectSpec,
} from '../support/openapi.ts';
import { api } from './helpers.ts';

/**
 * The simulator's answers must fit CloudBlue's OpenAPI description of Connect (response schemas of the
 * same operations), apart from the documented deviations in test/support/openapi.ts.
 */

let spec: ConnectSpec;
let sim: RunningSimulator;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  if (SPEC_SKIPPED) return;
  spec = await loadConnectSpec(); // fails with a clear message when the spec file is missing
  sim = await startSimulator();
  client = api(sim);
});
afterAll(() => sim?.close());

/** Calls the simulator and checks the answer against the spec's schema for that operation and status. */
async function expectValid(method: string, path: string, body?: unknown, expectedStatus = 200) {
  const answer = await client.call(method, path, body === undefined ? {} : { body });
  expect(answer.status).toBe(expectedStatus);
  const template = path.split('?')[0]!;
  const answered = answer.text === '' ? null : answer.body; // no content (204): nothing to validate but "none"
  expect(spec.validateResponse(method, template, answer.status, answered)).toEqual([]);
  return answer;
}

const contact = {
  first_name: 'Ann',
  last_name: 'Lee',
  email: 'ann@example.com',
  phone_number: { country_code: '+1', area_code: '512', phone_number: '5550123', extension: '' },
};
const tier = (name: string) => ({
  name,
  external_id: '10001',
  external_uid: `uid-${name}`,
  contact_info: {
    address_line1: '1 Main St',
    address_line2: '',
    city: 'Austin',
    state: 'Texas',
    postal_code: '73301',
    country: 'US',
    contact,
  },
});

describeWithSpec('the spec itself', () => {
  it('is loaded once per test file', async () => {
    expect(await loadConnectSpec()).toBe(spec);
    expect(spec.loadMs).toBeLessThan(15_000);
  });

  it('catches violations (the validator is live, not vacuous)', () => {
    expect(spec.validateResponse('GET', '/requests', 200, [{ id: 42, status: 'lost' }])).toEqual([
      expect.stringContaining('/0/id must be string'),
      expect.stringContaining('/0/status must be equal to one of the allowed values'),
    ]);
    expect(spec.validateResponse('GET', '/usage/records', 200, [{ id: 'UR-1' }])).toEqual(
      expect.arrayContaining([expect.stringContaining("must have required property 'usage'")]),
    );
  });
});

describeWithSpec('the simulator answers as the spec says', () => {
  it('GET /requests, every request of the demo seed', async () => {
    const answer = await expectValid('GET', '/requests?limit=1000');
    expect(answer.body.length).toBeGreaterThan(20);
  });

  it('GET /requests/{id}, for every type and status in the seed', async () => {
    for (const request of sim.store.listRequests()) await expectValid('GET', `/requests/${request.id}`);
  });

  it('PUT /requests/{id}: 200, and a 400 body of the declared error shape', async () => {
    const request = sim.store
      .listRequests()
      .find((r) => r.status === 'pending' && r.asset.product.id === FALLBALL.id)!;
    await expectValid('PUT', `/requests/${request.id}`, {
      asset: { params: [{ id: 'email', value_error: 'Invalid e-mail' }] },
    });
    await expectValid(
      'PUT',
      `/requests/${request.id}`,
      { asset: { params: [{ id: 'nope', value: 'x' }] } },
      400,
    );
  });

  it('POST /requests/{id}/inquire, pend, approve and fail', async () => {
    const [first, second] = sim.store
      .listRequests()
      .filter((r) => r.status === 'pending' && r.type === 'purchase' && r.asset.product.id === FALLBALL.id);
    await client.put(`/requests/${first!.id}`, {
      asset: { params: [{ id: 'email', value_error: 'Invalid e-mail' }] },
    });
    await expectValid('POST', `/requests/${first!.id}/inquire`, {});
    await expectValid('POST', `/requests/${first!.id}/pend`, {});
    await expectValid('POST', `/requests/${first!.id}/approve`, { template_id: 'TL-276-377-545-001' });
    await expectValid('POST', `/requests/${second!.id}/fail`, { reason: 'The domain is taken.' });
  });

  it('POST /requests for each type: 201, and 400 bodies of the declared error shape', async () => {
    const purchase = await expectValid(
      'POST',
      '/requests',
      {
        type: 'purchase',
        marketplace: { id: 'MP-91673' },
        asset: {
          external_id: 'CONTRACT-1',
          external_uid: 'b5f8c2d0-0000-4000-a000-000000000001',
          product: { id: ACME_BACKUP.id },
          connection: { id: 'CT-0000-0000-0002' },
          items: [{ id: `${ACME_BACKUP.id}-0001`, quantity: 1 }],
          params: [{ id: 'region', value: 'eu-west' }],
          tiers: { customer: tier('Customer'), tier1: tier('Reseller') },
        },
      },
      201,
    );
    await expectValid('GET', `/requests/${purchase.body.id}`);
    sim.store.act(purchase.body.id, 'approve', { template_id: 'TL-1' });
    const assetId = purchase.body.asset.id as string;
    const change = await expectValid(
      'POST',
      '/requests',
      { type: 'change', asset: { id: assetId, items: [{ id: `${ACME_BACKUP.id}-0001`, quantity: 2 }] } },
      201,
    );
    sim.store.act(change.body.id, 'approve', { template_id: 'TL-1' });
    const suspend = await expectValid('POST', '/requests', { type: 'suspend', asset: { id: assetId } }, 201);
    sim.store.act(suspend.body.id, 'approve', { template_id: 'TL-1' });
    const resume = await expectValid('POST', '/requests', { type: 'resume', asset: { id: assetId } }, 201);
    sim.store.act(resume.body.id, 'approve', { template_id: 'TL-1' });
    await expectValid('POST', '/requests', { type: 'cancel', asset: { id: assetId } }, 201);
    await expectValid('POST', '/requests', { type: 'cancel', asset: { id: 'AS-0000-0000-0000' } }, 400);
  });

  it('GET /assets', async () => {
    await expectValid('GET', '/assets?limit=1000');
  });

  it('GET /usage/records and GET /usage/files/{id}', async () => {
    const answer = await expectValid('GET', '/usage/records?eq(usage_file,UF-2026-11-0001)&limit=1000');
    expect(answer.body).toHaveLength(250);
    await expectValid('GET', '/usage/files/UF-2026-11-0001');
  });

  it('GET /marketplaces and GET /products/{id}/connections', async () => {
    await expectValid('GET', '/marketplaces');
    await expectValid('GET', `/products/${FALLBALL.id}/connections?eq(hub.id,HB-0309-9389)`);
  });

  it('GET /conversations?instance_id=, GET and POST /conversations/{id}/messages', async () => {
    const request = sim.store.listRequests()[0]!;
    const found = await expectValid('GET', `/conversations?instance_id=${request.id}`);
    const [conversation] = found.body as Array<{ id: string; instance_id: string }>;
    expect(conversation?.instance_id).toBe(request.id);
    await expectValid('POST', `/conversations/${conversation!.id}/messages`, { text: 'Hello' }, 201);
    const messages = await expectValid(
      'GET',
      `/conversations/${conversation!.id}/messages?eq(type,message)&ordering(-created)&limit=1`,
    );
    expect(messages.body).toMatchObject([{ text: 'Hello', type: 'message' }]);
  });

  it('GET /tier/config-requests and /{id}, PUT params, POST inquire, pend, approve and fail', async () => {
    const account = sim.store.listRequests()[0]!.asset.tiers.tier1;
    const [first, second] = [1, 2].map(() =>
      sim.store.addTierConfigRequest({ productId: FALLBALL.id, account, params: { reseller_id: null } }),
    );
    const listed = await expectValid(
      'GET',
      `/tier/config-requests?and(eq(status,pending),in(configuration.product.id,(${FALLBALL.id})))&ordering(created)&limit=100`,
    );
    expect((listed.body as Array<{ id: string }>).map((tcr) => tcr.id)).toEqual(
      expect.arrayContaining([first!.id, second!.id]),
    );
    await expectValid('GET', `/tier/config-requests/${first!.id}`);
    await expectValid('PUT', `/tier/config-requests/${first!.id}`, {
      params: [{ id: 'reseller_id', value_error: 'Unknown reseller' }],
    });
    await expectValid(
      'PUT',
      `/tier/config-requests/${first!.id}`,
      { params: [{ id: 'nope', value: 'x' }] },
      400,
    );
    await expectValid('POST', `/tier/config-requests/${first!.id}/inquire`, {}, 204);
    await expectValid('POST', `/tier/config-requests/${first!.id}/pend`, {}, 204);
    const approved = await expectValid('POST', `/tier/config-requests/${first!.id}/approve`, {
      template: { id: 'TL-191-299-001' },
    });
    expect(approved.body).toMatchObject({ template: { id: 'TL-191-299-001' } });
    await expectValid(
      'POST',
      `/tier/config-requests/${second!.id}/fail`,
      { reason: 'Unknown reseller.' },
      204,
    );
    await expectValid(
      'POST',
      `/tier/config-requests/${second!.id}/approve`,
      { template: { id: 'TL-1' } },
      400,
    );
    expect(sim.store.getTierConfigRequest(second!.id)?.status).toBe('failed');
  });

  it('everything this file sent fits the spec: checkAgainstSpec finds nothing', async () => {
    const problems = await checkAgainstSpec(sim.journal);
    expect(problems).toEqual([]);
  });
});

describeWithSpec('checkAgainstSpec', () => {
  const entry = (method: string, path: string, body?: unknown): JournalEntry => ({
    at: 0,
    method,
    path,
    query: '',
    body,
    status: 200,
    authorized: true,
  });

  it('reports calls to no operation, and bodies that fail the request schema', async () => {
    const problems = await checkAgainstSpec([
      entry('GET', '/requests'),
      entry('POST', '/requests/PR-1/approve', { template_id: 'TL-1' }),
      entry('POST', '/requests/PR-1/explode', {}),
      entry('PUT', '/requests/PR-1', { asset: { params: [{ id: 'email', value_error: 42 }] } }),
      entry('POST', '/requests', {
        type: 'change',
        asset: { id: 'AS-1', items: [{ id: 'PRD-1-0001', quantity: '5' }] },
      }),
    ]);
    expect(problems.map((p) => `${p.entry.method} ${p.entry.path}`)).toEqual([
      'POST /requests/PR-1/explode',
      'PUT /requests/PR-1',
      'POST /requests',
    ]);
    expect(problems[0]!.problems).toEqual(['POST /requests/PR-1/explode: no such operation in the spec']);
    expect(problems[1]!.problems).toEqual([
      expect.stringContaining('/requestBody/asset/params/0/value_error must be string'),
    ]);
    expect(problems[2]!.problems).toContainEqual(
      expect.stringContaining('/requestBody/asset/items/0/quantity must be number'),
    );
  });
});
