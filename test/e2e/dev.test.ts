import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { itPrintsNoStackFrames, spawnCli, type SpawnedCli } from '../support/cli.ts';

/** A product the simulator's catalog does not know: dev makes one up for it. */
const PRODUCT = 'PRD-900-100-200';
const LIVE_KEY = 'ApiKey SU-LIVE-1111-2222:live-secret-never-used';

/**
 * The vendor's handler, version `tag`: approves changes and cancels, inquires on a bad e-mail, and
 * for good purchases does what `purchase` says (logging the version, so a test sees which code ran).
 */
function handlerSource(tag: string, purchase: string): string {
  return `export default {
  products: ['${PRODUCT}'],
  async purchase(request, context) {
    const email = request.asset.params.find((p) => p.id === 'email')?.value ?? '';
    if (!/^[^@\\s]+@[^@\\s]+\\.[a-z]+$/.test(email)) return { action: 'inquire', params: { email: 'Enter a valid e-mail.' } };
    context.log.info('purchase handled by ${tag}');
    return ${purchase};
  },
  async change() { return { action: 'approve', templateId: 'TL-100-000-001' }; },
  async cancel() { return { action: 'approve', templateId: 'TL-100-000-002' }; },
  tierConfig: { async setup() { return { action: 'approve', templateId: 'TL-100-000-003' }; } },
};
`;
}
const V1 = handlerSource('v1', "{ action: 'skip', reason: 'waiting for v2' }");
const V2 = handlerSource('v2', "{ action: 'approve', templateId: 'TL-200-000-001' }");

let dir: string;
let handlerFile: string;
let configFile: string;
let cli: SpawnedCli | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cf-dev-'));
  handlerFile = join(dir, 'handler.js');
  configFile = join(dir, 'config.yaml');
  writeFileSync(handlerFile, V1);
  // A live configuration: dev must not use its URL and key.
  writeFileSync(
    configFile,
    [
      'connect:',
      '  url: https://api.connect.cloudblue.com/public/v1',
      `  apiKey: "${LIVE_KEY}"`,
      'handlers:',
      '  - module: ./handler.js',
      '',
    ].join('\n'),
  );
});

afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  cli = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** The config's module becomes `name` (in the test's folder), holding v1. */
function useModule(name: string): string {
  const file = join(dir, name);
  writeFileSync(file, V1);
  writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('./handler.js', `./${name}`));
  return file;
}

function startDev(): SpawnedCli {
  cli = spawnCli(['dev', '--config', configFile, '--every', '1']);
  return cli;
}

/** Index of the first log line that matches, or -1. */
function indexOf(dev: SpawnedCli, match: (line: Record<string, unknown>) => boolean): number {
  return dev.logLines().findIndex(match);
}

/** The first matching log line after line `from`, waiting up to `timeoutMs` for it. */
async function lineAfter(
  dev: SpawnedCli,
  from: number,
  match: (line: Record<string, unknown>) => boolean,
  timeoutMs = 10_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = dev
      .logLines()
      .slice(from + 1)
      .find(match);
    if (line) return line;
    if (Date.now() > deadline || dev.child.exitCode !== null)
      throw new Error(
        `no matching line within ${timeoutMs} ms; stdout:\n${dev.stdout()}\nstderr:\n${dev.stderr()}`,
      );
    await sleep(50);
  }
}

const handledBy = (tag: string) => (line: Record<string, unknown>) =>
  line.event === 'handler.log' && line.msg === `purchase handled by ${tag}`;

