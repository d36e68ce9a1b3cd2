import type { Logger } from 'pino';
import {
  ConfigError,
  configSecrets,
  loadConfig,
  type AppConfig,
  type LoadedConfig,
} from '../config/index.ts';
import type { DaemonSettings } from '../daemon/build.ts';
import { createLogger } from '../log.ts';
import { parseCommandArgs } from './args.ts';
import type { CliIO } from './io.ts';

/** The help lines of the one option start, run-once and check-config share. */
export const CONFIG_OPTION_HELP = [
  'Options:',
  '  --config FILE   JSON or YAML configuration (default: $CONFIG_FILE)',
];

/** The help line of `--dry-run` (start, run-once). */
export const DRY_RUN_OPTION_HELP =
  '  --dry-run       list and call the handlers, log each decision (request.decided), send nothing';

/**
 * Parses `[--config FILE]` (and `--dry-run` where `dryRun` is allowed) and loads the configuration it
 * names (or CONFIG_FILE) with the environment.
 */
export function configFromArgs(
  args: string[],
  io: CliIO,
  allow: { dryRun?: boolean } = {},
): { file: string | undefined; loaded: LoadedConfig; dryRun: boolean } {
  const { values } = parseCommandArgs(args, {
    config: { type: 'string' },
    ...(allow.dryRun ? { 'dry-run': { type: 'boolean' as const } } : {}),
  });
  const dryRun = (values as { 'dry-run'?: boolean })['dry-run'] === true;
  return { file: values.config, loaded: loadCommandConfig(io, values.config), dryRun };
}

/** Loads the configuration (file from --config or CONFIG_FILE, then env, then overrides). */
export function loadCommandConfig(
  io: CliIO,
  file: string | undefined,
  overrides?: Record<string, unknown>,
): LoadedConfig {
  return loadConfig({ file, env: io.env, overrides });
}

/** The root logger for a command: JSON lines on `stream`, with the API key and webhook secrets masked everywhere. */
export function commandLogger(loaded: LoadedConfig, stream: NodeJS.WritableStream): Logger {
  const log = createLogger({
    level: loaded.config.log.level,
    format: loaded.config.log.format,
    secrets: configSecrets(loaded.config), // the API key and webhook secrets
    destination: stream,
  });
  return log;
}

/** Logged after `daemon.started`, so that the first line always says what runs. */
export function logConfigWarnings(log: Logger, loaded: LoadedConfig, more: readonly string[] = []): void {
  for (const warning of [...loaded.warnings, ...more])
    log.warn({ event: 'config.warning', warning }, warning);
}

/** The daemon's settings; only live configurations (URL and key present) have them. */
export function daemonSettings(config: AppConfig, command: string, dryRun = false): DaemonSettings {
  const { url, apiKey } = config.connect;
  if (!url || !apiKey) {
    throw new ConfigError([
      `connect.url (CONNECT_API_URL) and connect.apiKey (CONNECT_API_KEY): both required for ${command}`,
    ]);
  }
  return { ...config, connect: { ...config.connect, url, apiKey }, ...(dryRun ? { dryRun } : {}) };
}
