import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { statusSchema, type Status } from '../../src/ops/status-schema.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { spawnCli, type SpawnedCli } from '../support/cli.ts';
import { EXAMPLE_HANDLERS, TEST_API_KEY } from '../support/harness.ts';

const FALLBALL = 'PRD-276-377-545';
/** Debian's chromium (.ci/run installs it); playwright-core never downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';

let dir: string;
let sim: RunningSimulator;
let cli: SpawnedCli | undefined;
let browser: Browser | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cf-status-'));
});
afterAll(async () => {
  await browser?.close();
  cli?.child.kill('SIGTERM');
  await cli?.exited;
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

/** /status.json, validated, once `ready` says it shows what the test needs (or the deadline passes). */
async function statusWhen(base: string, ready: (status: Status) => boolean): Promise<Status> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const status = statusSchema.parse(await (await fetch(`${base}/status.json`)).json());
    if (ready(status) || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

it('the status page shows cycles, the request in backoff and its handler error, loading nothing from outside', async () => {
  sim = await startSimulator({ apiKey: TEST_API_KEY });
  const failing = sim.store
    .listRequests()
    .find((r) => r.status === 'pending' && r.type === 'purchase' && r.asset.product.id === FALLBALL)!;
  // The example handler, except that one request's vendor call fails every time.
  const handler = join(dir, 'flaky.js');
  writeFileSync(
    handler,
    [
      `import fallball from ${JSON.stringify(pathToFileURL(EXAMPLE_HANDLERS.fallball).href)};`,
      'export default {',
      '  ...fallball,',
      '  async purchase(request, context) {',
      `    if (request.id === ${JSON.stringify(failing.id)}) throw new Error('vendor API is down <b>now</b>');`,
      '    return fallball.purchase(request, context);',
      '  },',
      '};',
    ].join('\n'),
  );
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `handlers:\n  - module: ${handler}\n`);
  const port = await freePort();
  cli = spawnCli(['start', '--config', config], {
    CONNECT_API_URL: sim.url,
    CONNECT_API_KEY: TEST_API_KEY,
    OPS_PORT: String(port),
    POLL_SCHEDULE: '*/1 * * * * *',
    PROCESSING_BACKOFF_BASE_MS: '500',
    PROCESSING_BACKOFF_MAX_MS: '2000',
  });
  const base = `http://127.0.0.1:${port}`;
  await cli.waitForEvent('ops.listening');

  const status = await statusWhen(
    base,
    (s) => s.cycles.filter((c) => c.result === 'completed').length >= 3 && (s.backoff[0]?.attempts ?? 0) >= 2,
  );
  expect(status.cycles.filter((c) => c.result === 'completed').length).toBeGreaterThanOrEqual(3);
  expect(status.backoff).toEqual([
    expect.objectContaining({
      requestId: failing.id,
      lastErrorCode: 'handler_error',
      attempts: expect.any(Number),
    }),
  ]);
  expect(status.backoff[0]!.attempts).toBeGreaterThanOrEqual(2);
  expect(status.handlerErrors[0]).toMatchObject({ requestId: failing.id, code: 'handler_error' });
  expect(JSON.stringify(status)).not.toContain(TEST_API_KEY.split(':')[1]);
  // What Connect ended up with: the failing request is still pending, the others were handled.
  expect(sim.store.getRequest(failing.id)!.status).toBe('pending');

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(5000);
  const consoleErrors: string[] = [];
  const requested: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(err.message));
  page.on('request', (req) => requested.push(req.url()));
  const response = await page.goto(`${base}/`, { waitUntil: 'load' });
  expect(response!.status()).toBe(200);

  const text = (selector: string) => page.locator(selector).innerText();
  expect(await text('#role')).toBe('single');
  const cycleRows = page.locator('h2#cycles + table tbody tr');
  // A cycle starts every second, so the newest row may be one still running.
  expect(await cycleRows.filter({ hasText: 'completed' }).count()).toBeGreaterThanOrEqual(3);
  const backoff = await page.locator('h2#backoff + table').innerText();
  expect(backoff).toContain(failing.id);
  expect(backoff).toContain('handler_error: handler threw: vendor API is down <b>now</b>');
  const errors = await page.locator('h2#errors + table').innerText();
  expect(errors).toContain(failing.id);
  // The handler's markup is shown as text, never rendered.
  expect(await page.locator('td b').count()).toBe(0);
  expect(await text('#config + pre')).toContain('SU-TEST-0000-0001:****');

  if (process.env.STATUS_SCREENSHOT)
    await page.screenshot({ path: process.env.STATUS_SCREENSHOT, fullPage: true });
  expect(consoleErrors).toEqual([]);
  expect(requested.filter((url) => !url.startsWith(`${base}/`))).toEqual([]);
}, 60_000);
