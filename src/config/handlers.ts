import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkRules } from '../handlers/rules/check.ts';
import { checkWebhook } from '../handlers/webhook/check.ts';
import type { ValueIssue } from './formats.ts';
import { CONNECTION_TYPES, type HandlerEntry } from './types.ts';

const PRODUCT_ID = /^PRD-\d+(-\d+)*$/;
const KINDS = ['module', 'webhook', 'rules'] as const;
const CHECK_KIND = { module: checkModule, webhook: checkWebhook, rules: checkRules };
const ENTRY_KEYS = [...KINDS, 'products', 'statuses', 'connectionTypes'];
const STATUSES = ['pending', 'inquiring'];
const ENTRY_EXAMPLE = '{ "module": "./handler.js", "products": ["PRD-123-456-789"] }';

/** Checks the `handlers` list: each entry's shape, and that no product is routed to two entries. */
export function checkHandlerList(value: unknown): ValueIssue[] {
  if (!Array.isArray(value)) return [{ message: `must be a list of entries like ${ENTRY_EXAMPLE}`, value }];
  const entryIssues = value.flatMap((entry, index) => checkEntry(entry, `[${index}]`));
  return entryIssues.length > 0 ? entryIssues : findDuplicateProducts(value as HandlerEntry[]);
}

/** The entries with module paths made absolute: relative paths are relative to `baseDir`. */
export function resolveHandlerModules(entries: readonly HandlerEntry[], baseDir: string): HandlerEntry[] {
  return entries.map((entry) =>
    entry.module === undefined ? entry : { ...entry, module: resolveModulePath(entry.module, baseDir) },
  );
}

function resolveModulePath(module: string, baseDir: string): string {
  return module.startsWith('file:') ? fileURLToPath(module) : path.resolve(baseDir, module);
}

function checkEntry(entry: unknown, at: string): ValueIssue[] {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return [{ at, message: `must be an object like ${ENTRY_EXAMPLE}`, value: entry }];
  }
  const record = entry as Record<string, unknown>;
  const unknownKeys = Object.keys(record)
    .filter((key) => !ENTRY_KEYS.includes(key))
    .map((key) => ({
      at: `${at}.${key}`,
      message: `unknown key (an entry has one of ${KINDS.join(', ')}, and "products", "statuses" and "connectionTypes")`,
    }));
  const kinds = KINDS.filter((kind) => record[kind] !== undefined);
  if (kinds.length !== 1) {
    return [
      {
        at,
        message: `must have exactly one of ${KINDS.join(', ')}${kinds.length ? `, not ${kinds.join(' and ')}` : ''}`,
      },
      ...unknownKeys,
    ];
  }
  return [
    ...CHECK_KIND[kinds[0]!](record[kinds[0]!], `${at}.${kinds[0]}`),
    ...(kinds[0] !== 'module' && record.products === undefined
      ? [
          {
            at: `${at}.products`,
            message: `is required for a ${kinds[0]} entry (it has no module to export them)`,
          },
        ]
      : []),
    ...checkProducts(record.products, `${at}.products`),
    ...checkStatuses(record.statuses, `${at}.statuses`),
    ...checkConnectionTypes(record.connectionTypes, `${at}.connectionTypes`),
    ...unknownKeys,
  ];
}

function checkModule(module: unknown, at: string): ValueIssue[] {
  return typeof module === 'string' && module.trim() !== ''
    ? []
    : [{ at, message: 'must be a non-empty string', value: module }];
}

function checkProducts(products: unknown, at: string): ValueIssue[] {
  if (products === undefined) return [];
  if (!Array.isArray(products) || products.length === 0) {
    return [{ at, message: 'must be a non-empty list of product ids like PRD-123-456-789', value: products }];
  }
  return products.flatMap((product, index) =>
    typeof product === 'string' && PRODUCT_ID.test(product)
      ? []
      : [{ at: `${at}[${index}]`, message: 'must be a product id like PRD-123-456-789', value: product }],
  );
}

function checkStatuses(statuses: unknown, at: string): ValueIssue[] {
  if (statuses === undefined) return [];
  if (!Array.isArray(statuses) || statuses.length === 0 || !statuses.every((s) => STATUSES.includes(s))) {
    return [{ at, message: `must be a non-empty list of ${STATUSES.join(', ')}`, value: statuses }];
  }
  return [];
}

function checkConnectionTypes(types: unknown, at: string): ValueIssue[] {
  const allowed: readonly unknown[] = CONNECTION_TYPES;
  if (types === undefined) return [];
  if (!Array.isArray(types) || types.length === 0 || !types.every((t) => allowed.includes(t))) {
    return [{ at, message: `must be a non-empty list of ${CONNECTION_TYPES.join(', ')}`, value: types }];
  }
  return [];
}

function findDuplicateProducts(entries: readonly HandlerEntry[]): ValueIssue[] {
  const owner = new Map<string, number>();
  const issues: ValueIssue[] = [];
  entries.forEach((entry, index) => {
    for (const product of entry.products ?? []) {
      const first = owner.get(product);
      if (first === undefined) owner.set(product, index);
      else if (first === index)
        issues.push({ message: `product ${product} is listed twice by ${describe(entries, index)}` });
      else
        issues.push({
          message: `product ${product} is listed by both ${describe(entries, first)} and ${describe(entries, index)}`,
        });
    }
  });
  return issues;
}

function describe(entries: readonly HandlerEntry[], index: number): string {
  const entry = entries[index]!;
  return `handlers[${index}] (${entry.module ?? (entry.webhook ? 'webhook' : 'rules')})`;
}
