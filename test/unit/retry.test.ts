import { describe, expect, it } from '@jest/globals';
import { ConnectError, type ConnectErrorCode } from '../../src/connect/errors.ts';
import { backoffDelay, decideRetry } from '../../src/connect/retry.ts';
import { parseRetryAfter } from '../../src/connect/retry-after.ts';

const policy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
const error = (code: ConnectErrorCode, extra: { status?: number; retryAfterMs?: number } = {}) =>
  new ConnectError(code, code, { method: 'GET', path: '/requests', ...extra });

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-24T10:00:00Z');
  it('reads delay-seconds', () => expect(parseRetryAfter('3', now)).toBe(3000));
  it('reads an HTTP date relative to now', () =>
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:07 GMT', now)).toBe(7000));
  it.each([['Tue, 24 Nov 2026 09:59:00 GMT'], ['soon'], [''], ['0'], ['-5']])(
    'gives up on %j (past, zero or unparseable)',
    (header) => {
      expect(parseRetryAfter(header, now)).toBeUndefined();
    },
  );
  it('takes the first of repeated headers', () => expect(parseRetryAfter(['2', '9'], now)).toBe(2000));
});

describe('decideRetry', () => {
  it.each<ConnectErrorCode>(['server_error', 'network', 'timeout', 'bad_response', 'rate_limited'])(
    'retries %s',
    (code) => {
      expect(decideRetry(error(code), 1, policy).retry).toBe(true);
    },
  );
  it.each<ConnectErrorCode>(['unauthorized', 'not_found', 'invalid_state', 'bad_request', 'aborted'])(
    'does not retry %s',
    (code) => {
      expect(decideRetry(error(code), 1, policy)).toEqual({ retry: false });
    },
  );
  it('stops after maxAttempts', () => {
    expect(decideRetry(error('server_error'), 3, policy).retry).toBe(true);
    expect(decideRetry(error('server_error'), 4, policy).retry).toBe(false);
  });
  it('honours Retry-After and pauses every call on 429 and on 503 with Retry-After', () => {
    expect(decideRetry(error('rate_limited', { status: 429, retryAfterMs: 2000 }), 1, policy)).toEqual({
      retry: true,
      delayMs: 2000,
      pauseAll: true,
    });
    expect(decideRetry(error('server_error', { status: 503, retryAfterMs: 1500 }), 1, policy)).toEqual({
      retry: true,
      delayMs: 1500,
      pauseAll: true,
    });
  });
  it('a 500 backs off on its own, without pausing everyone', () => {
    const decision = decideRetry(error('server_error', { status: 500 }), 2, policy, () => 0.5);
    expect(decision).toEqual({ retry: true, delayMs: 100, pauseAll: false });
  });
  it('refuses to sleep through a Retry-After beyond the maximum', () => {
    expect(() =>
      decideRetry(error('rate_limited', { status: 429, retryAfterMs: 60_000 }), 1, policy),
    ).toThrow(expect.objectContaining({ code: 'retry_after_too_long' }));
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter, never zero', () => {
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
    expect(backoffDelay(3, policy, () => 0.25)).toBe(100);
    expect(backoffDelay(1, policy, () => 0)).toBe(1);
  });
});
