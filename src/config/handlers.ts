import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValueIssue } from './formats.ts';
import type { HandlerEntry } from './types.ts';

const PRODUCT_ID = /^PRD-\d+(-\d+)*$/;
const ENTRY_KEYS = ['module', 'products', 'statuses'];
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
  return entries.map((entry) => ({ ...entry, module: resolveModulePath(entry.module, baseDir) }));
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
      message: 'unknown key (an entry has "module", "products" and "statuses")',
    }));
  return [
    ...checkModule(record.module, `${at}.module`),
    ...checkProducts(record.products, `${at}.products`),
    ...checkStatuses(record.statuses, `${at}.statuses`),
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
  return `handlers[${index}] (${entries[index]!.module})`;
}
