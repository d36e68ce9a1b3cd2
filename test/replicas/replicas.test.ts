import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PostgresStateStore } from '../../src/state/postgres.ts';
import {
  freshDatabase,
  handlerDir,
  startCluster,
  startProxy,
  until,
  LEASE,
  type Cluster,
} from './support.ts';

// Real daemon processes (the built CLI), one simulator, one real PostgreSQL (TEST_STATE_URL).
// A database per test: every test's simulator hands out the same request ids, and one test's backoff
// or recorded outcome must not reach the next.
let db: { url: string; drop: () => Promise<void> };
beforeEach(async () => {
  db = await freshDatabase();
});
afterEach(async () => {
  await db.drop();
});

const allApproved = (c: Cluster, ids: string[]) => () => c.statuses(ids).every((s) => s === 'approved');
const doubles = (m: Map<string, number>) => [...m].filter(([, n]) => n > 1).map(([id]) => id);
const timeOf = (line: Record<string, unknown>) => Date.parse(String(line.time));

describe('several replicas on one account', () => {
  it('three replicas: one holds the lease, each handler runs exactly once per request', async () => {
    const h = handlerDir(20);
    const c = await startCluster(h.config, db.url);
    try {
      const ids = c.queue(12);
      const replicas = [c.spawn(), c.spawn(), c.spawn()];
      await until(allApproved(c, ids), 'every request approved');
      const leaders = replicas.filter((r) => r.logLines().some((l) => l.event === 'lease.acquired'));
      expect(leaders).toHaveLength(1);
      const roles = replicas.map((r) => r.logLines().find((l) => l.event === 'daemon.started')?.role);
      expect(roles.every((role) => role === 'leader' || role === 'standby')).toBe(true);
      expect(doubles(c.handlerCalls())).toEqual([]);
      expect([...c.handlerCalls().keys()].sort()).toEqual([...ids].sort());
      expect(doubles(c.actions())).toEqual([]);
    } finally {
      await c.close();
      h.remove();
    }
  });

  it('kill -9 of the holder at different moments: a standby takes over, no action doubled', async () => {
    const h = handlerDir(150);
    const c = await startCluster(h.config, db.url);
    const takeovers: number[] = [];
    try {
      const ids: string[] = [];
      let holder = c.spawn();
      await holder.waitForEvent('lease.acquired');
      let standby = c.spawn();
      await standby.waitForEvent('lease.standby');
      // Kill after the 1st, 3rd and 6th handler call of each holder: mid-handler, mid-cycle.
      for (const callsBeforeKill of [1, 3, 6]) {
        ids.push(...c.queue(8)); // work for this holder
        await until(
          () => holder.logLines().filter((l) => l.event === 'handler.call').length >= callsBeforeKill,
          'the holder at work',
        ).catch((err: unknown) => {
          throw new Error(`${String(err)} (kill at ${callsBeforeKill})\n${holder.stdout().slice(-3000)}`);
        });
        const killedAt = Date.now();
        holder.child.kill('SIGKILL');
        const acquired = await standby.waitForEvent('lease.acquired');
        takeovers.push(timeOf(acquired) - killedAt);
        holder = standby;
        standby = c.spawn();
        await standby.waitForEvent('lease.standby');
      }
      await until(allApproved(c, ids), 'every request approved').catch((err: unknown) => {
        const odd = c.replicas.flatMap((r) =>
          r
            .logLines()
            .filter((l) =>
              ['request.error', 'request.aborted', 'lease.lost', 'request.state_unavailable'].includes(
                String(l.event),
              ),
            ),
        );
        throw new Error(
          `${String(err)}: ${JSON.stringify(c.statuses(ids))}\n${JSON.stringify(odd, null, 1).slice(0, 4000)}`,
        );
      });
      process.stdout.write(
        `takeover after kill -9 (lease ${LEASE.LEASE_DURATION_MS} ms, renew ${LEASE.LEASE_RENEW_MS} ms): ${takeovers.join(', ')} ms\n`,
      );
      expect(doubles(c.actions())).toEqual([]);
      // A request whose outcome was recorded is carried out by the successor, not handled again.
      const resumed = c.replicas.flatMap((r) => r.logLines().filter((l) => l.event === 'request.resumed'));
      const calls = c.handlerCalls();
      for (const line of resumed) expect(calls.get(String(line.requestId))).toBe(1);
    } finally {
      await c.close();
      h.remove();
    }
  }, 60_000);

  it('a network cut between the holder and the database: the holder steps down before the standby takes over', async () => {
    const h = handlerDir(20);
    const c = await startCluster(h.config, db.url);
    const proxy = await startProxy(new URL(db.url));
    try {
      const holder = c.spawn({ STATE_URL: proxy.url });
      await holder.waitForEvent('lease.acquired');
      const standby = c.spawn();
      await standby.waitForEvent('lease.standby');
      proxy.cut();
      const lost = await holder.waitForEvent('lease.lost');
      const acquired = await standby.waitForEvent('lease.acquired');
      expect(timeOf(lost)).toBeLessThan(timeOf(acquired));
      const errors = await holder.waitForEvent('state.unavailable');
      expect(JSON.stringify(errors)).not.toContain('fulfillment_test@'); // the password is masked
      // The standby now processes; the cut-off holder sends nothing.
      const ids = c.queue(4);
      await until(allApproved(c, ids), 'the new holder at work');
      expect(holder.logLines().some((l) => l.event === 'handler.call')).toBe(false);
    } finally {
      await proxy.close();
      await c.close();
      h.remove();
    }
  });

  it('restart of a single replica keeps every request’s backoff', async () => {
    const h = handlerDir(0, 'throw');
    const c = await startCluster(h.config, db.url);
    try {
      const [id] = c.queue(1);
      const first = c.spawn({ LOG_LEVEL: 'debug' });
      await first.waitForEvent('request.error', (l) => l.requestId === id);
      first.child.kill('SIGTERM');
      await first.exited;
      const second = c.spawn({ LOG_LEVEL: 'debug' });
      await second.waitForEvent('request.deferred', (l) => l.requestId === id);
      expect(second.logLines().some((l) => l.event === 'handler.call')).toBe(false);
      expect(c.statuses([id!])).toEqual(['pending']);
    } finally {
      await c.close();
      h.remove();
    }
  });

  it('an outcome recorded by a predecessor is carried out without calling the handler again', async () => {
    const h = handlerDir(0);
    const c = await startCluster(h.config, db.url);
    try {
      const [decided, fresh] = c.queue(2);
      // What a holder killed between deciding and sending leaves behind, written by the daemon's store.
      const store = PostgresStateStore.open({ url: db.url, timeoutMs: 5_000 });
      await store.migrate();
      await store.recordOutcome(decided!, { action: 'fail', reason: 'decided before the crash' });
      await store.close();
      c.spawn();
      await until(() => c.statuses([decided!, fresh!]).every((s) => s !== 'pending'), 'both requests done');
      expect(c.statuses([decided!, fresh!])).toEqual(['failed', 'approved']);
      expect([...c.handlerCalls().keys()]).toEqual([fresh]);
    } finally {
      await c.close();
      h.remove();
    }
  });
});
