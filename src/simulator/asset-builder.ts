import type { Catalog } from './catalog.ts';
import { CONTRACT, genericProduct } from './demo-catalog.ts';
import { makeAccount, makeItem, makeParam, type AccountRole } from './factories.ts';
import type { IdGenerator } from './ids.ts';
import type {
  Account,
  Asset,
  AssetStatus,
  ConnectionType,
  ExternalId,
  Item,
  Product,
  Tiers,
} from './model.ts';
import type { Random } from './random.ts';

/**
 * Builds full-shape assets from the short specs tests and seeds write (`{ productId, params: { email:
 * 'n/a' } }`): the product's parameters and items, its connection and marketplace, tier accounts.
 * Mistakes in a spec are programming errors of the caller and throw plain Errors.
 */

/** A parameter given to addRequest/addAsset: just the value, or the fields to set. */
export type ParamInput =
  | string
  | null
  | { value?: string | null; value_error?: string | null; structured_value?: Record<string, unknown> };

/** A tier account as a caller knows it: the id and any missing optional field are filled in. */
export type AccountInput = Partial<Account> & { name: string; contact_info: Account['contact_info'] };

export interface AssetSpec {
  id?: string;
  status?: AssetStatus;
  /** Default: the first product in the catalog; an unknown id registers a generic product (see genericProduct). */
  productId?: string;
  /** A connection of the product; default: the product's connection of `connectionType`. */
  connectionId?: string;
  /** Default production. */
  connectionType?: ConnectionType;
  /** Default: the marketplace of the connection's hub. */
  marketplaceId?: string;
  externalId?: ExternalId;
  /** Default: a random UUID; null as some real assets have. */
  externalUid?: string | null;
  /** By parameter id. Parameters not named start empty (value null). */
  params?: Record<string, ParamInput>;
  /** By item id or MPN; numbers are turned into Connect's strings. Default: 1 of the first item. */
  quantities?: Record<string, string | number>;
  /** Accounts as given; missing ones are generated. */
  tiers?: { customer?: AccountInput; tier1?: AccountInput; tier2?: AccountInput };
  /** Generate a tier2 account too (when `tiers.tier2` is not given). */
  withTier2?: boolean;
}

/** What buildAsset reads of a spec (id and status are its own arguments). */
export type AssetFields = Omit<AssetSpec, 'id' | 'status'>;

export interface AssetContext {
  catalog: Catalog;
  ids: IdGenerator;
  random: Random;
}

export function buildAsset(
  context: AssetContext,
  spec: AssetFields,
  status: AssetStatus,
  id?: string,
): Asset {
  const product = productFor(context.catalog, spec);
  const connection =
    spec.connectionId === undefined
      ? context.catalog.connectionOf(product.id, spec.connectionType ?? 'production')
      : context.catalog.connection(spec.connectionId);
  if (!connection)
    throw new Error(`product ${product.id} has no ${spec.connectionType ?? 'production'} connection`);
  const marketplace =
    spec.marketplaceId === undefined
      ? context.catalog.marketplaceOnHub(connection.hub.id)
      : context.catalog.marketplace(spec.marketplaceId);
  if (!marketplace) throw new Error(`no marketplace ${spec.marketplaceId ?? `on hub ${connection.hub.id}`}`);
  const { provider, vendor, hub } = connection;
  const asset: Asset = {
    id: id === undefined ? context.ids.next('AS') : context.ids.claim(id, 'asset'),
    status,
    external_id: spec.externalId ?? context.random.digits(6),
    external_uid: spec.externalUid === undefined ? context.ids.uuid() : spec.externalUid,
    product: { id: product.id, name: product.name },
    connection: { id: connection.id, type: connection.type, provider, vendor, hub },
    items: Object.entries(spec.quantities ?? { [product.items[0]!.id]: '1' }).map(([key, quantity]) =>
      makeItem(itemDefinition(product, key), String(quantity)),
    ),
    // Tier-level parameters live on the tier's configuration (its TCR), not on the asset.
    params: product.params
      .filter((d) => (d.scope ?? 'asset') === 'asset')
      .map((definition) => makeParam(definition)),
    tiers: tiersFor(context, spec),
    marketplace: { id: marketplace.id, name: marketplace.name },
    contract: CONTRACT,
  };
  // The order may carry the reseller's tier-level answers too: they go to its TCR (store.#setUpTier).
  const tierLevel = new Set(product.params.filter((d) => (d.scope ?? 'asset') !== 'asset').map((d) => d.id));
  applyParams(
    asset,
    Object.fromEntries(Object.entries(spec.params ?? {}).filter(([id]) => !tierLevel.has(id))),
  );
  return asset;
}

