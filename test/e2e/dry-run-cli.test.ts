import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FALLBALL, startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { itPrintsNoStackFrames, spawnCli } from '../support/cli.ts';
import { EXAMPLE_HANDLERS, TEST_API_KEY } from '../support/harness.ts';

let dir: string;
let sim: RunningSimulator;
let config: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cf-dry-'));
  sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
  config = join(dir, 'daemon.yaml');
  writeFileSync(config, `handlers:\n  - module: ${EXAMPLE_HANDLERS.fallball}\n    connectionTypes: [test]\n`);
  sim.store.addProduct(FALLBALL);
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('run-once --dry-run, on test connections', () => {
  it('says so in daemon.started and cycle.finished, logs a decision per test request, sends nothing', async () => {
    const onTest = [
      sim.store.addRequest({ productId: FALLBALL.id, connectionType: 'test' }),
      sim.store.addRequest({ productId: FALLBALL.id, connectionType: 'test' }),
    ];
    const onProduction = sim.store.addRequest({ productId: FALLBALL.id, connectionType: 'production' });
    const run = spawnCli(['run-once', '--dry-run', '--config', config], {
      CONNECT_API_URL: sim.url,
      CONNECT_API_KEY: TEST_API_KEY,
      POLL_CONNECTION_TYPES: 'test,production',
    });
    expect((await run.exited).code).toBe(0);
    const logs = run.logLines();
    expect(logs.find((l) => l.event === 'daemon.started')).toMatchObject({
      dryRun: true,
      connectionTypes: ['test'],
    });
    const decided = logs.filter((l) => l.event === 'request.decided');
    expect(decided.map((l) => l.requestId).sort()).toEqual(onTest.map((r) => r.id).sort());
    for (const line of decided) expect((line.calls as unknown[]).length).toBeGreaterThan(0);
    const finished = logs.find((l) => l.event === 'cycle.finished')!;
    expect(finished).toMatchObject({ dryRun: true, found: 2 });
    expect(finished.msg).toMatch(/^DRY RUN/);
    expect(new Set(sim.journal.map((e) => e.method))).toEqual(new Set(['GET']));
    for (const request of [...onTest, onProduction])
      expect(sim.store.getRequest(request.id)?.status).toBe('pending');
    expect(run.stdout()).not.toContain(TEST_API_KEY.split(':')[1]);
  });

  it('refuses a bad POLL_CONNECTION_TYPES with exit 2, naming the key', async () => {
    const run = spawnCli(['run-once', '--dry-run', '--config', config], {
      CONNECT_API_URL: sim.url,
      CONNECT_API_KEY: TEST_API_KEY,
      POLL_CONNECTION_TYPES: 'test,live',
    });
    expect((await run.exited).code).toBe(2);
    expect(run.stderr()).toContain(
      'poll.connectionTypes (POLL_CONNECTION_TYPES): must be a non-empty comma list',
    );
  });

  itPrintsNoStackFrames();
});
