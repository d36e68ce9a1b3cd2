import type { CycleSummary, FulfillmentEvents } from '../fulfillment/events.ts';

/**
 * Liveness and readiness of the daemon, worked out from its lifecycle events and a clock.
 *
 * Liveness (`/healthz`) asks "is the polling loop alive?": the last sign of the loop — a cycle that
 * finished (whatever its result: Connect being down is not the daemon's fault and a restart would not
 * help), or the start of, or progress in, the cycle that is running now — is at most
 * `stallThresholdMs` old. A cycle that has run that long without starting or finishing a single
 * request is stuck; a tick skipped because of it does not make it healthy. Before the first cycle
 * finishes, the daemon is healthy during a start-up window.
 *
 * Readiness (`/readyz`) asks "is the daemon doing its job?": the configuration is loaded AND the last
 * finished cycle reached Connect and was authorized: result `completed` or `interrupted`, or `aborted`
 * after at least one listing page came back, by anything but `unauthorized`. A cycle aborted on an
 * auth failure or before its first page (Connect unreachable) is not ready; nor is a daemon that is
 * stopping, or one whose first cycle has not finished yet.
 */
export interface HealthOptions {
  /** How often the schedule fires, in ms (see `scheduleIntervalMs` in daemon/scheduler.ts). */
  intervalMs: number;
  /** Whether the configuration was loaded and validated. Can be changed later with `setConfigLoaded`. */
  configLoaded: boolean;
  /** Intervals a cycle may go without a sign of life before the loop counts as stuck. Default 3. */
  stallIntervals?: number;
  /** Slack added to the stall threshold, in ms. Default 60 000. */
  slackMs?: number;
  /** How long after creation the daemon is healthy without any finished cycle, in ms. Default: the stall threshold. */
  startupMs?: number;
  /** True once the daemon drains for shutdown: readiness turns false. */
  stopping?: () => boolean;
  /** Monotonic-enough clock in ms (tests pass a fake one). Default Date.now. */
  now?: () => number;
}

export interface ProbeResult {
  ok: boolean;
  /** A short machine-readable reason, e.g. `cycle_finished`, `cycle_stalled`, `unauthorized`. */
  reason: string;
  /** One sentence for people. */
  message: string;
  details: Record<string, unknown>;
}

export interface Health {
  liveness(): ProbeResult;
  readiness(): ProbeResult;
  setConfigLoaded(loaded: boolean): void;
  /** Follows the daemon's events; returns a function that stops listening. */
  observe(events: FulfillmentEvents): () => void;
  /** The stall threshold in ms: `stallIntervals × intervalMs + slackMs`. */
  readonly stallThresholdMs: number;
}

interface Running {
  cycleId: string | undefined;
  startedAt: number;
  /** Start of the cycle, or the last request that started or finished in it. */
  lastActivityAt: number;
}

interface Finished {
  summary: CycleSummary;
  endedAt: number;
}

