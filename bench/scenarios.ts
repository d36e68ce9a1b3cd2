/**
 * The benchmark's scenarios: what the simulator is seeded with and how it answers, how the daemon is
 * configured, what physically bounds the drain time, and which targets apply.
 */

export type LogLevel = 'warn' | 'info';

export interface DaemonSettings {
  /** rateLimit.requestsPerSecond */
  requestsPerSecond: number;
  /** rateLimit.concurrency: API calls in flight. */
  concurrency: number;
  /** processing.concurrency: requests handled at once. */
  processingConcurrency: number;
  /** poll.pageSize */
  pageSize: number;
  logLevel: LogLevel;
}

export interface Scenario {
  name: string;
  description: string;
  /** Pending requests seeded. */
  requests: number;
  /** Products they are spread over (the daemon's handler covers all of them). */
  products: number;
  /** Added to every API answer by the simulator, ms. */
  latencyMs: number;
  /** Server-side ceiling per sliding second (429 + Retry-After: 1 beyond it); undefined: none. */
  serverRateLimit: number | undefined;
  daemon: DaemonSettings;
  /** `throughput`: no physical limit applies, processed requests per second are the figure. */
  kind: 'bounded' | 'throughput';
  /**
   * What serves the API: the project's simulator (small requests), or the independent Connect model
   * of bench/connect-model/ (realistic requests of `requestBytes` each). Default: the simulator.
   */
  server?: 'simulator' | 'model';
  /** Size of one request's JSON on the model, bytes. */
  requestBytes?: number;
  /** Also run the bare-undici baseline (bench/baseline.ts) against a fresh model with the same data. */
  baseline?: boolean;
}

/** Realistic requests: the size of one request's JSON unless --request-kb says otherwise. */
export const REALISTIC_BYTES = 5120;

/** No practical ceiling: the configuration's maximum (rateLimit.requestsPerSecond ≤ 10,000). */
export const UNLIMITED_RPS = 10_000;

const FAST: Omit<DaemonSettings, 'logLevel'> = {
  requestsPerSecond: UNLIMITED_RPS,
  concurrency: 16,
  processingConcurrency: 32,
  pageSize: 100,
};

/** The reference for logging-info: the same load, with a log line per request only at info. */
const LOGGING_WARN: Scenario = {
  name: 'logging-warn',
  description: 'a fixed 500 calls/s, log level warn: the reference for logging-info',
  requests: 3000,
  products: 4,
  latencyMs: 0,
  serverRateLimit: undefined,
  daemon: {
    requestsPerSecond: 500,
    concurrency: 8,
    processingConcurrency: 16,
    pageSize: 100,
    logLevel: 'warn',
  },
  kind: 'bounded',
};

/** The daemon at 100 calls/s: rate-bound on its own, above the server's limit in server-limit. */
const AT_100_PER_SECOND: Scenario['daemon'] = {
  requestsPerSecond: 100,
  concurrency: 8,
  processingConcurrency: 16,
  pageSize: 100,
  logLevel: 'warn',
};

export const SCENARIOS: Scenario[] = [
  {
    name: 'rate-bound',
    description: 'the daemon configured at 100 calls/s; no latency, no server limit',
    requests: 2000,
    products: 4,
    latencyMs: 0,
    serverRateLimit: undefined,
    daemon: AT_100_PER_SECOND,
    kind: 'bounded',
  },
  {
    name: 'latency-bound',
    description: '20 ms per answer, 4 calls in flight (the default), a generous rate',
    requests: 2000,
    products: 4,
    latencyMs: 20,
    serverRateLimit: undefined,
    daemon: {
      requestsPerSecond: 1000,
      concurrency: 4,
      processingConcurrency: 8,
      pageSize: 100,
      logLevel: 'warn',
    },
    kind: 'bounded',
  },
  {
    name: 'overhead-bound',
    description: 'no latency, no limit: what the daemon itself costs (log level warn)',
    requests: 5000,
    products: 4,
    latencyMs: 0,
    serverRateLimit: undefined,
    daemon: { ...FAST, logLevel: 'warn' },
    kind: 'throughput',
  },
  {
    name: 'memory',
    description: '10,000 pending requests, no latency, no limit: peak RSS',
    requests: 10_000,
    products: 4,
    latencyMs: 0,
    serverRateLimit: undefined,
    daemon: { ...FAST, logLevel: 'warn' },
    kind: 'throughput',
  },
  LOGGING_WARN,
  {
    ...LOGGING_WARN,
    name: 'logging-info',
    description:
      'logging-warn with log level info (a line per request): the difference in CPU is the cost of logging',
    daemon: { ...LOGGING_WARN.daemon, logLevel: 'info' },
  },
  {
    name: 'server-limit',
    description:
      'the server allows 50 calls/s, the daemon is configured for 100/s: it must converge through 429s',
    requests: 1000,
    products: 4,
    latencyMs: 0,
    serverRateLimit: 50,
    daemon: AT_100_PER_SECOND,
    kind: 'bounded',
  },
];

