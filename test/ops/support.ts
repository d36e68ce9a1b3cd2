import {
  emptySummary,
  type CycleSummary,
  type FulfillmentEvents,
  type RequestEvent,
} from '../../src/fulfillment/events.ts';

/** A fake wall clock in ms. */
export function fakeClock(start = Date.UTC(2025, 0, 1)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

export function summary(overrides: Partial<CycleSummary> = {}): CycleSummary {
  return { ...emptySummary('c1'), durationMs: 1200, ...overrides };
}

export function requestDone(overrides: Partial<RequestEvent> = {}): RequestEvent {
  return {
    cycleId: 'c1',
    requestId: 'PR-0000-0000-0000-001',
    type: 'purchase',
    productId: 'PRD-276-377-545',
    kind: 'approved',
    action: 'approve',
    durationMs: 40,
    handlerMs: 10,
    ...overrides,
  };
}

/** Emits one request's start and end, as the cycle does. */
export function processRequest(events: FulfillmentEvents, done: Partial<RequestEvent> = {}): void {
  const event = requestDone(done);
  events.emit('request:start', { cycleId: event.cycleId, requestId: event.requestId });
  events.emit('request:done', event);
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedMetrics {
  samples: Sample[];
  /** TYPE line of each metric family. */
  types: Map<string, string>;
  help: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;

/**
 * A strict parser of the Prometheus text exposition format (0.0.4), enough to check what we serve:
 * every line must be a comment, a HELP/TYPE line or a well-formed sample, or it throws.
 */
export function parsePrometheusText(text: string): ParsedMetrics {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  text.split('\n').forEach((line, index) => {
    if (line === '') return;
    if (line.startsWith('# HELP ')) {
      const [, metric, ...rest] = line.split(' ').slice(1);
      if (!metric) throw new Error(`line ${index + 1}: bad HELP: ${line}`);
      help.set(metric, rest.join(' '));
      return;
    }
    if (line.startsWith('# TYPE ')) {
      const parts = line.split(' ');
      const metric = parts[2];
      const type = parts[3];
      if (!metric || !type || !['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(type)) {
        throw new Error(`line ${index + 1}: bad TYPE: ${line}`);
      }
      types.set(metric, type);
      return;
    }
    if (line.startsWith('#')) return;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`line ${index + 1}: not a sample: ${line}`);
    const [, name, rawLabels, rawValue] = match as unknown as [string, string, string | undefined, string];
    const labels: Record<string, string> = {};
    if (rawLabels) {
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < rawLabels.length) {
        const start = LABEL.lastIndex;
        const label = LABEL.exec(rawLabels);
        if (!label || LABEL.lastIndex === start)
          throw new Error(`line ${index + 1}: bad labels: ${rawLabels}`);
        labels[label[1]!] = label[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      }
    }
    // Prometheus parses values with Go's ParseFloat: NaN and Inf in any case (prom-client writes `Nan`).
    const special: Record<string, number> = {
      nan: Number.NaN,
      '+inf': Infinity,
      inf: Infinity,
      '-inf': -Infinity,
    };
    const value = special[rawValue.toLowerCase()] ?? Number(rawValue);
    if (Number.isNaN(value) && rawValue.toLowerCase() !== 'nan')
      throw new Error(`line ${index + 1}: bad value: ${line}`);
    samples.push({ name, labels, value });
  });
  return { samples, types, help };
}

/** The value of the one sample with this name whose labels include `labels`; undefined when none. */
export function valueOf(
  parsed: ParsedMetrics,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const matches = parsed.samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value),
  );
  if (matches.length > 1)
    throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}
