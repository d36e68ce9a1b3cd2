import { CronTime, validateCronExpression } from 'cron';
import type { ValueIssue } from './formats.ts';

/** Polling more often loads Connect for nothing; less often keeps customers waiting. */
export const RECOMMENDED_INTERVAL_MS = { min: 2 * 60_000, max: 5 * 60_000 };

/** Firings looked at to judge a schedule's rhythm: enough to see an uneven one like `0 0,1 * * * *`. */
const SAMPLED_FIRINGS = 6;

const EXPECTED =
  'must be a cron expression, e.g. "0 */3 * * * *" for every 3 minutes (the seconds field is optional)';

export function checkSchedule(value: unknown): ValueIssue[] {
  if (typeof value !== 'string') return [{ message: EXPECTED, value }];
  const { valid, error } = validateCronExpression(value);
  if (!valid) return [{ message: `${EXPECTED}; cron says: ${error?.message ?? 'invalid'}`, value }];
  if (nextFirings(value, 1).length === 0) return [{ message: 'never fires', value }];
  return [];
}

/**
 * A warning when a valid schedule fires outside the recommended 2–5 minutes (judged by the gaps
 * between its next few firings), else undefined.
 */
export function scheduleWarning(schedule: string): string | undefined {
  const firings = nextFirings(schedule, SAMPLED_FIRINGS);
  const gaps = firings.slice(1).map((time, index) => time - firings[index]!);
  if (gaps.length === 0) return undefined;
  const shortest = Math.min(...gaps);
  const longest = Math.max(...gaps);
  if (shortest >= RECOMMENDED_INTERVAL_MS.min && longest <= RECOMMENDED_INTERVAL_MS.max) return undefined;
  const rhythm =
    shortest === longest
      ? `fires every ${formatInterval(shortest)}`
      : `fires at intervals from ${formatInterval(shortest)} to ${formatInterval(longest)}`;
  const effect =
    shortest < RECOMMENDED_INTERVAL_MS.min ? 'polls Connect more often than needed' : 'delays fulfillment';
  return `"${schedule}" ${rhythm}, which ${effect}; between 2 and 5 minutes is recommended`;
}

/** Epoch milliseconds of the next `count` firings; empty when the expression never fires. */
function nextFirings(schedule: string, count: number): number[] {
  try {
    return new CronTime(schedule).sendAt(count).map((time) => time.toMillis());
  } catch {
    // cron throws when it finds no date in the coming years (e.g. February 31st).
    return [];
  }
}

function formatInterval(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}
