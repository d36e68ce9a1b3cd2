import { describeConfig } from '../config/index.ts';
import { configFromArgs, CONFIG_OPTION_HELP } from './context.ts';
import { EXIT, type Command } from './io.ts';

export const checkConfigCommand: Command = {
  name: 'check-config',
  usage: [
    'Usage: connect-fulfillment check-config [--config FILE]',
    '',
    'Prints the effective configuration (defaults < file < environment) as JSON with the API key masked,',
    'and warnings on stderr. Exits 2 with one line per invalid key.',
    '',
    ...CONFIG_OPTION_HELP,
  ].join('\n'),

  async run(args, io) {
    const { loaded } = configFromArgs(args, io);
    for (const warning of loaded.warnings) io.stderr.write(`warning: ${warning}\n`);
    io.stdout.write(`${JSON.stringify(describeConfig(loaded), null, 2)}\n`);
    return EXIT.ok;
  },
};