/** A change's items: the asset's, with the new quantity where one is given and the current one as old_quantity. */
export function itemsForChange(
  catalog: Catalog,
  asset: Asset,
  quantities: AssetSpec['quantities'] = {},
): Item[] {
  const product = catalog.product(asset.product.id)!;
  const items: Item[] = asset.items.map((item) => ({ ...item, old_quantity: item.quantity }));
  for (const [key, quantity] of Object.entries(quantities)) {
    const definition = itemDefinition(product, key);
    const existing = items.find((item) => item.id === definition.id);
    if (existing) existing.quantity = String(quantity);
    else items.push(makeItem(definition, String(quantity), '0'));
  }
  return items;
}

export function applyParams(asset: Asset, params: Record<string, ParamInput>): void {
  for (const [id, input] of Object.entries(params)) {
    const param = asset.params.find((p) => p.id === id);
    if (!param) throw new Error(`product ${asset.product.id} has no parameter ${id}`);
    if (input === null || typeof input === 'string') param.value = input;
    else Object.assign(param, input);
  }
}

function productFor(catalog: Catalog, spec: AssetFields): Product {
  if (spec.connectionId !== undefined) {
    const connection = catalog.connection(spec.connectionId);
    if (!connection) throw new Error(`connection ${spec.connectionId} does not exist`);
    return catalog.product(connection.product.id)!;
  }
  const id = spec.productId ?? catalog.products()[0]?.id ?? 'PRD-000-000-001';
  const known = catalog.product(id);
  if (known) return known;
  // Tests on an empty store name their own product: register a plain one with the params they use.
  const product = genericProduct(id);
  for (const paramId of Object.keys(spec.params ?? {})) {
    if (!product.params.some((p) => p.id === paramId)) {
      product.params.push({ id: paramId, title: paramId, type: 'text', phase: 'ordering' });
    }
  }
  return catalog.addProduct(product);
}

function itemDefinition(product: Product, key: string) {
  const definition = product.items.find((item) => item.id === key || item.mpn === key);
  if (!definition) throw new Error(`product ${product.id} has no item ${key}`);
  return definition;
}

function tiersFor(context: AssetContext, spec: AssetFields): Tiers {
  const account = (input: AccountInput | undefined, role: AccountRole): Account =>
    input === undefined
      ? makeAccount(context.random, context.ids.next('TA'), role)
      : toAccount(context, input);
  const tiers: Tiers = {
    customer: account(spec.tiers?.customer, 'customer'),
    tier1: account(spec.tiers?.tier1, 'reseller'),
  };
  if (spec.tiers?.tier2 !== undefined || spec.withTier2)
    tiers.tier2 = account(spec.tiers?.tier2, 'distributor');
  return tiers;
}

const NO_PHONE = { country_code: '', area_code: '', phone_number: '', extension: '' };

function toAccount(context: AssetContext, input: AccountInput): Account {
  const { contact_info: info } = input;
  return {
    id: input.id ?? context.ids.next('TA'),
    name: input.name,
    external_id: input.external_id ?? context.random.digits(6),
    external_uid: input.external_uid ?? null,
    tax_id: input.tax_id ?? null,
    // Distributors may leave out the optional parts; Connect answers with them empty.
    contact_info: {
      ...info,
      address_line2: info.address_line2 ?? null,
      state: info.state ?? '',
      contact: { ...info.contact, phone_number: info.contact.phone_number ?? NO_PHONE },
    },
  };
}
