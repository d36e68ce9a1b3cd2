import convict from 'convict';
import { checkHandlerList } from './handlers.ts';
import { checkSchedule } from './schedule.ts';

/** What is wrong with a value. `at` narrows it below the setting (`[1].module` under `handlers`). */
export interface ValueIssue {
  at?: string;
  message: string;
  /** The offending value, quoted after the message when defined (never for a sensitive setting). */
  value?: unknown;
}

/** A leaf of the schema: convict's fields plus the parameters our formats read. */
export interface SettingSpec {
  doc: string;
  format: FormatName;
  default: unknown;
  env?: string;
  sensitive?: boolean;
  /** null is a valid value (it means "not set"). */
  nullable?: boolean;
  min?: number;
  max?: number;
  values?: readonly string[];
}

interface Format {
  /** All issues with the value; empty when it is valid. */
  check(value: unknown, spec: SettingSpec): ValueIssue[];
  /** Turns a string from env, CLI or file into the setting's type; leaves what it cannot convert as is. */
  coerce?(raw: string): unknown;
}

const FORMATS = {
  'bounded-int': {
    check: (value, { min = -Infinity, max = Infinity }) =>
      Number.isInteger(value) && (value as number) >= min && (value as number) <= max
        ? []
        : [{ message: `must be an integer between ${min} and ${max}`, value }],
    coerce: toNumber,
  },
  'positive-number': {
    check: (value, { max = Infinity }) =>
      typeof value === 'number' && value > 0 && value <= max
        ? []
        : [{ message: `must be a number greater than 0 and at most ${max}`, value }],
    coerce: toNumber,
  },
  'one-of': {
    check: (value, { values = [] }) =>
      values.includes(value as string) ? [] : [{ message: `must be one of ${values.join(', ')}`, value }],
    coerce: (raw) => raw.trim().toLowerCase(),
  },
  // A comma list from env/CLI (`test,preview`), or a list in a file: a non-empty subset of `values`.
  'one-or-more-of': {
    check: (value, { values = [] }) =>
      Array.isArray(value) && value.length > 0 && value.every((v) => values.includes(v as string))
        ? []
        : [{ message: `must be a non-empty comma list of ${values.join(', ')}`, value }],
    coerce: (raw) =>
      raw
        .split(',')
        .map((part) => part.trim().toLowerCase())
        .filter((part) => part !== ''),
  },
  'http-url': {
    check: (value) =>
      isHttpUrl(value)
        ? []
        : [{ message: 'must be an http(s) URL, e.g. https://api.connect.cloudblue.com/public/v1', value }],
    coerce: (raw) => raw.trim(),
  },
  'api-key': {
    // The header is built from it as is, so any whitespace inside would corrupt the request.
    check: (value) =>
      typeof value === 'string' && /^(ApiKey )?\S+$/.test(value)
        ? []
        : [{ message: 'must be a Connect API token like SU-xxxx-xxxx-xxxx:<secret>, without spaces' }],
    // Keys read from files or secret stores often end with a newline.
    coerce: (raw) => raw.trim(),
  },
  host: {
    check: (value) =>
      typeof value === 'string' && /^\S+$/.test(value)
        ? []
        : [{ message: 'must be a host name or IP address, e.g. 127.0.0.1 or 0.0.0.0', value }],
    coerce: (raw) => raw.trim(),
  },
  'cron-schedule': {
    check: (value) => checkSchedule(value),
    coerce: (raw) => raw.trim(),
  },
  'handler-list': {
    check: (value) => checkHandlerList(value),
  },
  // The value is never echoed: it carries the database password.
  'postgres-url': {
    check: (value) =>
      value === '' || isPostgresUrl(value)
        ? []
        : [
            {
              message: 'must be empty (state in memory) or a postgres://user:password@host:5432/database URL',
            },
          ],
    coerce: (raw) => raw.trim(),
  },
  word: {
    check: (value) =>
      typeof value === 'string' && /^[A-Za-z0-9._:-]{1,100}$/.test(value)
        ? []
        : [{ message: 'must be 1–100 letters, digits or . _ : -', value }],
    coerce: (raw) => raw.trim(),
  },
} satisfies Record<string, Format>;

export type FormatName = keyof typeof FORMATS;

/** The issues of one setting's value; a nullable setting accepts null. */
export function checkSetting(spec: SettingSpec, value: unknown): ValueIssue[] {
  if (spec.nullable && value === null) return [];
  return (FORMATS[spec.format] as Format).check(value, spec);
}

let registered = false;

/** Makes our formats known to convict (its registry is global), so the schema can name them. */
export function registerFormats(): void {
  if (registered) return;
  for (const [name, format] of Object.entries(FORMATS) as [FormatName, Format][]) {
    convict.addFormat({
      name,
      validate: (value: unknown, spec: SettingSpec) => {
        const issues = checkSetting(spec, value);
        if (issues.length > 0) throw new Error(issues.map((issue) => issue.message).join('; '));
      },
      ...(format.coerce ? { coerce: format.coerce } : {}),
    });
  }
  registered = true;
}

/** Strict: "12abc" stays a string (and is reported), where parseInt would quietly read 12. */
function toNumber(raw: string): unknown {
  const number = Number(raw.trim());
  return raw.trim() !== '' && Number.isFinite(number) ? number : raw;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

function isPostgresUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}
