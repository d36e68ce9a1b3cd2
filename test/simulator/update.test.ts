import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  FALLBALL,
  startSimulator,
  type RequestStatus,
  type RunningSimulator,
} from '../../src/simulator/index.ts';
import { api } from './helpers.ts';

let sim: RunningSimulator;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  sim = await startSimulator({ seed: false });
  sim.store.addProduct(FALLBALL);
  client = api(sim);
});
afterAll(() => sim.close());

const purchase = (status: RequestStatus = 'pending') =>
  sim.store.addRequest({
    productId: FALLBALL.id,
    status,
    params: { email: 'john.doe@', domain: 'acme.example.com' },
  });
const param = (requestId: string, id: string) =>
  sim.store.getRequest(requestId)!.asset.params.find((p) => p.id === id)!;

describe('PUT /requests/{id}', () => {
  it('sets value_error, value and structured_value of parameters, and the note', async () => {
    const request = purchase();
    const answer = await client.put(`/requests/${request.id}`, {
      note: 'Checked by provisioning',
      asset: {
        params: [
          { id: 'email', value_error: 'Not a valid e-mail address.' },
          { id: 'subscription_id', value: 'FB-483920' },
          {
            id: 'domain',
            structured_value: {
              address_line1: '1 Main St',
              city: 'Austin',
              state: 'Texas',
              postal_code: '73301',
              country: 'US',
            },
          },
        ],
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.note).toBe('Checked by provisioning');
    expect(param(request.id, 'email')).toMatchObject({
      value: 'john.doe@',
      value_error: 'Not a valid e-mail address.',
    });
    expect(param(request.id, 'subscription_id').value).toBe('FB-483920');
    expect(param(request.id, 'domain').structured_value).toMatchObject({ city: 'Austin' });
    expect(answer.body.asset.params).toEqual(sim.store.getRequest(request.id)!.asset.params);
  });

  it('clears a value_error with null and removes a structured_value with null', async () => {
    const request = purchase();
    await client.put(`/requests/${request.id}`, {
      asset: { params: [{ id: 'email', value_error: 'bad', structured_value: { a: 1 } }] },
    });
    await client.put(`/requests/${request.id}`, {
      asset: { params: [{ id: 'email', value_error: null, structured_value: null }] },
    });
    expect(param(request.id, 'email').value_error).toBeNull();
    expect(param(request.id, 'email')).not.toHaveProperty('structured_value');
  });

  it('accepts other fields sent back unchanged (clients echo objects)', async () => {
    const request = purchase();
    const echoed = {
      id: request.id,
      status: 'pending',
      asset: {
        id: request.asset.id,
        params: [{ ...param(request.id, 'email'), value: 'admin@acme.example.com' }],
      },
    };
    const answer = await client.put(`/requests/${request.id}`, echoed);
    expect(answer.status).toBe(200);
    expect(param(request.id, 'email').value).toBe('admin@acme.example.com');
  });

  it.each([
    ['a top-level field', { status: 'approved' }, 'status cannot be changed'],
    ['an asset field', { asset: { external_id: 'other' } }, 'asset.external_id cannot be changed'],
    [
      'a parameter field other than value/structured_value/value_error',
      { asset: { params: [{ id: 'email', title: 'Hacked' }] } },
      'asset.params[email].title cannot be changed',
    ],
    [
      'an unknown parameter',
      { asset: { params: [{ id: 'colour', value: 'blue' }] } },
      'Parameter colour does not exist',
    ],
    [
      'a parameter without id',
      { asset: { params: [{ value: 'x' }] } },
      'asset.params[0] must be an object with a string id',
    ],
    [
      'a non-string value',
      { asset: { params: [{ id: 'email', value: 42 }] } },
      'asset.params[email].value must be a string or null',
    ],
    ['params that are not a list', { asset: { params: { id: 'email' } } }, 'asset.params must be an array'],
  ])('refuses to change %s, naming it, and changes nothing', async (_what, body, message) => {
    const request = purchase();
    const answer = await client.put(`/requests/${request.id}`, { ...body, note: 'must not be applied' });
    expect(answer.status).toBe(400);
    expect(answer.body.error_code).toBe('VAL_001');
    expect(answer.body.errors[0]).toContain(message);
    expect(sim.store.getRequest(request.id)).toEqual(request);
  });

  it.each(['approved', 'failed', 'revoked'] as const)(
    'refuses any change to a %s request',
    async (status) => {
      const request = purchase(status);
      const answer = await client.put(`/requests/${request.id}`, {
        asset: { params: [{ id: 'email', value_error: 'late' }] },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error_code).toBe('REQ_003');
      expect(param(request.id, 'email').value_error).toBeNull();
    },
  );

  it.each(['draft', 'tiers_setup', 'pending', 'inquiring'] as const)(
    'accepts changes to a %s request',
    async (status) => {
      const request = purchase(status);
      expect(
        (
          await client.put(`/requests/${request.id}`, {
            asset: { params: [{ id: 'email', value_error: 'x' }] },
          })
        ).status,
      ).toBe(200);
    },
  );

  it('is a 404 for an unknown request', async () => {
    expect((await client.put('/requests/PR-9999-9999-9999-001', { note: 'x' })).status).toBe(404);
  });
});
