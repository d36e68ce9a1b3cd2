import type { ValueIssue } from './formats.ts';
import type { Setting } from './settings.ts';

/** One thing wrong with the configuration. */
export interface Problem {
  /** What is wrong: a setting key (`poll.pageSize`, `handlers[1].module`) or `config file <path>`. */
  key: string;
  /** The environment variable that sets the key, if any. */
  env?: string;
  message: string;
  /** The offending value, quoted after the message when defined. */
  value?: unknown;
}

/**
 * Thrown by loadConfig with every problem found, one line each, e.g.
 * `poll.pageSize (POLL_PAGE_SIZE): must be an integer between 1 and 1000, got 5000`.
 */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A problem with a setting's value; a sensitive setting's value is never quoted. */
export function settingProblem(setting: Setting, issue: ValueIssue): Problem {
  return {
    key: setting.key + (issue.at ?? ''),
    env: setting.env,
    message: issue.message,
    value: setting.sensitive ? undefined : issue.value,
  };
}

/** `key (ENV): message, got value` */
export function formatProblem({ key, env, message, value }: Problem): string {
  const subject = env ? `${key} (${env})` : key;
  return value === undefined ? `${subject}: ${message}` : `${subject}: ${message}, got ${quote(value)}`;
}

const MAX_QUOTED = 80;

function quote(value: unknown): string {
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED - 1)}…` : text;
}
