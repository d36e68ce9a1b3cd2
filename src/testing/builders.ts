import {
  FulfillmentRequestSchema,
  TierConfigRequestSchema,
  describeIssues,
  type FulfillmentRequest,
  type TierConfigRequest,
} from '../connect/schemas.ts';
import { ACME_BACKUP, FALLBALL, genericProduct } from '../simulator/demo-catalog.ts';
import { makeAccount } from '../simulator/factories.ts';
import type { ConnectionType, Product, RequestStatus, RequestType } from '../simulator/model.ts';
import { SimulatorStore, type AccountInput, type ParamInput } from '../simulator/store.ts';
import type { TierConfigStatus, TierConfigType } from '../simulator/tier-config.ts';
import type { z } from 'zod';

/**
 * Request objects for handler tests, complete and shaped like Connect's. They are made by the
 * simulator's own store (its factories fill in the asset, items, tiers, connection, marketplace), so a
 * test sees the same objects the daemon would list from the simulator, and there is one source of them.
 */

/** The default product: a generic one with an `email` parameter and one item. */
export const TEST_PRODUCT_ID = 'PRD-000-000-001';

/** A product by id (the demo's Fallball and Acme Backup are known with their parameters), or id and name. */
export type ProductInput = string | { id: string; name?: string };

export interface RequestOptions {
  /** Default purchase. */
  type?: RequestType;
  /** Default pending. */
  status?: RequestStatus;
  /** Default PRD-000-000-001. Parameters and items the options name are added to the product. */
  product?: ProductInput;
  /** Parameter values by id: `{ email: 'ann@example.com' }`, or `{ email: { value, value_error } }`. */
  params?: Record<string, ParamInput>;
  /** Quantities by item id or MPN: `{ 'SKU-1': 10 }`. Default: 1 of the product's first item. */
  items?: Record<string, string | number>;
  id?: string;
  assetId?: string;
  /** Default now. */
  created?: string | number | Date;
  note?: string | null;
  /** Default production. */
  connectionType?: ConnectionType;
  externalId?: string | number;
  tiers?: { customer?: AccountInput; tier1?: AccountInput; tier2?: AccountInput };
}

export interface TierConfigRequestOptions {
  /** Default setup. */
  type?: TierConfigType;
  /** Default pending. */
  status?: TierConfigStatus;
  /** Default PRD-000-000-001. */
  product?: ProductInput;
  /** The tier-level parameters and their values by id (added to the product when it lacks them). */
  params?: Record<string, string | null>;
  id?: string;
  /** Default 1 (a reseller); 2 is a distributor. */
  tierLevel?: 1 | 2;
  /** The tier account; default a generated one. */
  account?: AccountInput;
  /** Default production. */
  connectionType?: 'production' | 'test';
  created?: string | number | Date;
}

const KNOWN_PRODUCTS: readonly Product[] = [FALLBALL, ACME_BACKUP];

// Each object comes from a fresh store; a new seed for each keeps the ids of one test run apart
// (and the same from run to run).
let builds = 0;
function freshStore(): SimulatorStore {
  builds += 1;
  return new SimulatorStore({ seed: 1_000 + builds });
}

/** A complete pending purchase of PRD-000-000-001 by default; every field can be set. */
export function buildRequest(options: RequestOptions = {}): FulfillmentRequest {
  const store = freshStore();
  const product = productFor(options.product, Object.keys(options.params ?? {}), 'asset');
  addItems(product, Object.keys(options.items ?? {}));
  store.addProduct(product);
  const request = store.addRequest({
    type: options.type ?? 'purchase',
    status: options.status ?? 'pending',
    productId: product.id,
    ...(options.params ? { params: options.params } : {}),
    ...(options.items ? { quantities: options.items } : {}),
    ...(options.id !== undefined ? { id: options.id } : {}),
    ...(options.created !== undefined ? { created: options.created } : {}),
    ...(options.note !== undefined ? { note: options.note } : {}),
    ...(options.connectionType ? { connectionType: options.connectionType } : {}),
    ...(options.externalId !== undefined ? { externalId: options.externalId } : {}),
    ...(options.tiers ? { tiers: options.tiers } : {}),
  });
  // The store makes a fresh asset; a test that names one gets its id (the request id follows Connect's pattern).
  if (options.assetId !== undefined) request.asset.id = options.assetId;
  return checked(FulfillmentRequestSchema, request, 'buildRequest');
}

/** A complete pending setup TCR of PRD-000-000-001 for a generated reseller by default. */
export function buildTierConfigRequest(options: TierConfigRequestOptions = {}): TierConfigRequest {
  const store = freshStore();
  const level = options.tierLevel ?? 1;
  const product = productFor(options.product, Object.keys(options.params ?? {}), `tier${level}`);
  store.addProduct(product);
  const account = options.account
    ? { id: `TA-${store.random.digits(4)}-${store.random.digits(4)}`, ...options.account }
    : makeAccount(store.random, `TA-${store.random.digits(4)}-${store.random.digits(4)}`, 'reseller');
  const tcr = store.addTierConfigRequest({
    productId: product.id,
    account: { external_id: store.random.digits(6), external_uid: null, tax_id: null, ...account },
    tierLevel: level,
    type: options.type ?? 'setup',
    status: options.status ?? 'pending',
    ...(options.params ? { params: options.params } : {}),
    ...(options.id !== undefined ? { id: options.id } : {}),
    ...(options.connectionType ? { connectionType: options.connectionType } : {}),
    ...(options.created !== undefined ? { created: options.created } : {}),
  });
  return checked(TierConfigRequestSchema, tcr, 'buildTierConfigRequest');
}

/** The product named (a demo product keeps its own definitions), with the parameters the options name. */
function productFor(input: ProductInput | undefined, paramIds: string[], scope: 'asset' | 'tier1' | 'tier2') {
  const id = typeof input === 'string' ? input : (input?.id ?? TEST_PRODUCT_ID);
  const name = typeof input === 'object' ? input.name : undefined;
  const known = KNOWN_PRODUCTS.find((p) => p.id === id);
  const product: Product = structuredClone(known ?? genericProduct(id, name));
  if (name) product.name = name;
  for (const paramId of paramIds) {
    const existing = product.params.find((p) => p.id === paramId);
    if (existing) existing.scope = scope;
    else product.params.push({ id: paramId, title: paramId, type: 'text', phase: 'ordering', scope });
  }
  return product;
}

function addItems(product: Product, keys: string[]): void {
  for (const key of keys) {
    if (product.items.some((item) => item.id === key || item.mpn === key)) continue;
    product.items.push({ id: key, mpn: key, display_name: key, unit: 'units', item_type: 'Reservation' });
  }
}

/** The builders must give what the daemon's own schemas accept: a bug here would mislead every test. */
function checked<T>(schema: z.ZodType<T>, value: unknown, builder: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new Error(`${builder}: invalid object: ${describeIssues(result.error).join('; ')}`);
  return value as T;
}
