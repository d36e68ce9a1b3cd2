import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { isConnectError } from '../connect/errors.ts';
import type { InvalidItem } from '../connect/schemas.ts';
import { emptySummary, type CycleSummary, type FulfillmentEvents, type RequestResultKind } from './events.ts';
import { processItem, type RequestDeps } from './process-request.ts';
import {
  REQUEST_KIND,
  TIER_CONFIG_KIND,
  type WorkItem,
  type WorkKind,
  type WorkKindName,
} from './work-kind.ts';

export interface CycleDeps extends RequestDeps {
  log: Logger;
  events: FulfillmentEvents;
  pageSize: number;
  /** Requests handled at once. */
  concurrency: number;
}

export interface CycleSignals {
  /** Graceful stop: take no new request, let the ones in flight finish. */
  drain?: AbortSignal;
  /** Forced stop: abort what is in flight too. */
  abort?: AbortSignal;
}

type Count = Exclude<keyof CycleSummary, 'cycleId' | 'result' | 'durationMs' | 'abortedBy'>;

/** Which summary count each result (and listing) adds to, per kind: TCRs are counted apart. */
const COUNTS: Record<WorkKindName, Record<RequestResultKind | 'found' | 'invalid', Count>> = {
  request: {
    found: 'found',
    invalid: 'invalid',
    approved: 'approved',
    failed: 'failed',
    inquired: 'inquired',
    pended: 'pended',
    skipped: 'skipped',
    error: 'errors',
    unhandled: 'unhandled',
  },
  tier_config_request: {
    found: 'tcrFound',
    invalid: 'tcrInvalid',
    approved: 'tcrApproved',
    failed: 'tcrFailed',
    inquired: 'tcrInquired',
    pended: 'tcrPended',
    skipped: 'tcrSkipped',
    error: 'tcrErrors',
    unhandled: 'tcrUnhandled',
  },
};

/**
 * One pass over the queue: list every pending request of the handled products and process each with
 * bounded concurrency while the listing goes on (so 10,000 pending requests never sit in memory at
 * once). A request-level failure stays with that request; a failure that concerns every call (401,
 * a Retry-After beyond the maximum, a listing that keeps failing) ends the cycle at once.
 */
