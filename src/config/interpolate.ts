import { isPlainObject } from './settings.ts';

/** `${NAME}`: a config file may take values from the environment, e.g. `apiKey: ${CONNECT_API_KEY}`. */
const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface Substituted {
  value: unknown;
  /** Placeholders naming unset variables, with where they sit below the value (`[0].module`). */
  missing: { at: string; variable: string }[];
}

/** Replaces `${NAME}` placeholders in every string of `value`, however deeply nested. */
export function substituteEnv(value: unknown, env: Readonly<Record<string, string>>, at = ''): Substituted {
  if (typeof value === 'string') {
    const missing: Substituted['missing'] = [];
    const replaced = value.replace(PLACEHOLDER, (placeholder, variable: string) => {
      if (Object.hasOwn(env, variable)) return env[variable]!;
      missing.push({ at, variable });
      return placeholder;
    });
    return { value: replaced, missing };
  }
  if (Array.isArray(value)) {
    const parts = value.map((item, index) => substituteEnv(item, env, `${at}[${index}]`));
    return { value: parts.map((part) => part.value), missing: parts.flatMap((part) => part.missing) };
  }
  if (isPlainObject(value)) {
    const parts = Object.entries(value).map(
      ([key, item]) => [key, substituteEnv(item, env, `${at}.${key}`)] as const,
    );
    return {
      value: Object.fromEntries(parts.map(([key, part]) => [key, part.value])),
      missing: parts.flatMap(([, part]) => part.missing),
    };
  }
  return { value, missing: [] };
}
