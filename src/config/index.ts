// The configuration module's public API: the rest of the daemon imports from here only.
export { loadConfig, type LoadOptions } from './load.ts';
export { describeConfig, configSecrets } from './describe.ts';
export { ConfigError } from './problems.ts';
export { configSchema } from './schema.ts';
export { RECOMMENDED_INTERVAL_MS } from './schedule.ts';
export type { AppConfig, ConfigMode, ConfigSource, HandlerEntry, LoadedConfig } from './types.ts';
