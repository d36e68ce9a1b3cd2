import { basename, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REQUEST_TYPES } from '../connect/schemas.ts';
import { HANDLED_STATUSES, type VendorHandler } from './handler.ts';
import { Router, type RegisteredHandler } from './router.ts';

export interface HandlerEntry {
  /** Absolute path (the config resolves it against the config file's folder). */
  module: string;
  products?: readonly string[];
  /** Overrides the module's own `statuses`. */
  statuses?: readonly string[];
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

/** Imports each handler module (.js, or .ts: Node strips the types) and builds the router. */
export async function loadHandlers(entries: readonly HandlerEntry[]): Promise<Router> {
  const problems: string[] = [];
  const registered: RegisteredHandler[] = [];
  for (const [index, entry] of entries.entries()) {
    const where = `handlers[${index}] (${entry.module})`;
    let exported: unknown;
    try {
      exported = ((await import(pathToFileURL(entry.module).href)) as { default?: unknown }).default;
    } catch (err) {
      problems.push(
        `${where}: cannot load the module: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      );
      continue;
    }
    const problem = checkHandler(exported);
    if (problem) {
      problems.push(`${where}: ${problem}`);
      continue;
    }
    const handler = exported as VendorHandler;
    const products = entry.products?.length ? [...entry.products] : handler.products;
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
      ...(statuses ? { statuses } : {}),
    });
  }
  if (problems.length) throw new HandlerLoadError(problems);
  try {
    return new Router(registered);
  } catch (err) {
    throw new HandlerLoadError([(err as Error).message]);
  }
}

function checkHandler(exported: unknown): string | undefined {
  if (typeof exported !== 'object' || exported === null) {
    return 'the default export must be a handler object (export default { purchase(request, context) {...} })';
  }
  const functions = REQUEST_TYPES.filter(
    (type) => typeof (exported as Record<string, unknown>)[type] === 'function',
  );
  if (functions.length === 0) return `the handler has none of the functions ${REQUEST_TYPES.join(', ')}`;
  return undefined;
}

function checkStatuses(statuses: unknown): string | undefined {
  if (statuses === undefined) return undefined;
  const allowed: readonly unknown[] = HANDLED_STATUSES;
  if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every((s) => allowed.includes(s)))
    return `statuses must be a non-empty list of ${HANDLED_STATUSES.join(', ')}, got ${JSON.stringify(statuses)}`;
  return undefined;
}