describe('connect-fulfillment dev', () => {
  it('serves requests of the configured product to the handler, against the simulator, with a summary per cycle', async () => {
    const dev = startDev();
    const started = await dev.waitForEvent('daemon.started');
    expect(started).toMatchObject({ mode: 'dev', products: [PRODUCT] });
    expect(started.simulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/public\/v1$/);
    expect(started.msg).toContain('https://api.connect.cloudblue.com/public/v1 and its API key are not used');

    const summary = await dev.waitForEvent('dev.cycle', (l) => l.cycle === 1);
    const processed = dev.logLines().filter((l) => l.event === 'request.processed');
    expect(processed.every((l) => l.productId === PRODUCT)).toBe(true);
    const decided = new Set(processed.map((l) => `${String(l.type)} ${String(l.action)}`));
    // Every type the handler has a function for, and the purchase with a bad e-mail inquired.
    expect([...decided].sort()).toEqual([
      'cancel approve',
      'change approve',
      'purchase inquire',
      'purchase skip',
    ]);
    // suspend and resume were seeded too; this handler has no function for them.
    const unhandled = dev.logLines().filter((l) => l.event === 'request.unhandled');
    expect(unhandled.map((l) => l.type).sort()).toEqual(['resume', 'suspend']);
    expect(
      dev.logLines().some((l) => l.event === 'tcr.processed' && l.type === 'setup' && l.action === 'approve'),
    ).toBe(true);

    expect(summary).toMatchObject({ approved: 2, inquired: 1, failed: 0, unhandled: 2, tcrApproved: 2 });
    expect(summary.msg).toMatch(
      /^cycle 1: 2 approved, 1 inquired, 0 failed, \d+ skipped, 2 without a function; tier config: 2 approved, .* — \d+ ms$/,
    );
    expect(dev.stdout()).not.toContain('live-secret-never-used');
  });

  // .ts as `init` scaffolds it: Node strips the types of the re-imported `handler.ts?v=N` too.
  it.each(['handler.js', 'handler.ts'])(
    'loads a changed %s again within 2 s, and the next cycle runs the new code in the same process',
    async (name) => {
      handlerFile = useModule(name);
      const dev = startDev();
      await dev.waitForEvent('dev.cycle', (l) => l.cycle === 1);
      expect(indexOf(dev, handledBy('v1'))).toBeGreaterThanOrEqual(0);

      const before = dev.logLines().length - 1;
      writeFileSync(handlerFile, V2);
      const reloaded = await lineAfter(dev, before, (l) => l.event === 'dev.reloaded', 2_000);
      expect(reloaded).toMatchObject({ module: handlerFile, products: [PRODUCT] });

      const at = indexOf(dev, (l) => l.event === 'dev.reloaded');
      const approved = await lineAfter(
        dev,
        at,
        (l) => l.event === 'request.processed' && l.type === 'purchase' && l.action === 'approve',
      );
      expect(approved.productId).toBe(PRODUCT);
      await lineAfter(dev, at, handledBy('v2'));
      // v1 ran no more after the swap, and it was one process all along.
      expect(indexOf(dev, handledBy('v1'))).toBeLessThan(at);
      expect(dev.logLines().slice(at).some(handledBy('v1'))).toBe(false);
      expect(dev.logLines().filter((l) => l.event === 'daemon.started')).toHaveLength(1);
      expect(dev.child.exitCode).toBeNull();
    },
  );

  it('swaps a version loaded mid-cycle only after that cycle: a cycle never mixes two versions', async () => {
    // v1 takes its time over each purchase: the change lands while the first cycle runs.
    writeFileSync(
      handlerFile,
      V1.replace(
        "context.log.info('purchase handled by v1');",
        "context.log.info('purchase handled by v1'); await new Promise((done) => setTimeout(done, 1500));",
      ),
    );
    const dev = startDev();
    const busy = await dev.waitForEvent('handler.log', handledBy('v1'));
    writeFileSync(handlerFile, V2);
    const reloaded = await dev.waitForEvent('dev.reloaded', () => true, 5_000);
    await dev.waitForEvent('cycle.finished', (l) => l.cycleId === busy.cycleId);
    const lines = dev.logLines();
    const finished = lines.findIndex((l) => l.event === 'cycle.finished' && l.cycleId === busy.cycleId);
    expect(lines.findIndex((l) => l.event === 'dev.reloaded')).toBeGreaterThan(finished);
    expect(lines.some((l) => handledBy('v2')(l) && l.cycleId === busy.cycleId)).toBe(false);
    expect(reloaded.module).toBe(handlerFile);
    await lineAfter(dev, finished, handledBy('v2'));
  });

  it('keeps the running handler when a change does not load, naming the file, and takes the next good one', async () => {
    const dev = startDev();
    await dev.waitForEvent('dev.cycle', (l) => l.cycle === 1);

    const before = dev.logLines().length - 1;
    writeFileSync(handlerFile, V1.replace('async change()', 'async change( {'));
    const failed = await lineAfter(dev, before, (l) => l.event === 'dev.reload_failed', 2_000);
    expect(failed.level).toBe('error');
    expect(failed.modules).toEqual([handlerFile]);
    expect(String(failed.msg)).toContain(handlerFile);
    expect(String(failed.msg)).toMatch(/syntax error at line \d+/);
    expect(String(failed.msg)).toContain('the previous version keeps running');

    // The next cycles still run v1.
    const at = indexOf(dev, (l) => l.event === 'dev.reload_failed');
    const nextCycle = await lineAfter(dev, at, (l) => l.event === 'dev.cycle');
    expect(nextCycle.skipped).toBeGreaterThan(0);
    await lineAfter(dev, at, handledBy('v1'));

    writeFileSync(handlerFile, V2);
    await lineAfter(dev, at, (l) => l.event === 'dev.reloaded', 2_000);
    await lineAfter(dev, at, handledBy('v2'));
  });
});

describe('connect-fulfillment dev: bad input', () => {
  it('exits 2 naming the key of an invalid configuration, before starting anything', async () => {
    writeFileSync(configFile, 'poll:\n  pageSize: 0\nhandlers:\n  - module: ./handler.js\n');
    const dev = startDev();
    expect((await dev.exited).code).toBe(2);
    expect(dev.stderr()).toContain('dev: invalid configuration');
    expect(dev.stderr()).toContain('poll.pageSize');
    expect(dev.stdout()).toBe('');
  });

  it('exits 2 naming the module that does not load', async () => {
    writeFileSync(handlerFile, 'export default {');
    const dev = startDev();
    expect((await dev.exited).code).toBe(2);
    expect(dev.stderr()).toContain(`handlers[0] (${handlerFile}): syntax error`);
  });

  it('exits 2 without --config, and for a configuration without handlers', async () => {
    const bare = spawnCli(['dev']);
    expect((await bare.exited).code).toBe(2);
    expect(bare.stderr()).toContain('--config FILE is required');

    writeFileSync(configFile, 'log:\n  level: info\n');
    const empty = startDev();
    expect((await empty.exited).code).toBe(2);
    expect(empty.stderr()).toContain('handlers:');
  });
});

itPrintsNoStackFrames();
