import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { FulfillmentEvents } from '../../src/fulfillment/events.ts';
import { RequestBackoff } from '../../src/fulfillment/backoff.ts';
import { createHealth } from '../../src/ops/health.ts';
import { createMetrics } from '../../src/ops/metrics.ts';
import { startOpsServer, type OpsServer } from '../../src/ops/server.ts';
import { createStatusRecorder } from '../../src/ops/status.ts';
import { statusSchema } from '../../src/ops/status-schema.ts';
import { createSecretMasker } from '../../src/secrets.ts';
import { fakeClock, processRequest, summary } from './support.ts';

const SECRET = 'SU-111-222:verysecretpart';
const FAILING = 'PR-1111-2222-3333-001';

function setup(limits?: { cycles?: number }) {
  const clock = fakeClock();
  const events = new FulfillmentEvents();
  const backoff = new RequestBackoff({ baseMs: 60_000, maxMs: 600_000, now: clock.now });
  const status = createStatusRecorder({
    version: '9.9.9',
    schedule: '*/1 * * * *',
    requestsPerSecond: 10,
    config: { connect: { apiKey: 'SU-111-222:****' } },
    mask: createSecretMasker([SECRET]),
    backoff,
    limits,
    now: clock.now,
  });
  status.observe(events);
  return { clock, events, backoff, status };
}

/** A cycle in which FAILING's handler throws (the executor records the failure in the backoff first). */
async function failingCycle(s: ReturnType<typeof setup>, cycleId: string, message: string) {
  s.events.emit('cycle:start', { cycleId });
  await s.backoff.recordFailure(FAILING);
  processRequest(s.events, { cycleId, requestId: FAILING, kind: 'error', code: 'handler_error', message });
  processRequest(s.events, { cycleId, requestId: 'PR-1111-2222-3333-002' });
  s.clock.advance(1500);
  s.events.emit('cycle:end', summary({ cycleId, found: 2, approved: 1, errors: 1, durationMs: 1500 }));
}

describe('status recorder', () => {
  it('records cycles, the request in backoff and its handler errors, with secrets masked', async () => {
    const s = setup();
    await failingCycle(s, 'c1', 'boom');
    s.clock.advance(60_000);
    await failingCycle(s, 'c2', `vendor API said no to ${SECRET}`);
    const snap = statusSchema.parse(s.status.snapshot());

    expect(snap.cycles.map((c) => [c.cycleId, c.result, c.durationMs])).toEqual([
      ['c2', 'completed', 1500],
      ['c1', 'completed', 1500],
    ]);
    expect(snap.cycles[0]!.counts).toMatchObject({ found: 2, approved: 1, errors: 1 });
    expect(snap.backoff).toEqual([
      expect.objectContaining({ requestId: FAILING, attempts: 2, lastErrorCode: 'handler_error' }),
    ]);
    // Second failure: waits 2 × base from when it failed (1.5 s before the snapshot).
    expect(Date.parse(snap.backoff[0]!.nextAttemptAt) - Date.parse(snap.generatedAt)).toBe(120_000 - 1500);
    expect(snap.handlerErrors.map((e) => e.message)).toEqual(['vendor API said no to [REDACTED]', 'boom']);
    expect(JSON.stringify(snap)).not.toContain('verysecretpart');
  });

  it('forgets a request once it succeeds, and keeps only the newest cycles', async () => {
    const s = setup({ cycles: 2 });
    await failingCycle(s, 'c1', 'boom');
    s.events.emit('cycle:start', { cycleId: 'c2' });
    // Passed over while it waits: still in backoff.
    processRequest(s.events, { cycleId: 'c2', requestId: FAILING, kind: 'skipped', action: undefined });
    expect(statusSchema.parse(s.status.snapshot()).backoff).toHaveLength(1);
    await s.backoff.recordSuccess(FAILING);
    processRequest(s.events, { cycleId: 'c2', requestId: FAILING });
    s.events.emit('cycle:end', summary({ cycleId: 'c2', found: 1, approved: 1 }));
    s.events.emit('cycle:start', { cycleId: 'c3' });
    const snap = statusSchema.parse(s.status.snapshot());
    expect(snap.backoff).toEqual([]);
    expect(snap.cycles.map((c) => [c.cycleId, c.result])).toEqual([
      ['c3', 'running'],
      ['c2', 'completed'],
    ]);
    expect(snap.handlerErrors).toHaveLength(1);
  });

  it('keeps counts a newer summary adds (tier configs, unhandled)', () => {
    const s = setup();
    s.events.emit('cycle:start', { cycleId: 'c1' });
    s.events.emit('cycle:end', { ...summary({ cycleId: 'c1' }), unhandled: 3 } as never);
    expect(statusSchema.parse(s.status.snapshot()).cycles[0]!.counts).toMatchObject({ unhandled: 3 });
  });

  it('counts API calls in the last second and Retry-After pauses; role defaults to single', () => {
    const s = setup();
    const call = { method: 'GET', route: '/requests', status: 200, code: undefined, durationMs: 5 };
    s.status.hooks.onCall!(call);
    s.clock.advance(1200);
    s.status.hooks.onCall!(call);
    s.status.hooks.onCall!(call);
    s.status.hooks.onPause!(30_000);
    let snap = statusSchema.parse(s.status.snapshot());
    expect(snap.role).toBe('single');
    expect(snap.rateLimit.callsLastSecond).toBe(2);
    expect(snap.rateLimit.pauses).toEqual([{ at: snap.generatedAt, ms: 30_000 }]);
    expect(snap.rateLimit.pausedUntil).not.toBeNull();
    s.clock.advance(31_000);
    s.status.setRole('standby');
    snap = statusSchema.parse(s.status.snapshot());
    expect(snap.rateLimit.pausedUntil).toBeNull();
    expect(snap.rateLimit.callsLastSecond).toBe(0);
    expect(snap.role).toBe('standby');
  });
});

describe('status endpoints', () => {
  let server: OpsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves /status.json and an escaped, self-refreshing page at / with no external asset', async () => {
    const s = setup();
    await failingCycle(s, 'c1', '<script>alert(1)</script>');
    const health = createHealth({ intervalMs: 60_000, configLoaded: true });
    const metrics = createMetrics({ defaultMetrics: false });
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      health,
      metrics,
      status: s.status,
      log: pino({ level: 'silent' }),
    });

    const json = await fetch(`${server.url}/status.json`);
    expect(json.status).toBe(200);
    const body = statusSchema.parse(await json.json());
    expect(body.backoff[0]!.requestId).toBe(FAILING);

    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<meta http-equiv="refresh"');
    expect(html).toContain(FAILING);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
