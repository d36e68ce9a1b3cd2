import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { HandlerEntry } from '../../src/config/types.ts';
import { createDaemon, type BuiltDaemon, type DaemonSettings } from '../../src/daemon/build.ts';
import type { VendorHandler } from '../../src/fulfillment/handler.ts';
import { Router } from '../../src/fulfillment/router.ts';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { captureLogs, type LogCapture } from './log-capture.ts';

export const EXAMPLE_HANDLERS = {
  fallball: fileURLToPath(new URL('../../examples/handlers/fallball.js', import.meta.url)),
  acmeBackup: fileURLToPath(new URL('../../examples/handlers/acme-backup.ts', import.meta.url)),
  northwindPbx: fileURLToPath(new URL('../../examples/handlers/northwind-pbx.js', import.meta.url)),
};

/** The example rules entries (handlers without code), as parsed from their YAML files. */
export const EXAMPLE_RULES = {
  contosoMail: parseYaml(
    readFileSync(new URL('../../examples/rules/contoso-mail.yaml', import.meta.url), 'utf8'),
  ) as HandlerEntry,
};

/** Looks like a real Connect token, so masking is tested on the real shape. */
export const TEST_API_KEY = 'SU-TEST-0000-0001:harness-secret-4f9a8e7d6c';

/** Settings for tests: fast retries and backoff, generous rate, small pages (so paging is exercised). */
export function testSettings(url: string): DaemonSettings {
  return {
    connect: {
      url,
      apiKey: TEST_API_KEY,
      connectTimeoutMs: 2_000,
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 5_000,
    },
    poll: { schedule: '0 */3 * * * *', pageSize: 10 },
    rateLimit: { requestsPerSecond: 1_000, concurrency: 8 },
    retry: { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100, maxRetryAfterMs: 5_000 },
    processing: { concurrency: 4, handlerTimeoutMs: 2_000, backoffBaseMs: 60_000, backoffMaxMs: 600_000 },
    handlers: [],
  };
}

export interface HarnessOptions {
  /** Handler objects, each with its `products`, or a router from the real module loader. */
  handlers: VendorHandler[] | Router;
  /** Adjusts the test settings. */
  settings?: (settings: DaemonSettings) => DaemonSettings;
  /** Simulator options; by default an empty store (tests add exactly what they need). */
  simulator?: SimulatorOptions;
}

export interface Harness extends BuiltDaemon {
  sim: RunningSimulator;
  logs: LogCapture;
  settings: DaemonSettings;
  close(): Promise<void>;
}

/**
 * The real daemon, in-process, against the simulator on a loopback port: every call crosses a real
 * socket through the production client. Logs are captured with the API key as a secret.
 */
export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false, ...options.simulator });
  const logs = captureLogs({ secrets: [TEST_API_KEY] });
  const settings = (options.settings ?? ((s) => s))(testSettings(sim.url));
  const router =
    options.handlers instanceof Router
      ? options.handlers
      : new Router(
          options.handlers.map((handler, index) => ({
            name: handler.name ?? `handler-${index}`,
            handler,
            products: handler.products ?? [],
          })),
        );
  const built = createDaemon(settings, router, logs.logger);
  return {
    ...built,
    sim,
    logs,
    settings,
    async close() {
      built.daemon.abort();
      await built.connection.close();
      await sim.close();
    },
  };
}
