import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/index.ts';
import { buildDaemon, type BuiltDaemon } from '../daemon/build.ts';
import { VERSION } from '../version.ts';
import {
  commandLogger,
  configFromArgs,
  CONFIG_OPTION_HELP,
  daemonSettings,
  DRY_RUN_OPTION_HELP,
  loadCommandConfig,
  logConfigWarnings,
} from './context.ts';
import type { DemoEnvironment } from './demo.ts';
import { opsInstruments, startOps } from './ops.ts';
import type { OpsServer } from '../ops/server.ts';
import { type Command } from './io.ts';
import { runUntilStopped } from './lifecycle.ts';

export const startCommand: Command = {
  name: 'start',
  usage: [
    'Usage: connect-fulfillment start [--config FILE] [--dry-run]',
    '',
    'Polls Connect on poll.schedule (first cycle right away) until SIGTERM or SIGINT; the first signal',
    'lets requests in flight finish within shutdown.graceMs, a second one exits at once (code 1).',
    'Without connect.url and connect.apiKey it runs the demo: the built-in Connect simulator on a',
    'loopback port, seeded, with the example handlers of examples/handlers/ and a 10-second schedule.',
    '',
    ...CONFIG_OPTION_HELP,
    DRY_RUN_OPTION_HELP,
  ].join('\n'),

  async run(args, io) {
    const config = configFromArgs(args, io, { dryRun: true });
    let loaded = config.loaded;
    let demo: DemoEnvironment | undefined;
    if (loaded.mode === 'demo') {
      // Loaded only for the demo: the simulator (msw and its dependencies) has no place in a live daemon.
      const { startDemo } = await import('./demo.ts');
      demo = await startDemo();
      loaded = loadCommandConfig(io, config.file, demo.overrides);
    }
    const log = commandLogger(loaded, io.stdout);
    const instruments = opsInstruments(loaded.config);
    let built: BuiltDaemon;
    let ops: OpsServer | undefined;
    try {
      built = await buildDaemon(
        daemonSettings(loaded.config, 'start', config.dryRun),
        log,
        instruments.hooks,
      );
      await built.leadership?.start(); // the first try at the lease, so that daemon.started knows the role
      announce(log, loaded, built, demo, config.dryRun);
      ops = await startOps(loaded.config, built, instruments, log);
    } catch (err) {
      await demo?.simulator.close();
      throw err;
    }
    // The demo's 10-second schedule is short on purpose; the 2–5 minute advice is for real queues.
    logConfigWarnings(
      log,
      demo ? { ...loaded, warnings: loaded.warnings.filter((w) => !w.startsWith('poll.schedule')) } : loaded,
      built.handlerWarnings,
    );

    return runUntilStopped(built.daemon, log, loaded.config.shutdown.graceMs, async () => {
      await ops?.close();
      await built.leadership?.stop(); // hands the lease over at once instead of at expiry
      await built.state.close();
      await built.connection.close();
      await demo?.simulator.close();
    });
  },
};

/** The first log line says what runs, where, and — in the demo — that it is one. */
function announce(
  log: Logger,
  loaded: LoadedConfig,
  built: BuiltDaemon,
  demo: DemoEnvironment | undefined,
  dryRun: boolean,
): void {
  const fields = {
    event: 'daemon.started',
    mode: demo ? 'demo' : loaded.mode,
    schedule: loaded.config.poll.schedule,
    products: built.router.products,
    connectionTypes: built.router.connectionTypes,
    role: built.leadership?.role ?? 'single',
    ...(dryRun ? { dryRun } : {}),
  };
  const dry = dryRun ? 'DRY RUN (nothing is sent to Connect): ' : '';
  if (demo) {
    log.info(
      { ...fields, simulatorUrl: demo.simulator.url },
      `${dry}DEMO MODE (no connect.url configured): built-in Connect simulator at ${demo.simulator.url}, ` +
        `example handlers, a cycle every 10 s. Set CONNECT_API_URL and CONNECT_API_KEY to run against Connect.`,
    );
  } else {
    log.info(fields, `${dry}connect-fulfillment ${VERSION} started against ${loaded.config.connect.url}`);
  }
}
