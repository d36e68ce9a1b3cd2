import type { Logger } from 'pino';
import type { CycleSummary, FulfillmentEvents } from '../../fulfillment/events.ts';

/**
 * One short line per cycle for the person at the terminal (`dev.cycle`), numbered from 1:
 * `cycle 3: 5 approved, 1 inquired, 0 failed, 2 skipped — 120 ms`. Counts that are zero and rare
 * (pended, errors, unhandled) are left out; tier config requests are added when there were any.
 */
export function logCycleSummaries(events: FulfillmentEvents, log: Logger): () => void {
  let cycle = 0;
  const onEnd = (summary: CycleSummary) => {
    cycle++;
    log.info({ event: 'dev.cycle', cycle, ...shownCounts(summary) }, summaryLine(cycle, summary));
  };
  events.on('cycle:end', onEnd);
  return () => events.off('cycle:end', onEnd);
}

/** The counts of the line itself (cycle.finished has them all): short, also when pretty-printed. */
function shownCounts(s: CycleSummary): object {
  const { cycleId, approved, inquired, failed, skipped, pended, errors, unhandled, durationMs } = s;
  const tcr =
    s.tcrFound > 0 ? { tcrApproved: s.tcrApproved, tcrInquired: s.tcrInquired, tcrFailed: s.tcrFailed } : {};
  return { cycleId, approved, inquired, failed, skipped, pended, errors, unhandled, ...tcr, durationMs };
}

export function summaryLine(cycle: number, s: CycleSummary): string {
  const parts = [
    `${s.approved} approved`,
    `${s.inquired} inquired`,
    `${s.failed} failed`,
    `${s.skipped} skipped`,
  ];
  if (s.pended) parts.push(`${s.pended} pended`);
  if (s.errors) parts.push(`${s.errors} handler errors`);
  if (s.unhandled) parts.push(`${s.unhandled} without a function`);
  const tcr =
    s.tcrFound > 0
      ? `; tier config: ${s.tcrApproved} approved, ${s.tcrInquired} inquired, ${s.tcrFailed} failed, ` +
        `${s.tcrSkipped} skipped${s.tcrErrors ? `, ${s.tcrErrors} handler errors` : ''}`
      : '';
  const result = s.result === 'completed' ? '' : ` (${s.result})`;
  return `cycle ${cycle}${result}: ${parts.join(', ')}${tcr} — ${s.durationMs} ms`;
}
