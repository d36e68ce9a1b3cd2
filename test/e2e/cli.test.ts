import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { itPrintsNoStackFrames, spawnCli } from '../support/cli.ts';
import { EXAMPLE_HANDLERS, EXAMPLE_RULES, TEST_API_KEY } from '../support/harness.ts';

const FALLBALL = 'PRD-276-377-545';
const ACME = 'PRD-561-716-033';
const CONTOSO = 'PRD-318-044-707';
let dir: string;
let sim: RunningSimulator | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cf-e2e-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  return port;
}

/** The sum of a Prometheus counter's samples whose labels include `label`. */
function sumOf(text: string, metric: string, label: string): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${metric}{`) && line.includes(label))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

/** A YAML config file the way an operator writes one; the key comes from the environment. */
function writeConfig(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
}

function liveEnv(url: string): Record<string, string> {
  return { CONNECT_API_URL: url, CONNECT_API_KEY: TEST_API_KEY };
}

const examplesConfig = () =>
  writeConfig(
    'examples.yaml',
    [
      'poll:',
      '  pageSize: 5',
      'handlers:',
      `  - module: ${EXAMPLE_HANDLERS.fallball}`,
      `  - module: ${EXAMPLE_HANDLERS.acmeBackup}`,
      `  - ${JSON.stringify(EXAMPLE_RULES.contosoMail)}`, // YAML takes JSON as it is
    ].join('\n'),
  );

describe('connect-fulfillment (the built CLI)', () => {
  it('run-once processes the seeded queue and exits 0', async () => {
    sim = await startSimulator({ apiKey: TEST_API_KEY });
    const pendingBefore = sim.store.listRequests().filter((r) => r.status === 'pending');
    expect(pendingBefore.length).toBeGreaterThan(10);
    // The fallball handler asks for inquiring requests too.
    const inquiringBefore = sim.store
      .listRequests()
      .filter((r) => r.status === 'inquiring' && r.asset.product.id === FALLBALL);

    const cli = spawnCli(['run-once', '--config', examplesConfig()], liveEnv(sim.url));
    const { code } = await cli.exited;

    expect(code).toBe(0);
    const finished = cli.logLines().find((l) => l.event === 'cycle.finished');
    expect(finished).toMatchObject({
      result: 'completed',
      found: pendingBefore.length + inquiringBefore.length,
      pended: 1,
      errors: 0,
    });
    for (const before of pendingBefore) {
      const after = sim.store.getRequest(before.id)!;
      const product = before.asset.product.id;
      // Acme purchases provision asynchronously (skip); adjustments have no handler function (nor rule).
      const staysPending = (product === ACME && before.type === 'purchase') || before.type === 'adjustment';
      expect({ id: before.id, product, type: before.type, status: after.status }).toEqual({
        id: before.id,
        product,
        type: before.type,
        status: staysPending ? 'pending' : expect.stringMatching(/^(approved|failed|inquiring)$/),
      });
    }
    // Contoso Mail runs on rules alone: each purchase is inquired on exactly its bad parameters.
    const contoso = pendingBefore
      .filter((r) => r.asset.product.id === CONTOSO)
      .map((r) => {
        const after = sim!.store.getRequest(r.id)!;
        const errors = after.asset.params.filter((p) => p.value_error).map((p) => p.id);
        return { type: r.type, status: after.status, errors };
      });
    expect(contoso).toEqual([
      { type: 'purchase', status: 'approved', errors: [] },
      { type: 'purchase', status: 'approved', errors: [] },
      { type: 'purchase', status: 'inquiring', errors: ['admin_email'] },
      { type: 'purchase', status: 'inquiring', errors: ['mail_domain', 'plan'] },
      { type: 'change', status: 'approved', errors: [] },
      { type: 'cancel', status: 'approved', errors: [] },
    ]);
    const statuses = sim.store.listRequests().map((r) => r.status);
    expect(statuses).toEqual(expect.arrayContaining(['approved', 'failed', 'inquiring']));
    expect(cli.stdout()).not.toContain(TEST_API_KEY.split(':')[1]);
  });

  it('start runs a first cycle right away and exits 0 on SIGTERM', async () => {
    sim = await startSimulator({ apiKey: TEST_API_KEY });
    const cli = spawnCli(['start', '--config', examplesConfig()], liveEnv(sim.url));
    const started = await cli.waitForEvent('daemon.started');
    expect(started).toMatchObject({ mode: 'live', products: expect.arrayContaining([FALLBALL, ACME]) });
    await cli.waitForEvent('cycle.finished');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(cli.logLines().map((l) => l.event)).toEqual(
      expect.arrayContaining(['daemon.stopping', 'daemon.stopped']),
    );
  });

  it('start serves /healthz, /readyz and /metrics on ops.port, with counts matching what Connect saw', async () => {
    sim = await startSimulator({ apiKey: TEST_API_KEY });
    const port = await freePort();
    const cli = spawnCli(['start', '--config', examplesConfig()], {
      ...liveEnv(sim.url),
      OPS_PORT: String(port),
    });
    const finished = await cli.waitForEvent('cycle.finished');
    const base = `http://127.0.0.1:${port}`;

    const [health, ready, metrics] = await Promise.all(
      ['/healthz', '/readyz', '/metrics'].map((path) => fetch(base + path)),
    );
    expect([health!.status, ready!.status, metrics!.status]).toEqual([200, 200, 200]);
    expect(await ready!.json()).toMatchObject({ status: 'ok' });
    const text = await metrics!.text();
    const approved = sumOf(text, 'connect_fulfillment_requests_total', 'outcome="approved"');
    expect(approved).toBe(finished.approved);
    const accepted = Object.values(sim.stats().actions).reduce((n, a) => n + a.approve, 0);
    expect(approved).toBe(accepted);
    expect(text).toMatch(/^connect_fulfillment_last_successful_cycle_timestamp_seconds \d/m);
    expect(text).toMatch(/^process_cpu_seconds_total /m);

    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
  });

  it('exits 2 naming each bad key, before anything starts', async () => {
    const cli = spawnCli(
      ['run-once', '--config', writeConfig('bad.yaml', 'poll:\n  pageSize: 5000\nbogus: 1\n')],
      {
        CONNECT_API_URL: 'http://127.0.0.1:9/public/v1',
        CONNECT_API_KEY: TEST_API_KEY,
        RATE_LIMIT_RPS: 'fast',
      },
    );
    const { code } = await cli.exited;
    expect(code).toBe(2);
    expect(cli.stderr()).toMatch(/poll\.pageSize/);
    expect(cli.stderr()).toMatch(/bogus/);
    expect(cli.stderr()).toMatch(/rateLimit\.requestsPerSecond \(RATE_LIMIT_RPS\)/);
    expect(cli.stdout()).toBe('');
  });

  it('check-config prints the effective configuration with the key masked', async () => {
    const cli = spawnCli(['check-config', '--config', examplesConfig()], {
      CONNECT_API_URL: 'https://api.connect.cloudblue.com/public/v1',
      CONNECT_API_KEY: TEST_API_KEY,
      POLL_SCHEDULE: '0 */4 * * * *',
    });
    expect((await cli.exited).code).toBe(0);
    const printed = JSON.parse(cli.stdout()) as {
      connect: { url: string; apiKey: string };
      poll: { schedule: string; pageSize: number };
    };
    expect(printed.poll).toEqual({
      schedule: '0 */4 * * * *',
      pageSize: 5,
      connectionTypes: ['test', 'preview', 'production'],
    });
    expect(printed.connect.url).toBe('https://api.connect.cloudblue.com/public/v1');
    expect(printed.connect.apiKey).not.toContain(TEST_API_KEY.split(':')[1]);
  });

  it('exits 2 naming a handler module that does not load', async () => {
    const cli = spawnCli(
      ['run-once', '--config', writeConfig('missing.yaml', 'handlers:\n  - module: ./nope.js\n')],
      liveEnv('http://127.0.0.1:9/public/v1'),
    );
    const { code } = await cli.exited;
    expect(code).toBe(2);
    expect(cli.stderr()).toContain(join(dir, 'nope.js'));
  });

  it('exits 1 when Connect refuses the key', async () => {
    sim = await startSimulator({ apiKey: TEST_API_KEY });
    const cli = spawnCli(['run-once', '--config', examplesConfig()], {
      CONNECT_API_URL: sim.url,
      CONNECT_API_KEY: 'SU-0000-0000-0000:wrong-secret-abcdef',
    });
    expect((await cli.exited).code).toBe(1);
    expect(cli.logLines().find((l) => l.event === 'api.unauthorized')?.msg).toMatch(/CONNECT_API_KEY/);
    expect(cli.stdout()).not.toContain('wrong-secret-abcdef');
  });

  it('a handler that throws leaves its request pending and the others processed', async () => {
    sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
    const handler = writeConfig(
      'flaky-handler.js',
      `export default {
        products: ['PRD-900-000-001'],
        purchase(request) {
          if (request.asset.external_id === 'explode') throw new Error('vendor API exploded');
          return { action: 'approve', templateId: 'TL-1' };
        },
      };`,
    );
    const ids = ['a', 'explode', 'b'].map(
      (externalId) => sim!.store.addRequest({ productId: 'PRD-900-000-001', externalId }).id,
    );
    const cli = spawnCli(
      ['run-once', '--config', writeConfig('flaky.yaml', `handlers:\n  - module: ${handler}\n`)],
      liveEnv(sim.url),
    );
    expect((await cli.exited).code).toBe(0);
    expect(ids.map((id) => sim!.store.getRequest(id)?.status)).toEqual(['approved', 'pending', 'approved']);
    expect(cli.logLines().find((l) => l.event === 'request.error')).toMatchObject({
      requestId: ids[1],
      attempt: 1,
    });
  });
});

itPrintsNoStackFrames();
