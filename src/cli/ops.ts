import type { Logger } from 'pino';
import { configSecrets, describeConfig, type AppConfig } from '../config/index.ts';
import type { BuiltDaemon, DaemonHooks } from '../daemon/build.ts';
import { scheduleIntervalMs } from '../daemon/scheduler.ts';
import { createHealth } from '../ops/health.ts';
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
  const health = createHealth({
    intervalMs: scheduleIntervalMs(config.poll.schedule),
    configLoaded: true,
    stopping: () => built.daemon.stopping,
  });
  health.observe(built.events);
  if (config.ops.port === 0) return undefined;
  return startOpsServer({ host: config.ops.host, port: config.ops.port, health, metrics, status, log });
}
