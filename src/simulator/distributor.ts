import { invalid } from './errors.ts';
import type { Asset, AssetStatus, ConnectRequest, ExternalId, RequestType } from './model.ts';
import type { AccountInput, SimulatorStore } from './store.ts';
import { asBodyObject } from './transitions.ts';

/**
 * POST /requests, the distributor side (CONNECT-API.md, "Distributor side"): a purchase creates a new
 * asset; change, cancel, suspend and resume name an existing one by `id` or by `external_id` (plus
 * `external_uid` when several share it). Every refusal is a 400 naming the field at fault.
 */

export type AssetRequestType = Exclude<RequestType, 'purchase' | 'adjustment'>;

/** The asset statuses each request type may start from. */
export const ALLOWED_ASSET_STATUS: Record<AssetRequestType, readonly AssetStatus[]> = {
  change: ['active'],
  suspend: ['active'],
  resume: ['suspended'],
  cancel: ['active', 'suspended'],
};

type Json = Record<string, unknown>;

export function createDistributorRequest(store: SimulatorStore, body: unknown): ConnectRequest {
  const input = asBodyObject(body);
  const type = input.type;
  if (type === 'purchase') return createPurchase(store, input);
  if (type === 'change' || type === 'cancel' || type === 'suspend' || type === 'resume')
    return createAssetRequest(store, type, input);
  throw invalid(
    `type must be one of purchase, change, cancel, suspend, resume; got ${JSON.stringify(type ?? null)}.`,
  );
}

function createPurchase(store: SimulatorStore, input: Json): ConnectRequest {
  const asset = object(input.asset, 'asset');
  const connectionId = text(object(asset.connection, 'asset.connection').id, 'asset.connection.id');
  const connection = store.getConnection(connectionId);
  if (!connection) throw invalid(`asset.connection.id: connection ${connectionId} does not exist.`);
  const productId =
    asset.product === undefined
      ? undefined
      : text(object(asset.product, 'asset.product').id, 'asset.product.id');
  if (productId !== undefined && productId !== connection.product.id) {
    throw invalid(
      `asset.product.id: connection ${connectionId} is for product ${connection.product.id}, not ${productId}.`,
    );
  }
  const marketplaceId =
    input.marketplace === undefined
      ? undefined
      : text(object(input.marketplace, 'marketplace').id, 'marketplace.id');
  if (marketplaceId !== undefined && !store.getMarketplace(marketplaceId))
    throw invalid(`marketplace.id: marketplace ${marketplaceId} does not exist.`);
  const product = store.getProduct(connection.product.id)!;
  const tiers = object(asset.tiers, 'asset.tiers');
  const tier1 = account(tiers.tier1, 'asset.tiers.tier1');
  return store.addRequest({
    type: 'purchase',
    connectionId,
    marketplaceId,
    externalId: externalId(asset.external_id, 'asset.external_id'),
    externalUid:
      asset.external_uid === undefined ? undefined : text(asset.external_uid, 'asset.external_uid'),
    quantities: quantities(
      asset.items,
      'asset.items',
      product.items.map((item) => item.id),
    ),
    params: paramValues(
      asset.params,
      product.params.map((param) => param.id),
    ),
    tiers: {
      // The Workato action makes the customer optional: the reseller then buys for itself.
      customer: tiers.customer === undefined ? tier1 : account(tiers.customer, 'asset.tiers.customer'),
      tier1,
      ...(tiers.tier2 !== undefined && { tier2: account(tiers.tier2, 'asset.tiers.tier2') }),
    },
  });
}

function createAssetRequest(store: SimulatorStore, type: AssetRequestType, input: Json): ConnectRequest {
  const asset = findAsset(store, object(input.asset, 'asset'));
  if (!ALLOWED_ASSET_STATUS[type].includes(asset.status)) {
    throw invalid(
      `asset: ${asset.id} is ${asset.status}; a ${type} request needs it ${ALLOWED_ASSET_STATUS[type].join(' or ')}.`,
    );
  }
  const open = store.openRequestsOf(asset.id)[0];
  if (open)
    throw invalid(
      `asset: ${asset.id} already has request ${open.id} (${open.status}); wait until it is processed.`,
    );
  const product = store.getProduct(asset.product.id)!;
  const items =
    type === 'change'
      ? quantities(
          object(input.asset, 'asset').items,
          'asset.items',
          product.items.map((item) => item.id),
        )
      : undefined;
  return store.addRequest({ type, assetId: asset.id, quantities: items });
}

