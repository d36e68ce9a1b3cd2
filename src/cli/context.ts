import type { Logger } from 'pino';
import { ConfigError, loadConfig, type AppConfig, type LoadedConfig } from '../config/index.ts';
import type { DaemonSettings } from '../daemon/build.ts';
import { createLogger } from '../log.ts';
import type { CliIO } from './io.ts';

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
    secrets: loaded.config.connect.apiKey ? [loaded.config.connect.apiKey] : [],
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
