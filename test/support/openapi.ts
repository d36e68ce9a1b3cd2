import { describe } from '@jest/globals';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAPIBackend, type Document, type Operation } from 'openapi-backend';
import { parse } from 'yaml';
import type { JournalEntry } from '../../src/simulator/index.ts';

/**
 * Checks traffic against CloudBlue's OpenAPI description of Connect (shared/connect-openapi): what a
 * client sent (`checkAgainstSpec`) and what a server answered (`validateResponse`).
 *
 * The 2.3 MB spec is loaded once per test file (jest isolates modules per file). Parsing its YAML takes
 * about 1.2 s, so the parsed document is cached as JSON in the OS temp dir, keyed on the file's size and
 * mtime (about 50 ms to read back). The validator is built in openapi-backend's quick mode, under 0.1 s:
 * it dereferences synchronously and compiles an operation's validators only when first used. The full
 * mode would add over a second, and only warns that the spec itself fails OpenAPI schema validation.
 */

export const SPEC_PATH =
  process.env.CONNECT_OPENAPI_SPEC ??
  fileURLToPath(new URL('../../../shared/connect-openapi/connect-openapi30.yml', import.meta.url));

/**
 * The spec sits beside the repository on the project's machines, not in every clone: without it the
 * contract tests are skipped, saying why — except in CI (CI=true), where they must run and fail.
 */
export const SPEC_SKIPPED = !existsSync(SPEC_PATH) && process.env.CI !== 'true';
const SKIP_REASON = ` (skipped: the Connect OpenAPI spec is missing at ${SPEC_PATH}; with CI=true this fails)`;

/** `describe` for tests that need the spec. */
export const describeWithSpec = (name: string, tests: () => void): void =>
  SPEC_SKIPPED ? describe.skip(`${name}${SKIP_REASON}`, tests) : describe(name, tests);

export interface ConnectSpec {
  /** How long parsing and preparing the spec took, in ms. */
  loadMs: number;
  operation(method: string, path: string): Operation | undefined;
  /** Problems of a response body (empty when valid); paths are relative to the API base. */
  validateResponse(method: string, path: string, status: number, body: unknown): string[];
  /** Problems of a request body (empty when valid). */
  validateRequestBody(method: string, path: string, body: unknown): string[];
}

/** A journal entry the spec does not allow, with every reason. */
export interface SpecProblem {
  entry: JournalEntry;
  problems: string[];
}

let loading: Promise<ConnectSpec> | undefined;

export function loadConnectSpec(): Promise<ConnectSpec> {
  loading ??= buildSpec();
  return loading;
}

/**
 * For journal entries (what a client sent): those whose method and path match no operation of the
 * spec, and those whose body fails the operation's request schema.
 */
export async function checkAgainstSpec(entries: JournalEntry[]): Promise<SpecProblem[]> {
  const spec = await loadConnectSpec();
  return entries.flatMap((entry) => {
    const problems = spec.operation(entry.method, entry.path)
      ? spec.validateRequestBody(entry.method, entry.path, entry.body)
      : ['no such operation in the spec'];
    return problems.length === 0
      ? []
      : [{ entry, problems: problems.map((problem) => `${entry.method} ${entry.path}: ${problem}`) }];
  });
}

async function buildSpec(): Promise<ConnectSpec> {
  if (!existsSync(SPEC_PATH)) {
    throw new Error(
      `The Connect OpenAPI spec is missing: expected ${SPEC_PATH} (shared/connect-openapi/connect-openapi30.yml next to the repository).`,
    );
  }
  const started = performance.now();
  const document = readSpecDocument();
  for (const deviation of SPEC_DEVIATIONS) deviation.patch(document);
  const api = new OpenAPIBackend({
    definition: document as unknown as Document, // parsed YAML; the patches above throw where it lacks what we check
    quick: true,
    ajvOpts: { allErrors: true, logger: false },
    customizeAjv: (ajv) => {
      for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
      return ajv;
    },
  });
  await api.init();
  const loadMs = Math.round(performance.now() - started);

  const operation = operationMatcher(api.router.getOperations());
  const require = (method: string, path: string) => {
    const found = operation(method, path);
    if (!found) throw new Error(`${method} ${path}: no such operation in the spec`);
    return found;
  };
  return {
    loadMs,
    operation,
    validateResponse: (method, path, status, body) =>
      describeErrors(api.validateResponse(body, require(method, path), status).errors),
    validateRequestBody: (method, path, body) => {
      const result = api.validateRequest(
        { method, path, headers: { 'content-type': 'application/json' }, body: body ?? {} },
        require(method, path),
      );
      return describeErrors(result.errors?.filter((error) => error.instancePath.startsWith('/requestBody')));
    },
  };
}

