/**
 * Parses a Retry-After header (RFC 9110: delay-seconds or an HTTP date) into milliseconds from `now`.
 * Returns undefined when the header is absent, unparseable or already past: the caller then uses its
 * own computed backoff, so a bad header can never turn into a busy loop.
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    const ms = Number(text) * 1000;
    return ms > 0 ? ms : undefined;
  }
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  const ms = at - now;
  return ms > 0 ? ms : undefined;
}
