import type { Logger } from 'pino';
import type { ConnectClient } from '../connect/client.ts';
import { isConnectError } from '../connect/errors.ts';
import type { FulfillmentRequest } from '../connect/schemas.ts';
import type { RequestBackoff } from './backoff.ts';
import type { RequestResultKind } from './events.ts';
import { checkOutcome, executeOutcome, OutcomeError } from './executor.ts';
import type { HandlerContext } from './handler.ts';
import { validateOutcome, type Outcome, type OutcomeAction } from './outcomes.ts';
import { postNote } from './notes.ts';
import type { Router } from './router.ts';
import type { StateStore } from '../state/store.ts';
import { isLeaseLost } from '../state/lease-error.ts';
import { REQUEST_KIND, type WorkItem, type WorkKind } from './work-kind.ts';

export interface RequestDeps {
  client: ConnectClient;
  router: Router;
  backoff: RequestBackoff;
  handlerTimeoutMs: number;
  /** Durable store (state.url): decided outcomes are recorded there before they are carried out. */
  outcomes?: StateStore;
}

export interface ItemRun<T> {
  item: T;
  cycleId: string;
  /** Bound to the cycle and request (or TCR) ids. */
  log: Logger;
  /** Aborts in-flight work: forced shutdown or an aborted cycle. */
  signal: AbortSignal;
}

export type RequestRun = Omit<ItemRun<FulfillmentRequest>, 'item'> & { request: FulfillmentRequest };

export interface RequestResult {
  kind: RequestResultKind;
  action?: OutcomeAction;
  code?: string;
  /** The error message when kind is error. */
  message?: string;
  handlerMs?: number;
  /** An error that must end the whole cycle (401/403, an over-long Retry-After). */
  fatal?: unknown;
}

const KIND_OF: Record<OutcomeAction, RequestResultKind> = {
  approve: 'approved',
  fail: 'failed',
  inquire: 'inquired',
  pend: 'pended',
  skip: 'skipped',
};

/** Codes that say the whole cycle cannot go on, not just this request. */
const CYCLE_FATAL = new Set(['unauthorized', 'retry_after_too_long']);

export class HandlerTimeoutError extends Error {
  override readonly name = 'HandlerTimeoutError';
  readonly code = 'handler_timeout';
}

export class HandlerError extends Error {
  override readonly name = 'HandlerError';
  readonly code: string;
  constructor(message: string, code: string, cause?: unknown) {
    super(message, { cause });
    this.code = code;
  }
}

/** processItem for an asset request. */
export function processRequest(deps: RequestDeps, run: RequestRun): Promise<RequestResult> {
  const { request, ...rest } = run;
  return processItem(deps, REQUEST_KIND, { ...rest, item: request });
}

/**
 * One request or tier config request, start to end: backoff check, route, handler under its
 * deadline, outcome checks, the executor, and the log line that says what happened. It never throws:
 * every way it can end is a result, and what could not be handled is left as it was for a later cycle.
 */
export async function processItem<T extends WorkItem>(
  deps: RequestDeps,
  kind: WorkKind<T>,
  run: ItemRun<T>,
): Promise<RequestResult> {
  const dryRun = deps.client.dryRun;
  if (!dryRun) return processSafely(deps, kind, run);
  const { result, calls } = await dryRun.collect(() => processSafely(deps, kind, run));
  if (result.action !== undefined) {
    // The body goes through the logger, which masks the API key and the configured secrets.
    run.log.info(
      { event: `${kind.event}.decided`, action: result.action, dryRun: true, calls },
      `DRY RUN: ${run.item.id} would be ${result.action === 'skip' ? 'skipped' : `${KIND_OF[result.action]}`}` +
        ` (${calls.length} write call${calls.length === 1 ? '' : 's'} not sent)`,
    );
  }
  return result;
}

