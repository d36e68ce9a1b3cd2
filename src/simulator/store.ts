import { copy } from './copy.ts';
import {
  CONTRACT,
  MARKETPLACES,
  PRODUCTION_HUB,
  PROVIDER,
  TEST_HUB,
  VENDOR,
  connectionIdFor,
  genericProduct,
} from './catalog.ts';
import { notFound } from './errors.ts';
import { makeAccount, makeItem, makeParam, type AccountRole } from './factories.ts';
import type {
  Account,
  Asset,
  AssetStatus,
  Connection,
  ConnectionType,
  ConnectRequest,
  ExternalId,
  Item,
  Marketplace,
  Param,
  Product,
  RequestAction,
  RequestStatus,
  RequestType,
  Tiers,
  UsageFile,
  UsageRecord,
} from './model.ts';
import { runQuery, type CollectionRules, type Page } from './query.ts';
import { Random } from './random.ts';
import { updateRequest } from './request-update.ts';
import type { ListQuery } from './rql.ts';
import { formatTimestamp, toMillis, type TimeInput } from './timestamps.ts';
import { TERMINAL_STATUSES, performAction, settleAsset } from './transitions.ts';

/**
 * The simulator's in-memory Connect: catalog (products, their connections, marketplaces), assets,
 * requests and their state machine, usage files and records. Every read hands out copies, so a test
 * holding an object sees it as it was; every change goes through a method that keeps the rules.
 */

/** A parameter given to addRequest/addAsset: just the value, or the fields to set. */
export type ParamInput =
  | string
  | null
  | { value?: string | null; value_error?: string | null; structured_value?: Record<string, unknown> };

/** A tier account as a caller knows it: the store fills the id and any missing optional field. */
export type AccountInput = Partial<Account> & { name: string; contact_info: Account['contact_info'] };

export interface AssetSpec {
  id?: string;
  status?: AssetStatus;
  /** Default: the first product in the catalog; an unknown id registers a generic product (see catalog.genericProduct). */
  productId?: string;
  /** A connection of the product; default: the product's connection of `connectionType`. */
  connectionId?: string;
  connectionType?: ConnectionType;
  marketplaceId?: string;
  externalId?: ExternalId;
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

export interface RequestSpec extends Omit<AssetSpec, 'id' | 'status'> {
  id?: string;
  /** Default purchase. */
  type?: RequestType;
  /** Default pending. */
  status?: RequestStatus;
  /** The asset of a non-purchase request; default: a new asset (active; suspended for a resume). */
  assetId?: string;
  /** Default: the store clock's now. */
  created?: TimeInput;
  note?: string | null;
}

export interface RequestChange {
  /** A copy of the request after the change. */
  request: ConnectRequest;
  from: RequestStatus | undefined;
  cause: 'created' | 'updated' | 'answered' | RequestAction;
}

export type Collection = 'requests' | 'assets' | 'usageRecords' | 'marketplaces' | 'connections';

const COLLECTION_RULES: Record<Collection, CollectionRules> = {
  requests: { defaultOrdering: [{ field: 'created', descending: false }] },
  assets: {},
  usageRecords: { aliases: { usage_file: 'usagefile.id' } },
  marketplaces: {},
  connections: {},
};

/** Statuses in which a request still waits for someone: an asset takes no second one meanwhile. */
export const OPEN_STATUSES: ReadonlySet<RequestStatus> = new Set([
  'draft',
  'tiers_setup',
  'pending',
  'inquiring',
  'scheduled',
  'revoking',
]);

export interface StoreOptions {
  /** PRNG seed for ids and generated data (default 1). */
  seed?: number;
  /** The clock for `created`/`updated` (default Date.now). */
  now?: () => number;
}

export class SimulatorStore {
  readonly random: Random;
  readonly #now: () => number;
  readonly #products = new Map<string, Product>();
  readonly #connections: Connection[] = [];
  readonly #marketplaces: Marketplace[] = copy(MARKETPLACES);
  readonly #assets = new Map<string, Asset>();
  readonly #requests = new Map<string, ConnectRequest>();
  readonly #requestSerials = new Map<string, number>();
  readonly #usageFiles = new Map<string, UsageFile>();
  readonly #usageRecords: UsageRecord[] = [];
  readonly #usedIds = new Set<string>();
  readonly #listeners = new Set<(change: RequestChange) => void>();

