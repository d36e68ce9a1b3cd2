import { describe, expect, it } from '@jest/globals';
import { FulfillmentEvents } from '../../src/fulfillment/events.ts';
import { createHealth } from '../../src/ops/health.ts';
import { fakeClock, processRequest, summary } from './support.ts';

const MINUTE = 60_000;
const INTERVAL = 3 * MINUTE;
/** 3 intervals + a minute of slack. */
const THRESHOLD = 3 * INTERVAL + MINUTE;

function setup(options: { configLoaded?: boolean; stopping?: () => boolean } = {}) {
  const clock = fakeClock();
  const events = new FulfillmentEvents();
  const health = createHealth({
    intervalMs: INTERVAL,
    configLoaded: options.configLoaded ?? true,
    now: clock.now,
    stopping: options.stopping,
  });
  const stop = health.observe(events);
  return { clock, events, health, stop };
}

describe('liveness (/healthz)', () => {
  it('defaults the stall threshold to 3 intervals plus a minute', () => {
    expect(setup().health.stallThresholdMs).toBe(THRESHOLD);
    expect(
      createHealth({ intervalMs: 1000, configLoaded: true, stallIntervals: 5, slackMs: 0 }).stallThresholdMs,
    ).toBe(5000);
  });

  it('rejects an interval that is not positive', () => {
    expect(() => createHealth({ intervalMs: 0, configLoaded: true })).toThrow(RangeError);
    expect(() => createHealth({ intervalMs: Number.NaN, configLoaded: true })).toThrow(RangeError);
  });

  it('is healthy during the start-up window before the first cycle, unhealthy after it', () => {
    const { clock, health } = setup();
    expect(health.liveness()).toMatchObject({ ok: true, reason: 'starting' });
    clock.advance(THRESHOLD);
    expect(health.liveness().ok).toBe(true);
    clock.advance(1);
    expect(health.liveness()).toMatchObject({ ok: false, reason: 'no_cycle' });
  });

  it('is healthy while a first cycle runs past the start-up window, as long as it is recent', () => {
    const { clock, events, health } = setup();
    clock.advance(THRESHOLD - 1000);
    events.emit('cycle:start', { cycleId: 'c1' });
    clock.advance(5000);
    expect(health.liveness()).toMatchObject({
      ok: true,
      reason: 'cycle_running',
      details: { cycleId: 'c1' },
    });
  });

  it('is healthy after a completed cycle until the loop goes quiet past the threshold', () => {
    const { clock, events, health } = setup();
    events.emit('cycle:start', { cycleId: 'c1' });
    clock.advance(2000);
    events.emit('cycle:end', summary({ cycleId: 'c1' }));
    expect(health.liveness()).toMatchObject({ ok: true, reason: 'cycle_finished' });
    clock.advance(THRESHOLD);
    expect(health.liveness().ok).toBe(true);
    clock.advance(1);
    expect(health.liveness()).toMatchObject({ ok: false, reason: 'loop_stopped' });
    // The scheduler comes back: a new cycle makes it healthy again.
    events.emit('cycle:start', { cycleId: 'c2' });
    expect(health.liveness()).toMatchObject({ ok: true, reason: 'cycle_running' });
  });

  it('counts any finished cycle as a sign of life, aborted ones included (Connect down is not a reason to restart)', () => {
    const { clock, events, health } = setup();
    events.emit('cycle:start', { cycleId: 'c1' });
    clock.advance(1000);
    events.emit('cycle:end', summary({ result: 'aborted', abortedBy: 'network' }));
    expect(health.liveness()).toMatchObject({ ok: true, reason: 'cycle_finished' });
  });

  it('stays healthy while ticks are skipped behind a recent cycle, and fails once that cycle stalls past the threshold', () => {
    const { clock, events, health } = setup();
    events.emit('cycle:end', summary({ cycleId: 'c0' }));
    events.emit('cycle:start', { cycleId: 'c1' });
    for (let tick = 1; tick <= 3; tick++) {
      clock.advance(INTERVAL);
      events.emit('cycle:skipped', { runningCycleId: 'c1' });
      expect(health.liveness()).toMatchObject({ ok: true, reason: 'cycle_running' });
    }
    clock.advance(MINUTE);
    expect(health.liveness().ok).toBe(true);
    clock.advance(1);
    events.emit('cycle:skipped', { runningCycleId: 'c1' });
    const probe = health.liveness();
    expect(probe).toMatchObject({
      ok: false,
      reason: 'cycle_stalled',
      details: { cycleId: 'c1', quietForMs: THRESHOLD + 1 },
    });
    expect(probe.message).toContain('c1');
  });

  it('treats a long cycle that keeps finishing requests as alive', () => {
    const { clock, events, health } = setup();
    events.emit('cycle:start', { cycleId: 'c1' });
    for (let i = 0; i < 10; i++) {
      clock.advance(INTERVAL);
      processRequest(events, { cycleId: 'c1', requestId: `PR-${i}` });
    }
    expect(health.liveness()).toMatchObject({
      ok: true,
      reason: 'cycle_running',
      details: { runningForMs: 10 * INTERVAL },
    });
    clock.advance(THRESHOLD + 1);
    expect(health.liveness()).toMatchObject({ ok: false, reason: 'cycle_stalled' });
  });

  it('notices a cycle it did not see start, from a skipped tick', () => {
    const { clock, events, health } = setup();
    clock.advance(1000);
    events.emit('cycle:skipped', { runningCycleId: 'c9' });
    expect(health.liveness()).toMatchObject({
      ok: true,
      reason: 'cycle_running',
      details: { cycleId: 'c9' },
    });
    clock.advance(THRESHOLD + 1);
    expect(health.liveness()).toMatchObject({ ok: false, reason: 'cycle_stalled' });
  });

  it('stops following events once unsubscribed', () => {
    const { events, health, stop } = setup();
    stop();
    events.emit('cycle:start', { cycleId: 'c1' });
    expect(health.liveness().reason).toBe('starting');
    expect(events.listenerCount('cycle:start')).toBe(0);
  });
});

