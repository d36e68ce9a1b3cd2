import { pino, stdSerializers, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import { createSecretMasker, maskSecretFields } from './secrets.ts';
import { PRODUCT_NAME, VERSION } from './version.ts';

export type { Logger } from 'pino';
export { maskSecrets } from './secrets.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `auto` pretty-prints when the destination (stdout by default) is a terminal, JSON lines otherwise. */
export const LOG_FORMATS = ['json', 'pretty', 'auto'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The `event` names of log lines: a public contract that ops and monitoring grep for (DESIGN.md,
 * "Log events"), plus the daemon's own additions after the first block.
 */
export const LOG_EVENTS = [
  'daemon.started',
  'cycle.started',
  'request.processed',
  'request.error',
  'cycle.finished',
  'cycle.skipped',
  'api.retry',
  'daemon.stopping',
  'daemon.stopped',
  // additions
  'config.warning',
  'daemon.crashed',
  'cycle.aborted',
  'request.invalid',
  'request.unhandled',
  'request.deferred',
  'request.aborted',
  'handler.invalid_outcome',
  'api.unauthorized',
  'api.action_already_done',
  'ops.listening',
  'ops.error',
  'handler.log',
  'api.connected',
  'request.decided',
  // `dev` only
  'dev.cycle',
  'dev.reloaded',
  'dev.reload_failed',
  'dev.watch_failed',
] as const;
export type LogEvent = (typeof LOG_EVENTS)[number];

/** The merge object of an event line: `log.info({ event: 'cycle.started', cycleId } satisfies EventFields, ...)`. */
export type EventFields<E extends LogEvent = LogEvent> = { event: E } & Record<string, unknown>;

/** Builds an event line's merge object with a checked name: `log.info(event('cycle.started', { cycleId }), 'cycle started')`. */
export function event<E extends LogEvent>(name: E, fields: Record<string, unknown> = {}): EventFields<E> {
  return { event: name, ...fields };
}

/** Anything with a `write(string)`: a stream, or a plain object (tests capture lines that way). */
export type LogDestination = NodeJS.WritableStream | { write(line: string): unknown; isTTY?: boolean };

export interface LoggerOptions {
  level: LogLevel;
  format?: LogFormat;
  /** Values masked wherever they appear in a line (API keys); shorter than 6 characters are ignored. */
  secrets?: readonly string[];
  /** Defaults to stdout. */
  destination?: LogDestination;
  /** Events that are noise for this command, written only at debug level (e.g. api.connected on a script's stderr). */
  debugOnlyEvents?: readonly LogEvent[];
}

/**
 * The root logger: JSON lines with `level` as a label, an ISO `time`, and `service`/`version` instead
 * of pid/hostname. Secrets are removed from the finished line twice over: secret-named fields whatever
 * their value, and the configured secrets wherever they appear, so they cannot leak through error
 * messages, URLs or whatever a handler chooses to log.
 */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? [];
  const maskValues = secrets.length > 0 ? createSecretMasker(secrets) : undefined;
  const maskLine = maskValues ? (line: string) => maskValues(maskSecretFields(line)) : maskSecretFields;
  const debugging = options.level === 'debug' || options.level === 'trace';
  const serializeError = debugging ? ownMessage : withoutStacks;
  return pino(
    {
      level: options.level,
      base: { service: PRODUCT_NAME, version: VERSION },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError, error: serializeError },
      hooks: {
        streamWrite: maskLine,
        ...(options.debugOnlyEvents ? { logMethod: debugOnly(options.debugOnlyEvents) } : {}),
      },
      // The daemon's own lines all name their event; a line without one is a handler's (context.log).
      mixin: (fields) => ('event' in fields ? NO_FIELDS : { event: 'handler.log' }),
      mixinMergeStrategy: (fields, mixed) => (mixed === NO_FIELDS ? fields : Object.assign(mixed, fields)),
    },
    outputStream(options.format ?? 'auto', options.destination, debugging),
  );
}

const NO_FIELDS = Object.freeze({});

function debugOnly(events: readonly LogEvent[]) {
  const quiet = new Set<string>(events);
  return function (
    this: Logger,
    args: Parameters<Logger['info']>,
    method: (...args: unknown[]) => void,
  ): void {
    const fields = args[0] as { event?: unknown } | undefined;
    if (typeof fields?.event === 'string' && quiet.has(fields.event) && !this.isLevelEnabled('debug')) return;
    method.apply(this, args);
  };
}

/**
 * Expected errors (a refused key, a handler's mistake, Connect unreachable) are told by their message
 * and code; their stack points into the daemon's own files and helps nobody but its developers, so it
 * is logged at debug level only. A crash logs its stack in a field of its own (daemon.crashed).
 */
function withoutStacks(err: Error): Record<string, unknown> {
  return dropStacks(ownMessage(err), 0) as Record<string, unknown>;
}

/** pino appends each cause's message to the error's; ours already tell their cause (ECONNREFUSED once). */
function ownMessage(err: Error): Record<string, unknown> {
  const serialized = stdSerializers.err(err) as unknown as Record<string, unknown>;
  return err instanceof Error ? { ...serialized, message: err.message } : serialized;
}

function dropStacks(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > 5) return value;
  if (Array.isArray(value)) return value.map((item) => dropStacks(item, depth + 1));
  if (value instanceof Error) return dropStacks(stdSerializers.err(value), depth + 1);
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'stack')
      .map(([key, child]) => [key, dropStacks(child, depth + 1)]),
  );
}

/** Waits until buffered lines are written (bounded, so an exit path never hangs on a stuck stream). */
export function flushLogger(logger: Logger, timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    try {
      logger.flush(done);
    } catch {
      done();
    }
  });
}

function outputStream(
  format: LogFormat,
  destination: LogDestination | undefined,
  debugging: boolean,
): DestinationStream {
  const target = destination ?? process.stdout;
  const pretty = format === 'pretty' || (format === 'auto' && isTerminal(target));
  if (pretty) return prettyStream(target, debugging);
  // Synchronous writes to stdout: a daemon logs a few lines per request, and none may be lost on exit.
  return destination ? (destination as DestinationStream) : pino.destination({ dest: 1, sync: true });
}

/**
 * Pretty lines for people, prettified synchronously on each write (pino-pretty's own stream is
 * asynchronous, which reorders output and loses lines at exit). Lines arrive already masked.
 */
function prettyStream(target: LogDestination, debugging: boolean): DestinationStream {
  // Loaded only here: a daemon that logs JSON (its container, the benchmark) does not carry it.
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  const prettify = pinoPretty.prettyFactory({
    colorize: isTerminal(target),
    translateTime: 'SYS:HH:MM:ss.l',
    // One line per event for people: an error's message is in the line's own message already; the
    // error object (pino-pretty prints it over many lines) only at debug level.
    ignore: `pid,hostname,service,version,event${debugging ? '' : ',err,error'}`,
    messageFormat: '{if event}[{event}] {end}{msg}',
    singleLine: true,
  });
  return { write: (line: string) => void target.write(prettify(line)) };
}

function isTerminal(target: LogDestination): boolean {
  return 'isTTY' in target && target.isTTY === true;
}
