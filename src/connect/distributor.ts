import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { ConnectClient } from './client.ts';
import { ConnectError, isConnectError } from './errors.ts';
import { joinQuery, rql, type Rql } from './rql.ts';
import {
  AssetRefSchema,
  ChangeInputSchema,
  inputError,
  parseInput,
  productOfItem,
  PurchaseInputSchema,
  type AssetRef,
  type ChangeInput,
  type PurchaseInput,
} from './distributor-input.ts';
import { ItemSchema } from './schemas.ts';

export * from './distributor-input.ts';

/**
 * The distributor side of Connect, as the Workato connector offers it: create purchase, change,
 * cancel, suspend and resume requests. Each action validates its whole input before the first call,
 * so a typo never leaves half a job done; mistakes of the caller (bad input, no or several matching
 * assets, connections, marketplaces) are DistributorInputErrors naming the field, API failures stay
 * ConnectErrors.
 */

// ---- what comes back ---------------------------------------------------------------------------------

/**
 * A created request, as Connect sent it. Only what proves the creation is required: failing a create
 * that succeeded over a missing field would invite a retry, and a duplicate request.
 */
export const CreatedRequestSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string(),
  status: z.string(),
});
export type CreatedRequest = z.infer<typeof CreatedRequestSchema>;

const MarketplaceSchema = z.looseObject({ id: z.string(), name: z.string().nullish() });
const ConnectionSchema = z.looseObject({ id: z.string(), type: z.string().nullish() });
const AssetMatchSchema = z.looseObject({
  id: z.string(),
  status: z.string().nullish(),
  items: z.array(ItemSchema).nullish(),
});
type AssetMatch = z.infer<typeof AssetMatchSchema>;

/** Assets that can take no more requests; a distributor reusing an external id means the live one. */
const ENDED_ASSET_STATUSES: ReadonlySet<string> = new Set(['terminated', 'rejected']);

/** Lookups expect one match; this many are enough to name the candidates when there are several. */
const LOOKUP_LIMIT = 100;

// ---- actions -----------------------------------------------------------------------------------------

export async function createPurchaseRequest(
  client: ConnectClient,
  input: PurchaseInput,
  signal?: AbortSignal,
): Promise<CreatedRequest> {
  const purchase = parseInput(PurchaseInputSchema, input);
  const productId = purchase.productId ?? productOfItem(purchase.itemId);
  const marketplace = await findMarketplace(client, purchase.marketplace, signal);
  const productField = purchase.productId === undefined ? 'itemId' : 'productId';
  const connection = await findConnection(
    client,
    { id: productId, field: productField },
    purchase.hubId,
    signal,
  );
  return postRequest(
    client,
    {
      type: 'purchase',
      marketplace: { id: marketplace.id },
      asset: {
        external_id: purchase.externalId,
        external_uid: purchase.externalUid ?? randomUUID(),
        product: { id: productId },
        connection: { id: connection.id },
        items: [{ id: purchase.itemId, quantity: purchase.quantity }],
        params: Object.entries(purchase.params ?? {}).map(([id, value]) => ({ id, value })),
        tiers: {
          ...(purchase.customer && { customer: withExternalUid(purchase.customer) }),
          tier1: withExternalUid(purchase.tier1),
        },
      },
    },
    signal,
  );
}

export async function createChangeRequest(
  client: ConnectClient,
  input: ChangeInput,
  signal?: AbortSignal,
): Promise<CreatedRequest> {
  const change = parseInput(ChangeInputSchema, input);
  const asset = await findAsset(client, change, signal);
  const itemId = itemToChange(asset, change.itemGlobalId);
  return postRequest(
    client,
    { type: 'change', asset: { id: asset.id, items: [{ id: itemId, quantity: change.quantity }] } },
    signal,
  );
}

export function createCancelRequest(
  client: ConnectClient,
  input: AssetRef,
  signal?: AbortSignal,
): Promise<CreatedRequest> {
  return createAssetRequest('cancel', client, input, signal);
}

export function createSuspendRequest(
  client: ConnectClient,
  input: AssetRef,
  signal?: AbortSignal,
): Promise<CreatedRequest> {
  return createAssetRequest('suspend', client, input, signal);
}

export function createResumeRequest(
  client: ConnectClient,
  input: AssetRef,
  signal?: AbortSignal,
): Promise<CreatedRequest> {
  return createAssetRequest('resume', client, input, signal);
}

/** Cancel, suspend and resume: the same request, naming only the asset. */
async function createAssetRequest(
  type: 'cancel' | 'suspend' | 'resume',
  client: ConnectClient,
  input: AssetRef,
  signal?: AbortSignal,
): Promise<CreatedRequest> {
  const ref = parseInput(AssetRefSchema, input);
  const asset = await findAsset(client, ref, signal);
  return postRequest(client, { type, asset: { id: asset.id } }, signal);
}

// ---- building blocks ---------------------------------------------------------------------------------

type NewRequest = {
  type: 'purchase' | 'change' | 'cancel' | 'suspend' | 'resume';
  asset: Record<string, unknown>;
  marketplace?: { id: string };
};

