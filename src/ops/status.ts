import type { DaemonHooks } from '../daemon/build.ts';
import type { CycleSummary, FulfillmentEvents, RequestEvent } from '../fulfillment/events.ts';
import { stateKeyOf } from '../fulfillment/work-kind.ts';
import { Ring } from './ring.ts';
import type { BackoffStatus, CycleStatus, HandlerErrorStatus, Role, Status } from './status-schema.ts';

export interface StatusOptions {
  version: string;
  schedule: string;
  requestsPerSecond: number;
  /** The configuration as people may see it (secrets already masked, e.g. describeConfig). */
  config: Record<string, unknown>;
  /** Masks secrets in foreign text (handler error messages). Default: leaves text as is. */
  mask?: (text: string) => string;
  /** The daemon's backoff, asked for attempts and the next attempt of each request in it. */
  backoff?: { waitFor(requestId: string): number; attemptOf(requestId: string): number };
  /** Ring sizes. Defaults: 20 cycles, 20 handler errors, 20 pauses, 200 requests in backoff. */
  limits?: { cycles?: number; handlerErrors?: number; pauses?: number; backoff?: number };
  now?: () => number;
}

export interface StatusRecorder {
  /** Follows the daemon's events; returns a function that stops listening. */
  observe(events: FulfillmentEvents): () => void;
  /** API calls and Retry-After pauses (combine with the metrics' hooks, see combineHooks). */
  readonly hooks: DaemonHooks;
  /** The lease (replicas) says whether this daemon holds it; "single" when there are no replicas. */
  setRole(role: Role): void;
  /** Lets the backoff be attached after the daemon is built. */
  setBackoff(backoff: NonNullable<StatusOptions['backoff']>): void;
  snapshot(): Status;
}

interface Failure {
  requestId: string;
  /** Its key in the backoff (TCRs are keyed apart from requests). */
  key: string;
  type: string;
  productId: string;
  code: string;
  message: string;
  at: number;
}

/** Messages from handlers can be long; the page shows a line, the logs keep the rest. */
const MAX_MESSAGE = 500;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Every numeric field of a summary, so counts added later (tier configs, unhandled...) show up too. */
function countsOf(summary: CycleSummary): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [key, value] of Object.entries(summary))
    if (key !== 'durationMs' && typeof value === 'number') counts[key] = value;
  return counts;
}

/**
 * What the status page shows, kept in memory in bounded rings: the last cycles, the requests in
 * backoff with their last error, the last handler errors, API calls in the last second and
 * Retry-After pauses. Listeners never throw into the daemon.
 */