export async function runCycle(deps: CycleDeps, signals: CycleSignals = {}): Promise<CycleSummary> {
  const cycleId = randomUUID().slice(0, 8);
  const log = deps.log.child({ cycleId });
  const started = performance.now();
  const summary = emptySummary(cycleId);
  if (deps.client.dryRun) summary.dryRun = true;
  const products = deps.router.products;
  log.info({ event: 'cycle.started', products }, 'cycle started'); // cycleId comes with the child logger
  deps.events.emit('cycle:start', { cycleId });

  const stopCycle = new AbortController();
  const inFlight = AbortSignal.any([stopCycle.signal, ...(signals.abort ? [signals.abort] : [])]);
  let abortedBy: unknown;
  const abortCycle = (err: unknown) => {
    abortedBy ??= err;
    stopCycle.abort(err);
  };

  const pool = new PQueue({ concurrency: deps.concurrency });
  /** State keys of everything listed: backoff entries of anything else are forgotten. */
  const listed = new Set<string>();
  const listingSignal = signals.drain ? AbortSignal.any([inFlight, signals.drain]) : inFlight;
  const stopped = () => Boolean(signals.drain?.aborted || inFlight.aborted);

  /** Lists one kind and processes each item with bounded concurrency while the listing goes on. */
  const processAll = async <T extends WorkItem>(
    kind: WorkKind<T>,
    list: (onInvalid: (item: InvalidItem) => void) => AsyncIterable<T>,
  ): Promise<void> => {
    const counts = COUNTS[kind.name];
    const listing = list((item) => {
      summary[counts.invalid]++;
      log.warn(
        { event: `${kind.event}.invalid`, [kind.idField]: item.id, problems: item.problems },
        `listed ${kind.noun} ${item.id ?? `#${item.index}`} set aside: ${item.problems.join('; ')}`,
      );
    });
    for await (const item of listing) {
      if (stopped()) break;
      listed.add(kind.stateKey(item.id));
      summary[counts.found]++;
      const itemLog = log.child({ [kind.idField]: item.id });
      void pool.add(async () => {
        if (stopped()) return; // queued before the stop, never started
        const began = performance.now();
        deps.events.emit('request:start', { cycleId, requestId: item.id });
        const result = await processItem(deps, kind, { item, cycleId, log: itemLog, signal: inFlight });
        summary[counts[result.kind]]++;
        if (result.fatal) abortCycle(result.fatal);
        deps.events.emit('request:done', {
          cycleId,
          requestId: item.id,
          itemKind: kind.name,
          type: item.type,
          productId: kind.productOf(item),
          kind: result.kind,
          action: result.action,
          code: result.code,
          message: result.message,
          durationMs: performance.now() - began,
          handlerMs: result.handlerMs,
        });
      });
      // Back-pressure: the listing stays at most one batch ahead of the workers (waiting for half a
      // batch to drain, not one slot, saves a wake-up per request).
      if (pool.size >= deps.concurrency) await pool.onSizeLessThan(Math.ceil(deps.concurrency / 2));
    }
  };

  /** Both listings page alike; a graceful stop ends them at once, even mid-sleep in a Retry-After pause. */
  const listingOptions = (onInvalid: (item: InvalidItem) => void) => ({
    pageSize: deps.pageSize,
    connectionTypes: deps.router.connectionTypes,
    signal: listingSignal,
    onInvalid,
  });

  let listedAll = false;
  try {
    // Tier config requests first: purchases wait in tiers_setup on them, and an approved TCR moves
    // its purchase to pending in time for this cycle's listing of requests.
    const tierConfigProducts = deps.router.tierConfigProducts;
    if (tierConfigProducts.length > 0) {
      await processAll(TIER_CONFIG_KIND, (onInvalid) =>
        deps.client.listTierConfigRequestsIn(
          deps.router.tierConfigStatuses,
          tierConfigProducts,
          listingOptions(onInvalid),
        ),
      );
      await pool.onIdle();
    }
    if (!stopped()) {
      await processAll(REQUEST_KIND, (onInvalid) =>
        deps.client.listRequestsIn(deps.router.statuses, products, listingOptions(onInvalid)),
      );
    }
    listedAll = !stopped();
  } catch (err) {
    const drained = signals.drain?.aborted && !inFlight.aborted;
    if (!drained) abortCycle(err);
  }
  await pool.onIdle();

  // Only complete listings tell which requests are no longer pending.
  if (listedAll) {
    await deps.backoff.retainOnly(listed).catch((err: unknown) => {
      log.warn(
        { event: 'state.unavailable', err },
        'state store unavailable: old backoff entries kept for now',
      );
    });
  }
  summary.durationMs = Math.round(performance.now() - started);
  if (abortedBy !== undefined) {
    summary.result = 'aborted';
    summary.abortedBy = isConnectError(abortedBy) ? abortedBy.code : 'error';
    logAbort(log, abortedBy);
  } else if (!listedAll) {
    summary.result = 'interrupted';
  }
  const { cycleId: _bound, ...counts } = summary; // the child logger carries cycleId already
  log.info({ event: 'cycle.finished', ...counts }, cycleMessage(summary));
  deps.events.emit('cycle:end', summary);
  return summary;
}

function logAbort(log: Logger, err: unknown): void {
  if (isConnectError(err, 'unauthorized')) {
    log.error(
      { event: 'api.unauthorized', err },
      `Connect refused the API key (connect.apiKey / CONNECT_API_KEY): ${(err as Error).message.replace(/\.$/, '')}; cycle ended, the next cycle tries again`,
    );
  } else {
    log.error(
      { event: 'cycle.aborted', err },
      `cycle aborted: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

function cycleMessage(s: CycleSummary): string {
  return (
    (s.dryRun ? 'DRY RUN (nothing sent): ' : '') +
    `cycle ${s.result}: ${s.found} found, ${s.approved} approved, ${s.failed} failed, ${s.inquired} inquired, ` +
    `${s.pended} pended, ${s.skipped} skipped, ${s.errors} errors, ${s.unhandled} unhandled` +
    (s.tcrFound > 0 || s.tcrInvalid > 0
      ? `; tier config requests: ${s.tcrFound} found, ${s.tcrApproved} approved, ${s.tcrFailed} failed, ` +
        `${s.tcrInquired} inquired, ${s.tcrPended} pended, ${s.tcrSkipped} skipped, ${s.tcrErrors} errors`
      : '') +
    ` in ${s.durationMs} ms`
  );
}