async function processSafely<T extends WorkItem>(
  deps: RequestDeps,
  kind: WorkKind<T>,
  run: ItemRun<T>,
): Promise<RequestResult> {
  try {
    return await handleItem(deps, kind, run);
  } catch (err) {
    // Only the state store gets here (the database went away): the object stays as it was.
    run.log.warn(
      { event: `${kind.event}.state_unavailable`, err },
      `${run.item.id}: state store unavailable (${err instanceof Error ? err.message : String(err)}); left pending`,
    );
    return { kind: 'error', code: 'state_unavailable' };
  }
}

async function handleItem<T extends WorkItem>(
  deps: RequestDeps,
  kind: WorkKind<T>,
  run: ItemRun<T>,
): Promise<RequestResult> {
  const { item, log } = run;
  const key = kind.stateKey(item.id);
  const { waitMs, attempt } = await deps.backoff.check(key);
  if (waitMs > 0) {
    log.debug(
      { event: `${kind.event}.deferred`, nextAttemptInMs: waitMs },
      `${item.id} deferred for ${waitMs} ms`,
    );
    return { kind: 'skipped' };
  }
  const route = kind.route(deps.router, item);
  if (!route.found && route.reason === 'status_not_handled') {
    log.debug(
      { event: `${kind.event}.unhandled`, status: item.status, reason: route.reason },
      `${item.id}: its handler is not called for ${item.status} ${kind.noun}s; left as it is`,
    );
    return { kind: 'skipped' };
  }
  if (!route.found && route.reason === 'connection_type_not_handled') {
    const connectionType = kind.connectionTypeOf(item);
    log.debug(
      { event: `${kind.event}.unhandled`, connectionType, reason: route.reason },
      `${item.id}: its handler does not take ${connectionType ?? 'unknown'} connections; left as it is`,
    );
    return { kind: 'skipped' };
  }
  if (!route.found) {
    log.info(
      { event: `${kind.event}.unhandled`, type: item.type, reason: route.reason },
      `${item.id}: no handler function for ${item.type} ${kind.noun}s of ${kind.productOf(item)}; left pending`,
    );
    return { kind: 'unhandled' };
  }

  const started = performance.now();
  let handlerMs: number | undefined;
  // A dry run leaves durable state as it found it: a later real run must act on these requests.
  const dryRun = deps.client.dryRun !== undefined;
  const outcomes = dryRun ? undefined : deps.outcomes;
  // An outcome a predecessor decided but did not finish carrying out: execute it, never ask again.
  const recorded = await outcomes?.recordedOutcome(key);
  try {
    const outcome =
      recorded ??
      (await callHandler(
        route.handle as (item: T, context: HandlerContext) => unknown,
        item,
        {
          log,
          signal: run.signal,
          client: deps.client,
          attempt,
          cycleId: run.cycleId,
          dryRun,
        },
        deps.handlerTimeoutMs,
      ));
    if (recorded)
      log.info(
        { event: `${kind.event}.resumed`, action: recorded.action },
        `${item.id}: carrying out the recorded ${recorded.action}`,
      );
    else handlerMs = performance.now() - started;
    checkOutcome(kind, item, outcome);
    const record = outcomes && !recorded && outcome.action !== 'skip';
    if (record) await outcomes.recordOutcome(key, outcome);
    const applied = await executeOutcome(deps.client, kind, item, outcome, run.signal);
    if (outcome.note !== undefined) await postNote(deps.client, item.id, outcome.note, log, run.signal);
    if (outcomes && outcome.action !== 'skip') await outcomes.clearOutcome(key);
    if (!dryRun) {
      if (outcome.action === 'skip') await deps.backoff.recordSkip(key, outcome.retryAfterMs);
      else await deps.backoff.recordSuccess(key);
    }
    if (dryRun) return { kind: KIND_OF[outcome.action], action: outcome.action, handlerMs };
    log.info(
      {
        event: `${kind.event}.processed`, // cycleId and the id come with the child logger
        handler: route.name,
        ...kind.fieldsOf(item),
        type: item.type,
        action: outcome.action,
        ...(applied?.result === 'already_done' ? { alreadyDone: true } : {}),
        ...(outcome.action === 'skip' ? { reason: outcome.reason, retryAfterMs: outcome.retryAfterMs } : {}),
        durationMs: Math.round(performance.now() - started),
      },
      describeOutcome(kind.subjectOf(item), outcome),
    );
    return { kind: KIND_OF[outcome.action], action: outcome.action, handlerMs };
  } catch (err) {
    if ((run.signal.aborted && !(err instanceof HandlerTimeoutError)) || isLeaseLost(err)) {
      log.warn({ event: `${kind.event}.aborted` }, `${item.id}: interrupted; left for the next cycle`);
      return { kind: 'skipped', code: 'aborted' };
    }
    const code = errorCode(err);
    if (CYCLE_FATAL.has(code)) return { kind: 'error', code, fatal: err };
    const nextAttemptInMs = dryRun ? 0 : await deps.backoff.recordFailure(key, code);
    // The handler's own mistakes name it: which module, which function.
    const handler = isHandlersFault(err)
      ? { handler: route.name, handlerModule: route.module, handlerFunction: route.function }
      : {};
    const by = isHandlersFault(err)
      ? `handler ${route.name} (${route.module ?? 'inline'}) ${route.function}(): `
      : '';
    log.error(
      { event: `${kind.event}.error`, handler: route.name, err, code, attempt, nextAttemptInMs, ...handler },
      `${item.id}: ${by}${err instanceof Error ? err.message : String(err)}; left ${item.status}, next attempt in ${Math.round(nextAttemptInMs / 1000)} s`,
    );
    return { kind: 'error', code, message: err instanceof Error ? err.message : String(err), handlerMs };
  }
}