export function createStatusRecorder(options: StatusOptions): StatusRecorder {
  const now = options.now ?? Date.now;
  const mask = options.mask ?? ((text: string) => text);
  const limits = { cycles: 20, handlerErrors: 20, pauses: 20, backoff: 200, ...options.limits };
  const startedAt = now();
  let role: Role = 'single';
  let backoff = options.backoff;
  const cycles = new Ring<CycleStatus & { started: number }>(limits.cycles);
  const handlerErrors = new Ring<HandlerErrorStatus>(limits.handlerErrors);
  const pauses = new Ring<{ at: number; ms: number }>(limits.pauses);
  // Enough to count a full second at the configured rate (and some more for bursts).
  const calls = new Ring<number>(Math.max(100, Math.ceil(options.requestsPerSecond * 2)));
  /** Requests whose last attempt failed, oldest first (Map keeps insertion order). */
  const failing = new Map<string, Failure>();

  const safely =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A) => {
      try {
        fn(...args);
      } catch {
        // A status-page bug must never fail a request.
      }
    };

  const onCycleStart = safely(({ cycleId }: { cycleId: string }) => {
    const t = now();
    cycles.push({
      cycleId,
      started: t,
      startedAt: iso(t),
      durationMs: null,
      result: 'running',
      abortedBy: null,
      counts: {},
    });
  });
  const onCycleEnd = safely((summary: CycleSummary) => {
    let cycle = cycles.last();
    if (!cycle || cycle.cycleId !== summary.cycleId || cycle.result !== 'running') {
      // We began listening mid-cycle: it started at least this long ago.
      const started = now() - summary.durationMs;
      cycle = {
        cycleId: summary.cycleId,
        started,
        startedAt: iso(started),
        durationMs: null,
        result: 'running',
        abortedBy: null,
        counts: {},
      };
      cycles.push(cycle);
    }
    cycle.durationMs = Math.max(0, Math.round(summary.durationMs));
    cycle.result = summary.result;
    cycle.abortedBy = summary.abortedBy ?? null;
    cycle.counts = countsOf(summary);
  });
  const onRequestDone = safely((event: RequestEvent) => {
    if (event.kind !== 'error') {
      // A skip is also how a request waiting in backoff is passed over: it stays failing.
      if (event.kind !== 'skipped') failing.delete(stateKeyOf(event.itemKind, event.requestId));
      return;
    }
    const failure: Failure = {
      requestId: event.requestId,
      key: stateKeyOf(event.itemKind, event.requestId),
      type: event.type,
      productId: event.productId,
      code: event.code ?? 'error',
      message: mask(event.message ?? event.code ?? 'error').slice(0, MAX_MESSAGE),
      at: now(),
    };
    failing.set(failure.key, failure);
    if (failing.size > limits.backoff) failing.delete(failing.keys().next().value!);
    handlerErrors.push({
      at: iso(failure.at),
      cycleId: event.cycleId,
      requestId: failure.requestId,
      type: failure.type,
      productId: failure.productId,
      code: failure.code,
      message: failure.message,
    });
  });

  const hooks: DaemonHooks = {
    onCall: safely(() => calls.push(now())),
    onPause: safely((ms: number) => pauses.push({ at: now(), ms: Math.max(0, ms) })),
  };

  const backoffList = (t: number): BackoffStatus[] => {
    const list: BackoffStatus[] = [];
    for (const failure of failing.values()) {
      const attempts = backoff ? backoff.attemptOf(failure.key) - 1 : 1;
      // The backoff forgot it (no longer pending, or it succeeded elsewhere): not stuck any more.
      if (attempts < 1) {
        failing.delete(failure.key);
        continue;
      }
      list.push({
        requestId: failure.requestId,
        type: failure.type,
        productId: failure.productId,
        attempts,
        lastErrorCode: failure.code,
        lastError: failure.message,
        lastErrorAt: iso(failure.at),
        nextAttemptAt: iso(t + (backoff?.waitFor(failure.key) ?? 0)),
      });
    }
    return list;
  };

  return {
    hooks,
    observe(events) {
      events.on('cycle:start', onCycleStart);
      events.on('cycle:end', onCycleEnd);
      events.on('request:done', onRequestDone);
      return () => {
        events.off('cycle:start', onCycleStart);
        events.off('cycle:end', onCycleEnd);
        events.off('request:done', onRequestDone);
      };
    },
    setRole(next) {
      role = next;
    },
    setBackoff(next) {
      backoff = next;
    },
    snapshot() {
      const t = now();
      calls.dropWhile((at) => at <= t - 1000);
      const lastPause = pauses.last();
      const pauseEnd = lastPause ? lastPause.at + lastPause.ms : 0;
      return {
        version: options.version,
        role,
        generatedAt: iso(t),
        startedAt: iso(startedAt),
        schedule: options.schedule,
        cycles: cycles
          .newestFirst()
          .map(({ started: _started, ...cycle }) => ({ ...cycle, counts: { ...cycle.counts } })),
        backoff: backoffList(t),
        handlerErrors: handlerErrors.newestFirst(),
        rateLimit: {
          requestsPerSecond: options.requestsPerSecond,
          callsLastSecond: calls.size,
          pauses: pauses.newestFirst().map((p) => ({ at: iso(p.at), ms: p.ms })),
          pausedUntil: pauseEnd > t ? iso(pauseEnd) : null,
        },
        config: options.config,
      };
    },
  };
}

/** One set of client hooks that calls each of `all` in turn. */
export function combineHooks(...all: DaemonHooks[]): DaemonHooks {
  return {
    onCall: (call) => all.forEach((h) => h.onCall?.(call)),
    onRetry: (retry) => all.forEach((h) => h.onRetry?.(retry)),
    onPause: (ms) => all.forEach((h) => h.onPause?.(ms)),
  };
}
