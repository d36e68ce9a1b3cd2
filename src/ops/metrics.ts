import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DaemonHooks } from '../daemon/build.ts';
import type { CycleSummary, FulfillmentEvents, RequestEvent } from '../fulfillment/events.ts';

/** Every metric of the daemon is named `connect_fulfillment_...`. */
export const METRIC_PREFIX = 'connect_fulfillment_';

export interface MetricsOptions {
  /** prom-client's process and Node.js metrics (CPU, memory, event loop, GC...). Default true. */
  defaultMetrics?: boolean;
  /** Wall clock in ms, for the last-successful-cycle timestamp (tests pass a fake one). */
  now?: () => number;
  /** Most distinct API routes kept as label values; later ones are counted as `other`. Default 50. */
  maxRoutes?: number;
}

export interface Metrics {
  /** This daemon's own registry (never prom-client's global one). */
  readonly registry: Registry;
  /** Pass to createDaemon/buildDaemon: API calls, retries and rate-limit pauses. */
  readonly hooks: DaemonHooks;
  /** Counts cycles and requests from the daemon's events; returns a function that stops listening. */
  observe(events: FulfillmentEvents): () => void;
  /** Reports how many requests wait in `backoff` at each scrape (`requests_in_backoff`). */
  trackBackoff(backoff: { readonly size: number }): void;
}

/** Values a label may take from data we do not control; anything else becomes `other`. */
const REQUEST_TYPES = new Set([
  'purchase',
  'change',
  'suspend',
  'resume',
  'cancel',
  'adjustment',
  'setup',
  'update',
]);
/** Asset requests and tier config requests: the `kind` label. */
const KINDS = new Set(['request', 'tier_config_request']);
const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
/** Error codes are short snake_case words from our own code; a label never takes anything longer. */
const CODE = /^[a-z][a-z0-9_]{0,39}$/;

const OTHER = 'other';

function requestType(type: string): string {
  return REQUEST_TYPES.has(type) ? type : OTHER;
}

function kindOf(value: string | undefined): string {
  if (value === undefined) return 'request';
  return KINDS.has(value) ? value : OTHER;
}

function code(value: string | undefined): string {
  if (value === undefined) return 'none';
  return CODE.test(value) ? value : OTHER;
}

function seconds(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0;
}

/** Hooks and listeners must never throw into the client or the cycle: a metrics bug stays a metrics bug. */
function safely<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch {
      // Dropped on purpose: losing one sample is better than failing a request.
    }
  };
}