function ago(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms)} ms` : `${Math.round(ms / 1000)} s`;
}

export function createHealth(options: HealthOptions): Health {
  if (!(options.intervalMs > 0))
    throw new RangeError(`intervalMs must be positive, got ${options.intervalMs}`);
  const now = options.now ?? Date.now;
  const stallThresholdMs = (options.stallIntervals ?? 3) * options.intervalMs + (options.slackMs ?? 60_000);
  const startupMs = options.startupMs ?? stallThresholdMs;
  const createdAt = now();
  let configLoaded = options.configLoaded;
  let running: Running | undefined;
  let lastFinished: Finished | undefined;
  let lastSkipAt: number | undefined;

  const liveness = (): ProbeResult => {
    const t = now();
    const common = {
      stallThresholdMs,
      lastCycleEndedAt: lastFinished ? new Date(lastFinished.endedAt).toISOString() : null,
      lastSkippedTickAt: lastSkipAt === undefined ? null : new Date(lastSkipAt).toISOString(),
    };
    if (running) {
      const quietMs = t - running.lastActivityAt;
      const details = {
        ...common,
        cycleId: running.cycleId ?? null,
        runningForMs: t - running.startedAt,
        quietForMs: quietMs,
      };
      if (quietMs > stallThresholdMs) {
        return {
          ok: false,
          reason: 'cycle_stalled',
          message: `cycle ${running.cycleId ?? '(unknown)'} shows no progress for ${ago(quietMs)} (threshold ${ago(stallThresholdMs)})`,
          details,
        };
      }
      return {
        ok: true,
        reason: 'cycle_running',
        message: `cycle ${running.cycleId ?? '(unknown)'} running, last progress ${ago(quietMs)} ago`,
        details,
      };
    }
    if (lastFinished) {
      const sinceMs = t - lastFinished.endedAt;
      const details = { ...common, cycleId: lastFinished.summary.cycleId, sinceLastCycleMs: sinceMs };
      if (sinceMs > stallThresholdMs) {
        return {
          ok: false,
          reason: 'loop_stopped',
          message: `no cycle started or finished for ${ago(sinceMs)} (threshold ${ago(stallThresholdMs)})`,
          details,
        };
      }
      return {
        ok: true,
        reason: 'cycle_finished',
        message: `last cycle finished ${ago(sinceMs)} ago`,
        details,
      };
    }
    const upMs = t - createdAt;
    const details = { ...common, upForMs: upMs, startupMs };
    if (upMs > startupMs) {
      return {
        ok: false,
        reason: 'no_cycle',
        message: `no cycle started within ${ago(upMs)} of start-up`,
        details,
      };
    }
    return {
      ok: true,
      reason: 'starting',
      message: `starting up (${ago(upMs)}); no cycle finished yet`,
      details,
    };
  };

  const readiness = (): ProbeResult => {
    if (!configLoaded)
      return { ok: false, reason: 'config_not_loaded', message: 'configuration not loaded', details: {} };
    if (options.stopping?.()) return { ok: false, reason: 'stopping', message: 'shutting down', details: {} };
    if (!lastFinished) {
      return {
        ok: false,
        reason: 'no_cycle_yet',
        message: 'no cycle has finished yet',
        details: { cycleRunning: running !== undefined },
      };
    }
    const { summary, endedAt } = lastFinished;
    const details = {
      cycleId: summary.cycleId,
      result: summary.result,
      abortedBy: summary.abortedBy ?? null,
      endedAt: new Date(endedAt).toISOString(),
    };
    if (summary.result !== 'aborted') {
      return {
        ok: true,
        reason: `cycle_${summary.result}`,
        message: `last cycle ${summary.result}`,
        details,
      };
    }
    if (summary.abortedBy === 'unauthorized') {
      return {
        ok: false,
        reason: 'unauthorized',
        message: 'Connect refused the API key in the last cycle',
        details,
      };
    }
    // Nothing listed at all: the first page never came back, Connect was not reached.
    if (summary.found + summary.invalid === 0) {
      return {
        ok: false,
        reason: 'connect_unreachable',
        message: `the last cycle could not list requests (${summary.abortedBy ?? 'error'})`,
        details,
      };
    }
    return {
      ok: true,
      reason: 'cycle_aborted_after_listing',
      message: `last cycle reached Connect, then aborted (${summary.abortedBy ?? 'error'})`,
      details,
    };
  };

  const observe = (events: FulfillmentEvents): (() => void) => {
    const onStart = ({ cycleId }: { cycleId: string }) => {
      const t = now();
      running = { cycleId, startedAt: t, lastActivityAt: t };
    };
    const onEnd = (summary: CycleSummary) => {
      running = undefined;
      lastFinished = { summary, endedAt: now() };
    };
    const onSkipped = ({ runningCycleId }: { runningCycleId: string | undefined }) => {
      const t = now();
      lastSkipAt = t;
      // A cycle we did not see start (we began listening mid-cycle): it has run at least since now.
      running ??= { cycleId: runningCycleId, startedAt: t, lastActivityAt: t };
    };
    const onProgress = () => {
      if (running) running.lastActivityAt = now();
    };
    events.on('cycle:start', onStart);
    events.on('cycle:end', onEnd);
    events.on('cycle:skipped', onSkipped);
    events.on('request:start', onProgress);
    events.on('request:done', onProgress);
    return () => {
      events.off('cycle:start', onStart);
      events.off('cycle:end', onEnd);
      events.off('cycle:skipped', onSkipped);
      events.off('request:start', onProgress);
      events.off('request:done', onProgress);
    };
  };

  return {
    liveness,
    readiness,
    setConfigLoaded: (loaded) => {
      configLoaded = loaded;
    },
    observe,
    stallThresholdMs,
  };
}
