import { loadConfig, type AppConfig } from '../config/index.ts';
import type { ConnectClient } from '../connect/client.ts';
import { DistributorInputError, type InputProblem } from '../connect/distributor.ts';
import { connectTo } from '../connect/index.ts';
import { createLogger, event, flushLogger, type Logger } from '../log.ts';
import { UsageError, type CliIO } from './io.ts';

/**
 * What the distributor commands (`requests`, `usage`) share: a Connect client built from the loaded
 * configuration, with logs on stderr (their stdout is data), and the library's input errors retold in
 * the flags the user typed.
 */
export interface CliConnection {
  client: ConnectClient;
  /** The loaded configuration (poll.pageSize pages the listings). */
  config: AppConfig;
  log: Logger;
  close(): Promise<void>;
}

/** The configured Connect account (file < env), rate-limited and retried like the daemon's own calls. */
export function connectFromConfig(io: CliIO, configFile: string | undefined): CliConnection {
  const { config, warnings } = loadConfig({ file: configFile, env: io.env });
  const { url, apiKey } = config.connect;
  if (!url || !apiKey) {
    throw new UsageError(
      'connect.url and connect.apiKey must be set (in --config FILE, or CONNECT_API_URL and CONNECT_API_KEY)',
    );
  }
  const log = createLogger({
    level: config.log.level,
    format: config.log.format,
    secrets: [apiKey],
    destination: io.stderr,
    // stderr of a script: only what went wrong, not which API version answered.
    debugOnlyEvents: ['api.connected'],
  });
  // Handlers are the daemon's business, not a distributor script's.
  for (const warning of warnings.filter((w) => !w.startsWith('handlers:')))
    log.warn(event('config.warning', { warning }), warning);
  const connection = connectTo(
    {
      ...config.connect,
      url,
      apiKey,
      requestsPerSecond: config.rateLimit.requestsPerSecond,
      concurrency: config.rateLimit.concurrency,
      retry: config.retry,
    },
    log,
  );
  return {
    client: connection.client,
    config,
    log,
    async close() {
      await connection.close();
      await flushLogger(log);
    },
  };
}

/** Runs `work` with a connection that is closed afterwards, whatever happens. */
export async function withConnection<T>(
  io: CliIO,
  configFile: string | undefined,
  work: (connection: CliConnection) => Promise<T>,
): Promise<T> {
  const connection = connectFromConfig(io, configFile);
  try {
    return await work(connection);
  } finally {
    await connection.close();
  }
}

/**
 * Runs `work`, turning the library's input errors into usage errors (exit 2) that name flags instead
 * of fields: `tier1.contact_info.city` becomes `--tier1 (contact_info.city)`.
 */
export async function inFlagTerms<T>(
  flagOf: Readonly<Record<string, string>>,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof DistributorInputError)
      throw new UsageError(err.problems.map((p) => describeProblem(p, flagOf)).join('; '));
    throw err;
  }
}

function describeProblem({ field, problem }: InputProblem, flagOf: Readonly<Record<string, string>>): string {
  const [top = field, ...rest] = field.split('.');
  const flag = flagOf[top] ?? top;
  return `${flag}${rest.length > 0 ? ` (${rest.join('.')})` : ''}: ${problem}`;
}
