import type { Logger } from 'pino';
import { configSecrets, describeConfig, type AppConfig } from '../config/index.ts';
import type { BuiltDaemon, DaemonHooks } from '../daemon/build.ts';
import { scheduleIntervalMs } from '../daemon/scheduler.ts';
import { Gauge } from 'prom-client';
import { createHealth, type Health, type ProbeResult } from '../ops/health.ts';
import { createMetrics, type Metrics } from '../ops/metrics.ts';
import { startOpsServer, type OpsServer } from '../ops/server.ts';
import { combineHooks, createStatusRecorder, type StatusRecorder } from '../ops/status.ts';
import { createSecretMasker } from '../secrets.ts';
import { VERSION } from '../version.ts';

export interface OpsInstruments {
  metrics: Metrics;
  status: StatusRecorder;
  /** Pass to buildDaemon: feeds both the metrics and the status page. */
  hooks: DaemonHooks;
}

/** Metrics and the status recorder exist before the daemon is built: their hooks go into its client. */
export function opsInstruments(config: AppConfig): OpsInstruments {
  const metrics = createMetrics();
  const status = createStatusRecorder({
    version: VERSION,
    schedule: config.poll.schedule,
    requestsPerSecond: config.rateLimit.requestsPerSecond,
    config: describeConfig({ config }) as unknown as Record<string, unknown>,
    mask: createSecretMasker(configSecrets(config)),
  });
  return { metrics, status, hooks: combineHooks(metrics.hooks, status.hooks) };
}

/**
 * Health, metrics and the status page follow the daemon's events; the HTTP server runs only when
 * `ops.port` is set. Returns the server (to close at shutdown), or undefined when it is off.
 */
export async function startOps(
  config: AppConfig,
  built: BuiltDaemon,
  instruments: OpsInstruments,
  log: Logger,
): Promise<OpsServer | undefined> {
  const { metrics, status } = instruments;
  metrics.observe(built.events);
  metrics.trackBackoff(built.backoff);
  status.setBackoff(built.backoff);
  status.observe(built.events);
  observeLeadership(built, metrics, status);
  const cycleHealth = createHealth({
    intervalMs: scheduleIntervalMs(config.poll.schedule),
    configLoaded: true,
    stopping: () => built.daemon.stopping,
  });
  cycleHealth.observe(built.events);
  const health = standbyAware(cycleHealth, built);
  if (config.ops.port === 0) return undefined;
  return startOpsServer({ host: config.ops.host, port: config.ops.port, health, metrics, status, log });
}

/**
 * connect_fulfillment_leader: 1 on the replica holding the lease (and on a lone replica), else 0;
 * the status page shows the same as its role.
 */
function observeLeadership(built: BuiltDaemon, metrics: Metrics, status: StatusRecorder): void {
  const leader = new Gauge({
    name: 'connect_fulfillment_leader',
    help: '1 while this replica holds the lease and processes requests (always 1 without state.url), else 0.',
    registers: [metrics.registry],
  });
  const leadership = built.leadership;
  leader.set(!leadership || leadership.holding ? 1 : 0);
  if (!leadership) return;
  status.setRole(leadership.holding ? 'holder' : 'standby');
  leadership.on('change', (role) => {
    leader.set(role === 'leader' ? 1 : 0);
    status.setRole(role === 'leader' ? 'holder' : 'standby');
  });
}

/**
 * A standby runs no cycles, yet it is healthy and ready: restarting it would not help, and a
 * Kubernetes rollout must be able to count it as available, since it takes over within a lease
 * duration. Its probes answer from the lease instead of from cycles.
 */
function standbyAware(health: Health, built: BuiltDaemon): Health {
  const leadership = built.leadership;
  if (!leadership) return health;
  const standby = (probe: () => ProbeResult) => (): ProbeResult => {
    if (leadership.holding || built.daemon.stopping) return probe();
    return {
      ok: true,
      reason: 'standby',
      message: 'standing by: another replica holds the lease (or the state database is being retried)',
      details: { role: 'standby' },
    };
  };
  return { ...health, liveness: standby(health.liveness), readiness: standby(health.readiness) };
}
