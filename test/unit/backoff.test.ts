import { describe, expect, it } from '@jest/globals';
import { RequestBackoff } from '../../src/fulfillment/backoff.ts';

describe('per-request backoff', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('doubles after each failure up to the cap and resets on success', () => {
    const time = clock();
    const backoff = new RequestBackoff({ baseMs: 1000, maxMs: 5000, now: time.now });
    expect(backoff.attemptOf('PR-1')).toBe(1);
    expect([1, 2, 3, 4].map(() => backoff.recordFailure('PR-1'))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoff.attemptOf('PR-1')).toBe(5);
    expect(backoff.waitFor('PR-1')).toBe(5000);
    time.advance(5000);
    expect(backoff.waitFor('PR-1')).toBe(0);
    backoff.recordSuccess('PR-1');
    expect(backoff.attemptOf('PR-1')).toBe(1);
    expect(backoff.recordFailure('PR-1')).toBe(1000);
  });

  it('a skip with retryAfterMs defers without counting as a failure', () => {
    const time = clock();
    const backoff = new RequestBackoff({ baseMs: 1000, maxMs: 5000, now: time.now });
    backoff.recordFailure('PR-1');
    backoff.recordSkip('PR-1', 30_000);
    expect(backoff.attemptOf('PR-1')).toBe(1);
    expect(backoff.waitFor('PR-1')).toBe(30_000);
    backoff.recordSkip('PR-1', undefined);
    expect(backoff.waitFor('PR-1')).toBe(0);
  });

  it('forgets requests that are no longer pending', () => {
    const backoff = new RequestBackoff({ baseMs: 1000, maxMs: 5000 });
    backoff.recordFailure('PR-1');
    backoff.recordFailure('PR-2');
    backoff.retainOnly(new Set(['PR-2', 'PR-3']));
    expect(backoff.size).toBe(1);
    expect(backoff.attemptOf('PR-1')).toBe(1);
    expect(backoff.attemptOf('PR-2')).toBe(2);
  });
});