  constructor(options: StoreOptions = {}) {
    this.random = new Random(options.seed ?? 1);
    this.#now = options.now ?? Date.now;
  }

  now(): number {
    return this.#now();
  }

  // ---- catalog ---------------------------------------------------------------------------------------

  /** Registers a product with one production connection (production hub) and one test connection (test hub). */
  addProduct(product: Product): Product {
    if (this.#products.has(product.id)) throw new Error(`product ${product.id} already exists`);
    const index = this.#products.size;
    this.#products.set(product.id, copy(product));
    const productRef = { id: product.id, name: product.name };
    for (const [type, hub] of [
      ['production', PRODUCTION_HUB],
      ['test', TEST_HUB],
    ] as const) {
      this.#connections.push({
        id: connectionIdFor(index, type),
        type,
        status: 'approved',
        product: productRef,
        provider: PROVIDER,
        vendor: VENDOR,
        hub,
        created_at: formatTimestamp(Date.UTC(2024, 0, 15)),
      });
    }
    return copy(product);
  }

  getProduct(id: string): Product | undefined {
    const product = this.#products.get(id);
    return product && copy(product);
  }

  listProducts(): Product[] {
    return copy([...this.#products.values()]);
  }

  getConnection(id: string): Connection | undefined {
    const connection = this.#connections.find((c) => c.id === id);
    return connection && copy(connection);
  }

  getMarketplace(id: string): Marketplace | undefined {
    const marketplace = this.#marketplaces.find((m) => m.id === id);
    return marketplace && copy(marketplace);
  }

  // ---- assets ----------------------------------------------------------------------------------------

  addAsset(spec: AssetSpec = {}): Asset {
    const asset = this.#buildAsset(spec, spec.status ?? 'active', spec.id);
    this.#assets.set(asset.id, asset);
    return copy(asset);
  }

  getAsset(id: string): Asset | undefined {
    const asset = this.#assets.get(id);
    return asset && copy(asset);
  }

  listAssets(): Asset[] {
    return copy([...this.#assets.values()]);
  }

  // ---- requests --------------------------------------------------------------------------------------

  /**
   * Adds a request the way a test wants it: `store.addRequest({ type: 'purchase', productId, params:
   * { email: 'n/a' }, created })`. Purchases create their asset; other types use `assetId` or a new asset.
   */
  addRequest(spec: RequestSpec = {}): ConnectRequest {
    return copy(this.#insertRequest(spec));
  }

  /** addRequest for many at once (seeds, benchmarks): no copies handed back; returns how many were added. */
  addRequests(specs: Iterable<RequestSpec>): number {
    let count = 0;
    for (const spec of specs) {
      this.#insertRequest(spec);
      count++;
    }
    return count;
  }

  #insertRequest(spec: RequestSpec): ConnectRequest {
    const type = spec.type ?? 'purchase';
    const status = spec.status ?? 'pending';
    const asset = type === 'purchase' ? this.#buildAsset(spec, 'processing') : this.#assetFor(type, spec);
    if (type === 'purchase') this.#assets.set(asset.id, asset);
    const created = formatTimestamp(spec.created === undefined ? this.#now() : toMillis(spec.created));
    const snapshot = copy(asset);
    if (type !== 'purchase') {
      snapshot.items = this.#itemsForChange(asset, type === 'change' ? spec.quantities : undefined);
      this.#applyParams(snapshot, spec.params ?? {});
    }
    const request: ConnectRequest = {
      id: spec.id ?? this.#nextRequestId(asset.id),
      type,
      status,
      created,
      updated: created,
      note: spec.note ?? null,
      reason: status === 'failed' ? 'Failed by the vendor.' : null,
      activation_key: status === 'approved' ? 'Activated.' : null,
      answered: false,
      assignee: null,
      marketplace: asset.marketplace,
      contract: asset.contract,
      asset: snapshot,
    };
    if (this.#requests.has(request.id)) throw new Error(`request ${request.id} already exists`);
    this.#usedIds.add(request.id);
    this.#requests.set(request.id, request);
    if (TERMINAL_STATUSES.has(status)) settleAsset(asset, request);
    this.#emit(request, undefined, 'created');
    return request;
  }

  getRequest(id: string): ConnectRequest | undefined {
    const request = this.#requests.get(id);
    return request && copy(request);
  }

  listRequests(): ConnectRequest[] {
    return copy([...this.#requests.values()]);
  }

  /** A vendor action (approve, fail, inquire, pend), with the rules of transitions.ts; throws a SimulatorError. */
  act(id: string, action: RequestAction, body: unknown = {}): ConnectRequest {
    const request = this.#request(id);
    const from = request.status;
    performAction(request, action, body);
    const asset = this.#assets.get(request.asset.id);
    if (asset) settleAsset(asset, request);
    this.#touch(request);
    this.#emit(request, from, action);
    return copy(request);
  }

  /** PUT /requests/{id}: parameter values, value errors and the note (see request-update.ts). */
  update(id: string, body: unknown): ConnectRequest {
    const request = this.#request(id);
    updateRequest(request, body);
    this.#touch(request);
    this.#emit(request, request.status, 'updated');
    return copy(request);
  }

  /**
   * The customer answers an inquiry: each parameter with a value_error gets a corrected value, the
   * errors are cleared, and the request is pending again (`answered` tells the vendor it happened).
   */
  answerInquiry(id: string): ConnectRequest {
    const request = this.#request(id);
    if (request.status !== 'inquiring') throw new Error(`request ${id} is ${request.status}, not inquiring`);
    for (const param of request.asset.params) {
      if (!param.value_error) continue;
      param.value = correctedValue(param, request);
      param.value_error = null;
    }
    request.status = 'pending';
    request.answered = true;
    this.#touch(request);
    this.#emit(request, 'inquiring', 'answered');
    return copy(request);
  }

  /** Live requests of an asset that still wait for someone (see OPEN_STATUSES). */
  openRequestsOf(assetId: string): ConnectRequest[] {
    return [...this.#requests.values()]
      .filter((r) => r.asset.id === assetId && OPEN_STATUSES.has(r.status))
      .map((r) => copy(r));
  }

  /** Calls the listener after every change of a request; returns the unsubscribe function. */
  onRequestChange(listener: (change: RequestChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- usage -----------------------------------------------------------------------------------------

  addUsageFile(file: UsageFile, records: UsageRecord[] = []): void {
    this.#usageFiles.set(file.id, copy(file));
    this.#usageRecords.push(...copy(records));
  }

  getUsageFile(id: string): UsageFile | undefined {
    const file = this.#usageFiles.get(id);
    return file && copy(file);
  }

  // ---- listings --------------------------------------------------------------------------------------

  /** One page of a collection under a parsed RQL query; the items are copies. */
  list(collection: Collection, query: ListQuery): Page<object> {
    const page = runQuery<object>(this.#collection(collection), query, COLLECTION_RULES[collection]);
    return { ...page, items: query.exclude.length > 0 ? page.items : copy(page.items) };
  }

  #collection(collection: Collection): Iterable<object> {
    switch (collection) {
      case 'requests':
        return this.#requests.values();
      case 'assets':
        return this.#assets.values();
      case 'usageRecords':
        return this.#usageRecords;
      case 'marketplaces':
        return this.#marketplaces;
      case 'connections':
        return this.#connections;
    }
  }

  // ---- building blocks -------------------------------------------------------------------------------

  #request(id: string): ConnectRequest {
    const request = this.#requests.get(id);
    if (!request) throw notFound(`Request ${id} not found.`);
    return request;
  }

  /** `updated` moves forward on every change, even two within one millisecond. */
  #touch(request: ConnectRequest): void {
    request.updated = formatTimestamp(Math.max(this.#now(), toMillis(request.updated) + 1));
  }

  #emit(request: ConnectRequest, from: RequestStatus | undefined, cause: RequestChange['cause']): void {
    for (const listener of this.#listeners) listener({ request: copy(request), from, cause });
  }

  /** The asset a non-purchase request is about: the named one, or a fresh one in the status the type needs. */
  #assetFor(type: RequestType, spec: RequestSpec): Asset {
    if (spec.assetId === undefined) {
      // The request's quantities are the change it asks for, not the asset's current state.
      const asset = this.#buildAsset(
        { ...spec, quantities: undefined },
        type === 'resume' ? 'suspended' : 'active',
      );
      this.#assets.set(asset.id, asset);
      return asset;
    }
    const asset = this.#assets.get(spec.assetId);
    if (!asset) throw new Error(`asset ${spec.assetId} does not exist`);
    if (spec.productId !== undefined && spec.productId !== asset.product.id) {
      throw new Error(`asset ${asset.id} belongs to ${asset.product.id}, not ${spec.productId}`);
    }
    return asset;
  }

  #buildAsset(spec: Omit<AssetSpec, 'id' | 'status'>, status: AssetStatus, wantedId?: string): Asset {
    const product = this.#productFor(spec);
    const connection = this.#connectionFor(product, spec);
    const marketplace = this.#marketplaceFor(connection, spec.marketplaceId);
    const id = wantedId ?? this.#uniqueId('AS', [4, 4, 4]);
    if (this.#assets.has(id)) throw new Error(`asset ${id} already exists`);
    this.#usedIds.add(id);
    const asset: Asset = {
      id,
      status,
      external_id: spec.externalId ?? this.random.digits(6),
      external_uid: spec.externalUid === undefined ? this.#uuid() : spec.externalUid,
      product: { id: product.id, name: product.name },
      connection: {
        id: connection.id,
        type: connection.type,
        provider: connection.provider,
        vendor: connection.vendor,
        hub: connection.hub,
      },
      items: this.#itemsFor(product, spec.quantities),
      params: product.params.map((definition) => makeParam(definition)),
      tiers: this.#tiersFor(spec),
      marketplace,
      contract: CONTRACT,
    };
    this.#applyParams(asset, spec.params ?? {});
    return asset;
  }

  #productFor(spec: Omit<AssetSpec, 'id' | 'status'>): Product {
    if (spec.connectionId !== undefined) {
      const connection = this.#connections.find((c) => c.id === spec.connectionId);
      if (!connection) throw new Error(`connection ${spec.connectionId} does not exist`);
      return this.#products.get(connection.product.id)!;
    }
    const id = spec.productId ?? this.#products.keys().next().value ?? 'PRD-000-000-001';
    if (!this.#products.has(id)) {
      // Tests on an empty store name their own product: register a plain one with the params they use.
      const product = genericProduct(id);
      for (const paramId of Object.keys(spec.params ?? {})) {
        if (!product.params.some((p) => p.id === paramId))
          product.params.push({ id: paramId, title: paramId, type: 'text', phase: 'ordering' });
      }
      this.addProduct(product);
    }
    return this.#products.get(id)!;
  }

  #connectionFor(product: Product, spec: Omit<AssetSpec, 'id' | 'status'>): Connection {
    const connection =
      spec.connectionId !== undefined
        ? this.#connections.find((c) => c.id === spec.connectionId)
        : this.#connections.find(
            (c) => c.product.id === product.id && c.type === (spec.connectionType ?? 'production'),
          );
    if (!connection)
      throw new Error(`product ${product.id} has no ${spec.connectionType ?? 'production'} connection`);
    return connection;
  }

  #marketplaceFor(connection: Connection, marketplaceId: string | undefined) {
    const marketplace =
      marketplaceId === undefined
        ? this.#marketplaces.find((m) => m.hubs.some(({ hub }) => hub.id === connection.hub.id))
        : this.#marketplaces.find((m) => m.id === marketplaceId);
    if (!marketplace) throw new Error(`no marketplace ${marketplaceId ?? `on hub ${connection.hub.id}`}`);
    return { id: marketplace.id, name: marketplace.name };
  }

  #itemsFor(product: Product, quantities: AssetSpec['quantities']) {
    const wanted = quantities ?? { [product.items[0]!.id]: '1' };
    return Object.entries(wanted).map(([key, quantity]) =>
      makeItem(this.#itemDefinition(product, key), String(quantity)),
    );
  }

  #itemDefinition(product: Product, key: string) {
    const definition = product.items.find((item) => item.id === key || item.mpn === key);
    if (!definition) throw new Error(`product ${product.id} has no item ${key}`);
    return definition;
  }

  /** A change's items: the asset's, with the new quantity where one is given and the current one as old_quantity. */
  #itemsForChange(asset: Asset, quantities: AssetSpec['quantities']) {
    const product = this.#products.get(asset.product.id)!;
    const wanted = quantities ?? {};
    const items: Item[] = asset.items.map((item) => ({ ...item, old_quantity: item.quantity }));
    for (const [key, quantity] of Object.entries(wanted)) {
      const definition = this.#itemDefinition(product, key);
      const existing = items.find((item) => item.id === definition.id);
      if (existing) existing.quantity = String(quantity);
      else items.push(makeItem(definition, String(quantity), '0'));
    }
    return items;
  }

  #applyParams(asset: Asset, params: Record<string, ParamInput>): void {
    for (const [id, input] of Object.entries(params)) {
      const param = asset.params.find((p) => p.id === id);
      if (!param) throw new Error(`product ${asset.product.id} has no parameter ${id}`);
      if (input === null || typeof input === 'string') param.value = input;
      else Object.assign(param, input);
    }
  }

  #tiersFor(spec: Omit<AssetSpec, 'id' | 'status'>): Tiers {
    const account = (input: AccountInput | undefined, role: AccountRole): Account =>
      input === undefined
        ? makeAccount(this.random, this.#uniqueId('TA', [4, 4, 4]), role)
        : this.#toAccount(input);
    const tiers: Tiers = {
      customer: account(spec.tiers?.customer, 'customer'),
      tier1: account(spec.tiers?.tier1, 'reseller'),
    };
    if (spec.tiers?.tier2 !== undefined || spec.withTier2)
      tiers.tier2 = account(spec.tiers?.tier2, 'distributor');
    return tiers;
  }

  #toAccount(input: AccountInput): Account {
    return {
      id: input.id ?? this.#uniqueId('TA', [4, 4, 4]),
      name: input.name,
      external_id: input.external_id ?? this.random.digits(6),
      external_uid: input.external_uid ?? null,
      tax_id: input.tax_id ?? null,
      // Distributors may leave out the optional parts; Connect answers with them empty.
      contact_info: {
        ...input.contact_info,
        address_line2: input.contact_info.address_line2 ?? null,
        state: input.contact_info.state ?? '',
        contact: {
          ...input.contact_info.contact,
          phone_number: input.contact_info.contact.phone_number ?? {
            country_code: '',
            area_code: '',
            phone_number: '',
            extension: '',
          },
        },
      },
    };
  }

  #nextRequestId(assetId: string): string {
    const serial = (this.#requestSerials.get(assetId) ?? 0) + 1;
    this.#requestSerials.set(assetId, serial);
    const id = `PR-${assetId.replace(/^AS-/, '')}-${String(serial).padStart(3, '0')}`;
    return this.#usedIds.has(id) ? this.#nextRequestId(assetId) : id;
  }

  /** `AS-1234-5678-9012`: random digit groups, never handed out twice. */
  #uniqueId(prefix: string, groups: number[]): string {
    for (;;) {
      const id = `${prefix}-${groups.map((n) => this.random.digits(n)).join('-')}`;
      if (!this.#usedIds.has(id)) {
        this.#usedIds.add(id);
        return id;
      }
    }
  }

  #uuid(): string {
    const hex = (count: number) => this.random.hex(count);
    return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  }
}

/** What a customer types when asked to fix a parameter (demo: inquiries get answered). */
function correctedValue(param: Param, request: ConnectRequest): string {
  if (param.type === 'email') {
    const contact = request.asset.tiers.customer.contact_info.contact;
    return contact.email;
  }
  if (param.value_choices.length > 0) return param.value_choices[0]!;
  return param.value ? `${param.value}-corrected` : 'provided by the customer';
}
