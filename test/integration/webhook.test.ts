import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { compileWebhook, type WebhookHandler } from '../../src/handlers/webhook/compile.ts';
import type { ParamDefinition, Product } from '../../src/simulator/model.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const PYTHON_WEBHOOK = fileURLToPath(new URL('../../examples/webhook/webhook.py', import.meta.url));
const SECRET = 'whsec-test-7c1e9a4b2d8f6e3a';
const PRODUCT_ID = 'PRD-700-300-400';
const param = (id: string): ParamDefinition => ({ id, title: id, type: 'text', phase: 'ordering' });
const PRODUCT: Product = {
  id: PRODUCT_ID,
  name: 'Webhook product',
  params: ['email', 'reject_reason'].map(param),
  items: [
    { id: `${PRODUCT_ID}-0001`, mpn: 'W-1', display_name: 'Seats', unit: 'seats', item_type: 'Reservation' },
  ],
};

let harness: Harness | undefined;
let webhook: WebhookHandler | undefined;
let python: ChildProcess | undefined;
let server: Server | undefined;
afterEach(async () => {
  await harness?.close();
  await webhook?.close();
  python?.kill();
  server?.closeAllConnections();
  server?.close();
  harness = webhook = python = server = undefined;
});

/** The example webhook, run by the machine's python3; resolves with its URL once it listens. */
async function startPythonWebhook(secret: string): Promise<string> {
  python = spawn('python3', [PYTHON_WEBHOOK], {
    env: { PATH: process.env.PATH, WEBHOOK_SECRET: secret, PORT: '0', TEMPLATE_ID: 'TL-PY-001' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  for await (const chunk of python.stdout!) {
    out += String(chunk);
    const port = /listening on (\d+)/.exec(out)?.[1];
    if (port) return `http://127.0.0.1:${port}/fulfill`;
  }
  throw new Error(`the python webhook did not start: ${out}`);
}

/** A webhook written in the test, for answers the example never gives. */
async function startNodeWebhook(answer: (res: import('node:http').ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

async function start(url: string, handlerTimeoutMs = 5_000): Promise<Harness> {
  webhook = compileWebhook({ url, secret: SECRET }, 'webhook[0]');
  harness = await startHarness({
    handlers: [{ ...webhook, products: [PRODUCT_ID] }],
    settings: (s) => ({ ...s, processing: { ...s.processing, handlerTimeoutMs } }),
  });
  harness.sim.store.addProduct(PRODUCT);
  return harness;
}

describe('a webhook handler against the simulator', () => {
  it('the Python example approves, inquires and fails requests', async () => {
    const { sim, daemon, logs } = await start(await startPythonWebhook(SECRET));
    const good = sim.store.addRequest({
      type: 'purchase',
      productId: PRODUCT_ID,
      params: { email: 'ann@example.com' },
    });
    const bad = sim.store.addRequest({ type: 'purchase', productId: PRODUCT_ID, params: { email: 'ann@' } });
    const rejected = sim.store.addRequest({
      type: 'purchase',
      productId: PRODUCT_ID,
      params: { email: 'bob@example.com', reject_reason: 'Out of stock in your region.' },
    });

    const summary = await daemon.runCycle();

    expect(sim.store.getRequest(good.id)?.status).toBe('approved');
    expect(sim.store.getRequest(bad.id)?.status).toBe('inquiring');
    expect(sim.store.getRequest(bad.id)?.asset.params.find((p) => p.id === 'email')?.value_error).toBe(
      'Enter a valid e-mail address.',
    );
    expect(sim.store.getRequest(rejected.id)?.status).toBe('failed');
    expect(sim.store.getRequest(rejected.id)?.reason).toBe('Out of stock in your region.');
    expect(summary).toMatchObject({ approved: 1, inquired: 1, failed: 1, errors: 0 });
    expect(logs.events('request.processed').every((line) => line.handler === 'webhook[0]')).toBe(true);
  });

  it('the Python example approves a tier config request, sent as kind tier_config_request', async () => {
    const { sim, daemon, logs } = await start(await startPythonWebhook(SECRET));
    const reseller = sim.store.addRequest({ productId: PRODUCT_ID, params: { email: 'ann@example.com' } })
      .asset.tiers.tier1;
    const tcr = sim.store.addTierConfigRequest({
      productId: PRODUCT_ID,
      account: reseller,
      params: { code: 'R-1' },
    });

    const summary = await daemon.runCycle();

    expect(summary).toMatchObject({ tcrFound: 1, tcrApproved: 1, tcrErrors: 0 });
    expect(sim.store.getTierConfigRequest(tcr.id)).toMatchObject({
      status: 'approved',
      template: { id: 'TL-PY-001' },
    });
    expect(logs.events('tcr.processed')).toEqual([
      expect.objectContaining({ tcrId: tcr.id, handler: 'webhook[0]', action: 'approve' }),
    ]);
  });

  it('a wrong secret: the webhook answers 401, a handler error, the request stays pending and backs off', async () => {
    const { sim, daemon, logs } = await start(await startPythonWebhook('a-different-secret-0123456789'));
    const request = sim.store.addRequest({
      type: 'purchase',
      productId: PRODUCT_ID,
      params: { email: 'ann@example.com' },
    });

    expect(await daemon.runCycle()).toMatchObject({ errors: 1, approved: 0 });
    const [error] = logs.events('request.error');
    expect(error).toMatchObject({ requestId: request.id, handler: 'webhook[0]', code: 'handler_error' });
    expect(String(error!.msg)).toMatch(/answered 401/);
    expect(error!.nextAttemptInMs).toBeGreaterThan(0);

    await daemon.runCycle(); // backed off: not sent again yet
    expect(logs.events('request.error')).toHaveLength(1);
    expect(logs.events('request.deferred').map((line) => line.requestId)).toEqual([request.id]);
    expect(sim.store.getRequest(request.id)?.status).toBe('pending');
    expect(logs.text()).not.toContain(SECRET);
  });

  it('a webhook that hangs is cut at the handler deadline', async () => {
    const { sim, daemon, logs } = await start(await startNodeWebhook(() => {}), 300);
    const request = sim.store.addRequest({ type: 'purchase', productId: PRODUCT_ID });

    expect(await daemon.runCycle()).toMatchObject({ errors: 1 });
    expect(logs.events('request.error')).toEqual([
      expect.objectContaining({ requestId: request.id, code: 'handler_timeout', handler: 'webhook[0]' }),
    ]);
    expect(sim.store.getRequest(request.id)?.status).toBe('pending');
  });

  it.each([
    ['a body that is not JSON', 'surely not json', /not JSON/],
    ['JSON that is not an outcome', '{"action":"approve"}', /invalid outcome/],
  ])('a webhook answering %s is a handler error', async (_what, body, message) => {
    const { sim, daemon, logs } = await start(
      await startNodeWebhook((res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body)),
    );
    const request = sim.store.addRequest({ type: 'purchase', productId: PRODUCT_ID });

    expect(await daemon.runCycle()).toMatchObject({ errors: 1 });
    const [error] = logs.events('request.error');
    expect(error).toMatchObject({ requestId: request.id, handler: 'webhook[0]' });
    expect(String(error!.msg)).toMatch(message);
    expect(sim.store.getRequest(request.id)?.status).toBe('pending');
  });
});
