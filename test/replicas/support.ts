import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { spawnCli, type SpawnedCli } from '../support/cli.ts';
import { TEST_API_KEY } from '../support/harness.ts';

/** Set by .ci/run (scripts/ci-postgres.sh); the same default locally after running that script once. */
export const TEST_STATE_URL =
  process.env.TEST_STATE_URL ??
  'postgres://fulfillment_test:fulfillment_test@127.0.0.1:5432/fulfillment_test';

export const PRODUCT = 'PRD-900-000-013';
export const LEASE = { LEASE_DURATION_MS: '2000', LEASE_RENEW_MS: '250' };

/** A database of its own (per test), so that request ids of different simulators never meet. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `cf_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: TEST_STATE_URL });
  await admin.connect().catch((err: unknown) => {
    throw new Error(
      `PostgreSQL at TEST_STATE_URL is not reachable (run scripts/ci-postgres.sh): ${String(err)}`,
    );
  });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(TEST_STATE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_STATE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A directory with a handler module: logs handler.call, waits `takesMs`, approves (or throws). */
export function handlerDir(takesMs: number, behaviour: 'approve' | 'throw' = 'approve') {
  const dir = mkdtempSync(join(tmpdir(), 'cf-replicas-'));
  writeFileSync(
    join(dir, 'handler.js'),
    `export default {
      products: ['${PRODUCT}'],
      async purchase(request, { log, signal }) {
        log.info({ event: 'handler.call' }, 'handler called');
        await new Promise((resolve, reject) => {
          const t = setTimeout(resolve, ${takesMs});
          signal.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason); }, { once: true });
        });
        ${behaviour === 'throw' ? "throw new Error('provisioning backend down');" : "return { action: 'approve', templateId: 'TL-1' };"}
      },
    };`,
  );
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    `poll:\n  schedule: '*/1 * * * * *'\nprocessing:\n  concurrency: 2\nhandlers:\n  - module: ./handler.js\n`,
  );
  return { config, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Cluster {
  sim: RunningSimulator;
  replicas: SpawnedCli[];
  spawn(extra?: Record<string, string>): SpawnedCli;
  queue(count: number): string[];
  /** Handler calls per request id, over every replica that ever ran. */
  handlerCalls(): Map<string, number>;
  /** Action POSTs (approve, fail, inquire, pend) per request id that Connect accepted. */
  actions(): Map<string, number>;
  statuses(ids: string[]): Array<string | undefined>;
  close(): Promise<void>;
}

export async function startCluster(config: string, stateUrl: string): Promise<Cluster> {
  const sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
  const replicas: SpawnedCli[] = [];
  const count = (pairs: string[]) => {
    const map = new Map<string, number>();
    for (const id of pairs) map.set(id, (map.get(id) ?? 0) + 1);
    return map;
  };
  return {
    sim,
    replicas,
    spawn(extra = {}) {
      const replica = spawnCli(['start', '--config', config], {
        CONNECT_API_URL: sim.url,
        CONNECT_API_KEY: TEST_API_KEY,
        STATE_URL: stateUrl,
        LEASE_NAME: 'test',
        SHUTDOWN_GRACE_MS: '0',
        ...LEASE,
        ...extra,
      });
      replicas.push(replica);
      return replica;
    },
    queue: (n) => Array.from({ length: n }, () => sim.store.addRequest({ productId: PRODUCT }).id),
    handlerCalls: () =>
      count(
        replicas.flatMap((r) =>
          r
            .logLines()
            .filter((l) => l.event === 'handler.call')
            .map((l) => String(l.requestId)),
        ),
      ),
    actions: () =>
      count(
        sim.journal
          .filter(
            (e) => e.method === 'POST' && /\/(approve|fail|inquire|pend)$/.test(e.path) && e.status < 300,
          )
          .map((e) => e.path.split('/')[2]!),
      ),
    statuses: (ids) => ids.map((id) => sim.store.getRequest(id)?.status),
    async close() {
      for (const r of replicas)
        if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
      await Promise.all(replicas.map((r) => r.exited));
      await sim.close();
    },
  };
}

/** Polls until `check` is true (each test has its own jest timeout as the bound). */
export async function until(
  check: () => boolean,
  what: string,
  timeoutMs = 20_000,
  replicas: readonly SpawnedCli[] = [],
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${replicas.map(lastWords).join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What a replica was doing, for a timeout's message: its exit and its last events. */
function lastWords(replica: SpawnedCli, index: number): string {
  const { exitCode, signalCode } = replica.child;
  const events = replica
    .logLines()
    .slice(-12)
    .map((l) => `${String(l.time).slice(11)} ${String(l.event)}`);
  const exit = exitCode === null && signalCode === null ? 'running' : `exited ${signalCode ?? exitCode}`;
  return `\nreplica ${index} (${exit}; stderr ${JSON.stringify(replica.stderr().slice(-300))}):\n  ${events.join('\n  ')}`;
}

/** A TCP proxy to the database that a test can cut (every socket destroyed, new ones refused). */
export async function startProxy(
  target: URL,
): Promise<{ url: string; cut: () => void; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let cut = false;
  const server: Server = createServer((client) => {
    if (cut) return client.destroy();
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    // Like a cable pulled: packets vanish instead of connections being refused.
    cut: () => {
      cut = true;
      for (const s of sockets) s.pause();
      server.close();
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(() => r(undefined)));
    },
  };
}
