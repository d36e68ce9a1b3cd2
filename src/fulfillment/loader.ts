import { basename, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REQUEST_TYPES } from '../connect/schemas.ts';
import { compileRules } from '../handlers/rules/compile.ts';
import type { RulesSpec } from '../handlers/rules/types.ts';
import { compileWebhook } from '../handlers/webhook/compile.ts';
import type { WebhookSpec } from '../handlers/webhook/types.ts';
import { HANDLED_STATUSES, TIER_CONFIG_TYPES, type VendorHandler } from './handler.ts';
import { describeImportFailure } from './module-error.ts';
import type { ConnectionType } from '../config/types.ts';
import { Router, type RegisteredHandler, type RouterOptions } from './router.ts';

export interface HandlerEntry {
  /** Absolute path (the config resolves it against the config file's folder). */
  module?: string;
  /** Checked by the config; compiled into a handler instead of importing a module. */
  rules?: RulesSpec;
  webhook?: WebhookSpec;
  products?: readonly string[];
  /** Overrides the module's own `statuses`. */
  statuses?: readonly string[];
  /** Narrows poll.connectionTypes for this entry. */
  connectionTypes?: readonly ConnectionType[];
}

/** Start-up must stop (exit 2) with every problem named, one line each. */
export class HandlerLoadError extends Error {
  override readonly name = 'HandlerLoadError';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

export interface LoadOptions {
  /**
   * A reload (`dev`): modules are imported as `file.js?v=N`, which Node treats as a new module, so the
   * file's current text runs. Modules it imports itself stay as first loaded.
   */
  version?: number;
}

/**
 * Imports each handler module (.js, or .ts: Node strips the types) and builds the router. What works
 * but is probably not meant is added to `warnings` (a config.warning each).
 */
export async function loadHandlers(
  entries: readonly HandlerEntry[],
  warnings: string[] = [],
  options: RouterOptions = {},
  load: LoadOptions = {},
): Promise<Router> {
  const problems: string[] = [];
  const registered: RegisteredHandler[] = [];
  for (const [index, entry] of entries.entries()) {
    if (entry.module === undefined) {
      const kind = entry.webhook ? 'webhook' : 'rules';
      const name = `${kind}[${index}]`;
      if (!entry.products?.length) {
        problems.push(`handlers[${index}] (${kind}): no products: list them in the config entry`);
        continue;
      }
      const handler = entry.webhook
        ? compileWebhook(entry.webhook, name)
        : compileRules(entry.rules ?? {}, name);
      registered.push({
        name,
        handler,
        products: [...entry.products],
        ...(entry.statuses ? { statuses: [...entry.statuses] } : {}),
        ...(entry.connectionTypes ? { connectionTypes: [...entry.connectionTypes] } : {}),
      });
      continue;
    }
    const where = `handlers[${index}] (${entry.module})`;
    let exported: unknown;
    try {
      const url = pathToFileURL(entry.module).href + (load.version ? `?v=${load.version}` : '');
      exported = ((await import(url)) as { default?: unknown }).default;
    } catch (err) {
      problems.push(`${where}: ${describeImportFailure(entry.module, err)}`);
      continue;
    }
    const problem = checkHandler(exported);
    if (problem) {
      problems.push(`${where}: ${problem}`);
      continue;
    }
    const handler = exported as VendorHandler;
    const products = entry.products?.length ? [...entry.products] : handler.products;
    const foreign = handler.products?.length
      ? (entry.products ?? []).filter((p) => !handler.products!.includes(p))
      : [];
    if (foreign.length > 0) {
      warnings.push(
        `${where}: the entry's products ${foreign.join(', ')} are not among the module's own (${handler.products!.join(', ')}); the entry's list is used`,
      );
    }
    if (!products?.length) {
      problems.push(`${where}: no products: list them in the config entry or export them as \`products\``);
      continue;
    }
    const statuses = entry.statuses ?? handler.statuses;
    const statusProblem = checkStatuses(statuses);
    if (statusProblem) {
      problems.push(`${where}: ${statusProblem}`);
      continue;
    }
    registered.push({
      name: handler.name ?? basename(entry.module, extname(entry.module)),
      handler,
      products,
      module: entry.module,
      ...(statuses ? { statuses } : {}),
      ...(entry.connectionTypes ? { connectionTypes: [...entry.connectionTypes] } : {}),
    });
  }
  if (problems.length) throw new HandlerLoadError(problems);
  try {
    const router = new Router(registered, options);
    if (registered.length > 0 && router.connectionTypes.length === 0)
      warnings.push(
        'poll.connectionTypes: no handlers entry takes any of its connection types; no request is listed',
      );
    return router;
  } catch (err) {
    throw new HandlerLoadError([(err as Error).message]);
  }
}

function checkHandler(exported: unknown): string | undefined {
  if (typeof exported !== 'object' || exported === null) {
    return 'the default export must be a handler object (export default { purchase(request, context) {...} })';
  }
  const tierConfig = (exported as { tierConfig?: unknown }).tierConfig;
  const tierProblem = checkTierConfig(tierConfig);
  if (tierProblem) return tierProblem;
  const functions = REQUEST_TYPES.filter(
    (type) => typeof (exported as Record<string, unknown>)[type] === 'function',
  );
  if (functions.length === 0 && tierConfig === undefined)
    return `the handler has none of the functions ${REQUEST_TYPES.join(', ')} (nor tierConfig.setup/update)`;
  return undefined;
}

/** `tierConfig: { setup(tcr, context), update(tcr, context) }`: a typo there would skip every TCR. */
function checkTierConfig(tierConfig: unknown): string | undefined {
  if (tierConfig === undefined) return undefined;
  const types: readonly string[] = TIER_CONFIG_TYPES;
  if (typeof tierConfig !== 'object' || tierConfig === null)
    return 'tierConfig must be an object with setup(tcr, context) and/or update(tcr, context)';
  const entries = Object.entries(tierConfig);
  const wrong = entries.filter(([key, fn]) => !types.includes(key) || typeof fn !== 'function');
  if (wrong.length > 0 || entries.length === 0)
    return `tierConfig may hold only the functions ${TIER_CONFIG_TYPES.join(', ')}${wrong.length ? `; got ${wrong.map(([key]) => key).join(', ')}` : ''}`;
  return undefined;
}

function checkStatuses(statuses: unknown): string | undefined {
  if (statuses === undefined) return undefined;
  const allowed: readonly unknown[] = HANDLED_STATUSES;
  if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every((s) => allowed.includes(s)))
    return `statuses must be a non-empty list of ${HANDLED_STATUSES.join(', ')}, got ${JSON.stringify(statuses)}`;
  return undefined;
}
