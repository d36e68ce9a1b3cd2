import { describe, expect, it } from '@jest/globals';
import { RequestBackoff } from '../../src/fulfillment/backoff.ts';

describe('per-request backoff', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('doubles after each failure up to the cap and resets on success', async () => {
    const time = clock();
    const backoff = new RequestBackoff({ baseMs: 1000, maxMs: 5000, now: time.now });
    expect(backoff.attemptOf('PR-1')).toBe(1);
    const delays = [];
    for (let i = 0; i < 4; i++) delays.push(await backoff.recordFailure('PR-1'));
    expect(delays).toEqual([1000, 2000, 4000, 5000]);
    expect(backoff.attemptOf('PR-1')).toBe(5);
    expect(backoff.waitFor('PR-1')).toBe(5000);
    time.advance(5000);
    expect(backoff.waitFor('PR-1')).toBe(0);
    await backoff.recordSuccess('PR-1');
    expect(backoff.attemptOf('PR-1')).toBe(1);
    expect(await backoff.recordFailure('PR-1')).toBe(1000);
  });

  it('a skip with retryAfterMs defers without counting as a failure', async () => {
    const time = clock();
    const backoff = new RequestBackoff({ baseMs: 1000, maxMs: 5000, now: time.now });
    await backoff.recordFailure('PR-1');
    await backoff.recordSkip('PR-1', 30_000);
    expect(backoff.attemptOf('PR-1')).toBe(1);
    expect(backoff.waitFor('PR-1')).toBe(30_000);
    await backoff.recordSkip('PR-1', undefined);
    expect(backoff.waitFor('PR-1')).toBe(0);
  });

  it('forgets requests that are no longer pending', async () => {
    const backoff = new RequestBackoff({ baseMs: 1000, maxMs: 5000 });
    await backoff.recordFailure('PR-1');
    await backoff.recordFailure('PR-2');
    await backoff.retainOnly(new Set(['PR-2', 'PR-3']));
    expect(backoff.size).toBe(1);
    expect(backoff.attemptOf('PR-1')).toBe(1);
    expect(backoff.attemptOf('PR-2')).toBe(2);
  });
});
