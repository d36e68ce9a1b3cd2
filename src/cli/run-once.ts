import { flushLogger } from '../log.ts';
import { buildDaemon } from '../daemon/build.ts';
import { manageLifecycle } from '../daemon/lifecycle.ts';
import { VERSION } from '../version.ts';
import {
  commandLogger,
  configFromArgs,
  CONFIG_OPTION_HELP,
  daemonSettings,
  logConfigWarnings,
} from './context.ts';
import { EXIT, type Command } from './io.ts';

export const runOnceCommand: Command = {
  name: 'run-once',
  usage: [
    'Usage: connect-fulfillment run-once [--config FILE]',
    '',
    'Lists every pending request of the configured products, hands each to its handler, carries out',
    'the outcomes, then exits: 0 when the cycle ran (whatever its outcomes), 1 when it was aborted',
    '(Connect unreachable, key refused), 2 on invalid configuration. Needs connect.url and connect.apiKey.',
    '',
    ...CONFIG_OPTION_HELP,
  ].join('\n'),

  async run(args, io) {
    const { loaded } = configFromArgs(args, io);
    const settings = daemonSettings(loaded.config, 'run-once');
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
      },
      `connect-fulfillment ${VERSION}: one cycle against ${settings.connect.url}`,
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
