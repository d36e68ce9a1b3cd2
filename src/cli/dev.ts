import type { Logger } from 'pino';
import { ConfigError, type LoadedConfig } from '../config/index.ts';
import { createDaemon } from '../daemon/build.ts';
import { loadHandlers } from '../fulfillment/loader.ts';
import type { Router } from '../fulfillment/router.ts';
import type { RunningSimulator } from '../simulator/index.ts';
import { intFlag, parseCommandArgs } from './args.ts';
import {
  commandLogger,
  CONFIG_OPTION_HELP,
  daemonSettings,
  loadCommandConfig,
  logConfigWarnings,
} from './context.ts';
import { DEV_API_KEY, seedNewProducts, startDevSimulator } from './dev/simulator.ts';
import { watchHandlerModules } from './dev/reloader.ts';
import { logCycleSummaries } from './dev/summary.ts';
import { UsageError, type Command } from './io.ts';
import { runUntilStopped } from './lifecycle.ts';
import { opsInstruments, startOps } from './ops.ts';

const DEFAULT_EVERY_S = 5;

export const devCommand: Command = {
  name: 'dev',
  usage: [
    'Usage: connect-fulfillment dev --config FILE [--every SECONDS]',
    '',
    "Runs the configuration's handlers against the built-in Connect simulator, seeded with requests of",
    'the configured products: every request type, some with bad parameter values, some inquiring, and',
    'tier config requests where a handler has tierConfig. connect.url and connect.apiKey are not used.',
    'A handler module that changes on disk is loaded again before the next cycle, without a restart;',
    'a version that fails to load is logged with its file, and the previous one keeps running.',
    'Each cycle ends with a one-line summary (event dev.cycle). Stops on SIGTERM or SIGINT (Ctrl-C).',
    '',
    ...CONFIG_OPTION_HELP,
    `  --every SECONDS a cycle every SECONDS seconds, 1-59 (default ${DEFAULT_EVERY_S})`,
  ].join('\n'),

  async run(args, io) {
    const { values } = parseCommandArgs(args, { config: { type: 'string' }, every: { type: 'string' } });
    const every = intFlag(values.every, 'every', 1) ?? DEFAULT_EVERY_S;
    if (every > 59) throw new UsageError(`--every must be at most 59 seconds, got ${every}`);
    const file = values.config ?? io.env.CONFIG_FILE;
    if (!file) throw new UsageError('--config FILE is required: dev runs the handlers of a configuration');

    // The vendor's configuration, checked as `start` checks it (exit 2, keys named).
    const own = loadCommandConfig(io, file);
    if (own.config.handlers.length === 0)
      throw new ConfigError([`handlers: ${file} has no handlers entry; dev runs the configured handlers`]);
    const routerOptions = { connectionTypes: own.config.poll.connectionTypes };
    const handlerWarnings: string[] = [];
    const router = await loadHandlers(own.config.handlers, handlerWarnings, routerOptions);

    const simulator = await startDevSimulator(own.config.handlers, router);
    const loaded = loadCommandConfig(io, file, {
      'connect.url': simulator.url,
      'connect.apiKey': DEV_API_KEY,
      'poll.schedule': `*/${every} * * * * *`,
    });
    const schedule = loaded.config.poll.schedule;
    const log = commandLogger(loaded, io.stdout);
    const instruments = opsInstruments(loaded.config);
    // In memory: a dev loop must not take the lease of a real deployment (state.url is not used).
    const built = createDaemon(daemonSettings(loaded.config, 'dev'), router, log, instruments.hooks);
    const ops = await startOps(loaded.config, built, instruments, log).catch(async (err: unknown) => {
      await simulator.close();
      throw err;
    });
    announce(log, own, built.router, simulator, schedule, every);
    // The short schedule is the point here; the 2–5 minute advice is for real queues.
    logConfigWarnings(
      log,
      { ...loaded, warnings: loaded.warnings.filter((w) => !w.startsWith('poll.schedule')) },
      handlerWarnings,
    );

    const stopSummaries = logCycleSummaries(built.events, log);
    const reloader = watchHandlerModules({
      entries: own.config.handlers,
      router,
      routerOptions,
      events: built.events,
      log,
      onSwapped: (next) => {
        // The new code gets every request at once, including those the old one threw on.
        void built.backoff.retainOnly(new Set()).catch(() => {});
        // A product the new version added gets its queue too.
        seedNewProducts(simulator, own.config.handlers, next).catch((err: unknown) =>
          log.warn({ event: 'dev.seed_failed', err }, `seeding the new products failed: ${String(err)}`),
        );
      },
    });

    return runUntilStopped(built.daemon, log, loaded.config.shutdown.graceMs, async () => {
      reloader.close();
      stopSummaries();
      await ops?.close();
      await built.connection.close();
      await simulator.close();
    });
  },
};

/** The first line says what runs: the vendor's handlers, against the simulator, not Connect. */
function announce(
  log: Logger,
  own: LoadedConfig,
  router: Router,
  simulator: RunningSimulator,
  schedule: string,
  every: number,
) {
  const requests = simulator.store
    .listRequests()
    .filter((r) => r.status === 'pending' || r.status === 'inquiring');
  const tcrs = simulator.store.listTierConfigRequests().filter((t) => t.status === 'pending');
  const ignored = own.config.connect.url ? ` (${own.config.connect.url} and its API key are not used)` : '';
  log.info(
    {
      event: 'daemon.started',
      mode: 'dev',
      schedule,
      products: router.products,
      connectionTypes: router.connectionTypes,
      role: 'single',
      simulatorUrl: simulator.url,
      requests: requests.length,
      tierConfigRequests: tcrs.length,
      config: own.sources.file,
    },
    `DEV MODE: the handlers of ${own.sources.file} against the built-in Connect simulator at ${simulator.url}${ignored}, ` +
      `seeded with ${requests.length} requests and ${tcrs.length} tier config requests for ${router.products.join(', ')}; ` +
      `a cycle every ${every} s; handler modules are loaded again when their files change.`,
  );
}