/**
 * The daemon's Prometheus metrics. Label values are bounded: API routes arrive templated
 * (`/requests/{id}/approve`) and are capped in number besides, request types and error codes are
 * checked against what they can be, and no request, asset or cycle id is ever a label.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const now = options.now ?? Date.now;
  const maxRoutes = options.maxRoutes ?? 50;
  const registry = new Registry();
  const registers = [registry];
  const name = (suffix: string) => `${METRIC_PREFIX}${suffix}`;

  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const cycles = new Counter({
    name: name('cycles_total'),
    help: 'Finished polling cycles, by result (completed, interrupted, aborted).',
    labelNames: ['result'] as const,
    registers,
  });
  const cycleAborts = new Counter({
    name: name('cycle_aborts_total'),
    help: 'Aborted cycles, by the error code that ended them (e.g. unauthorized, network).',
    labelNames: ['code'] as const,
    registers,
  });
  const cycleDuration = new Histogram({
    name: name('cycle_duration_seconds'),
    help: 'Duration of finished polling cycles, by result.',
    labelNames: ['result'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
    registers,
  });
  const cyclesSkipped = new Counter({
    name: name('cycles_skipped_total'),
    help: 'Schedule ticks skipped because the previous cycle was still running.',
    registers,
  });
  const cycleRunning = new Gauge({
    name: name('cycle_running'),
    help: '1 while a polling cycle runs, else 0.',
    registers,
  });
  const lastSuccess = new Gauge({
    name: name('last_successful_cycle_timestamp_seconds'),
    help: 'Unix time at which the last cycle with result "completed" ended (0 before the first).',
    registers,
  });
  const invalidItems = new Counter({
    name: name('invalid_items_total'),
    help: 'Listed requests and tier config requests that failed validation and were set aside.',
    registers,
  });
  const requests = new Counter({
    name: name('requests_total'),
    help: 'Handled requests and tier config requests, by outcome (approved, failed, inquired, pended, skipped, error, unhandled), type and kind (request, tier_config_request).',
    labelNames: ['outcome', 'type', 'kind'] as const,
    registers,
  });
  const inFlight = new Gauge({
    name: name('requests_in_flight'),
    help: 'Requests being handled right now.',
    registers,
  });
  const handlerDuration = new Histogram({
    name: name('handler_duration_seconds'),
    help: 'Duration of vendor handler calls that returned, by type and kind (request, tier_config_request).',
    labelNames: ['type', 'kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers,
  });
  const handlerTimeouts = new Counter({
    name: name('handler_timeouts_total'),
    help: 'Vendor handler calls that missed their deadline, by type and kind (request, tier_config_request).',
    labelNames: ['type', 'kind'] as const,
    registers,
  });
  const apiCalls = new Counter({
    name: name('api_calls_total'),
    help: 'Connect API calls (each attempt), by templated route, method, HTTP status ("none" without a response) and error code ("none" on success).',
    labelNames: ['route', 'method', 'status', 'code'] as const,
    registers,
  });
  const apiDuration = new Histogram({
    name: name('api_call_duration_seconds'),
    help: 'Duration of Connect API call attempts, by templated route and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const apiRetries = new Counter({
    name: name('api_retries_total'),
    help: 'Connect API calls retried, by templated route and the error code that caused the retry.',
    labelNames: ['route', 'code'] as const,
    registers,
  });
  const pauses = new Counter({
    name: name('rate_limit_pauses_total'),
    help: 'Pauses of all API calls that Connect imposed (429 / Retry-After).',
    registers,
  });
  const pauseSeconds = new Counter({
    name: name('rate_limit_pause_seconds_total'),
    help: 'Total length of the pauses Connect imposed, in seconds.',
    registers,
  });

  let backoff: { readonly size: number } | undefined;
  new Gauge({
    name: name('requests_in_backoff'),
    help: 'Requests waiting before their next attempt: after a failure (backoff), or a skip with retryAfterMs.',
    registers,
    collect() {
      this.set(backoff?.size ?? 0);
    },
  });

  lastSuccess.set(0);
  cycleRunning.set(0);
  inFlight.set(0);

  const routes = new Set<string>();
  const route = (value: string): string => {
    if (routes.has(value)) return value;
    if (routes.size >= maxRoutes || value.length > 120) return OTHER;
    routes.add(value);
    return value;
  };
  const method = (value: string): string => {
    const upper = value.toUpperCase();
    return HTTP_METHODS.has(upper) ? upper : OTHER;
  };

  const hooks: DaemonHooks = {
    onCall: safely((call) => {
      const labels = { route: route(call.route), method: method(call.method) };
      apiCalls.inc({
        ...labels,
        status: call.status === undefined ? 'none' : String(call.status),
        code: code(call.code),
      });
      apiDuration.observe(labels, seconds(call.durationMs));
    }),
    onRetry: safely((retry) => {
      apiRetries.inc({ route: route(retry.route), code: code(retry.code) });
    }),
    onPause: safely((ms: number) => {
      pauses.inc();
      pauseSeconds.inc(seconds(ms));
    }),
  };

  const observe = (events: FulfillmentEvents): (() => void) => {
    let running = 0;
    const onCycleStart = safely(() => cycleRunning.set(1));
    const onCycleEnd = safely((summary: CycleSummary) => {
      cycleRunning.set(0);
      // Requests that never reported back (a listener attached mid-request) do not linger.
      running = 0;
      inFlight.set(0);
      cycles.inc({ result: summary.result });
      cycleDuration.observe({ result: summary.result }, seconds(summary.durationMs));
      if (summary.result === 'aborted') cycleAborts.inc({ code: code(summary.abortedBy ?? 'error') });
      const invalid = summary.invalid + (summary.tcrInvalid ?? 0);
      if (invalid > 0) invalidItems.inc(invalid);
      if (summary.result === 'completed') lastSuccess.set(now() / 1000);
    });
    const onSkipped = safely(() => cyclesSkipped.inc());
    const onRequestStart = safely(() => inFlight.set(++running));
    const onRequestDone = safely((event: RequestEvent) => {
      running = Math.max(0, running - 1);
      inFlight.set(running);
      const labels = { type: requestType(event.type), kind: kindOf(event.itemKind) };
      requests.inc({ outcome: event.kind, ...labels });
      if (event.handlerMs !== undefined) handlerDuration.observe(labels, seconds(event.handlerMs));
      if (event.code === 'handler_timeout') handlerTimeouts.inc(labels);
    });

    events.on('cycle:start', onCycleStart);
    events.on('cycle:end', onCycleEnd);
    events.on('cycle:skipped', onSkipped);
    events.on('request:start', onRequestStart);
    events.on('request:done', onRequestDone);
    return () => {
      events.off('cycle:start', onCycleStart);
      events.off('cycle:end', onCycleEnd);
      events.off('cycle:skipped', onSkipped);
      events.off('request:start', onRequestStart);
      events.off('request:done', onRequestDone);
    };
  };

  return {
    registry,
    hooks,
    observe,
    trackBackoff: (tracked) => {
      backoff = tracked;
    },
  };
}
