import { looksLikeConnectToken } from '../secrets.ts';
import { formatProblem, type Problem } from './problems.ts';
import { scheduleWarning } from './schedule.ts';
import { findSetting } from './settings.ts';
import type { AppConfig, ConfigMode } from './types.ts';

// Rules across settings, and advice on valid ones; both run on settings that passed their own checks.

/** Demo without URL and key; live with both; a key alone is a mistake (it would silently run the demo). */
export function decideMode({
  url,
  apiKey,
}: AppConfig['connect']): { mode: ConfigMode } | { problem: Problem } {
  if (url !== null && apiKey !== null) return { mode: 'live' };
  if (url === null && apiKey === null) return { mode: 'demo' };
  return url === null
    ? {
        problem: about(
          'connect.apiKey',
          'is set but connect.url (CONNECT_API_URL) is not; set both for live mode, or neither for the demo',
        ),
      }
    : { problem: about('connect.apiKey', 'is required when connect.url (CONNECT_API_URL) is set') };
}

/** A base delay above its cap is a mistake; each pair is [lower, upper]. */
const ORDERED_PAIRS = [
  ['retry.baseDelayMs', 'retry.maxDelayMs'],
  ['processing.backoffBaseMs', 'processing.backoffMaxMs'],
  ['lease.renewMs', 'lease.durationMs'],
] as const;

export function checkOrderedPairs(values: Readonly<Record<string, unknown>>): Problem[] {
  return ORDERED_PAIRS.filter(([lower, upper]) => (values[lower] as number) > (values[upper] as number)).map(
    ([lower, upper]) => ({
      ...about(lower, `must not exceed ${upper} (${values[upper]})`),
      value: values[lower],
    }),
  );
}

/** Valid but probably unintended: one line each, naming the key. */
export function collectWarnings(config: AppConfig): string[] {
  const warnings: Problem[] = [];
  const schedule = scheduleWarning(config.poll.schedule);
  if (schedule) warnings.push(about('poll.schedule', schedule));
  const { url, apiKey } = config.connect;
  if (url !== null && isRemotePlainHttp(url)) {
    warnings.push(
      about('connect.url', 'is plain http to a remote host, so the API key travels unencrypted; use https'),
    );
  }
  if (apiKey !== null && !looksLikeConnectToken(apiKey)) {
    warnings.push(about('connect.apiKey', 'does not look like a Connect token (SU-xxxx-xxxx-xxxx:<secret>)'));
  }
  if (url !== null && apiKey !== null && config.handlers.length === 0) {
    warnings.push(about('handlers', 'is empty: live mode polls no product until handler modules are listed'));
  }
  return warnings.map(formatProblem);
}

function about(key: string, message: string): Problem {
  return { key, env: findSetting(key)?.env, message };
}

function isRemotePlainHttp(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  const loopback = hostname === 'localhost' || hostname.startsWith('127.') || hostname === '[::1]';
  return protocol === 'http:' && !loopback;
}
