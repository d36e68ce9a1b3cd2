import type { Logger } from 'pino';
import { ConfigError, loadConfig, type AppConfig, type LoadedConfig } from '../config/index.ts';
import type { DaemonSettings } from '../daemon/build.ts';
import { createLogger } from '../log.ts';
import { parseCommandArgs } from './args.ts';
import type { CliIO } from './io.ts';

/** The help lines of the one option start, run-once and check-config share. */
export const CONFIG_OPTION_HELP = [
  'Options:',
  '  --config FILE   JSON or YAML configuration (default: $CONFIG_FILE)',
];

/** Parses `[--config FILE]` and loads the configuration it names (or CONFIG_FILE) with the environment. */
export function configFromArgs(
  args: string[],
  io: CliIO,
): { file: string | undefined; loaded: LoadedConfig } {
  const { values } = parseCommandArgs(args, { config: { type: 'string' } });
  return { file: values.config, loaded: loadCommandConfig(io, values.config) };
}

/** Loads the configuration (file from --config or CONFIG_FILE, then env, then overrides). */
export function loadCommandConfig(
  io: CliIO,
  file: string | undefined,
  overrides?: Record<string, unknown>,
): LoadedConfig {
  return loadConfig({ file, env: io.env, overrides });
}

/** The root logger for a command: JSON lines on `stream`, with the API key masked everywhere. */
export function commandLogger(loaded: LoadedConfig, stream: NodeJS.WritableStream): Logger {
  const log = createLogger({
    level: loaded.config.log.level,
    format: loaded.config.log.format,
    secrets: [loaded.config.connect.apiKey, statePassword(loaded.config.state.url)].filter(
      (s): s is string => !!s,
    ),
    destination: stream,
  });
  return log;
}

/** Logged after `daemon.started`, so that the first line always says what runs. */
export function logConfigWarnings(log: Logger, loaded: LoadedConfig): void {
  for (const warning of loaded.warnings) log.warn({ event: 'config.warning' }, warning);
}

/** The daemon's settings; only live configurations (URL and key present) have them. */
export function daemonSettings(config: AppConfig, command: string): DaemonSettings {
  const { url, apiKey } = config.connect;
  if (!url || !apiKey) {
    throw new ConfigError([
      `connect.url (CONNECT_API_URL) and connect.apiKey (CONNECT_API_KEY): both required for ${command}`,
    ]);
  }
  return { ...config, connect: { ...config.connect, url, apiKey } };
}

/** The password in state.url, masked in every log line like the API key. */
function statePassword(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}
