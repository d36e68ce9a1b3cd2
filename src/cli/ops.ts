import type { Logger } from 'pino';
import type { AppConfig } from '../config/index.ts';
import type { BuiltDaemon } from '../daemon/build.ts';
import { scheduleIntervalMs } from '../daemon/scheduler.ts';
import { createHealth } from '../ops/health.ts';
import { createMetrics, type Metrics } from '../ops/metrics.ts';
import { startOpsServer, type OpsServer } from '../ops/server.ts';

/** Metrics exist before the daemon is built: their hooks go into its client. */
export function opsMetrics(): Metrics {
  return createMetrics();
}

/**
 * Health and metrics follow the daemon's events; the HTTP server runs only when `ops.port` is set.
 * Returns the server (to close at shutdown), or undefined when it is off.
 */
export async function startOps(
  config: AppConfig,
  built: BuiltDaemon,
  metrics: Metrics,
  log: Logger,
): Promise<OpsServer | undefined> {
  metrics.observe(built.events);
  const health = createHealth({
    intervalMs: scheduleIntervalMs(config.poll.schedule),
    configLoaded: true,
    stopping: () => built.daemon.stopping,
  });
  health.observe(built.events);
  if (config.ops.port === 0) return undefined;
  return startOpsServer({ host: config.ops.host, port: config.ops.port, health, metrics, log });
}