/**
 * Runs the handler with its deadline. The race frees the slot when the deadline passes even if the
 * handler ignores its signal; its promise is then left to settle on its own (and its result ignored).
 * Also the test kit's runHandler (src/testing/): handlers are tested under the daemon's own rules.
 */
export async function callHandler<T>(
  handle: (item: T, context: HandlerContext) => unknown,
  item: T,
  context: HandlerContext,
  timeoutMs: number,
): Promise<Outcome> {
  // One controller for both ways the handler's signal aborts: its deadline, or the cycle's own signal
  // (forwarded by hand: AbortSignal.any costs more per request than this).
  const deadline = new AbortController();
  const signal = deadline.signal;
  const timer = setTimeout(
    () => deadline.abort(new HandlerTimeoutError(`handler did not finish within ${timeoutMs} ms`)),
    timeoutMs,
  );
  const forwardAbort = (): void => deadline.abort(context.signal.reason);
  if (context.signal.aborted) forwardAbort();
  else context.signal.addEventListener('abort', forwardAbort, { once: true });
  let onAbort = (): void => {};
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const running = Promise.resolve().then(() => handle(item, { ...context, signal }));
  running.catch(() => {}); // a late rejection after the deadline must not become an unhandled rejection
  try {
    const value = await Promise.race([running, stopped]);
    const checked = validateOutcome(value);
    if (!checked.ok) throw new OutcomeError(`handler returned an invalid outcome: ${checked.problem}`);
    return checked.outcome;
  } catch (err) {
    if (err instanceof HandlerTimeoutError || err instanceof OutcomeError || signal.aborted) throw err;
    throw new HandlerError(
      `handler threw: ${err instanceof Error ? err.message : String(err)}`,
      'handler_error',
      err,
    );
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    context.signal.removeEventListener('abort', forwardAbort);
    stopped.catch(() => {});
  }
}

function isHandlersFault(err: unknown): boolean {
  return err instanceof HandlerError || err instanceof OutcomeError || err instanceof HandlerTimeoutError;
}

function errorCode(err: unknown): string {
  if (isConnectError(err)) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'internal_error';
}

function describeOutcome(subject: string, outcome: Outcome): string {
  switch (outcome.action) {
    case 'approve':
      return `${subject} approved`;
    case 'fail':
      return `${subject} failed: ${outcome.reason}`;
    case 'inquire':
      return `${subject} inquired: ${Object.keys(outcome.params).join(', ')}`;
    case 'pend':
      return `${subject} back to pending`;
    case 'skip':
      return `${subject} skipped${outcome.reason ? `: ${outcome.reason}` : ''}`;
  }
}
