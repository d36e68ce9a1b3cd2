import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { handlerDir, startCluster, until } from './support.ts';
import { throwawayCluster } from './throwaway-cluster.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let pgCluster: ReturnType<typeof throwawayCluster>;
beforeAll(async () => {
  pgCluster = throwawayCluster(await freePort());
  pgCluster.start();
});
afterAll(() => pgCluster.remove());

describe('the state database stopped and started under a running pair', () => {
  it('the holder steps down, both log one error per retry, and processing resumes when it returns', async () => {
    const h = handlerDir(20);
    const c = await startCluster(h.config, pgCluster.url);
    try {
      const a = c.spawn();
      const b = c.spawn();
      await until(
        () => [a, b].some((r) => r.logLines().some((l) => l.event === 'lease.acquired')),
        'a holder',
        20_000,
        [a, b],
      );
      const holder = [a, b].find((r) => r.logLines().some((l) => l.event === 'lease.acquired'))!;
      pgCluster.stop();
      await holder.waitForEvent('lease.lost');
      await until(
        () => [a, b].every((r) => r.logLines().filter((l) => l.event === 'state.unavailable').length >= 2),
        'errors from both replicas',
        20_000,
        [a, b],
      );
      const queued = c.queue(3);
      await new Promise((r) => setTimeout(r, 1_500)); // requests wait while nobody holds the lease
      expect(c.statuses(queued)).toEqual(['pending', 'pending', 'pending']);
      for (const r of [a, b]) {
        const errors = r.logLines().filter((l) => l.event === 'state.unavailable');
        expect(JSON.stringify(errors)).not.toContain('secret-pw');
        // One line per retry interval (250 ms): far fewer than one per failed statement would give.
        expect(errors.length).toBeLessThan(40);
      }
      pgCluster.start();
      await until(() => c.statuses(queued).every((s) => s === 'approved'), 'processing resumed', 25_000, [
        a,
        b,
      ]);
      expect([...c.handlerCalls().values()].every((n) => n === 1)).toBe(true);
    } finally {
      await c.close();
      h.remove();
    }
  }, 45_000);
});
