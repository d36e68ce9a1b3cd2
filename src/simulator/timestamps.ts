/** Connect writes times as ISO 8601 with an explicit `+00:00` offset: `2026-11-24T07:30:00.123+00:00`. */
export function formatTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}+00:00`; // toISOString always ends in Z
}

export type TimeInput = string | number | Date;

// Bound once: under jest, global lookups in hot code (seeding, every listing compares dates) go
// through the test context's global proxy and cost ~100x more.
const parseDate = Date.parse;

/** Milliseconds since the epoch, from a timestamp in any form the store accepts. */
export function toMillis(value: TimeInput): number {
  const ms =
    typeof value === 'number' ? value : typeof value === 'string' ? parseDate(value) : value.getTime();
  if (ms !== ms) throw new RangeError(`not a timestamp: ${String(value)}`); // NaN is the only value unequal to itself
  return ms;
}

/** An ISO date or date-time (what RQL comparisons on `created`/`updated` carry); not plain numbers. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The instant a string denotes, or undefined when it is not an ISO date. */
export function parseInstant(value: string): number | undefined {
  if (!ISO_DATE.test(value)) return undefined;
  const ms = parseDate(value.replace(' ', 'T'));
  return ms === ms ? ms : undefined; // NaN is the only value unequal to itself
}
