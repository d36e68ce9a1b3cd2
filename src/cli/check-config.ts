import { ConfigError, describeConfig, type LoadedConfig } from '../config/index.ts';
import { HandlerLoadError, loadHandlers } from '../fulfillment/loader.ts';
import { parseCommandArgs } from './args.ts';
import { CONFIG_OPTION_HELP, loadCommandConfig } from './context.ts';
import { EXIT, type CliIO, type Command } from './io.ts';

/** What check-config found; `--json` prints exactly this. */
export interface ConfigVerdict {
  valid: boolean;
  /** Each problem start and run-once would refuse the configuration for, one line each. */
  problems: string[];
  warnings: string[];
  /** The effective configuration, secrets masked; absent when it could not be loaded. */
  config?: unknown;
}

export const checkConfigCommand: Command = {
  name: 'check-config',
  usage: [
    'Usage: connect-fulfillment check-config [--config FILE] [--json]',
    '',
    'Judges the configuration as start does, without contacting Connect: every setting, and every',
    'handler module imported and checked (loads, has a default export with handler functions, has',
    'products). Prints the effective configuration (defaults < file < environment) as JSON with the',
    'API key masked, and warnings on stderr. Exits 2 with one line per problem.',
    '',
    ...CONFIG_OPTION_HELP,
    '  --json          print {"valid", "problems", "warnings", "config"} on stdout instead',
  ].join('\n'),

  async run(args, io) {
    const { values } = parseCommandArgs(args, { config: { type: 'string' }, json: { type: 'boolean' } });
    const verdict = await judgeConfig(io, values.config);
    if (values.json) {
      io.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
      return verdict.valid ? EXIT.ok : EXIT.usage;
    }
    for (const warning of verdict.warnings) io.stderr.write(`warning: ${warning}\n`);
    // Thrown, so that the problems read exactly as start's (runCli formats both).
    if (!verdict.valid) throw new ConfigError(verdict.problems);
    io.stdout.write(`${JSON.stringify(verdict.config, null, 2)}\n`);
    return EXIT.ok;
  },
};

/** The settings first; the handler modules only once the settings (their paths among them) are valid. */
async function judgeConfig(io: CliIO, file: string | undefined): Promise<ConfigVerdict> {
  let loaded: LoadedConfig;
  try {
    loaded = loadCommandConfig(io, file);
  } catch (err) {
    if (err instanceof ConfigError) return { valid: false, problems: [...err.problems], warnings: [] };
    throw err;
  }
  const warnings = [...loaded.warnings];
  const problems: string[] = [];
  try {
    await loadHandlers(loaded.config.handlers, warnings);
  } catch (err) {
    if (!(err instanceof HandlerLoadError)) throw err;
    problems.push(...err.problems);
  }
  return { valid: problems.length === 0, problems, warnings, config: describeConfig(loaded) };
}
