/** The benchmark's command line. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIOS, type LogLevel, type Overrides } from './scenarios.ts';

export interface BenchOptions {
  scenarios: string[];
  runs: number;
  overrides: Overrides;
  /** Extra node options for the daemon process. */
  nodeOptions: string[];
  /** Profile the daemon: one .cpuprofile per run in this folder. */
  cpuProfDir: string | undefined;
  /** Sample the daemon's allocations: one .heapprofile per run in this folder. */
  allocProfDir: string | undefined;
  json: string;
  keep: boolean;
  help: boolean;
  list: boolean;
}

const RESULTS = path.join(import.meta.dirname, 'results');

export const USAGE = `Usage: npm run bench -- [options]        (or: node bench/run.ts [options] after npm run build)

Runs each scenario several times against the simulator in its own process, with the built daemon's
run-once cycle, and prints the medians as a markdown table (stdout) and a JSON file.

Options:
  --scenario NAME           run only this scenario (repeat, or comma-separate); --list shows them
  --runs N                  runs per scenario, the median is reported (default 3)
  --requests N              pending requests to seed (overrides every chosen scenario's N)
  --products P              products the requests are spread over
  --latency MS              simulator latency per answer (L)
  --rate-limit R            simulator's own ceiling per sliding second, 429 beyond it (R); 0 = none
  --rate RPS                the daemon's rateLimit.requestsPerSecond
  --concurrency C           the daemon's rateLimit.concurrency (API calls in flight)
  --processing-concurrency C  the daemon's processing.concurrency (requests handled at once)
  --page-size N             the daemon's poll.pageSize
  --log-level warn|info     the daemon's log.level
  --request-kb K            size of one realistic request's JSON on the Connect model (realistic-*), default 5; the smallest is
                            about 4.7 (three params, three items, three tiers), padded with params above it
  --node-option OPT         extra option for the daemon's node (repeat), e.g. --node-option=--max-semi-space-size=8
  --cpu-prof                write a CPU profile of each daemon run to bench/results/profiles/
  --alloc-prof              write an allocation profile (sampled, collected objects included) likewise
                            (read either with: node bench/profile.ts FILE)
  --json FILE               where the results go (default bench/results/latest.json)
  --keep                    keep the work folder (configurations, daemon logs, the simulator's journal)
  --list                    list the scenarios and exit
  --help                    this text`;

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      scenario: { type: 'string', multiple: true },
      runs: { type: 'string' },
      requests: { type: 'string' },
      products: { type: 'string' },
      latency: { type: 'string' },
      'rate-limit': { type: 'string' },
      rate: { type: 'string' },
      concurrency: { type: 'string' },
      'processing-concurrency': { type: 'string' },
      'page-size': { type: 'string' },
      'log-level': { type: 'string' },
      'request-kb': { type: 'string' },
      'node-option': { type: 'string', multiple: true },
      'cpu-prof': { type: 'boolean' },
      'alloc-prof': { type: 'boolean' },
      json: { type: 'string' },
      keep: { type: 'boolean' },
      list: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const logLevel = values['log-level'];
  if (logLevel !== undefined && logLevel !== 'warn' && logLevel !== 'info')
    throw new Error('--log-level: warn or info');
  const scenarios = (values.scenario ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const kb = int(values['request-kb'], '--request-kb', 1, 64);
  return {
    scenarios,
    runs: int(values.runs, '--runs', 1, 50) ?? 3,
    overrides: {
      requests: int(values.requests, '--requests', 1, 1_000_000),
      products: int(values.products, '--products', 1, 1000),
      latencyMs: int(values.latency, '--latency', 0, 60_000),
      serverRateLimit: int(values['rate-limit'], '--rate-limit', 0, 1_000_000),
      requestsPerSecond: int(values.rate, '--rate', 1, 10_000),
      concurrency: int(values.concurrency, '--concurrency', 1, 256),
      processingConcurrency: int(values['processing-concurrency'], '--processing-concurrency', 1, 256),
      pageSize: int(values['page-size'], '--page-size', 1, 1000),
      logLevel: logLevel as LogLevel | undefined,
      requestBytes: kb === undefined ? undefined : kb * 1024,
    },
    nodeOptions: values['node-option'] ?? [],
    cpuProfDir: values['cpu-prof'] ? path.join(RESULTS, 'profiles') : undefined,
    allocProfDir: values['alloc-prof'] ? path.join(RESULTS, 'profiles') : undefined,
    json: path.resolve(values.json ?? path.join(RESULTS, 'latest.json')),
    keep: values.keep ?? false,
    list: values.list ?? false,
    help: values.help ?? false,
  };
}

export function listScenarios(): string {
  return SCENARIOS.map(
    (s) =>
      `${s.name.padEnd(24)} N=${s.requests} L=${s.latencyMs} ms` +
      `${s.serverRateLimit ? ` server limit ${s.serverRateLimit}/s` : ''}, daemon ${s.daemon.requestsPerSecond}/s ` +
      `× ${s.daemon.concurrency} in flight, log ${s.daemon.logLevel}: ${s.description}`,
  ).join('\n');
}

function int(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${flag}: an integer from ${min} to ${max}`);
  return value;
}
