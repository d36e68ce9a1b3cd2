import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { itPrintsNoStackFrames, spawnCli } from '../support/cli.ts';
import { TEST_API_KEY } from '../support/harness.ts';

const PRODUCT = 'PRD-900-000-001';
let dir: string;
let sim: RunningSimulator | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cf-errors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A config with one handler module of the given source, for PRODUCT. */
function handlerConfig(name: string, source: string): string {
  writeFileSync(join(dir, `${name}.js`), source);
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, `handlers:\n  - module: ./${name}.js\n`);
  return config;
}

const live = (extra: Record<string, string> = {}) => ({
  CONNECT_API_URL: sim!.url,
  CONNECT_API_KEY: TEST_API_KEY,
  ...extra,
});

describe('expected errors are one line, naming what is wrong', () => {
  it('a refused API key: one pretty line on a terminal, no error object, exit 1', async () => {
    sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
    const config = handlerConfig(
      'ok',
      `export default { products: ['${PRODUCT}'], purchase: () => ({ action: 'skip' }) };`,
    );
    const cli = spawnCli(['run-once', '--config', config], {
      ...live({ LOG_FORMAT: 'pretty' }),
      CONNECT_API_KEY: 'SU-0000-0000-0000:wrong-secret-abcdef',
    });
    expect((await cli.exited).code).toBe(1);
    const refused = cli
      .stdout()
      .split('\n')
      .filter((line) => line.includes('[api.unauthorized]'));
    expect(refused).toEqual([
      expect.stringMatching(
        /Connect refused the API key \(connect\.apiKey \/ CONNECT_API_KEY\): GET \/requests: 401/,
      ),
    ]);
    // Every line of the output is an event line: nothing continues over further lines.
    expect(
      cli
        .stdout()
        .trim()
        .split('\n')
        .every((line) => /^\[\d\d:\d\d:\d\d\.\d+\] [A-Z]+: \[/.test(line)),
    ).toBe(true);
    expect(cli.stdout()).not.toContain('wrong-secret-abcdef');
  });

  it('the stack of an expected error is logged at debug level only', async () => {
    sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
    const config = handlerConfig(
      'ok2',
      `export default { products: ['${PRODUCT}'], purchase: () => ({ action: 'skip' }) };`,
    );
    const cli = spawnCli(
      ['run-once', '--config', config],
      {
        ...live({ LOG_LEVEL: 'debug' }),
        CONNECT_API_KEY: 'SU-0000-0000-0000:wrong-secret-abcdef',
      },
      { stackExpected: true },
    );
    expect((await cli.exited).code).toBe(1);
    const line = cli.logLines().find((l) => l.event === 'api.unauthorized') as { err: { stack?: string } };
    expect(line.err.stack).toMatch(/transport\.js:\d+/);
  });

  it('an invalid outcome and a throwing handler name the handler, its module and function', async () => {
    sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
    const invalid = sim.store.addRequest({ productId: PRODUCT, externalId: 'invalid' }).id;
    const throws = sim.store.addRequest({ productId: PRODUCT, externalId: 'throws' }).id;
    const config = handlerConfig(
      'vendor',
      `export default {
        name: 'vendor',
        products: ['${PRODUCT}'],
        purchase(request) {
          if (request.asset.external_id === 'throws') throw new Error('vendor API is down');
          return { action: 'approve' }; // neither templateId nor activationTile
        },
      };`,
    );
    const cli = spawnCli(['run-once', '--config', config], live());
    expect((await cli.exited).code).toBe(0);
    const errors = cli.logLines().filter((l) => l.event === 'request.error');
    const module = join(dir, 'vendor.js');
    for (const id of [invalid, throws]) {
      expect(errors.find((l) => l.requestId === id)).toMatchObject({
        handler: 'vendor',
        handlerModule: module,
        handlerFunction: 'purchase',
        msg: expect.stringContaining(`${id}: handler vendor (${module}) purchase(): `),
      });
    }
    expect(errors.find((l) => l.requestId === throws)?.msg).toContain('vendor API is down');
    expect([invalid, throws].map((id) => sim!.store.getRequest(id)?.status)).toEqual(['pending', 'pending']);
  });
});

describe('smaller log fixes', () => {
  it('Connect unreachable: ECONNREFUSED said once, api.retry numbered like its message', async () => {
    const config = handlerConfig(
      'ok3',
      `export default { products: ['${PRODUCT}'], purchase: () => ({ action: 'skip' }) };`,
    );
    const cli = spawnCli(['run-once', '--config', config], {
      CONNECT_API_URL: 'http://127.0.0.1:9/public/v1',
      CONNECT_API_KEY: TEST_API_KEY,
      RETRY_MAX_ATTEMPTS: '2',
      RETRY_BASE_DELAY_MS: '10',
    });
    expect((await cli.exited).code).toBe(1);
    const retry = cli.logLines().find((l) => l.event === 'api.retry');
    expect(retry).toMatchObject({ attempt: 1, msg: expect.stringContaining('attempt 1/2 failed') });
    const aborted = cli.logLines().find((l) => l.event === 'cycle.aborted') as {
      msg: string;
      err: { message: string };
    };
    expect(aborted.msg.match(/ECONNREFUSED/g)).toHaveLength(1);
    expect(aborted.err.message.match(/ECONNREFUSED/g)).toHaveLength(1);
  });

  it('a distributor command prints its data on stdout and nothing on stderr when all goes well', async () => {
    sim = await startSimulator({ apiKey: TEST_API_KEY });
    const cli = spawnCli(['usage', 'records', '--file', 'UF-2026-11-0001'], live());
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout().split('\n').length).toBeGreaterThan(1);
    expect(cli.stderr()).toBe(''); // no api.connected, no handler warnings
  });
});

describe('unhandled requests are counted apart from skips', () => {
  it('in cycle.finished and in requests_total{outcome="unhandled"}', async () => {
    sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
    sim.store.addRequest({ productId: PRODUCT, type: 'purchase' });
    const change = sim.store.addRequest({ productId: PRODUCT, type: 'change' }).id;
    const config = handlerConfig(
      'purchase-only',
      `export default { products: ['${PRODUCT}'], purchase: () => ({ action: 'skip', reason: 'later' }) };`,
    );
    const cli = spawnCli(['start', '--config', config], live({ OPS_PORT: '0' }));
    const finished = await cli.waitForEvent('cycle.finished');
    expect(finished).toMatchObject({ found: 2, skipped: 1, unhandled: 1 });
    expect(cli.logLines().find((l) => l.event === 'request.unhandled')).toMatchObject({
      requestId: change,
      type: 'change',
    });
    cli.child.kill('SIGTERM');
    expect((await cli.exited).code).toBe(0);
  });
});

describe('handler log lines', () => {
  it('carry an event (handler.log) like every other line', async () => {
    sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
    const id = sim.store.addRequest({ productId: PRODUCT }).id;
    const config = handlerConfig(
      'chatty',
      `export default { products: ['${PRODUCT}'], purchase(request, { log }) { log.info({ step: 1 }, 'looking it up'); return { action: 'skip' }; } };`,
    );
    const cli = spawnCli(['run-once', '--config', config], live());
    expect((await cli.exited).code).toBe(0);
    expect(cli.logLines().find((l) => l.msg === 'looking it up')).toMatchObject({
      event: 'handler.log',
      requestId: id,
      step: 1,
    });
    expect(cli.logLines().every((l) => typeof l.event === 'string')).toBe(true);
  });
});

itPrintsNoStackFrames();
