import path from 'node:path';
import convict from 'convict';
import { maskSecrets } from '../secrets.ts';
import { checkOrderedPairs, collectWarnings, decideMode } from './checks.ts';
import { configSecrets } from './describe.ts';
import { readConfigFile } from './file.ts';
import { checkSetting, registerFormats } from './formats.ts';
import { resolveHandlerModules } from './handlers.ts';
import { substituteEnv } from './interpolate.ts';
import { ConfigError, formatProblem, settingProblem, type Problem } from './problems.ts';
import { configSchema } from './schema.ts';
import {
  findSetting,
  readPath,
  sectionChildren,
  SETTINGS,
  similarKey,
  splitBySchema,
  writePath,
  type SplitInput,
} from './settings.ts';
import type { AppConfig, ConfigMode, ConfigSource, LoadedConfig } from './types.ts';

export interface LoadOptions {
  /** The config file; when absent, `env.CONFIG_FILE`; when neither, defaults and env alone. */
  file?: string;
  /** The environment, e.g. process.env. Empty variables count as unset. */
  env: Readonly<Record<string, string | undefined>>;
  /** CLI flags, by dotted key (`{ 'log.level': 'debug' }`) or nested; they beat everything else. */
  overrides?: Readonly<Record<string, unknown>>;
  /** Base of a relative `file` and of handler paths when no file is used; defaults to process.cwd(). */
  cwd?: string;
}

type Values = Record<string, unknown>;

/**
 * Turns a config file, the environment and CLI overrides into the daemon's frozen options.
 * Precedence: defaults < file < environment < overrides. Throws a ConfigError listing every problem.
 */
export function loadConfig(options: LoadOptions): LoadedConfig {
  const env = presentVariables(options.env);
  const cwd = options.cwd ?? process.cwd();
  const fileOption = options.file ?? env.CONFIG_FILE;
  const filePath = fileOption === undefined ? null : path.resolve(cwd, fileOption);
  const problems: Problem[] = [];

  const fileValues = filePath === null ? [] : readFileValues(filePath, env, problems);
  // An undefined override is a flag that was not given.
  const overrideValues = acceptKnown(
    splitBySchema(options.overrides ?? {}),
    'in the overrides',
    problems,
  ).filter(([, value]) => value !== undefined);

  registerFormats();
  const store = convict<AppConfig>(configSchema, { env, args: [] });
  // convict applies the environment again after loading, which gives env precedence over the file.
  store.load(nest(fileValues));
  for (const [key, value] of overrideValues) store.set(key, value);

  // Checked here rather than by convict's validate(), which throws one joined string without env names
  // and drops falsy values; the format functions are the same. Unknown keys were caught while splitting
  // the inputs (convict's `allowed: 'strict'`), before they could reach convict.
  const config = store.getProperties();
  const values: Values = Object.fromEntries(SETTINGS.map(({ key }) => [key, readPath(config, key)]));
  problems.push(
    ...SETTINGS.flatMap((setting) =>
      checkSetting(setting, values[setting.key]).map((issue) => settingProblem(setting, issue)),
    ),
  );

  const byKey = sourcesByKey(fileValues, env, overrideValues);
  const mode = crossCheck(config, values, problems);
  if (problems.length > 0 || mode === undefined) {
    // A secret may also sit inside another setting's value (a URL, say); problem lines never repeat it.
    const secrets = configSecrets(config);
    throw new ConfigError(problems.map((problem) => maskSecrets(formatProblem(problem), secrets)));
  }

  const handlerBase = byKey.handlers === 'file' && filePath !== null ? path.dirname(filePath) : cwd;
  return deepFreeze({
    config: { ...config, handlers: resolveHandlerModules(config.handlers, handlerBase) },
    mode,
    warnings: collectWarnings(config),
    sources: { file: filePath, byKey },
  });
}

/** The file's settings with `${VAR}` placeholders replaced; unknown keys and unset variables become problems. */
function readFileValues(
  filePath: string,
  env: Record<string, string>,
  problems: Problem[],
): [string, unknown][] {
  const content = readConfigFile(filePath);
  if ('problem' in content) {
    problems.push({ key: `config file ${filePath}`, message: content.problem });
    return [];
  }
  const values = acceptKnown(splitBySchema(content.data), `in ${filePath}`, problems);
  return values.flatMap(([key, value]) => {
    const { value: substituted, missing } = substituteEnv(value, env);
    // A setting with an unresolved placeholder is left out, so it is reported once, not also as invalid.
    problems.push(
      ...missing.map(({ at, variable }) => ({
        key: key + at,
        env: findSetting(key)?.env,
        message: `refers to \${${variable}} in ${filePath}, which is not set in the environment`,
      })),
    );
    return missing.length > 0 ? [] : [[key, substituted] as [string, unknown]];
  });
}

/** The recognised settings of an input; its unknown keys and misshapen sections become problems. */
function acceptKnown(split: SplitInput, where: string, problems: Problem[]): [string, unknown][] {
  for (const key of split.unknown) {
    const similar = similarKey(key);
    problems.push({ key, message: `unknown key ${where}${similar ? ` (did you mean ${similar}?)` : ''}` });
  }
  for (const [key, value] of split.misshapen) {
    problems.push({
      key,
      message: `must be an object with the keys ${sectionChildren(key).join(', ')}`,
      value,
    });
  }
  return split.values;
}

/** Rules across settings, checked only where the settings involved are valid on their own. */
function crossCheck(config: AppConfig, values: Values, problems: Problem[]): ConfigMode | undefined {
  const invalid = new Set(problems.map((problem) => problem.key));
  problems.push(...checkOrderedPairs(values).filter((problem) => !invalid.has(problem.key)));
  if (invalid.has('connect.url') || invalid.has('connect.apiKey')) return undefined;
  const decision = decideMode(config.connect);
  if ('problem' in decision) {
    problems.push(decision.problem);
    return undefined;
  }
  return decision.mode;
}

function sourcesByKey(
  fileValues: [string, unknown][],
  env: Record<string, string>,
  overrides: [string, unknown][],
): Record<string, ConfigSource> {
  const byKey: Record<string, ConfigSource> = Object.fromEntries(SETTINGS.map(({ key }) => [key, 'default']));
  for (const [key] of fileValues) byKey[key] = 'file';
  for (const { key, env: variable } of SETTINGS)
    if (variable !== undefined && variable in env) byKey[key] = 'env';
  for (const [key] of overrides) byKey[key] = 'override';
  return byKey;
}

/** An unset and an empty variable mean the same: `FOO=` in a compose file or .env clears FOO. */
function presentVariables(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  );
}

function nest(entries: [string, unknown][]): Values {
  const root: Values = {};
  for (const [key, value] of entries) writePath(root, key, value);
  return root;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
