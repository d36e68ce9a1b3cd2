import type { ConnectClient } from '../connect/client.ts';
import { connectTo } from '../connect/index.ts';
import type { FulfillmentRequest, TierConfigRequest } from '../connect/schemas.ts';
import { checkOutcome } from '../fulfillment/executor.ts';
import { REQUEST_KIND, TIER_CONFIG_KIND } from '../fulfillment/work-kind.ts';
import {
  DEFAULT_STATUSES,
  type HandlerContext,
  type HandlerFunction,
  type VendorHandler,
} from '../fulfillment/handler.ts';
import type { Outcome } from '../fulfillment/outcomes.ts';
import { callHandler } from '../fulfillment/process-request.ts';
import { Router } from '../fulfillment/router.ts';
import { createLogger } from '../log.ts';

/**
 * Calls a handler the way the daemon does — a real context, the deadline, and the daemon's own
 * outcome checks (shape and length limits, status pairing, parameters the request has) — without a
 * daemon. What the daemon would log as the handler's error is thrown here as a HandlerRunError.
 */

/** One captured log line of the handler's logger, parsed. */
export interface LogLine {
  level: string;
  msg?: string;
  [field: string]: unknown;
}

export interface RunHandlerOptions {
  /** `context.attempt` (default 1). */
  attempt?: number;
  /** The handler's deadline, as processing.handlerTimeoutMs (default 4000: below jest's and vitest's 5 s test timeout). */
  timeoutMs?: number;
  /** Aborts the handler's `context.signal`, as a daemon shutdown would. */
  signal?: AbortSignal;
  /** A Connect (or simulator) to bind `context.client` to; without it, or `client`, the client fails on use. */
  simulator?: { url: string; apiKey?: string };
  /** A client of your own for `context.client`. */
  client?: ConnectClient;
  /** `context.cycleId` (default `test-cycle`). */
  cycleId?: string;
}

export interface HandlerRun {
  /** The outcome, checked as the daemon checks it before it acts. */
  outcome: Outcome;
  /** What the handler logged through `context.log`. */
  logs: LogLine[];
}

export type HandlerRunErrorCode = 'handler_error' | 'handler_timeout' | 'invalid_outcome' | 'not_called';

/** What the daemon would log as `request.error` (or not call the handler for at all). */
export class HandlerRunError extends Error {
  override readonly name = 'HandlerRunError';
  readonly code: HandlerRunErrorCode;
  readonly logs: LogLine[];
  constructor(message: string, code: HandlerRunErrorCode, logs: LogLine[], cause?: unknown) {
    super(message, { cause });
    this.code = code;
    this.logs = logs;
  }
}

export type TierConfigFunction = (
  tcr: TierConfigRequest,
  context: HandlerContext,
) => Outcome | Promise<Outcome>;
/** A handler module's default export, with the tier configuration functions (DESIGN.md). */
export type TestableHandler = VendorHandler & {
  tierConfig?: Partial<Record<'setup' | 'update', TierConfigFunction>>;
};

/**
 * `await runHandler(handler, buildRequest({ type: 'purchase' }))` → `{ outcome, logs }`. `handler` is
 * the module's default export (routed by the request's type and status, or by the TCR's type) or a
 * single function.
 */
