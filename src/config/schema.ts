import type convict from 'convict';
import { LOG_FORMATS, LOG_LEVELS } from '../log.ts';
import { CONNECTION_TYPES, type AppConfig } from './types.ts';

// Parameterised formats (see formats.ts); the spread keeps each key's line short.
const int = (min: number, max: number) => ({ format: 'bounded-int', min, max }) as const;
const oneOf = (values: readonly string[]) => ({ format: 'one-of', values }) as const;
const someOf = (values: readonly string[]) => ({ format: 'one-or-more-of', values }) as const;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Every setting of the daemon: the public contract of DESIGN.md ("Configuration") plus tuning knobs.
 * Precedence: default < config file < environment < CLI flags. Unknown keys are rejected.
 */
export const configSchema = {
  connect: {
    url: {
      doc: 'Connect API base, e.g. https://api.connect.cloudblue.com/public/v1. Unset: `start` runs the demo.',
      format: 'http-url',
      nullable: true,
      default: null,
      env: 'CONNECT_API_URL',
    },
    apiKey: {
      doc: 'API token SU-xxxx-xxxx-xxxx:<secret>; required with connect.url. Never printed or logged.',
      format: 'api-key',
      nullable: true,
      sensitive: true,
      default: null,
      env: 'CONNECT_API_KEY',
    },
    connectTimeoutMs: {
      doc: 'Time allowed to open a connection to Connect, in ms.',
      ...int(1, 10 * MINUTE),
      default: 15_000,
      env: 'CONNECT_CONNECT_TIMEOUT_MS',
    },
    headersTimeoutMs: {
      doc: 'Time allowed for the response headers of one API call, in ms (Connect can be slow).',
      ...int(1, HOUR),
      default: 120_000,
      env: 'CONNECT_HEADERS_TIMEOUT_MS',
    },
    bodyTimeoutMs: {
      doc: 'Longest silence allowed while a response body arrives, in ms.',
      ...int(1, HOUR),
      default: 120_000,
      env: 'CONNECT_BODY_TIMEOUT_MS',
    },
  },
  poll: {
    schedule: {
      doc: 'When to look for pending requests: a cron expression, the seconds field optional. Outside 2-5 minutes a warning is logged.',
      format: 'cron-schedule',
      default: '0 */3 * * * *',
      env: 'POLL_SCHEDULE',
    },
    pageSize: {
      doc: 'Requests per listing page.',
      ...int(1, 1000),
      default: 100,
      env: 'POLL_PAGE_SIZE',
    },
    connectionTypes: {
      doc: `Connection types whose requests are listed and handled: a comma list of ${CONNECTION_TYPES.join(', ')}. A handlers entry can narrow it with its own "connectionTypes".`,
      ...someOf(CONNECTION_TYPES),
      default: [...CONNECTION_TYPES],
      env: 'POLL_CONNECTION_TYPES',
    },
  },
  rateLimit: {
    requestsPerSecond: {
      doc: 'Ceiling on API calls per second, retries included.',
      format: 'positive-number',
      max: 10_000,
      default: 10,
      env: 'RATE_LIMIT_RPS',
    },
    concurrency: {
      doc: 'API calls in flight at once.',
      ...int(1, 256),
      default: 4,
      env: 'RATE_LIMIT_CONCURRENCY',
    },
  },
  retry: {
    maxAttempts: {
      doc: 'Attempts of one API call on a network error, 429 or 5xx (1 = no retry).',
      ...int(1, 20),
      default: 5,
      env: 'RETRY_MAX_ATTEMPTS',
    },
    baseDelayMs: {
      doc: 'Delay before the first retry, in ms; doubled for each further one, with jitter.',
      ...int(0, 10 * MINUTE),
      default: 500,
      env: 'RETRY_BASE_DELAY_MS',
    },
    maxDelayMs: {
      doc: 'Cap on the delay between retries, in ms.',
      ...int(0, HOUR),
      default: 30_000,
      env: 'RETRY_MAX_DELAY_MS',
    },
    maxRetryAfterMs: {
      doc: 'Longest Retry-After the daemon waits out, in ms; a longer one ends the cycle instead.',
      ...int(0, DAY),
      default: 120_000,
      env: 'RETRY_MAX_RETRY_AFTER_MS',
    },
  },
  processing: {
    concurrency: {
      doc: 'Requests handled at once.',
      ...int(1, 256),
      default: 8,
      env: 'PROCESSING_CONCURRENCY',
    },
    handlerTimeoutMs: {
      doc: "A handler's deadline, in ms; its `signal` aborts then.",
      ...int(1, HOUR),
      default: 60_000,
      env: 'HANDLER_TIMEOUT_MS',
    },
    backoffBaseMs: {
      doc: 'After a handler error, how long the request waits before its next attempt, in ms; doubled per failure.',
      ...int(0, DAY),
      default: 60_000,
      env: 'PROCESSING_BACKOFF_BASE_MS',
    },
    backoffMaxMs: {
      doc: 'Cap on the per-request backoff, in ms.',
      ...int(0, 7 * DAY),
      default: 3_600_000,
      env: 'PROCESSING_BACKOFF_MAX_MS',
    },
  },
  handlers: {
    doc: 'Vendor handler modules: [{ "module": "./path.js", "products": ["PRD-..."] }]. Paths are relative to the config file.',
    format: 'handler-list',
    default: [],
  },
  log: {
    level: {
      doc: `Lowest level logged: ${LOG_LEVELS.join(', ')}.`,
      ...oneOf(LOG_LEVELS),
      default: 'info',
      env: 'LOG_LEVEL',
    },
    format: {
      doc: 'json (one JSON object per line), pretty (for people), or auto (pretty when stdout is a terminal).',
      ...oneOf(LOG_FORMATS),
      default: 'auto',
      env: 'LOG_FORMAT',
    },
  },
  shutdown: {
    graceMs: {
      doc: 'How long in-flight requests may finish after SIGTERM/SIGINT, in ms.',
      ...int(0, HOUR),
      default: 30_000,
      env: 'SHUTDOWN_GRACE_MS',
    },
  },
  state: {
    url: {
      doc: 'postgres://user:password@host:5432/db: durable state shared by replicas, and leader election. Empty: in memory, one replica.',
      format: 'postgres-url',
      sensitive: true,
      default: '',
      env: 'STATE_URL',
    },
  },
  lease: {
    name: {
      doc: 'The lease replicas compete for; one per Connect account.',
      format: 'word',
      default: 'default',
      env: 'LEASE_NAME',
    },
    durationMs: {
      doc: 'A holder that has not renewed for this long loses the lease, in ms.',
      ...int(1_000, HOUR),
      default: 15_000,
      env: 'LEASE_DURATION_MS',
    },
    renewMs: {
      doc: 'How often the holder renews (and standbys try to take over), in ms.',
      ...int(100, HOUR),
      default: 5_000,
      env: 'LEASE_RENEW_MS',
    },
  },
  ops: {
    port: {
      doc: 'Port of /healthz, /readyz and /metrics; 0 turns the ops server off.',
      ...int(0, 65_535),
      default: 0,
      env: 'OPS_PORT',
    },
    host: {
      doc: 'Address the ops server binds (0.0.0.0 in a container).',
      format: 'host',
      default: '127.0.0.1',
      env: 'OPS_HOST',
    },
  },
} satisfies convict.Schema<AppConfig>;