/** The realistic scenarios: the independent model, 16 calls in flight, a bare client beside the daemon. */
const REALISTIC: Omit<Scenario, 'name' | 'description' | 'requests' | 'latencyMs' | 'kind'> = {
  products: 4,
  serverRateLimit: undefined,
  daemon: { ...FAST, logLevel: 'warn' },
  server: 'model',
  requestBytes: REALISTIC_BYTES,
  baseline: true,
};

SCENARIOS.push(
  {
    ...REALISTIC,
    name: 'realistic-latency',
    description:
      'Connect model, realistic requests, 20 ms per answer, 16 calls in flight, page size 100; beside a bare client',
    requests: 2000,
    latencyMs: 20,
    kind: 'bounded',
  },
  {
    ...REALISTIC,
    name: 'realistic-latency-p1000',
    description: 'realistic-latency with page size 1,000 (pages of ~5 MB)',
    requests: 2000,
    latencyMs: 20,
    daemon: { ...REALISTIC.daemon, pageSize: 1000 },
    kind: 'bounded',
  },
  {
    ...REALISTIC,
    name: 'realistic-overhead',
    description:
      'Connect model, realistic requests, no latency: what the daemon costs per request; beside a bare client',
    requests: 5000,
    latencyMs: 0,
    kind: 'throughput',
  },
  {
    ...REALISTIC,
    name: 'realistic-memory',
    description: 'Connect model, 10,000 pending realistic requests, page size 1,000, no latency: peak RSS',
    requests: 10_000,
    latencyMs: 0,
    daemon: { ...REALISTIC.daemon, pageSize: 1000 },
    baseline: false,
    kind: 'throughput',
  },
);

export interface Overrides {
  requests?: number;
  products?: number;
  latencyMs?: number;
  /** 0 removes the server limit. */
  serverRateLimit?: number;
  requestsPerSecond?: number;
  concurrency?: number;
  processingConcurrency?: number;
  pageSize?: number;
  logLevel?: LogLevel;
  /** Size of one realistic request, bytes (model scenarios only). */
  requestBytes?: number;
}

/** The named scenarios (all when none named) with the command line's overrides applied. */
export function selectScenarios(names: readonly string[], overrides: Overrides): Scenario[] {
  const unknown = names.filter((name) => !SCENARIOS.some((s) => s.name === name));
  if (unknown.length) {
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  const chosen = names.length ? SCENARIOS.filter((s) => names.includes(s.name)) : [...SCENARIOS];
  return chosen.map((s) => ({
    ...s,
    requests: overrides.requests ?? s.requests,
    products: overrides.products ?? s.products,
    latencyMs: overrides.latencyMs ?? s.latencyMs,
    requestBytes: s.server === 'model' ? (overrides.requestBytes ?? s.requestBytes) : undefined,
    serverRateLimit:
      overrides.serverRateLimit === undefined ? s.serverRateLimit : overrides.serverRateLimit || undefined,
    daemon: {
      requestsPerSecond: overrides.requestsPerSecond ?? s.daemon.requestsPerSecond,
      concurrency: overrides.concurrency ?? s.daemon.concurrency,
      processingConcurrency: overrides.processingConcurrency ?? s.daemon.processingConcurrency,
      pageSize: overrides.pageSize ?? s.daemon.pageSize,
      logLevel: overrides.logLevel ?? s.daemon.logLevel,
    },
  }));
}

export interface PhysicalLimit {
  /** Seconds; undefined for throughput scenarios. */
  seconds: number | undefined;
  binding: 'rate' | 'server rate' | 'latency' | 'none';
}

/**
 * The shortest possible drain time for the calls the API actually served (429s are wasted calls, not
 * work): served ÷ rate when the rate binds (the lower of the daemon's and the server's ceilings),
 * served × latency ÷ concurrency when the latency binds; whichever is longer.
 */
export function physicalLimit(scenario: Scenario, servedCalls: number): PhysicalLimit {
  if (scenario.kind === 'throughput') return { seconds: undefined, binding: 'none' };
  const server = scenario.serverRateLimit ?? Infinity;
  const rate = Math.min(scenario.daemon.requestsPerSecond, server);
  const byRate = servedCalls / rate;
  const byLatency = (servedCalls * scenario.latencyMs) / 1000 / scenario.daemon.concurrency;
  if (byLatency > byRate) return { seconds: byLatency, binding: 'latency' };
  return { seconds: byRate, binding: server < scenario.daemon.requestsPerSecond ? 'server rate' : 'rate' };
}