export async function runHandler(
  handler: TestableHandler | HandlerFunction,
  request: FulfillmentRequest,
  options?: RunHandlerOptions,
): Promise<HandlerRun>;
export async function runHandler(
  handler: TestableHandler | TierConfigFunction,
  request: TierConfigRequest,
  options?: RunHandlerOptions,
): Promise<HandlerRun>;
export async function runHandler(
  handler: TestableHandler | HandlerFunction | TierConfigFunction,
  request: FulfillmentRequest | TierConfigRequest,
  options: RunHandlerOptions = {},
): Promise<HandlerRun> {
  const captured: string[] = [];
  const logs = (): LogLine[] =>
    captured
      .join('')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
  const root = createLogger({
    level: 'trace',
    format: 'json',
    destination: { write: (line: string) => captured.push(line) },
  });
  const cycleId = options.cycleId ?? 'test-cycle';
  const log = root.child({ cycleId, requestId: request.id });
  const tcr = isTierConfigRequest(request);
  const handle = tcr ? tierConfigFunction(handler, request) : requestFunction(handler, request);
  if (typeof handle === 'string') throw new HandlerRunError(handle, 'not_called', logs());

  const connection =
    options.client || !options.simulator
      ? undefined
      : connectTo(
          {
            url: options.simulator.url,
            apiKey: options.simulator.apiKey ?? 'SU-TEST-0000-0000:run-handler',
            connectTimeoutMs: 2_000,
            headersTimeoutMs: 10_000,
            bodyTimeoutMs: 10_000,
            requestsPerSecond: 100,
            concurrency: 4,
            retry: { maxAttempts: 2, baseDelayMs: 50, maxDelayMs: 200, maxRetryAfterMs: 2_000 },
          },
          log,
        );
  const context: HandlerContext = {
    log,
    signal: options.signal ?? new AbortController().signal,
    client: options.client ?? connection?.client ?? unconnectedClient(),
    attempt: options.attempt ?? 1,
    cycleId,
    dryRun: false,
  };
  try {
    const outcome = await callHandler(
      handle as (item: typeof request, context: HandlerContext) => unknown,
      request,
      context,
      options.timeoutMs ?? 4_000,
    );
    if (tcr) checkOutcome(TIER_CONFIG_KIND, request, outcome);
    else checkOutcome(REQUEST_KIND, request as FulfillmentRequest, outcome);
    return { outcome, logs: logs() };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const known = code === 'handler_timeout' || code === 'invalid_outcome' ? code : 'handler_error';
    const message = err instanceof Error ? err.message : String(err);
    throw new HandlerRunError(`${request.id}: ${message}`, known, logs(), err);
  } finally {
    await connection?.close();
  }
}

function isTierConfigRequest(request: FulfillmentRequest | TierConfigRequest): request is TierConfigRequest {
  return 'configuration' in request && !('asset' in request);
}

/** The daemon's own routing: the handler's function for the type, if its statuses include the request's. */
function requestFunction(
  handler: TestableHandler | HandlerFunction | TierConfigFunction,
  request: FulfillmentRequest,
): HandlerFunction | string {
  if (typeof handler === 'function') return handler as HandlerFunction;
  const router = new Router([
    { name: handler.name ?? 'handler', handler, products: [request.asset.product.id] },
  ]);
  const route = router.route(request);
  if (route.found) return route.handle as HandlerFunction; // route() answers asset requests only
  return route.reason === 'status_not_handled'
    ? `the daemon would not call this handler for ${request.id}: it is ${request.status}, and the handler's statuses are ${(handler.statuses ?? DEFAULT_STATUSES).join(', ')}`
    : `the daemon would not call this handler for ${request.id}: it has no ${request.type} function`;
}

function tierConfigFunction(
  handler: TestableHandler | HandlerFunction | TierConfigFunction,
  tcr: TierConfigRequest,
): TierConfigFunction | string {
  if (typeof handler === 'function') return handler as TierConfigFunction;
  const statuses: readonly string[] = handler.statuses ?? DEFAULT_STATUSES;
  if (!statuses.includes(tcr.status))
    return `the daemon would not call this handler for ${tcr.id}: it is ${tcr.status}, and the handler's statuses are ${statuses.join(', ')}`;
  const handle = handler.tierConfig?.[tcr.type as 'setup' | 'update'];
  if (typeof handle !== 'function')
    return `the daemon would not call this handler for ${tcr.id}: it has no tierConfig.${tcr.type} function`;
  return handle.bind(handler.tierConfig);
}

/** `context.client` when runHandler has nothing to connect to: any call says what to pass. */
function unconnectedClient(): ConnectClient {
  return new Proxy({} as ConnectClient, {
    get(_target, key) {
      if (typeof key === 'symbol' || key === 'then') return undefined; // not a promise, not a primitive
      return () => {
        throw new Error(
          `context.client.${key}() called, but runHandler has no Connect to call: pass { simulator: await startSimulator() } (or { client }) in runHandler's options`,
        );
      };
    },
  });
}