describe('readiness (/readyz)', () => {
  it('is not ready before the first cycle finishes', () => {
    const { events, health } = setup();
    expect(health.readiness()).toMatchObject({ ok: false, reason: 'no_cycle_yet' });
    events.emit('cycle:start', { cycleId: 'c1' });
    expect(health.readiness()).toMatchObject({
      ok: false,
      reason: 'no_cycle_yet',
      details: { cycleRunning: true },
    });
  });

  it('is ready after a completed or an interrupted cycle', () => {
    const { events, health } = setup();
    events.emit('cycle:start', { cycleId: 'c1' });
    events.emit('cycle:end', summary({ cycleId: 'c1', found: 3, approved: 3 }));
    expect(health.readiness()).toMatchObject({
      ok: true,
      reason: 'cycle_completed',
      details: { cycleId: 'c1', result: 'completed' },
    });
    events.emit('cycle:end', summary({ cycleId: 'c2', result: 'interrupted' }));
    expect(health.readiness()).toMatchObject({ ok: true, reason: 'cycle_interrupted' });
  });

  it('is not ready after a cycle aborted on an auth failure, and ready again after the next good cycle', () => {
    const { events, health } = setup();
    events.emit('cycle:end', summary({ cycleId: 'c1' }));
    events.emit(
      'cycle:end',
      summary({ cycleId: 'c2', result: 'aborted', abortedBy: 'unauthorized', found: 4 }),
    );
    expect(health.readiness()).toMatchObject({
      ok: false,
      reason: 'unauthorized',
      details: { cycleId: 'c2', abortedBy: 'unauthorized' },
    });
    events.emit('cycle:end', summary({ cycleId: 'c3' }));
    expect(health.readiness().ok).toBe(true);
  });

  it('is not ready when the listing failed before any page came back', () => {
    const { events, health } = setup();
    events.emit('cycle:end', summary({ result: 'aborted', abortedBy: 'network', found: 0, invalid: 0 }));
    expect(health.readiness()).toMatchObject({ ok: false, reason: 'connect_unreachable' });
  });

  it('is ready when a cycle reached Connect and was aborted for another reason', () => {
    const { events, health } = setup();
    events.emit('cycle:end', summary({ result: 'aborted', abortedBy: 'retry_after_too_long', found: 2 }));
    expect(health.readiness()).toMatchObject({ ok: true, reason: 'cycle_aborted_after_listing' });
  });

  it('is not ready without a loaded configuration, or while stopping', () => {
    let stopping = false;
    const { events, health } = setup({ configLoaded: false, stopping: () => stopping });
    events.emit('cycle:end', summary());
    expect(health.readiness()).toMatchObject({ ok: false, reason: 'config_not_loaded' });
    health.setConfigLoaded(true);
    expect(health.readiness().ok).toBe(true);
    stopping = true;
    expect(health.readiness()).toMatchObject({ ok: false, reason: 'stopping' });
    // Liveness does not depend on either.
    expect(health.liveness().ok).toBe(true);
  });
});
