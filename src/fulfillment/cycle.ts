import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { isConnectError } from '../connect/errors.ts';
import { emptySummary, type CycleSummary, type FulfillmentEvents, type RequestResultKind } from './events.ts';
import { processRequest, type RequestDeps } from './process-request.ts';

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

const COUNTER_OF: Record<
  RequestResultKind,
  keyof Pick<CycleSummary, 'approved' | 'failed' | 'inquired' | 'pended' | 'skipped' | 'errors' | 'unhandled'>
> = {
  approved: 'approved',
  failed: 'failed',
  inquired: 'inquired',
  pended: 'pended',
  skipped: 'skipped',
  error: 'errors',
  unhandled: 'unhandled',
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
  const pending = new Set<string>();
  let listedAll = false;
  try {
    const listing = deps.client.listRequestsIn(deps.router.statuses, products, {
      pageSize: deps.pageSize,
      connectionTypes: deps.router.connectionTypes,
      // A graceful stop ends the listing at once, even mid-sleep in a Retry-After pause.
      signal: signals.drain ? AbortSignal.any([inFlight, signals.drain]) : inFlight,
      onInvalid: (item) => {
        summary.invalid++;
        log.warn(
          { event: 'request.invalid', requestId: item.id, problems: item.problems },
          `listed request ${item.id ?? `#${item.index}`} set aside: ${item.problems.join('; ')}`,
        );
      },
    });
    for await (const request of listing) {
      if (signals.drain?.aborted || inFlight.aborted) break;
      pending.add(request.id);
      summary.found++;
      const requestLog = log.child({ requestId: request.id });
      void pool.add(async () => {
        if (signals.drain?.aborted || inFlight.aborted) return; // queued before the stop, never started
        const began = performance.now();
        deps.events.emit('request:start', { cycleId, requestId: request.id });
        const result = await processRequest(deps, { request, cycleId, log: requestLog, signal: inFlight });
        summary[COUNTER_OF[result.kind]]++;
        if (result.fatal) abortCycle(result.fatal);
        deps.events.emit('request:done', {
          cycleId,
          requestId: request.id,
          type: request.type,
          productId: request.asset.product.id,
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
    listedAll = !signals.drain?.aborted && !inFlight.aborted;
  } catch (err) {
    const drained = signals.drain?.aborted && !inFlight.aborted;
    if (!drained) abortCycle(err);
  }
  await pool.onIdle();

  // Only a complete listing tells which requests are no longer pending.
  if (listedAll) {
    await deps.backoff.retainOnly(pending).catch((err: unknown) => {
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
    `${s.pended} pended, ${s.skipped} skipped, ${s.errors} errors, ${s.unhandled} unhandled in ${s.durationMs} ms`
  );
}
