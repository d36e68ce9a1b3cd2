import { flushLogger } from '../log.ts';
import { buildDaemon } from '../daemon/build.ts';
import { manageLifecycle } from '../daemon/lifecycle.ts';
import { VERSION } from '../version.ts';
import {
  commandLogger,
  configFromArgs,
  CONFIG_OPTION_HELP,
  daemonSettings,
  DRY_RUN_OPTION_HELP,
  logConfigWarnings,
} from './context.ts';
import { EXIT, type Command } from './io.ts';

export const runOnceCommand: Command = {
  name: 'run-once',
  usage: [
    'Usage: connect-fulfillment run-once [--config FILE] [--dry-run]',
    '',
    'Lists every pending request of the configured products, hands each to its handler, carries out',
    'the outcomes, then exits: 0 when the cycle ran (whatever its outcomes), 1 when it was aborted',
    '(Connect unreachable, key refused), 2 on invalid configuration. Needs connect.url and connect.apiKey.',
    '',
    ...CONFIG_OPTION_HELP,
    DRY_RUN_OPTION_HELP,
  ].join('\n'),

  async run(args, io) {
    const { loaded, dryRun } = configFromArgs(args, io, { dryRun: true });
    const settings = daemonSettings(loaded.config, 'run-once', dryRun);
    const log = commandLogger(loaded, io.stdout);
    const built = await buildDaemon(settings, log);
    const { daemon, router, connection } = built;
    log.info(
      {
        event: 'daemon.started',
        mode: 'live',
        schedule: 'once',
        products: router.products,
        connectionTypes: router.connectionTypes,
        ...(dryRun ? { dryRun } : {}),
      },
      `connect-fulfillment ${VERSION}: one ${dryRun ? 'DRY RUN ' : ''}cycle against ${settings.connect.url}`,
    );
    logConfigWarnings(log, loaded, built.handlerWarnings);
    const stopWatching = manageLifecycle({
      daemon,
      log,
      graceMs: loaded.config.shutdown.graceMs,
      beforeExit: async () => {
        await connection.close();
        await flushLogger(log);
      },
    });
    try {
      const summary = await daemon.runCycle();
      return summary.result === 'aborted' ? EXIT.failed : EXIT.ok;
    } finally {
      stopWatching();
      await connection.close();
      await flushLogger(log);
    }
  },
};
