import { ConnectError, isConnectError } from './errors.ts';

export interface RetryOptions {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A server-requested pause longer than this ends the cycle instead of being slept through. */
  maxRetryAfterMs: number;
}

/** What the retry loop decided after a failed attempt. */
export type RetryDecision =
  | { retry: false }
  | { retry: true; delayMs: number; /** pause every call, not only this one */ pauseAll: boolean };

/**
 * The retry policy, in one place for every call. Transient failures (5xx, network, timeouts, unusable
 * bodies, 429) are retried with exponential backoff and full jitter; a Retry-After from the server wins
 * over the computed delay and, for 429/503, pauses all calls. Everything else is final.
 *
 * Whether a failed POST may be sent again is not decided here: the caller passes `transient` false
 * for outcomes it must resolve by re-reading (see ConnectClient's actions).
 */
export function decideRetry(
  err: unknown,
  attempt: number,
  options: RetryOptions,
  random: () => number = Math.random,
): RetryDecision {
  if (!isConnectError(err) || !isTransient(err) || attempt >= options.maxAttempts) return { retry: false };
  const askedForPause = err.code === 'rate_limited' || (err.status === 503 && err.retryAfterMs !== undefined);
  if (err.retryAfterMs !== undefined) {
    if (err.retryAfterMs > options.maxRetryAfterMs) {
      throw new ConnectError(
        'retry_after_too_long',
        `${err.method} ${err.path}: server asked to wait ${Math.ceil(err.retryAfterMs / 1000)} s, more than retry.maxRetryAfterMs (${options.maxRetryAfterMs} ms)`,
        {
          method: err.method,
          path: err.path,
          status: err.status,
          retryAfterMs: err.retryAfterMs,
          cause: err,
        },
      );
    }
    return { retry: true, delayMs: err.retryAfterMs, pauseAll: askedForPause };
  }
  return { retry: true, delayMs: backoffDelay(attempt, options, random), pauseAll: askedForPause };
}

export function isTransient(err: ConnectError): boolean {
  switch (err.code) {
    case 'server_error':
    case 'network':
    case 'timeout':
    case 'rate_limited':
    case 'bad_response':
      return true;
    default:
      return false;
  }
}

/** Exponential backoff with full jitter; never zero, so a retry can never spin. */
export function backoffDelay(
  attempt: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.max(1, Math.round(random() * ceiling));
}
