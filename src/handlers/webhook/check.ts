import type { ValueIssue } from '../../config/formats.ts';

const KEYS = ['url', 'secret', 'timeoutMs'];

/** Loopback hosts, the only ones plain http:// may go to (the body and signature travel in clear). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Checks a `webhook` value; `at` is its key, e.g. `[0].webhook`. The secret's value is never quoted. */
export function checkWebhook(value: unknown, at: string): ValueIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [{ at, message: 'must be { url, secret, timeoutMs? }' }];
  }
  const spec = value as Record<string, unknown>;
  const issues: ValueIssue[] = Object.keys(spec)
    .filter((key) => !KEYS.includes(key))
    .map((key) => ({ at: `${at}.${key}`, message: `unknown key (one of ${KEYS.join(', ')})` }));
  const url = typeof spec.url === 'string' ? URL.parse(spec.url) : null;
  if (url === null || !['https:', 'http:'].includes(url.protocol) || url.hostname === '') {
    issues.push({ at: `${at}.url`, message: 'must be an https:// URL', value: spec.url });
  } else if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    issues.push({
      at: `${at}.url`,
      message: 'must use https:// (plain http:// only to loopback addresses)',
      value: spec.url,
    });
  }
  if (typeof spec.secret !== 'string' || spec.secret.length < 16) {
    issues.push({ at: `${at}.secret`, message: 'must be a string of at least 16 characters' });
  }
  if (spec.timeoutMs !== undefined && !(Number.isInteger(spec.timeoutMs) && (spec.timeoutMs as number) > 0)) {
    issues.push({ at: `${at}.timeoutMs`, message: 'must be a positive integer (ms)', value: spec.timeoutMs });
  }
  return issues;
}
