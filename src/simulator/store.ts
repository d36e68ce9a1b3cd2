import { applyParams, buildAsset, itemsForChange, type AssetSpec, type ParamInput } from './asset-builder.ts';
import { Catalog } from './catalog.ts';
import { ConversationBook, type Message } from './conversations.ts';
import { copy } from './copy.ts';
import { makeParam } from './factories.ts';
import { notFound } from './errors.ts';
import { IdGenerator } from './ids.ts';
import type {
  Account,
  Asset,
  Connection,
  ConnectRequest,
  Marketplace,
  Param,
  Product,
  RequestAction,
  RequestStatus,
  RequestType,
  UsageFile,
  UsageRecord,
} from './model.ts';
import { runQuery, type CollectionRules, type Page } from './query.ts';
import { Random } from './random.ts';
import { CREATED_ORDER, RequestIndex } from './request-index.ts';
import { updateRequest } from './request-update.ts';
import type { ListQuery } from './rql.ts';
import { formatTimestamp, toMillis, type TimeInput } from './timestamps.ts';
import {
  buildTierConfigRequest,
  missingTierConfig,
  performTierConfigAction,
  updateTierConfigRequest,
  type TierConfigRequest,
  type TierConfigStatus,
  type TierConfigType,
} from './tier-config.ts';
import { TERMINAL_STATUSES, performAction, settleAsset } from './transitions.ts';

/**
 * The simulator's in-memory Connect: the catalog, assets, requests and their state machine, usage
 * files and records. Every read hands out copies, so a test holding an object sees it as it was; every
 * change goes through a method that keeps the rules. The reads the API handlers use take a hand-out
 * function instead, called with the live object: they serialize it at once, so need no copy.
 */

export type { AccountInput, AssetSpec, ParamInput } from './asset-builder.ts';

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

export interface TierConfigSpec {
  id?: string;
  /** Default setup. */
  type?: TierConfigType;
  /** Default pending. */
  status?: TierConfigStatus;
  productId: string;
  /** The tier account whose configuration this is. */
  account: Account;
  /** Default 1. */
  tierLevel?: 1 | 2;
  /** The tier-level parameters and their values (default: the product's tier-level parameters, empty). */
  params?: Record<string, string | null>;
  /** Default production. */
  connectionType?: 'production' | 'test';
  /** Default: the store clock's now. */
  created?: TimeInput;
}

export type Collection =
  | 'requests'
  | 'assets'
  | 'usageRecords'
  | 'marketplaces'
  | 'connections'
  | 'conversations'
  | 'tierConfigRequests';