/** The parsed spec, from the JSON cache when it matches the file, else parsed (and cached) afresh. */
function readSpecDocument(): Json {
  const { size, mtimeMs } = statSync(SPEC_PATH);
  const cache = join(tmpdir(), `connect-openapi30-${size}-${Math.round(mtimeMs)}.json`);
  if (existsSync(cache)) {
    try {
      return JSON.parse(readFileSync(cache, 'utf8')) as Json;
    } catch {
      // A damaged cache: parse the YAML again below.
    }
  }
  const document = parse(readFileSync(SPEC_PATH, 'utf8'), { maxAliasCount: -1 }) as Json;
  // Written aside, then renamed: test files loading at once in parallel never read half a cache.
  const partial = `${cache}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify(document));
  renameSync(partial, cache);
  return document;
}

/**
 * openapi-backend's matchOperation compiles a regex for each of the spec's ~1000 operations on every
 * call (over 10 ms under jest); this matcher compiles them once, keeps its rules (an exact path first,
 * else the template with the longest literal part) and remembers its answers.
 */
function operationMatcher(operations: Operation[]): (method: string, path: string) => Operation | undefined {
  const templates = operations
    .map((op) => ({
      op,
      pattern: new RegExp(
        `^${op.path
          .split(/\{[^}]+\}/)
          .map(escapeRegExp)
          .join('[^/]+')}$`,
      ),
      literal: op.path.replace(/\{[^}]+\}/g, '').length,
    }))
    .sort((a, b) => b.literal - a.literal);
  const known = new Map<string, Operation | undefined>();
  return (method, rawPath) => {
    const path = rawPath.split('?')[0]!;
    const key = `${method.toLowerCase()} ${path}`;
    if (!known.has(key)) {
      const wanted = method.toLowerCase();
      const exact = operations.find((op) => op.path === path && op.method === wanted);
      known.set(
        key,
        exact ?? templates.find(({ op, pattern }) => op.method === wanted && pattern.test(path))?.op,
      );
    }
    return known.get(key);
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function describeErrors(
  errors: Array<{ instancePath: string; message?: string; params?: unknown }> | null | undefined,
): string[] {
  return (errors ?? []).map(
    (error) =>
      `${error.instancePath || '(root)'} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params ?? {})}`,
  );
}

/** Formats the spec uses that Ajv does not know: Connect writes `datetime` for `date-time`. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T'))),
  datetime: (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T'))),
  date: (value) => /^\d{4}-\d{2}-\d{2}$/.test(value),
  email: (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value),
};

// ---- where the spec disagrees with the real API ---------------------------------------------------------

type Json = Record<string, unknown>;

/**
 * Each entry names the exact spot where the spec is stricter than (or contrary to) what Connect really
 * sends, as CONNECT-API.md documents it, and patches only that spot. Everything else is checked as the
 * spec says. A patch whose spot is gone throws: a new spec version must be looked at again.
 */
const SPEC_DEVIATIONS: Array<{ spot: string; reason: string; patch(document: Json): void }> = [
  {
    spot: 'the request object of GET /requests, GET /requests/{id}, POST /requests/{id}/approve|fail|inquire|pend: `type` enum',
    reason:
      'lists purchase, change, suspend, resume, cancel; Connect also has adjustment (CONNECT-API.md, "Types")',
    patch: (document) =>
      forEachRequestObject(document, (request) => extendEnum(schemaAt(request, 'type'), ['adjustment'])),
  },
  {
    spot: 'the same request objects: `status` enum',
    reason: 'lacks scheduled, revoking and revoked, which CONNECT-API.md lists among the statuses',
    patch: (document) =>
      forEachRequestObject(document, (request) =>
        extendEnum(schemaAt(request, 'status'), ['scheduled', 'revoking', 'revoked']),
      ),
  },
  {
    spot: 'the same request objects: note, reason, activation_key, assignee, asset.external_uid, asset.items[].old_quantity, asset.params[].value|value_error, asset.tiers.*.external_uid|tax_id|contact_info.address_line2',
    reason:
      'declared plain strings without `nullable`, but "empty fields come as null" (CONNECT-API.md, "Real data is messy")',
    patch: (document) =>
      forEachRequestObject(document, (request) => {
        for (const field of NULLABLE_REQUEST_FIELDS) schemaAt(request, field).nullable = true;
      }),
  },
  {
    spot: 'the same request objects: asset.external_id and asset.tiers.*.external_id (type string)',
    reason: '"external_id is sometimes a number" (CONNECT-API.md)',
    patch: (document) =>
      forEachRequestObject(document, (request) => {
        for (const field of ['asset.external_id', ...TIERS.map((tier) => `asset.tiers.${tier}.external_id`)])
          stringOrNumber(schemaAt(request, field));
      }),
  },
  {
    spot: 'components.schemas["dp.Subscription"] (GET /assets): `params` is an array of ARRAYS of parameters',
    reason: 'a spec bug: every other asset shape, and CONNECT-API.md, have an array of parameter objects',
    patch: (document) => {
      const params = schemaAt(subscription(document), 'params') as Json;
      params.items = (params.items as Json).items;
    },
  },
  {
    spot: 'components.schemas["dp.Subscription"] (GET /assets): items[].quantity is a number; external_uid and params[].value|value_error lack `nullable`',
    reason:
      'quantities are strings ("unlimited", decimals) everywhere else in Connect, and empty fields come as null (CONNECT-API.md)',
    patch: (document) => {
      const asset = subscription(document);
      schemaAt(asset, 'items.quantity').type = 'string';
      for (const field of ['params.value', 'params.value_error']) schemaAt(asset, field).nullable = true;
      stringOrNumber(schemaAt(asset, 'external_id'));
      for (const tier of TIERS) {
        for (const field of ['external_uid', 'tax_id', 'contact_info.address_line2'])
          schemaAt(asset, `tiers.${tier}.${field}`).nullable = true;
        stringOrNumber(schemaAt(asset, `tiers.${tier}.external_id`));
      }
    },
  },
  {
    spot: 'the TCR object of GET /tier/config-requests and GET /tier/config-requests/{id}: `params` is a string; configuration.tier_level is a string with the enum [1, 2]',
    reason:
      "a spec bug: a TCR carries an array of parameter objects (the configuration's params have that shape), and the tier level is the number 1 or 2",
    patch: (document) =>
      forEachTierConfigObject(document, (tcr, configuration) => {
        (tcr.properties as Json).params = { type: 'array', items: schemaAt(configuration, 'params').items };
        schemaAt(configuration, 'tier_level').type = 'integer';
      }),
  },
  {
    spot: 'the same TCR objects: parent_configuration, assignee, configuration.account.external_uid|tax_id|contact_info.address_line2, params[].value|value_error lack `nullable`; configuration.account.external_id is a string',
    reason:
      'a tier-1 configuration has no parent and a new TCR no assignee; empty fields come as null and external ids sometimes as numbers (CONNECT-API.md)',
    patch: (document) =>
      forEachTierConfigObject(document, (tcr, configuration) => {
        // Both are $refs, beside which `nullable` is ignored: each becomes "the reference, or null".
        for (const field of ['parent_configuration', 'assignee']) {
          const properties = tcr.properties as Json;
          if (!properties[field])
            throw new Error(`spec deviation: no property "${field}"; has the spec changed?`);
          properties[field] = {
            anyOf: [properties[field], { type: 'object', nullable: true, enum: [null] }],
          };
        }
        for (const field of [
          'account.external_uid',
          'account.tax_id',
          'account.contact_info.address_line2',
          'params.value',
          'params.value_error',
        ])
          schemaAt(configuration, field).nullable = true;
        stringOrNumber(schemaAt(configuration, 'account.external_id'));
      }),
  },
  {
    spot: 'the request body of PUT /tier/config-requests/{id}: `configuration` required',
    reason:
      'the create schema reused for the update; a vendor PUTs only the params it changes (value, value_error), as on /requests/{id}',
    patch: (document) => {
      const content = dig(document, [
        'paths',
        '/tier/config-requests/{id}',
        'put',
        'requestBody',
        'content',
        'application/json',
      ]) as Json;
      const create = dig(document, ['components', 'schemas', 'dp.TierConfigRequestCreate']) as Json;
      content.schema = { ...create, required: [] };
    },
  },
];

const TIERS = ['customer', 'tier1', 'tier2'];
const NULLABLE_REQUEST_FIELDS = [
  'note',
  'reason',
  'activation_key',
  'assignee',
  'asset.external_uid',
  'asset.items.old_quantity',
  'asset.params.value',
  'asset.params.value_error',
  ...TIERS.flatMap((tier) =>
    ['external_uid', 'tax_id', 'contact_info.address_line2'].map((field) => `asset.tiers.${tier}.${field}`),
  ),
];

const REQUEST_OBJECT_OPERATIONS: Array<[path: string, method: string]> = [
  ['/requests', 'get'],
  ['/requests/{id}', 'get'],
  ['/requests/{id}/approve', 'post'],
  ['/requests/{id}/fail', 'post'],
  ['/requests/{id}/inquire', 'post'],
  ['/requests/{id}/pend', 'post'],
];

function forEachRequestObject(document: Json, patch: (request: Json) => void): void {
  for (const [path, method] of REQUEST_OBJECT_OPERATIONS) {
    const schema = dig(document, [
      'paths',
      path,
      method,
      'responses',
      '200',
      'content',
      'application/json',
      'schema',
    ]) as Json;
    patch(schema.type === 'array' ? (schema.items as Json) : schema);
  }
}

/** The TCR read schema and its configuration's are shared components ($ref): patched there, once. */
function forEachTierConfigObject(document: Json, patch: (tcr: Json, configuration: Json) => void): void {
  const schemas = ['components', 'schemas'];
  patch(
    dig(document, [...schemas, 'dp.TierConfigRequestRead']) as Json,
    dig(document, [...schemas, 'dp.TierConfiguration']) as Json,
  );
}

function subscription(document: Json): Json {
  return dig(document, ['components', 'schemas', 'dp.Subscription']) as Json;
}

/** The schema of a dotted field, through `properties` and array `items`; throws when the spot is gone. */
function schemaAt(schema: Json, field: string): Json {
  let current = schema;
  for (const name of field.split('.')) {
    if (current.type === 'array') current = current.items as Json;
    const next = (current.properties as Json | undefined)?.[name] as Json | undefined;
    if (!next)
      throw new Error(
        `spec deviation: no property "${name}" on the way to "${field}"; has the spec changed?`,
      );
    current = next;
  }
  return current;
}

function dig(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    current = (current as Json | undefined)?.[key];
    if (current === undefined)
      throw new Error(`spec deviation: ${path.join(' > ')} is missing; has the spec changed?`);
  }
  return current;
}

function extendEnum(schema: Json, values: string[]): void {
  if (!Array.isArray(schema.enum)) throw new Error('spec deviation: expected an enum');
  schema.enum = [...new Set([...(schema.enum as string[]), ...values])];
}

function stringOrNumber(schema: Json): void {
  schema.type = ['string', 'number'];
}
