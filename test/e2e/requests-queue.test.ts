import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pino from 'pino';
import { connectTo } from '../../src/connect/index.ts';
import { findConversation, postMessage } from '../../src/connect/conversations.ts';
import { ACME_BACKUP, FALLBALL, startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { itPrintsNoStackFrames, spawnCli } from '../support/cli.ts';
import { TEST_API_KEY } from '../support/harness.ts';

let sim: RunningSimulator;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
  // Pages of 3 over a queue of 8: the listing has to page, on the daemon's keyset.
  env = {
    CONNECT_API_URL: sim.url,
    CONNECT_API_KEY: TEST_API_KEY,
    RATE_LIMIT_RPS: '1000',
    POLL_PAGE_SIZE: '3',
  };
  const { store } = sim;
  store.addProduct(FALLBALL);
  store.addProduct(ACME_BACKUP);
  for (let i = 0; i < 5; i++)
    store.addRequest({ productId: FALLBALL.id, connectionType: i % 2 ? 'test' : 'production' });
  for (let i = 0; i < 3; i++) store.addRequest({ productId: ACME_BACKUP.id });
  store.addRequest({ productId: FALLBALL.id, status: 'inquiring' });
});
afterAll(async () => {
  await sim.close();
});

async function cli(args: string[]) {
  const run = spawnCli(args, env);
  const { code } = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** The simulator's own view of the queue, oldest first like the listing. */
function queue(where: (r: ReturnType<typeof sim.store.listRequests>[number]) => boolean): string[] {
  return sim.store
    .listRequests()
    .filter(where)
    .sort((a, b) => a.created.localeCompare(b.created))
    .map((r) => r.id);
}

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('requests list', () => {
  it('lists exactly the pending queue under paging, as JSON lines, with the totals on stderr', async () => {
    const listingsBefore = sim.journal.filter((e) => e.method === 'GET' && e.path === '/requests').length;
    const { code, stdout, stderr } = await cli(['requests', 'list', '--json']);
    expect(code).toBe(0);
    const rows = jsonLines(stdout);
    expect(rows.map((r) => r.id)).toEqual(queue((r) => r.status === 'pending'));
    expect(rows).toHaveLength(8);
    expect(rows[0]).toEqual({
      id: expect.stringMatching(/^PR-/),
      type: 'purchase',
      status: 'pending',
      product: FALLBALL.id,
      connectionType: 'production',
      created: expect.any(String),
      ageSeconds: expect.any(Number),
    });
    expect(stderr).toContain('8 pending requests: 8 purchase');
    const listings = sim.journal.filter((e) => e.method === 'GET' && e.path === '/requests').length;
    expect(listings - listingsBefore).toBeGreaterThanOrEqual(3);
    expect(new Set(sim.journal.map((e) => e.method))).toEqual(new Set(['GET']));
  });

  it('filters by product, connection type and status', async () => {
    const byBoth = await cli([
      'requests',
      'list',
      '--json',
      '--product',
      FALLBALL.id,
      '--connection-type',
      'test',
    ]);
    expect(byBoth.code).toBe(0);
    expect(jsonLines(byBoth.stdout).map((r) => r.id)).toEqual(
      queue(
        (r) =>
          r.status === 'pending' && r.asset.product.id === FALLBALL.id && r.asset.connection.type === 'test',
      ),
    );
    expect(jsonLines(byBoth.stdout)).toHaveLength(2);
    const inquiring = await cli([
      'requests',
      'list',
      '--json',
      '--status',
      'inquiring',
      '--type',
      'purchase',
    ]);
    expect(jsonLines(inquiring.stdout).map((r) => r.id)).toEqual(queue((r) => r.status === 'inquiring'));
  });

  it('prints a table a person can read, with totals', async () => {
    const { code, stdout } = await cli(['requests', 'list', '--product', ACME_BACKUP.id]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+PRODUCT\s+CONNECTION\s+AGE\s+STATUS$/);
    expect(lines.slice(1, -1).map((l) => l.split(/\s+/)[0])).toEqual(
      queue((r) => r.status === 'pending' && r.asset.product.id === ACME_BACKUP.id),
    );
    expect(lines[1]).toMatch(new RegExp(`purchase\\s+${ACME_BACKUP.id}\\s+production\\s+\\d+[smhd]`));
    expect(lines.at(-1)).toBe('3 pending requests: 3 purchase');
  });

  it('refuses an unknown status or connection type with exit 2, naming the flag', async () => {
    const status = await cli(['requests', 'list', '--status', 'waiting']);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('--status must be one of draft, tiers_setup, pending');
    expect(status.stderr).toContain('"waiting"');
    const type = await cli(['requests', 'list', '--connection-type', 'staging']);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain(
      '--connection-type must be one of test, preview, production, got "staging"',
    );
  });
});

describe('requests show', () => {
  it('shows the params with their value errors and the last notes', async () => {
    const request = sim.store.addRequest({ productId: FALLBALL.id, params: { email: 'not-an-address' } });
    const connection = connectTo(
      {
        url: sim.url,
        apiKey: TEST_API_KEY,
        connectTimeoutMs: 2_000,
        headersTimeoutMs: 5_000,
        bodyTimeoutMs: 5_000,
        requestsPerSecond: 1_000,
        concurrency: 2,
        retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 },
      },
      pino({ level: 'silent' }),
    );
    try {
      await connection.client.updateParams(request.id, [
        { id: 'email', value_error: 'Not an e-mail address.' },
      ]);
      const conversation = await findConversation(connection.client, request.id);
      await postMessage(connection.client, conversation!.id, 'Checking your order.');
      await postMessage(connection.client, conversation!.id, 'Please fix the e-mail.');
    } finally {
      await connection.close();
    }

    const { code, stdout } = await cli(['requests', 'show', request.id]);
    expect(code).toBe(0);
    expect(stdout).toContain(`${request.id}  purchase  pending`);
    expect(stdout).toMatch(/email: not-an-address\s+! Not an e-mail address\./);
    const notes = stdout.slice(stdout.indexOf('Notes:'));
    expect(notes.indexOf('Checking your order.')).toBeGreaterThan(0);
    expect(notes.indexOf('Please fix the e-mail.')).toBeGreaterThan(notes.indexOf('Checking your order.'));

    const json = await cli(['requests', 'show', request.id, '--json', '--notes', '1']);
    const shown = JSON.parse(json.stdout) as { request: { id: string }; notes: Array<{ text: string }> };
    expect(shown.request.id).toBe(request.id);
    expect(shown.notes.map((n) => n.text)).toEqual(['Please fix the e-mail.']);
  });

  it('exits 1 with a clear message for a request Connect does not have, 2 for a malformed id', async () => {
    const missing = await cli(['requests', 'show', 'PR-0000-0000-0000-001']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toContain('request PR-0000-0000-0000-001 not found on Connect');
    const malformed = await cli(['requests', 'show', 'PR-12']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('"PR-12" is not a request id like PR-1234-5678-9012-001');
  });

  itPrintsNoStackFrames();
});
