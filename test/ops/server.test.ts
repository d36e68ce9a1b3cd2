import { afterEach, describe, expect, it } from '@jest/globals';
import { Agent, request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { FulfillmentEvents } from '../../src/fulfillment/events.ts';
import { createHealth } from '../../src/ops/health.ts';
import { createMetrics } from '../../src/ops/metrics.ts';
import { startOpsServer, type OpsServer } from '../../src/ops/server.ts';
import { fakeClock, parsePrometheusText, processRequest, summary, valueOf } from './support.ts';

const INTERVAL = 60_000;

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'debug' }, stream), lines };
}

let server: OpsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup() {
  const clock = fakeClock();
  const events = new FulfillmentEvents();
  const health = createHealth({ intervalMs: INTERVAL, configLoaded: true, now: clock.now });
  const metrics = createMetrics({ defaultMetrics: false, now: clock.now });
  health.observe(events);
  metrics.observe(events);
  const { log, lines } = capturingLogger();
  server = await startOpsServer({ host: '127.0.0.1', port: 0, health, metrics, log });
  return { clock, events, server, lines };
}

async function get(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('ops server', () => {
  it('binds the loopback address it is given and says where', async () => {
    const { server, lines } = await setup();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    expect(lines.some((line) => JSON.parse(line).event === 'ops.listening')).toBe(true);
  });

  it('answers the probes through a cycle: starting, completed, stalled, and an auth failure', async () => {
    const { clock, events, server } = await setup();
    const probe = async (path: string) => {
      const res = await get(`${server.url}${path}`);
      expect(res.type).toBe('application/json; charset=utf-8');
      return { status: res.status, body: JSON.parse(res.body) as Record<string, unknown> };
    };

    // Before the first cycle finishes: alive (start-up window) but not ready.
    expect(await probe('/healthz')).toMatchObject({
      status: 200,
      body: { status: 'ok', reason: 'starting' },
    });
    expect(await probe('/readyz')).toMatchObject({
      status: 503,
      body: { status: 'unavailable', reason: 'no_cycle_yet' },
    });

    // A completed cycle.
    events.emit('cycle:start', { cycleId: 'c1' });
    processRequest(events, { cycleId: 'c1' });
    clock.advance(1000);
    events.emit('cycle:end', summary({ cycleId: 'c1', found: 1, approved: 1 }));
    expect(await probe('/healthz')).toMatchObject({
      status: 200,
      body: { reason: 'cycle_finished', cycleId: 'c1' },
    });
    expect(await probe('/readyz')).toMatchObject({
      status: 200,
      body: { status: 'ok', result: 'completed', cycleId: 'c1' },
    });

    // A cycle that hangs: ticks are skipped, and past 3 intervals + a minute it is stalled.
    events.emit('cycle:start', { cycleId: 'c2' });
    clock.advance(3 * INTERVAL + 60_000 + 1);
    events.emit('cycle:skipped', { runningCycleId: 'c2' });
    expect(await probe('/healthz')).toMatchObject({
      status: 503,
      body: { status: 'unavailable', reason: 'cycle_stalled', cycleId: 'c2' },
    });
    // Readiness still reflects the last finished cycle.
    expect((await probe('/readyz')).status).toBe(200);

    // It ends aborted on an auth failure: alive again, but not ready.
    events.emit('cycle:end', summary({ cycleId: 'c2', result: 'aborted', abortedBy: 'unauthorized' }));
    expect((await probe('/healthz')).status).toBe(200);
    expect(await probe('/readyz')).toMatchObject({
      status: 503,
      body: { reason: 'unauthorized', abortedBy: 'unauthorized' },
    });
  });

  it('serves /metrics as Prometheus text with the counters of the events fed in', async () => {
    const { events, server } = await setup();
    events.emit('cycle:start', { cycleId: 'c1' });
    processRequest(events, { kind: 'approved', type: 'purchase' });
    processRequest(events, { kind: 'failed', type: 'cancel' });
    events.emit('cycle:end', summary({ found: 2, approved: 1, failed: 1 }));
    const res = await get(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    const parsed = parsePrometheusText(res.body);
    expect(valueOf(parsed, 'connect_fulfillment_cycles_total', { result: 'completed' })).toBe(1);
    expect(
      valueOf(parsed, 'connect_fulfillment_requests_total', { outcome: 'approved', type: 'purchase' }),
    ).toBe(1);
    expect(valueOf(parsed, 'connect_fulfillment_requests_total', { outcome: 'failed', type: 'cancel' })).toBe(
      1,
    );
  });

  it('answers 404 elsewhere, 405 for other methods, HEAD without a body, and ignores query strings', async () => {
    const { server } = await setup();
    expect((await get(`${server.url}/`)).status).toBe(404);
    expect((await get(`${server.url}/healthz/extra`)).status).toBe(404);
    expect((await get(`${server.url}/metrics`, { method: 'POST', body: 'x' })).status).toBe(405);
    const head = await get(`${server.url}/healthz`, { method: 'HEAD' });
    expect(head).toMatchObject({ status: 200, body: '' });
    expect((await get(`${server.url}/healthz?verbose=1`)).status).toBe(200);
  });

  it('answers 500 when the metrics cannot be collected, and logs it', async () => {
    const { log, lines } = capturingLogger();
    const broken = {
      registry: { metrics: () => Promise.reject(new Error('collector broke')), contentType: 'text/plain' },
    };
    const health = createHealth({ intervalMs: INTERVAL, configLoaded: true });
    server = await startOpsServer({ host: '127.0.0.1', port: 0, health, metrics: broken as never, log });
    expect((await get(`${server.url}/metrics`)).status).toBe(500);
    expect(
      lines
        .map((line) => JSON.parse(line))
        .some((entry) => entry.event === 'ops.error' && entry.err?.message === 'collector broke'),
    ).toBe(true);
  });

  it('closes cleanly even with a keep-alive connection open, and rejects a port in use', async () => {
    const { server: running } = await setup();
    // A scraper-like client that keeps its connection open.
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${running.url}/metrics`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    expect(Object.values(agent.freeSockets).flat()).toHaveLength(1);
    const { log } = capturingLogger();
    const health = createHealth({ intervalMs: INTERVAL, configLoaded: true });
    await expect(
      startOpsServer({
        host: '127.0.0.1',
        port: running.port,
        health,
        metrics: createMetrics({ defaultMetrics: false }),
        log,
      }),
    ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
    // A second close is harmless.
    await running.close();
    agent.destroy();
  });
});