/** POST /requests: sent once (client.create never re-sends it blindly). */
async function postRequest(
  client: ConnectClient,
  body: NewRequest,
  signal?: AbortSignal,
): Promise<CreatedRequest> {
  const result = await client.create('/requests', body, signal);
  const created = CreatedRequestSchema.safeParse(result.data);
  if (created.success) return created.data;
  throw new ConnectError(
    'bad_response',
    `POST /requests answered ${result.status} without a usable request; the ${body.type} request may have been created: check before retrying`,
    {
      method: 'POST',
      path: '/requests',
      status: result.status,
      bodyPreview: JSON.stringify(result.data ?? null).slice(0, 300),
    },
  );
}

async function findMarketplace(client: ConnectClient, name: string, signal?: AbortSignal) {
  const found = await lookup(client, '/marketplaces', rql.eq('name', name), MarketplaceSchema, signal);
  return exactlyOne(found, 'marketplace', {
    none: `no marketplace named "${name}"`,
    several: `several marketplaces are named "${name}"`,
  });
}

/**
 * The product's connection on the hub: the channel its requests travel. `productField` is the input
 * field the product came from (given, or derived from the item), named when Connect has no such product.
 */
async function findConnection(
  client: ConnectClient,
  product: { id: string; field: 'productId' | 'itemId' },
  hubId: string,
  signal?: AbortSignal,
) {
  const path = `/products/${encodeURIComponent(product.id)}/connections`;
  const found = await lookup(client, path, rql.eq('hub.id', hubId), ConnectionSchema, signal).catch(
    (err: unknown) => {
      throw isConnectError(err, 'not_found') ? inputError(product.field, `no product ${product.id}`) : err;
    },
  );
  return exactlyOne(found, 'hubId', {
    none: `product ${product.id} has no connection on hub ${hubId}`,
    several: `product ${product.id} has several connections on hub ${hubId}`,
    describe: (c) => `${c.id} (${c.type ?? 'unknown type'})`,
  });
}

/** The one live asset with the external id (and uid): ended assets cannot take requests. */
async function findAsset(
  client: ConnectClient,
  ref: z.output<typeof AssetRefSchema>,
  signal?: AbortSignal,
): Promise<AssetMatch> {
  const filter =
    ref.externalUid === undefined
      ? rql.eq('external_id', ref.externalId)
      : rql.and(rql.eq('external_id', ref.externalId), rql.eq('external_uid', ref.externalUid));
  const found = await lookup(client, '/assets', filter, AssetMatchSchema, signal);
  const live = found.filter((asset) => !ENDED_ASSET_STATUSES.has(asset.status ?? ''));
  const which = `external id "${ref.externalId}"${ref.externalUid === undefined ? '' : ` and external uid "${ref.externalUid}"`}`;
  const ended = found.filter((asset) => !live.includes(asset));
  return exactlyOne(live, 'externalId', {
    none:
      ended.length === 0
        ? `no asset with ${which}`
        : `the assets with ${which} have ended: ${ended.map((a) => `${a.id} (${a.status})`).join(', ')}`,
    several: `several assets have ${which}; pass the external uid to pick one`,
    describe: (a) => `${a.id} (${a.status ?? 'unknown status'})`,
  });
}

/** The asset item a change is about: the one named by global id (or id), or the asset's only item. */
function itemToChange(asset: AssetMatch, globalId: string | undefined): string {
  const items = asset.items ?? [];
  if (globalId !== undefined) {
    // An id the asset does not have yet adds that item to the subscription.
    return items.find((item) => item.global_id === globalId || item.id === globalId)?.id ?? globalId;
  }
  const [only, ...others] = items;
  if (only === undefined || others.length > 0) {
    throw inputError(
      'itemGlobalId',
      `asset ${asset.id} has ${items.length} items (${items.map((i) => i.global_id ?? i.id).join(', ') || 'none'}): say which one to change`,
    );
  }
  return only.id;
}

function lookup<T>(
  client: ConnectClient,
  path: string,
  filter: Rql,
  schema: z.ZodType<T>,
  signal?: AbortSignal,
): Promise<T[]> {
  return client.get(path, z.array(schema), signal, joinQuery(filter, `limit=${LOOKUP_LIMIT}`));
}

function exactlyOne<T extends { id: string }>(
  found: T[],
  field: string,
  messages: { none: string; several: string; describe?: (item: T) => string },
): T {
  const [first, ...rest] = found;
  if (first === undefined) throw inputError(field, messages.none);
  if (rest.length > 0)
    throw inputError(
      field,
      `${messages.several}: ${found.map(messages.describe ?? ((item) => item.id)).join(', ')}`,
    );
  return first;
}

/** Connect keys tier accounts on external ids; the uid is ours to make up when the caller has none. */
function withExternalUid<A extends { external_uid?: string | undefined }>(
  account: A,
): A & { external_uid: string } {
  return { ...account, external_uid: account.external_uid ?? randomUUID() };
}
