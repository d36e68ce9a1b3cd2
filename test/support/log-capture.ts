import { createLogger, type LogEvent, type Logger, type LogLevel } from '../../src/log.ts';

/** One parsed log line. */
export interface LogLine {
  level: string;
  time: string;
  msg?: string;
  event?: string;
  [field: string]: unknown;
}

export interface LogCapture {
  /** A real logger (JSON format, secrets masked) writing into memory. */
  logger: Logger;
  /** Every line so far, parsed. */
  lines(): LogLine[];
  /** Everything written so far, as is: what would have reached stdout. */
  text(): string;
  /** Lines with an `event`; with a name, only that event, or a family with a trailing `*` (`'request.*'`). */
  events(name?: LogEvent | (string & {})): LogLine[];
  /** The `event` of every event line, in order: `expect(capture.eventNames()).toEqual([...])`. */
  eventNames(): string[];
  /** Forgets what was captured so far. */
  clear(): void;
}

export interface CaptureOptions {
  /** Defaults to `trace`, so that tests see everything. */
  level?: LogLevel;
  secrets?: readonly string[];
}

/** A logger whose output stays in memory, for asserting on log lines and events. */
export function captureLogs(options: CaptureOptions = {}): LogCapture {
  let chunks: string[] = [];
  const logger = createLogger({
    level: options.level ?? 'trace',
    format: 'json',
    secrets: options.secrets ?? [],
    destination: { write: (chunk: string) => chunks.push(chunk) },
  });
  const text = (): string => chunks.join('');
  const lines = (): LogLine[] =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
  const events = (name?: string): LogLine[] =>
    lines().filter((line) => line.event !== undefined && (name === undefined || matches(line.event, name)));
  return {
    logger,
    lines,
    text,
    events,
    eventNames: () => events().map((line) => line.event!),
    clear: () => {
      chunks = [];
    },
  };
}

function matches(event: string, name: string): boolean {
  return name.endsWith('*') ? event.startsWith(name.slice(0, -1)) : event === name;
}
