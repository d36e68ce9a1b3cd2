import type { SettingSpec } from './formats.ts';
import { configSchema } from './schema.ts';

/** A leaf of the schema with its dotted key, e.g. `poll.pageSize`. */
export interface Setting extends SettingSpec {
  key: string;
}

type SchemaNode = SettingSpec | { [name: string]: SchemaNode };

/** convict's rule: a node with a `default` is a setting, any other object a section. */
function isSetting(node: SchemaNode): node is SettingSpec {
  return 'default' in node;
}

function listSettings(node: SchemaNode, prefix: string): Setting[] {
  if (isSetting(node)) return [{ ...node, key: prefix }];
  return Object.entries(node).flatMap(([name, child]) =>
    listSettings(child, prefix ? `${prefix}.${name}` : name),
  );
}

const SCHEMA = configSchema as unknown as Record<string, SchemaNode>;

export const SETTINGS: readonly Setting[] = listSettings(SCHEMA, '');

const SETTINGS_BY_KEY = new Map(SETTINGS.map((setting) => [setting.key, setting]));

export function findSetting(key: string): Setting | undefined {
  return SETTINGS_BY_KEY.get(key);
}

/** Settings and sections, e.g. `poll` and `poll.pageSize`. */
const KNOWN_PATHS = [
  ...new Set(
    SETTINGS.flatMap(({ key }) =>
      key.split('.').map((_, index, parts) => parts.slice(0, index + 1).join('.')),
    ),
  ),
];

/** The schema path spelled like `path` but for letter case (`poll.pagesize` → `poll.pageSize`), if any. */
export function similarKey(path: string): string | undefined {
  const wanted = path.toLowerCase();
  return KNOWN_PATHS.find((known) => known.toLowerCase() === wanted);
}

/** An input (config file, overrides) split along the schema. */
export interface SplitInput {
  /** Setting key and value, for each setting the input sets. */
  values: [key: string, value: unknown][];
  /** Dotted paths the schema does not know. */
  unknown: string[];
  /** Sections given something other than an object, e.g. `poll: 5`. */
  misshapen: [key: string, value: unknown][];
}

/**
 * Splits a nested object into settings. Dotted keys (`{"poll.pageSize": 50}`) work like nesting,
 * and a null section (a YAML section whose lines are all commented out) counts as empty.
 */
export function splitBySchema(input: Record<string, unknown>): SplitInput {
  const split: SplitInput = { values: [], unknown: [], misshapen: [] };
  splitInto(split, input, SCHEMA, '');
  return split;
}

function splitInto(
  split: SplitInput,
  input: Record<string, unknown>,
  section: Record<string, SchemaNode>,
  prefix: string,
): void {
  for (const [rawKey, value] of Object.entries(input)) {
    const [name = '', ...rest] = rawKey.split('.');
    const key = prefix + name;
    const node = Object.hasOwn(section, name) ? section[name] : undefined;
    if (node === undefined || (isSetting(node) && rest.length > 0)) {
      split.unknown.push(prefix + rawKey);
    } else if (isSetting(node)) {
      split.values.push([key, value]);
    } else {
      const sectionValue = rest.length > 0 ? { [rest.join('.')]: value } : value;
      if (sectionValue === null) continue;
      if (isPlainObject(sectionValue)) splitInto(split, sectionValue, node, `${key}.`);
      else split.misshapen.push([key, value]);
    }
  }
}

/** The names directly under a section, for messages like "must be an object with keys ...". */
export function sectionChildren(key: string): string[] {
  const prefix = `${key}.`;
  return [
    ...new Set(
      SETTINGS.filter((setting) => setting.key.startsWith(prefix)).map(
        (s) => s.key.slice(prefix.length).split('.')[0]!,
      ),
    ),
  ];
}

/** The value at a dotted key, e.g. readPath(config, 'poll.pageSize'). */
export function readPath(root: object, key: string): unknown {
  return key.split('.').reduce<unknown>((node, name) => (node as Record<string, unknown>)[name], root);
}

/** Sets the value at a dotted key, creating the sections on the way. */
export function writePath(root: Record<string, unknown>, key: string, value: unknown): void {
  const names = key.split('.');
  const leaf = names.pop()!;
  let node = root;
  for (const name of names) node = (node[name] ??= {}) as Record<string, unknown>;
  node[leaf] = value;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