/** By `id`, or the one live asset with the `external_id` (and `external_uid`). */
function findAsset(store: SimulatorStore, ref: Json): Asset {
  if (ref.id !== undefined) {
    const id = text(ref.id, 'asset.id');
    const asset = store.getAsset(id);
    if (!asset) throw invalid(`asset.id: asset ${id} does not exist.`);
    return asset;
  }
  if (ref.external_id === undefined)
    throw invalid('asset: give its id, or its external_id (and external_uid).');
  const wantedId = String(externalId(ref.external_id, 'asset.external_id'));
  const wantedUid = ref.external_uid === undefined ? undefined : text(ref.external_uid, 'asset.external_uid');
  const found = store
    .listAssets()
    .filter(
      (asset) =>
        String(asset.external_id) === wantedId &&
        (wantedUid === undefined || asset.external_uid === wantedUid),
    )
    .filter((asset) => asset.status !== 'terminated');
  const which = `external_id ${wantedId}${wantedUid === undefined ? '' : ` and external_uid ${wantedUid}`}`;
  if (found.length === 0) throw invalid(`asset: no live asset has ${which}.`);
  if (found.length > 1)
    throw invalid(
      `asset: several assets have ${which} (${found.map((a) => a.id).join(', ')}); add external_uid.`,
    );
  return found[0]!;
}

// ---- field checks ------------------------------------------------------------------------------------

function object(value: unknown, field: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${field} is required and must be an object.`);
  return value as Json;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(`${field} is required and must be a non-empty string.`);
  return value;
}

function externalId(value: unknown, field: string): ExternalId {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return text(value, field);
}

/** `[{id, quantity}]` → `{ id: "quantity" }`; quantities are whole or decimal numbers, or numeric strings. */
function quantities(value: unknown, field: string, itemIds: string[]): Record<string, string> {
  if (!Array.isArray(value) || value.length === 0)
    throw invalid(`${field} is required: a non-empty list of {id, quantity}.`);
  const result: Record<string, string> = {};
  value.forEach((entry: unknown, index) => {
    const item = object(entry, `${field}[${index}]`);
    const id = text(item.id, `${field}[${index}].id`);
    if (!itemIds.includes(id))
      throw invalid(`${field}[${index}].id: ${id} is not an item of this product (${itemIds.join(', ')}).`);
    const quantity = item.quantity;
    const numeric =
      typeof quantity === 'number'
        ? quantity
        : typeof quantity === 'string' && quantity.trim() !== ''
          ? Number(quantity)
          : NaN;
    if (!Number.isFinite(numeric) || numeric < 0)
      throw invalid(`${field}[${index}].quantity must be a number of at least 0.`);
    result[id] = String(quantity);
  });
  return result;
}

function paramValues(value: unknown, paramIds: string[]): Record<string, string | null> {
  if (value === undefined) return {};
  if (!Array.isArray(value)) throw invalid('asset.params must be a list of {id, value}.');
  const result: Record<string, string | null> = {};
  value.forEach((entry: unknown, index) => {
    const param = object(entry, `asset.params[${index}]`);
    const id = text(param.id, `asset.params[${index}].id`);
    if (!paramIds.includes(id))
      throw invalid(
        `asset.params[${index}].id: ${id} is not a parameter of this product (${paramIds.join(', ')}).`,
      );
    if (param.value !== null && param.value !== undefined && typeof param.value !== 'string')
      throw invalid(`asset.params[${index}].value must be a string.`);
    result[id] = (param.value as string | null | undefined) ?? null;
  });
  return result;
}

function account(value: unknown, field: string): AccountInput {
  const input = object(value, field);
  const contactInfo = object(input.contact_info, `${field}.contact_info`);
  const contact = object(contactInfo.contact, `${field}.contact_info.contact`);
  for (const key of ['address_line1', 'city', 'postal_code', 'country'])
    text(contactInfo[key], `${field}.contact_info.${key}`);
  for (const key of ['first_name', 'last_name', 'email'])
    text(contact[key], `${field}.contact_info.contact.${key}`);
  return {
    ...(input as Partial<AccountInput>),
    name: text(input.name, `${field}.name`),
    external_id: externalId(input.external_id, `${field}.external_id`),
    contact_info: input.contact_info as AccountInput['contact_info'],
  };
}
