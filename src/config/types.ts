import type { RulesSpec } from '../handlers/rules/types.ts';
import type { WebhookSpec } from '../handlers/webhook/types.ts';
import type { LogFormat, LogLevel } from '../log.ts';

/** Connect's connection types (`asset.connection.type`): where a request comes from. */
export const CONNECTION_TYPES = ['test', 'preview', 'production'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

/** One `handlers` entry; `module` is an absolute file path once loaded. */
export interface HandlerEntry {
  readonly module?: string;
  /** A handler written as checks in the config (src/handlers/rules/), instead of a module. */
  readonly rules?: RulesSpec;
  /** A handler in any language, called over HTTPS (src/handlers/webhook/). */
  readonly webhook?: WebhookSpec;
  /** Product ids routed to this module; when absent, the module's own `products` decide. */
  readonly products?: readonly string[];
  /** Request statuses the module is called for (pending, inquiring); default the module's own. */
  readonly statuses?: readonly string[];
  /** Connection types this entry takes, within poll.connectionTypes; default all of those. */
  readonly connectionTypes?: readonly ConnectionType[];
}

/** The daemon's options, typed and frozen; see schema.ts for what each one means. */
export interface AppConfig {
  readonly connect: {
    readonly url: string | null;
    readonly apiKey: string | null;
    readonly connectTimeoutMs: number;
    readonly headersTimeoutMs: number;
    readonly bodyTimeoutMs: number;
  };
  readonly poll: {
    readonly schedule: string;
    readonly pageSize: number;
    readonly connectionTypes: readonly ConnectionType[];
  };
  readonly rateLimit: {
    readonly requestsPerSecond: number;
    readonly concurrency: number;
  };
  readonly retry: {
    readonly maxAttempts: number;
    readonly baseDelayMs: number;
    readonly maxDelayMs: number;
    readonly maxRetryAfterMs: number;
  };
  readonly processing: {
    readonly concurrency: number;
    readonly handlerTimeoutMs: number;
    readonly backoffBaseMs: number;
    readonly backoffMaxMs: number;
  };
  readonly handlers: readonly HandlerEntry[];
  readonly log: {
    readonly level: LogLevel;
    readonly format: LogFormat;
  };
  readonly shutdown: {
    readonly graceMs: number;
  };
  readonly state: {
    readonly url: string;
  };
  readonly lease: {
    readonly name: string;
    readonly durationMs: number;
    readonly renewMs: number;
  };
  readonly ops: {
    readonly port: number;
    readonly host: string;
  };
}

/** `demo` runs the built-in simulator (no Connect URL configured); `live` talks to Connect. */
export type ConfigMode = 'demo' | 'live';

/** Where a setting's effective value came from, lowest precedence first. */
export type ConfigSource = 'default' | 'file' | 'env' | 'override';

export interface LoadedConfig {
  readonly config: AppConfig;
  readonly mode: ConfigMode;
  /** Things that work but are probably not what was meant; one line each, naming the key. */
  readonly warnings: readonly string[];
  readonly sources: {
    /** Absolute path of the config file read, or null when there was none. */
    readonly file: string | null;
    /** Keyed by setting, e.g. `poll.pageSize`. */
    readonly byKey: Readonly<Record<string, ConfigSource>>;
  };
}
