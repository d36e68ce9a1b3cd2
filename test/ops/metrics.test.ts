import { describe, expect, it } from '@jest/globals';
import { register as globalRegistry } from 'prom-client';
import { RequestBackoff } from '../../src/fulfillment/backoff.ts';
import { FulfillmentEvents } from '../../src/fulfillment/events.ts';
import { createMetrics } from '../../src/ops/metrics.ts';
import { fakeClock, parsePrometheusText, processRequest, summary, valueOf } from './support.ts';

const P = 'connect_fulfillment_';

async function scrape(metrics: ReturnType<typeof createMetrics>) {
  return parsePrometheusText(await metrics.registry.metrics());
}

describe('metrics', () => {
  it('serves parseable Prometheus text with the default process metrics, in its own registry', async () => {
    const metrics = createMetrics();
    const text = await metrics.registry.metrics();
    const parsed = parsePrometheusText(text);
    expect(parsed.types.get(`${P}cycles_total`)).toBe('counter');
    expect(parsed.types.get(`${P}cycle_duration_seconds`)).toBe('histogram');
    expect(parsed.types.get(`${P}requests_in_flight`)).toBe('gauge');
    expect(parsed.types.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(valueOf(parsed, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    // Not registered globally: two daemons in one process (tests) do not clash.
    expect(globalRegistry.getSingleMetric(`${P}cycles_total`)).toBeUndefined();
    expect(() => createMetrics({ defaultMetrics: false })).not.toThrow();
    expect(metrics.registry.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts cycles, requests, handler timings and timeouts from the events fed in', async () => {
    const clock = fakeClock(Date.UTC(2025, 5, 1, 12, 0, 0));
    const metrics = createMetrics({ defaultMetrics: false, now: clock.now });
    const events = new FulfillmentEvents();
    metrics.observe(events);

    let parsed = await scrape(metrics);
    expect(valueOf(parsed, `${P}last_successful_cycle_timestamp_seconds`)).toBe(0);

    events.emit('cycle:start', { cycleId: 'c1' });
    parsed = await scrape(metrics);
    expect(valueOf(parsed, `${P}cycle_running`)).toBe(1);

    events.emit('request:start', { cycleId: 'c1', requestId: 'PR-1' });
    events.emit('request:start', { cycleId: 'c1', requestId: 'PR-2' });
    parsed = await scrape(metrics);
    expect(valueOf(parsed, `${P}requests_in_flight`)).toBe(2);
    events.emit('request:done', {
      cycleId: 'c1',
      requestId: 'PR-1',
      type: 'purchase',
      productId: 'PRD-1',
      kind: 'approved',
      action: 'approve',
      durationMs: 50,
      handlerMs: 30,
    });
    events.emit('request:done', {
      cycleId: 'c1',
      requestId: 'PR-2',
      type: 'purchase',
      productId: 'PRD-1',
      kind: 'error',
      code: 'handler_timeout',
      durationMs: 60_000,
    });
    processRequest(events, {
      requestId: 'PR-3',
      type: 'cancel',
      kind: 'failed',
      action: 'fail',
      handlerMs: 2_000,
    });
    processRequest(events, { requestId: 'PR-4', type: 'purchase', kind: 'approved', handlerMs: 20 });
    processRequest(events, {
      requestId: 'PR-5',
      type: 'change',
      kind: 'skipped',
      action: 'skip',
      handlerMs: 5,
    });
    processRequest(events, { requestId: 'PR-6', type: 'something-new', kind: 'inquired', handlerMs: 5 });
    parsed = await scrape(metrics);
    expect(valueOf(parsed, `${P}requests_in_flight`)).toBe(0);

    clock.advance(1500);
    events.emit('cycle:end', summary({ cycleId: 'c1', durationMs: 1500, found: 6, invalid: 2 }));
    events.emit('cycle:skipped', { runningCycleId: 'c2' });
    clock.advance(60_000);
    events.emit(
      'cycle:end',
      summary({ cycleId: 'c2', result: 'aborted', abortedBy: 'unauthorized', durationMs: 200 }),
    );

    parsed = await scrape(metrics);
    const requests = (outcome: string, type: string) =>
      valueOf(parsed, `${P}requests_total`, { outcome, type });
    expect(requests('approved', 'purchase')).toBe(2);
    expect(requests('error', 'purchase')).toBe(1);
    expect(requests('failed', 'cancel')).toBe(1);
    expect(requests('skipped', 'change')).toBe(1);
    expect(requests('inquired', 'other')).toBe(1);
    expect(
      parsed.samples.filter((s) => s.name === `${P}requests_total`).reduce((sum, s) => sum + s.value, 0),
    ).toBe(6);

    expect(valueOf(parsed, `${P}handler_timeouts_total`, { type: 'purchase' })).toBe(1);
    // Five handler calls returned (the timed-out one has no handlerMs); the cancel one took 2 s.
    expect(
      parsed.samples
        .filter((s) => s.name === `${P}handler_duration_seconds_count`)
        .reduce((sum, s) => sum + s.value, 0),
    ).toBe(5);
    expect(valueOf(parsed, `${P}handler_duration_seconds_sum`, { type: 'cancel' })).toBeCloseTo(2);
    expect(valueOf(parsed, `${P}handler_duration_seconds_bucket`, { type: 'cancel', le: '1' })).toBe(0);
    expect(valueOf(parsed, `${P}handler_duration_seconds_bucket`, { type: 'cancel', le: '2.5' })).toBe(1);

    expect(valueOf(parsed, `${P}cycles_total`, { result: 'completed' })).toBe(1);
    expect(valueOf(parsed, `${P}cycles_total`, { result: 'aborted' })).toBe(1);
    expect(valueOf(parsed, `${P}cycles_total`, { result: 'interrupted' })).toBeUndefined();
    expect(valueOf(parsed, `${P}cycle_aborts_total`, { code: 'unauthorized' })).toBe(1);
    expect(valueOf(parsed, `${P}cycles_skipped_total`)).toBe(1);
    expect(valueOf(parsed, `${P}cycle_duration_seconds_sum`, { result: 'completed' })).toBeCloseTo(1.5);
    expect(valueOf(parsed, `${P}cycle_duration_seconds_count`, { result: 'aborted' })).toBe(1);
    expect(valueOf(parsed, `${P}invalid_items_total`)).toBe(2);
    expect(valueOf(parsed, `${P}cycle_running`)).toBe(0);
    // Set by the completed cycle (at the fake clock's time), not moved by the aborted one.
    expect(valueOf(parsed, `${P}last_successful_cycle_timestamp_seconds`)).toBe(
      Date.UTC(2025, 5, 1, 12, 0, 1, 500) / 1000,
    );

    // No request id ever becomes a label value.
    const text = await metrics.registry.metrics();
    expect(text).not.toMatch(/PR-\d/);
  });

  it('reports the requests waiting in the backoff at each scrape', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const backoff = new RequestBackoff({ baseMs: 1000, maxMs: 10_000 });
    metrics.trackBackoff(backoff);
    const scrape = async () =>
      valueOf(
        parsePrometheusText(await metrics.registry.metrics()),
        'connect_fulfillment_requests_in_backoff',
      );
    expect(await scrape()).toBe(0);
    await backoff.recordFailure('PR-1');
    await backoff.recordFailure('PR-2');
    expect(await scrape()).toBe(2);
    await backoff.recordSuccess('PR-1');
    expect(await scrape()).toBe(1);
  });

  it('counts API calls, retries and rate-limit pauses from the client hooks', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const { onCall, onRetry, onPause } = metrics.hooks;
    onCall?.({ method: 'GET', route: '/requests', status: 200, code: undefined, durationMs: 120 });
    onCall?.({ method: 'GET', route: '/requests', status: 200, code: undefined, durationMs: 80 });
    onCall?.({
      method: 'POST',
      route: '/requests/{id}/approve',
      status: 429,
      code: 'rate_limited',
      durationMs: 10,
    });
    onCall?.({
      method: 'POST',
      route: '/requests/{id}/approve',
      status: undefined,
      code: 'network',
      durationMs: 5,
    });
    onRetry?.({
      method: 'POST',
      route: '/requests/{id}/approve',
      code: 'rate_limited',
      attempt: 1,
      delayMs: 2000,
    });
    onRetry?.({ method: 'POST', route: '/requests/{id}/approve', code: 'network', attempt: 2, delayMs: 500 });
    onPause?.(2000);
    onPause?.(3500);

    const parsed = await scrape(metrics);
    const calls = (labels: Record<string, string>) => valueOf(parsed, `${P}api_calls_total`, labels);
    expect(calls({ route: '/requests', method: 'GET', status: '200', code: 'none' })).toBe(2);
    expect(
      calls({ route: '/requests/{id}/approve', method: 'POST', status: '429', code: 'rate_limited' }),
    ).toBe(1);
    expect(calls({ route: '/requests/{id}/approve', method: 'POST', status: 'none', code: 'network' })).toBe(
      1,
    );
    expect(
      valueOf(parsed, `${P}api_call_duration_seconds_count`, { route: '/requests', method: 'GET' }),
    ).toBe(2);
    expect(
      valueOf(parsed, `${P}api_call_duration_seconds_sum`, { route: '/requests', method: 'GET' }),
    ).toBeCloseTo(0.2);
    expect(
      valueOf(parsed, `${P}api_retries_total`, { route: '/requests/{id}/approve', code: 'rate_limited' }),
    ).toBe(1);
    expect(
      valueOf(parsed, `${P}api_retries_total`, { route: '/requests/{id}/approve', code: 'network' }),
    ).toBe(1);
    expect(valueOf(parsed, `${P}rate_limit_pauses_total`)).toBe(2);
    expect(valueOf(parsed, `${P}rate_limit_pause_seconds_total`)).toBeCloseTo(5.5);
  });

  it('keeps label values bounded: routes capped, unknown methods and odd codes folded into "other"', async () => {
    const metrics = createMetrics({ defaultMetrics: false, maxRoutes: 3 });
    for (let i = 0; i < 10; i++) {
      metrics.hooks.onCall?.({
        method: 'GET',
        route: `/route-${i}`,
        status: 200,
        code: undefined,
        durationMs: 1,
      });
    }
    metrics.hooks.onCall?.({
      method: 'BREW',
      route: '/route-0',
      status: 418,
      code: 'Not A Code!' as never,
      durationMs: 1,
    });
    const parsed = await scrape(metrics);
    const routes = new Set(
      parsed.samples.filter((s) => s.name === `${P}api_calls_total`).map((s) => s.labels.route),
    );
    expect([...routes].sort()).toEqual(['/route-0', '/route-1', '/route-2', 'other']);
    expect(valueOf(parsed, `${P}api_calls_total`, { route: 'other' })).toBe(7);
    expect(valueOf(parsed, `${P}api_calls_total`, { method: 'other', code: 'other', status: '418' })).toBe(1);
  });

  it('never throws into the caller, and stops counting once unsubscribed', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const events = new FulfillmentEvents();
    const stop = metrics.observe(events);
    expect(() =>
      metrics.hooks.onCall?.({
        method: 'GET',
        route: '/requests',
        status: 200,
        code: undefined,
        durationMs: Number.NaN,
      }),
    ).not.toThrow();
    expect(() => metrics.hooks.onPause?.(-5)).not.toThrow();
    processRequest(events);
    stop();
    processRequest(events);
    events.emit('cycle:end', summary());
    const parsed = await scrape(metrics);
    expect(valueOf(parsed, `${P}requests_total`, { outcome: 'approved', type: 'purchase' })).toBe(1);
    expect(valueOf(parsed, `${P}cycles_total`, { result: 'completed' })).toBeUndefined();
    expect(events.listenerCount('request:done')).toBe(0);
  });
});