const COLLECTION_RULES: Record<Collection, CollectionRules> = {
  requests: { defaultOrdering: CREATED_ORDER },
  assets: {},
  usageRecords: { aliases: { usage_file: 'usagefile.id' } },
  marketplaces: {},
  connections: {},
  conversations: {},
  // A TCR shows its times as events.created.at / events.updated.at; Connect filters and orders them as created/updated.
  tierConfigRequests: {
    aliases: { created: 'events.created.at', updated: 'events.updated.at' },
    defaultOrdering: [{ field: 'created', descending: false }],
  },
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

/** Makes what a read returns from the store's live object, at once, without keeping or changing it. */
export type HandOut<T, R> = (live: T) => R;

export interface StoreOptions {
  /** PRNG seed for ids and generated data (default 1). */
  seed?: number;
  /** The clock for `created`/`updated` (default Date.now). */
  now?: () => number;
}

export class SimulatorStore {
  readonly random: Random;
  readonly #now: () => number;
  readonly #catalog = new Catalog();
  readonly #ids: IdGenerator;
  readonly #assets = new Map<string, Asset>();
  readonly #requests = new Map<string, ConnectRequest>();
  readonly #requestIndex = new RequestIndex();
  readonly #usageFiles = new Map<string, UsageFile>();
  readonly #usageRecords: UsageRecord[] = [];
  readonly #listeners = new Set<(change: RequestChange) => void>();
  readonly #conversations = new ConversationBook();
  readonly #tierConfigs = new Map<string, TierConfigRequest>();

  constructor(options: StoreOptions = {}) {
    this.random = new Random(options.seed ?? 1);
    this.#ids = new IdGenerator(this.random);
    this.#now = options.now ?? Date.now;
  }

  now(): number {
    return this.#now();
  }

  // ---- catalog ---------------------------------------------------------------------------------------

  /** Registers a product with one production connection (production hub) and one test connection (test hub). */
  addProduct(product: Product): Product {
    return copy(this.#catalog.addProduct(product));
  }

  getProduct(id: string): Product | undefined {
    return copy(this.#catalog.product(id));
  }

  listProducts(): Product[] {
    return copy(this.#catalog.products());
  }

  getConnection(id: string): Connection | undefined {
    return copy(this.#catalog.connection(id));
  }

  getMarketplace(id: string): Marketplace | undefined {
    return copy(this.#catalog.marketplace(id));
  }

  // ---- assets ----------------------------------------------------------------------------------------

  addAsset(spec: AssetSpec = {}): Asset {
    const asset = buildAsset(this.#assetContext(), spec, spec.status ?? 'active', spec.id);
    this.#assets.set(asset.id, asset);
    return copy(asset);
  }

  getAsset<R = Asset>(id: string, handOut?: HandOut<Asset, R>): R | undefined {
    const asset = this.#assets.get(id);
    return asset && give(asset, handOut);
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
    const asset = this.#assetFor(type, spec);
    // A purchase whose reseller has no configuration of the product yet waits in tiers_setup on a
    // setup TCR, as in Connect (see #setUpTier); an explicit status is the test's own choice.
    const status =
      spec.status ?? (type === 'purchase' && this.#needsTierSetup(asset) ? 'tiers_setup' : 'pending');
    const created = formatTimestamp(spec.created === undefined ? this.#now() : toMillis(spec.created));
    const snapshot = copy(asset);
    if (type !== 'purchase') {
      snapshot.items = itemsForChange(this.#catalog, asset, type === 'change' ? spec.quantities : undefined);
      applyParams(snapshot, spec.params ?? {});
    }
    const request: ConnectRequest = {
      id: spec.id === undefined ? this.#ids.nextRequest(asset.id) : this.#ids.claim(spec.id, 'request'),
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
    this.#requests.set(request.id, request);
    this.#requestIndex.add(request);
    this.#conversations.open(request.id, created);
    if (TERMINAL_STATUSES.has(status)) settleAsset(asset, request);
    if (status === 'tiers_setup' && spec.status === undefined) this.#setUpTier(asset, spec.params);
    this.#changed(request, undefined, 'created');
    return request;
  }

  // ---- tiers_setup: purchases wait on their reseller's tier configuration ------------------------------

  /** The product has tier1 parameters and the asset's tier1 account has no approved configuration of it. */
  #needsTierSetup(asset: Asset): boolean {
    const product = this.#catalog.product(asset.product.id);
    if (!product?.params.some((p) => p.scope === 'tier1')) return false;
    return !this.#tierConfigOf(asset.product.id, asset.tiers.tier1.id, ['approved']);
  }

  /** One open setup TCR per tier1 account and product: a second purchase waits on the same one. */
  #setUpTier(asset: Asset, values: Record<string, ParamInput> = {}): void {
    const account = asset.tiers.tier1;
    if (this.#tierConfigOf(asset.product.id, account.id, ['pending', 'inquiring'])) return;
    // The reseller's answers to the tier1 parameters, given with the order, go on its TCR.
    const tierParams =
      this.#catalog.product(asset.product.id)?.params.filter((p) => p.scope === 'tier1') ?? [];
    const params: Record<string, string> = {};
    for (const { id } of tierParams) if (typeof values[id] === 'string') params[id] = values[id];
    this.addTierConfigRequest({
      productId: asset.product.id,
      account,
      connectionType: asset.connection.type === 'test' ? 'test' : 'production',
      params,
    });
  }

  #tierConfigOf(
    productId: string,
    accountId: string,
    statuses: readonly TierConfigStatus[],
  ): TierConfigRequest | undefined {
    for (const tcr of this.#tierConfigs.values())
      if (
        tcr.configuration.product.id === productId &&
        tcr.configuration.account.id === accountId &&
        tcr.configuration.tier_level === 1 &&
        statuses.includes(tcr.status)
      )
        return tcr;
    return undefined;
  }

  /** An approved tier1 setup TCR releases the purchases that waited on it: tiers_setup → pending. */
  #releaseTierSetup(tcr: TierConfigRequest): void {
    if (tcr.status !== 'approved' || tcr.configuration.tier_level !== 1) return;
    for (const request of this.#requests.values()) {
      if (
        request.status !== 'tiers_setup' ||
        request.asset.product.id !== tcr.configuration.product.id ||
        request.asset.tiers.tier1.id !== tcr.configuration.account.id
      )
        continue;
      request.status = 'pending';
      this.#touch(request);
      this.#changed(request, 'tiers_setup', 'updated');
    }
  }

  getRequest<R = ConnectRequest>(id: string, handOut?: HandOut<ConnectRequest, R>): R | undefined {
    const request = this.#requests.get(id);
    return request && give(request, handOut);
  }

  listRequests(): ConnectRequest[] {
    return copy([...this.#requests.values()]);
  }

  /** A vendor action (approve, fail, inquire, pend), with the rules of transitions.ts; throws a SimulatorError. */
  act<R = ConnectRequest>(
    id: string,
    action: RequestAction,
    body: unknown = {},
    handOut?: HandOut<ConnectRequest, R>,
  ): R {
    const request = this.#request(id);
    const from = request.status;
    performAction(request, action, body);
    const asset = this.#assets.get(request.asset.id);
    if (asset) settleAsset(asset, request);
    this.#touch(request);
    this.#changed(request, from, action);
    return give(request, handOut);
  }

  /** PUT /requests/{id}: parameter values, value errors and the note (see request-update.ts). */
  update<R = ConnectRequest>(id: string, body: unknown, handOut?: HandOut<ConnectRequest, R>): R {
    const request = this.#request(id);
    updateRequest(request, body);
    this.#touch(request);
    this.#changed(request, request.status, 'updated');
    return give(request, handOut);
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
    this.#changed(request, 'inquiring', 'answered');
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

  // ---- conversations ---------------------------------------------------------------------------------

  /** One page of a conversation's messages (GET /conversations/{id}/messages). */
  listMessages<R = Page<Message>>(
    conversationId: string,
    query: ListQuery,
    handOut?: HandOut<Page<Message>, R>,
  ): R {
    return give(this.#conversations.listMessages(conversationId, query), handOut);
  }

  postMessage<R = Message>(conversationId: string, body: unknown, handOut?: HandOut<Message, R>): R {
    return give(this.#conversations.post(conversationId, body, this.#now()), handOut);
  }

  /** The messages on a request's conversation, oldest first. */
  messagesOf(requestId: string): Message[] {
    return copy(this.#conversations.messagesOf(requestId));
  }

  // ---- tier configuration requests -------------------------------------------------------------------

  addTierConfigRequest(spec: TierConfigSpec): TierConfigRequest {
    const product = this.#catalog.product(spec.productId);
    if (!product) throw new Error(`product ${spec.productId} does not exist`);
    const connection = this.#catalog.connectionOf(product.id, spec.connectionType ?? 'production');
    if (!connection) throw new Error(`product ${product.id} has no ${spec.connectionType} connection`);
    const level = spec.tierLevel ?? 1;
    const values = spec.params ?? {};
    const definitions = product.params.filter((p) => p.scope === `tier${level}`);
    for (const id of Object.keys(values))
      if (!definitions.some((d) => d.id === id))
        definitions.push({ id, title: id, type: 'text', phase: 'ordering', scope: `tier${level}` });
    const created = formatTimestamp(spec.created === undefined ? this.#now() : toMillis(spec.created));
    const tcr = buildTierConfigRequest({
      id: spec.id === undefined ? `${this.#ids.next('TCR')}-001` : this.#ids.claim(spec.id, 'TCR'),
      type: spec.type ?? 'setup',
      status: spec.status ?? 'pending',
      product,
      connection,
      marketplace: pickRef(this.#catalog.marketplaces[0]!),
      account: copy(spec.account),
      tierLevel: level,
      params: definitions.map((d) => makeParam(d, values[d.id] ?? null)),
      created,
    });
    this.#tierConfigs.set(tcr.id, tcr);
    this.#conversations.open(tcr.id, created); // Connect keeps one per TCR too: notes go there
    return copy(tcr);
  }

  getTierConfigRequest<R = TierConfigRequest>(
    id: string,
    handOut?: HandOut<TierConfigRequest, R>,
  ): R | undefined {
    const tcr = this.#tierConfigs.get(id);
    return tcr && give(tcr, handOut);
  }

  listTierConfigRequests(): TierConfigRequest[] {
    return copy([...this.#tierConfigs.values()]);
  }

  /** approve ({"template":{"id"}}), fail, inquire, pend of a TCR; throws a SimulatorError. */
  actOnTierConfig<R = TierConfigRequest>(
    id: string,
    action: RequestAction,
    body: unknown = {},
    handOut?: HandOut<TierConfigRequest, R>,
  ): R {
    const tcr = this.#tierConfigs.get(id) ?? missingTierConfig(id);
    performTierConfigAction(tcr, action, body, this.#touchTierConfig(tcr));
    this.#releaseTierSetup(tcr);
    return give(tcr, handOut);
  }

  /** PUT /tier/config-requests/{id}: the params' values and value errors. */
  updateTierConfig<R = TierConfigRequest>(
    id: string,
    body: unknown,
    handOut?: HandOut<TierConfigRequest, R>,
  ): R {
    const tcr = this.#tierConfigs.get(id) ?? missingTierConfig(id);
    updateTierConfigRequest(tcr, body);
    this.#touchTierConfig(tcr);
    return give(tcr, handOut);
  }

  /** As #touch, for a TCR's events.updated.at; returns the new time. */
  #touchTierConfig(tcr: TierConfigRequest): string {
    tcr.events.updated = { at: formatTimestamp(Math.max(this.#now(), toMillis(tcr.events.updated.at) + 1)) };
    return tcr.events.updated.at;
  }

  // ---- usage -----------------------------------------------------------------------------------------

  addUsageFile(file: UsageFile, records: UsageRecord[] = []): void {
    this.#usageFiles.set(file.id, copy(file));
    this.#usageRecords.push(...copy(records));
  }

  getUsageFile<R = UsageFile>(id: string, handOut?: HandOut<UsageFile, R>): R | undefined {
    const file = this.#usageFiles.get(id);
    return file && give(file, handOut);
  }

  // ---- listings --------------------------------------------------------------------------------------

  /** One page of a collection under a parsed RQL query; by default the items are copies. */
  list<R = Page<object>>(collection: Collection, query: ListQuery, handOut?: HandOut<Page<object>, R>): R {
    const index = collection === 'requests' ? this.#requestIndex : undefined;
    const page = runQuery<object>(this.#collection(collection), query, COLLECTION_RULES[collection], index);
    return give(page, handOut);
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
        return this.#catalog.marketplaces;
      case 'connections':
        return this.#catalog.connections;
      case 'conversations':
        return this.#conversations.conversations;
      case 'tierConfigRequests':
        return this.#tierConfigs.values();
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

  /** After every change of a request: keeps the index, then tells the listeners. */
  #changed(request: ConnectRequest, from: RequestStatus | undefined, cause: RequestChange['cause']): void {
    if (from !== undefined) this.#requestIndex.statusChanged(request, from);
    for (const listener of this.#listeners) listener({ request: copy(request), from, cause });
  }

  /** A purchase's new asset; for other types the named asset, or a fresh one in the status the type needs. */
  #assetFor(type: RequestType, spec: RequestSpec): Asset {
    if (type === 'purchase' || spec.assetId === undefined) {
      const status = type === 'purchase' ? 'processing' : type === 'resume' ? 'suspended' : 'active';
      // A change's quantities are what it asks for, not the fresh asset's current state.
      const asset = buildAsset(
        this.#assetContext(),
        type === 'change' ? { ...spec, quantities: undefined } : spec,
        status,
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

  #assetContext() {
    return { catalog: this.#catalog, ids: this.#ids, random: this.random };
  }
}

/** The caller's hand-out of a live object, or a deep copy of it. */
function give<T, R>(live: T, handOut: HandOut<T, R> | undefined): R {
  return handOut ? handOut(live) : (copy(live) as unknown as R);
}

function pickRef({ id, name }: { id: string; name: string }): { id: string; name: string } {
  return { id, name };
}

/** What a customer types when asked to fix a parameter (demo: inquiries get answered). */
function correctedValue(param: Param, request: ConnectRequest): string {
  if (param.type === 'email') {
    const contact = request.asset.tiers.customer.contact_info.contact;
    return contact.email;
  }
  if (param.value_choices.length > 0) return param.value_choices[0]!;
  // A domain is the one the customer's own e-mail is on.
  if (param.id.includes('domain'))
    return request.asset.tiers.customer.contact_info.contact.email.split('@')[1]!;
  return param.value ? `${param.value}-corrected` : 'provided by the customer';
}
