import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { itPrintsNoStackFrames, spawnCli } from '../support/cli.ts';
import { TEST_API_KEY } from '../support/harness.ts';

const PRODUCT = 'PRD-900-000-001';
let dir: string;
let sim: RunningSimulator | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cf-shutdown-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/**
 * A handler module whose purchase logs `handler.begin`, then takes `takesMs` (or never settles, ignoring
 * its signal, when takesMs is -1), then approves. A `crash` external id throws outside any promise.
 */
function handlerConfig(name: string, takesMs: number): string {
  const module = join(dir, `${name}.js`);
  writeFileSync(
    module,
    `export default {
      products: ['${PRODUCT}'],
      async purchase(request, { log }) {
        if (request.asset.external_id === 'crash') setTimeout(() => { throw new Error('bug in a timer callback'); }, 10);
        log.info({ event: 'handler.begin' }, 'handler started');
        if (${takesMs} < 0) await new Promise(() => {});
        await new Promise((resolve) => setTimeout(resolve, ${takesMs}));
        return { action: 'approve', templateId: 'TL-1' };
      },
    };`,
  );
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, `processing:\n  concurrency: 2\nhandlers:\n  - module: ./${name}.js\n`);
  return config;
}

async function queue(count: number, externalId?: string): Promise<string[]> {
  sim ??= await startSimulator({ apiKey: TEST_API_KEY, seed: false });
  return Array.from({ length: count }, () => sim!.store.addRequest({ productId: PRODUCT, externalId }).id);
}

const env = (extra: Record<string, string> = {}) => ({
  CONNECT_API_URL: sim!.url,
  CONNECT_API_KEY: TEST_API_KEY,
  ...extra,
});
const statuses = (ids: string[]) => ids.map((id) => sim!.store.getRequest(id)?.status);
const postsFor = (id: string) => sim!.journal.filter((e) => e.method !== 'GET' && e.path.includes(id));

describe('shutdown of the spawned daemon', () => {
  it('SIGTERM mid-cycle: in-flight requests finish within the grace period, no new one starts, exit 0', async () => {
    const ids = await queue(6);
    const cli = spawnCli(['start', '--config', handlerConfig('slow', 1_000)], env());
    await cli.waitForEvent('handler.begin');
    cli.child.kill('SIGTERM');

    expect(await cli.exited).toEqual({ code: 0, signal: null });
    const begun = cli
      .logLines()
      .filter((l) => l.event === 'handler.begin')
      .map((l) => l.requestId as string);
    expect(begun).toHaveLength(2); // processing.concurrency
    expect(statuses(begun)).toEqual(['approved', 'approved']);
    for (const id of ids.filter((id) => !begun.includes(id))) {
      expect({ id, status: sim!.store.getRequest(id)?.status, writes: postsFor(id) }).toEqual({
        id,
        status: 'pending',
        writes: [],
      });
    }
    expect(cli.logLines().find((l) => l.event === 'daemon.stopping')).toMatchObject({
      signal: 'SIGTERM',
      inFlight: 2,
    });
    expect(cli.logLines().find((l) => l.event === 'daemon.stopped')).toMatchObject({ clean: true });
  });

  it('after the grace period, handlers still running are aborted; their requests stay pending; exit 0', async () => {
    const ids = await queue(2);
    const cli = spawnCli(['start', '--config', handlerConfig('hung', -1)], env({ SHUTDOWN_GRACE_MS: '300' }));
    await cli.waitForEvent('handler.begin');
    cli.child.kill('SIGTERM');

    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(statuses(ids)).toEqual(['pending', 'pending']);
    expect(cli.logLines().find((l) => l.event === 'daemon.stopped')).toMatchObject({ clean: false });
  });

  it('a second signal exits at once with code 1', async () => {
    await queue(1);
    const cli = spawnCli(
      ['start', '--config', handlerConfig('hung2', -1)],
      env({ SHUTDOWN_GRACE_MS: '60000' }),
    );
    await cli.waitForEvent('handler.begin');
    cli.child.kill('SIGTERM');
    await cli.waitForEvent('daemon.stopping');
    cli.child.kill('SIGINT');

    expect(await cli.exited).toEqual({ code: 1, signal: null });
    expect(
      cli
        .logLines()
        .filter((l) => l.event === 'daemon.stopping')
        .at(-1),
    ).toMatchObject({ signal: 'SIGINT', forced: true });
  });

  it('SIGTERM during a Retry-After pause ends the sleep and exits 0', async () => {
    const ids = await queue(1);
    sim!.use(
      http.get(
        '*/public/v1/requests',
        () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': '60' } }),
      ),
    );
    const cli = spawnCli(['start', '--config', handlerConfig('paused', 0)], env());
    await cli.waitForEvent('api.retry', (l) => l.delayMs === 60_000);
    cli.child.kill('SIGTERM');

    expect(await cli.exited).toEqual({ code: 0, signal: null });
    expect(statuses(ids)).toEqual(['pending']);
    expect(cli.logLines().find((l) => l.event === 'cycle.finished')).toMatchObject({ result: 'interrupted' });
  });

  it('stops (exit 1) instead of spinning when the reader of its output goes away', async () => {
    await queue(3);
    const cli = spawnCli(
      ['start', '--config', handlerConfig('piped', 0)],
      env({ POLL_SCHEDULE: '* * * * * *' }),
    );
    await cli.waitForEvent('daemon.started');
    cli.child.stdout!.destroy(); // like `connect-fulfillment start | head -1` once head exits

    expect(await cli.exited).toEqual({ code: 1, signal: null });
  });

  it('an uncaught exception is logged as fatal and exits 1', async () => {
    await queue(1, 'crash');
    const cli = spawnCli(['start', '--config', handlerConfig('crashy', 2_000)], env(), {
      stackExpected: true,
    });

    expect(await cli.exited).toEqual({ code: 1, signal: null });
    expect(cli.logLines().find((l) => l.event === 'daemon.crashed')).toMatchObject({
      level: 'fatal',
      kind: 'uncaughtException',
      err: expect.objectContaining({ message: 'bug in a timer callback' }),
      stack: expect.stringMatching(/crashy\.js:\d+:\d+/), // a crash is a bug: where it happened
    });
  });
});

itPrintsNoStackFrames();
