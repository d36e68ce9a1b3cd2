import type { Logger } from 'pino';
import type { z } from 'zod';
import { sleep } from '../util/sleep.ts';
import { ConnectError, isConnectError, routeOf, type ConnectErrorCode } from './errors.ts';
import type { Gate } from './gate.ts';
import type { DryRun } from './dry-run.ts';
import { decideRetry, type RetryDecision, type RetryOptions } from './retry.ts';
import { joinQuery, rql, type Rql } from './rql.ts';
import {
  FulfillmentRequestSchema,
  describeIssues,
  parseContentRange,
  parseItem,
  parseItems,
  TierConfigRequestSchema,
  type FulfillmentRequest,
  type InvalidItem,
  type TierConfigRequest,
} from './schemas.ts';
import { parseElement, type JsonElement } from './json-array.ts';
import type { HttpCall, HttpResult, Transport } from './transport.ts';

/** Observers for metrics; the client works without them. */
export interface ClientHooks {
  onCall?(call: {
    method: string;
    route: string;
    status: number | undefined;
    code: ConnectErrorCode | undefined;
    durationMs: number;
  }): void;
  onRetry?(retry: {
    method: string;
    route: string;
    code: ConnectErrorCode;
    attempt: number;
    delayMs: number;
  }): void;
  /** Called right before each write (non-GET) is sent; throwing refuses it (a lost lease). */
  beforeWrite?(call: { method: string; path: string }): void;
}

export interface ConnectClientOptions {
  transport: Transport;
  gate: Gate;
  retry: RetryOptions;
  log: Logger;
  hooks?: ClientHooks;
  /** Dry run: no write is sent; each is handed to the recorder and answered as if it succeeded. */
  dryRun?: DryRun;
}

export interface ListOptions {
  pageSize: number;
  signal?: AbortSignal;
  /** Called for each listed item that fails validation; it is set aside, the rest of the page is used. */
  onInvalid?: (item: InvalidItem) => void;
}

/** The listings of the queue (requests, TCRs) also narrow by connection type. */
export interface QueueListOptions extends ListOptions {
  /** Only these connection types; undefined or all three: no filter. Empty: nothing is listed. */
  connectionTypes?: readonly string[];
}

/** Every connection type Connect has; asking for all of them needs no filter. */
const ALL_CONNECTION_TYPES = ['test', 'preview', 'production'];

export interface ParamUpdate {
  id: string;
  value?: unknown;
  value_error?: string;
  structured_value?: unknown;
}

export type ApproveBody = { template_id: string } | { activation_tile: string };

export type Action = 'approve' | 'fail' | 'inquire' | 'pend';

/** `done`: our call succeeded. `already_done`: a re-read found the request in the target status. */
export type ActionResult = { result: 'done' | 'already_done'; action: Action };

const TARGET_STATUS: Record<Action, string> = {
  approve: 'approved',
  fail: 'failed',
  inquire: 'inquiring',
  pend: 'pending',
};

/**
 * What the keyset listing and the actions need to know of one kind of object Connect moves through
 * statuses: asset requests (`/requests`) and tier configuration requests (`/tier/config-requests`).
 */
interface ObjectKind<T> {
  path: string;
  /** Strict: a listed item of this shape is handed out, an item read back is acted on. */
  schema: z.ZodType<T>;
  /** The statuses each action is allowed from. */
  allowedFrom: Record<Action, readonly string[]>;
  /** The item's creation time, the keyset the listing pages on (`created` in filters and ordering). */
  createdOf(item: unknown): string | undefined;
}

const REQUESTS: ObjectKind<FulfillmentRequest> = {
  path: '/requests',
  schema: FulfillmentRequestSchema,
  allowedFrom: {
    approve: ['pending'],
    fail: ['pending', 'inquiring', 'tiers_setup'],
    inquire: ['pending'],
    pend: ['inquiring'],
  },
  createdOf: (item) => nonEmpty((item as { created?: unknown } | null)?.created),
};

/** A TCR shows its creation time as `events.created.at`; Connect filters and orders it as `created`. */
const TIER_CONFIG_REQUESTS: ObjectKind<TierConfigRequest> = {
  path: '/tier/config-requests',
  schema: TierConfigRequestSchema,
  allowedFrom: {
    approve: ['pending'],
    fail: ['pending', 'inquiring'],
    inquire: ['pending'],
    pend: ['inquiring'],
  },
  createdOf: (item) =>
    nonEmpty((item as { events?: { created?: { at?: unknown } | null } | null } | null)?.events?.created?.at),
};

/** Failures after which re-reading the request would not help (or is not allowed to happen). */
const FINAL_FOR_ACTIONS: ReadonlySet<ConnectErrorCode> = new Set([
  'unauthorized',
  'aborted',
  'retry_after_too_long',
]);

/** Template for metrics and logs: ids replaced, so label sets stay bounded. */
export function routeTemplate(path: string): string {
  return routeOf(path).replace(/\/[A-Z]{2,4}-[0-9A-Za-z-]+/g, '/{id}');
}

/**
 * The Connect API client. Every call goes through the one gate (rate, concurrency, shared pause) and
 * the one retry policy; actions are never re-sent blindly (see #action).
 */
export class ConnectClient {
  readonly #transport: Transport;
  readonly #gate: Gate;
  readonly #retry: RetryOptions;
  readonly #log: Logger;
  readonly #hooks: ClientHooks;
  /** Set in a dry run (`--dry-run`): every write stops at #attempt. */
  readonly dryRun: DryRun | undefined;
  #apiVersionSeen = false;

  constructor(options: ConnectClientOptions) {
    this.#transport = options.transport;
    this.#gate = options.gate;
    this.#retry = options.retry;
    this.#log = options.log;
    this.#hooks = options.hooks ?? {};
    this.dryRun = options.dryRun;
  }

  /**
   * Every pending request of the given products, each exactly once, while other callers (this daemon
   * included) change statuses and new requests arrive. Offset paging would skip requests that leave
   * the listing and double those pushed down by new ones (CONNECT-API.md, "Pitfall"); instead pages are
   * keyed on `created` (ascending): each page asks for `created >= last seen`, and ids already handed
   * out are skipped. Only a page made entirely of one timestamp advances by offset within that tie.
   */
  async *listPendingRequests(
    productIds: readonly string[],
    options: ListOptions,
  ): AsyncGenerator<FulfillmentRequest> {
    yield* this.listRequestsIn(['pending'], productIds, options);
  }

  /**
   * listPendingRequests for several statuses at once (`in(status,(pending,inquiring))`): one keyed
   * listing of the union, so a request that moves from one to the other mid-listing is neither lost
   * nor doubled.
   */
  async *listRequestsIn(
    statuses: readonly string[],
    productIds: readonly string[],
    options: QueueListOptions,
  ): AsyncGenerator<FulfillmentRequest> {
    const types = connectionTypeFilter('asset.connection.type', options.connectionTypes);
    if (types === 'none') return;
    const filter = rql.and(statusFilter(statuses), rql.in('asset.product.id', productIds), ...types);
    yield* this.listRequests(filter, options);
  }

  async *listRequests(filter: Rql, options: ListOptions): AsyncGenerator<FulfillmentRequest> {
    yield* this.#keysetListing(REQUESTS, filter, options);
  }

  /**
   * The tier configuration requests (TCRs) of the given products in the given statuses, each exactly
   * once: the same keyed listing as the requests', on `/tier/config-requests`.
   */
  async *listTierConfigRequestsIn(
    statuses: readonly string[],
    productIds: readonly string[],
    options: QueueListOptions,
  ): AsyncGenerator<TierConfigRequest> {
    // The spec filters TCRs on configuration.connection.type (eq, in), like requests on the asset's.
    const types = connectionTypeFilter('configuration.connection.type', options.connectionTypes);
    if (types === 'none') return;
    const filter = rql.and(statusFilter(statuses), rql.in('configuration.product.id', productIds), ...types);
    yield* this.#keysetListing(TIER_CONFIG_REQUESTS, filter, options);
  }

  async *#keysetListing<T extends { id: string }>(
    kind: ObjectKind<T>,
    filter: Rql,
    options: ListOptions,
  ): AsyncGenerator<T> {
    const seen = new Set<string>();
    // The next page is asked for as soon as a page arrives, while its requests are handled: fetched
    // only when they have all been handed out, every page boundary would leave the calls in flight
    // idle for a round trip plus the page's validation. Its cursor depends on this page alone.
    const stopped = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stopped.signal]) : stopped.signal;
    const fetchPage = (cursor: KeysetCursor) => {
      const page = this.#page(kind.path, keysetQuery(filter, cursor, options.pageSize), signal);
      page.catch(() => {}); // awaited below, or dropped with the listing when the consumer stops first
      return page;
    };
    let cursor: KeysetCursor | undefined = { since: undefined, offset: 0 };
    let next = fetchPage(cursor);
    try {
      while (cursor) {
        const items: Array<JsonElement | undefined> = (await next).items;
        cursor =
          items.length < options.pageSize
            ? undefined
            : advance(cursor, lastItem(items), options.pageSize, kind.createdOf);
        if (cursor) next = fetchPage(cursor);
        // Each item is parsed and validated when it is handed out, not the whole page on arrival: a
        // page of 1,000 realistic requests took ~50 ms of zod in one go, stalling every answer in
        // flight meanwhile. And each element is dropped from the page once handed out, so the page's
        // bytes are freed as the cycle goes instead of living until its last item is done.
        for (let index = 0; index < items.length; index++) {
          const element = items[index]!;
          items[index] = undefined;
          const checked = parseItem(element, index, kind.schema);
          if (!checked.ok) {
            options.onInvalid?.(checked.invalid);
            continue;
          }
          const item = checked.item;
          if (seen.has(item.id)) continue;
          seen.add(item.id);
          yield item;
        }
      }
    } finally {
      stopped.abort(); // the consumer stopped early: the page asked for ahead is not needed
    }
  }

  /** Every item of an offset-paged listing that does not change while it is read (usage records, assets). */
  async *paginate<T>(
    path: string,
    filter: string,
    schema: z.ZodType<T>,
    options: ListOptions,
  ): AsyncGenerator<T> {
    for (let offset = 0; ; offset += options.pageSize) {
      const query = joinQuery(filter, `limit=${options.pageSize}`, `offset=${offset}`);
      const { items, total } = await this.#page(path, query, options.signal);
      const { valid, invalid } = parseItems(items, schema);
      invalid.forEach((item) => options.onInvalid?.(item));
      yield* valid;
      if (items.length < options.pageSize || (total !== undefined && offset + items.length >= total)) return;
    }
  }

  async getRequest(id: string, signal?: AbortSignal): Promise<FulfillmentRequest> {
    return this.get(`/requests/${encodeURIComponent(id)}`, FulfillmentRequestSchema, signal);
  }

  /** GET one object, validated strictly: it is about to be acted on. */
  async get<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal, query?: string): Promise<T> {
    const result = await this.call({ method: 'GET', path, query, signal });
    return validate(result, schema, 'GET', path);
  }

  /** Sets parameter values and/or value errors. A PUT of the same values is harmless, so it is retried. */
  async updateParams(id: string, params: ParamUpdate[], signal?: AbortSignal): Promise<void> {
    await this.call({
      method: 'PUT',
      path: `/requests/${encodeURIComponent(id)}`,
      body: { asset: { params } },
      signal,
    });
  }

  approve(id: string, body: ApproveBody, signal?: AbortSignal): Promise<ActionResult> {
    return this.#action(REQUESTS, id, 'approve', body, signal);
  }

  fail(id: string, reason: string, signal?: AbortSignal): Promise<ActionResult> {
    return this.#action(REQUESTS, id, 'fail', { reason }, signal);
  }

  inquire(id: string, signal?: AbortSignal): Promise<ActionResult> {
    return this.#action(REQUESTS, id, 'inquire', {}, signal);
  }

  pend(id: string, signal?: AbortSignal): Promise<ActionResult> {
    return this.#action(REQUESTS, id, 'pend', {}, signal);
  }

  async getTierConfigRequest(id: string, signal?: AbortSignal): Promise<TierConfigRequest> {
    return this.get(
      `${TIER_CONFIG_REQUESTS.path}/${encodeURIComponent(id)}`,
      TierConfigRequestSchema,
      signal,
    );
  }

  /** A TCR's parameter values and/or value errors (`{"params":[...]}`); harmless to repeat, so retried. */
  async updateTierConfigParams(id: string, params: ParamUpdate[], signal?: AbortSignal): Promise<void> {
    await this.call({
      method: 'PUT',
      path: `${TIER_CONFIG_REQUESTS.path}/${encodeURIComponent(id)}`,
      body: { params },
      signal,
    });
  }

  /** A TCR is approved with a template only: `{"template":{"id":"TL-..."}}`. */
  approveTierConfig(id: string, templateId: string, signal?: AbortSignal): Promise<ActionResult> {
    return this.#action(TIER_CONFIG_REQUESTS, id, 'approve', { template: { id: templateId } }, signal);
  }

  failTierConfig(id: string, reason: string, signal?: AbortSignal): Promise<ActionResult> {
    return this.#action(TIER_CONFIG_REQUESTS, id, 'fail', { reason }, signal);
  }

  inquireTierConfig(id: string, signal?: AbortSignal): Promise<ActionResult> {
    return this.#action(TIER_CONFIG_REQUESTS, id, 'inquire', {}, signal);
  }

  pendTierConfig(id: string, signal?: AbortSignal): Promise<ActionResult> {
    return this.#action(TIER_CONFIG_REQUESTS, id, 'pend', {}, signal);
  }

  /** A write whose repetition is not harmless (creating requests): one attempt past the gate, retried only on 429. */
  async create(path: string, body: unknown, signal?: AbortSignal): Promise<HttpResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt({ method: 'POST', path, body, signal });
      } catch (err) {
        if (!isConnectError(err, 'rate_limited')) throw err;
        await this.#waitOrThrow(err, attempt, 'POST', path, signal);
      }
    }
  }

  /** A call that may be repeated safely (GET, PUT): retried within the policy. */
  async call(call: HttpCall): Promise<HttpResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(call);
      } catch (err) {
        await this.#waitOrThrow(err, attempt, call.method, call.path, call.signal);
      }
    }
  }

  /**
   * POST an action, never doubled. A 429 means the server did not process it, so it is re-sent after
   * the pause. Any other failure leaves the outcome unknown (a reset after the server acted, a 5xx
   * from a proxy, a 4xx because someone else acted first): the request is re-read, and if it is
   * already in the target status the action is done. Only a request still in a status the action is
   * allowed from is tried again, within the retry policy.
   */
  async #action<T extends { status: string }>(
    kind: ObjectKind<T>,
    id: string,
    action: Action,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<ActionResult> {
    const objectPath = `${kind.path}/${encodeURIComponent(id)}`;
    const path = `${objectPath}/${action}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#attempt({ method: 'POST', path, body, signal, discardBody: true });
        return { result: 'done', action };
      } catch (err) {
        if (!isConnectError(err) || FINAL_FOR_ACTIONS.has(err.code)) throw err;
        if (err.code !== 'rate_limited') {
          const current = await this.get(objectPath, kind.schema, signal);
          if (current.status === TARGET_STATUS[action]) {
            this.#log.info(
              { event: 'api.action_already_done', requestId: id, action, status: current.status, err },
              `${action} of ${id}: already ${current.status}, nothing to send`,
            );
            return { result: 'already_done', action };
          }
          const allowedFrom = kind.allowedFrom[action];
          if (!allowedFrom.includes(current.status)) {
            throw new ConnectError(
              'invalid_state',
              `${action} of ${id}: request is ${current.status}, not ${allowedFrom.join('/')}`,
              {
                method: 'POST',
                path: routeOf(path),
                status: err.status,
                connectCode: err.connectCode,
                errors: err.errors,
                cause: err,
              },
            );
          }
        }
        await this.#waitOrThrow(err, attempt, 'POST', path, signal);
      }
    }
  }

  async #page(
    path: string,
    query: string,
    signal?: AbortSignal,
  ): Promise<{ items: JsonElement[]; total: number | undefined }> {
    const result = await this.call({ method: 'GET', path, query, signal, arrayElements: true });
    return {
      items: result.data as JsonElement[], // what `arrayElements` answers (or it threw bad_response)
      total: parseContentRange(result.headers['content-range'])?.total,
    };
  }

  /**
   * One attempt through the gate, observed for metrics. Every call the client makes ends here, so a
   * dry run stops writes here: whatever new kind of write is added later is covered too.
   */
  async #attempt(call: HttpCall): Promise<HttpResult> {
    if (call.method !== 'GET' && this.dryRun) {
      const path = call.query ? `${call.path}?${call.query}` : call.path;
      this.dryRun.record({
        method: call.method,
        path,
        ...(call.body !== undefined ? { body: call.body } : {}),
      });
      return { status: 200, headers: {}, data: undefined };
    }
    return this.#gate.run(async () => {
      if (call.method !== 'GET') this.#hooks.beforeWrite?.({ method: call.method, path: call.path });
      const started = performance.now();
      const observe = (status: number | undefined, code: ConnectErrorCode | undefined) =>
        this.#hooks.onCall?.({
          method: call.method,
          route: routeTemplate(call.path),
          status,
          code,
          durationMs: performance.now() - started,
        });
      try {
        const result = await this.#transport.send(call);
        observe(result.status, undefined);
        this.#noteApiVersion(result);
        return result;
      } catch (err) {
        if (isConnectError(err)) observe(err.status, err.code);
        throw err;
      }
    }, call.signal);
  }

  /** Logs Connect's API version once, from the first answer that names it: useful when behaviour changes. */
  #noteApiVersion(result: HttpResult): void {
    if (this.#apiVersionSeen) return;
    const version = result.headers['connect-version'];
    if (version === undefined) return;
    this.#apiVersionSeen = true;
    this.#log.info(
      { event: 'api.connected', connectVersion: String(version) },
      `Connect API version ${String(version)}`,
    );
  }

  /** Sleeps before the next attempt, or rethrows when the policy says the failure is final. */
  async #waitOrThrow(
    err: unknown,
    attempt: number,
    method: string,
    path: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const decision: RetryDecision = decideRetry(err, attempt, this.#retry);
    if (!decision.retry || !isConnectError(err)) throw err;
    if (decision.pauseAll) this.#gate.pauseFor(decision.delayMs);
    const route = routeOf(path);
    this.#log.warn(
      {
        event: 'api.retry',
        method,
        path: route,
        status: err.status,
        code: err.code,
        attempt,
        delayMs: decision.delayMs,
      },
      `${method} ${route}: attempt ${attempt}/${this.#retry.maxAttempts} failed (${err.status ?? err.code}); retrying in ${decision.delayMs} ms`,
    );
    this.#hooks.onRetry?.({
      method,
      route: routeTemplate(path),
      code: err.code,
      attempt,
      delayMs: decision.delayMs,
    });
    await sleep(decision.delayMs, signal);
  }
}

function validate<T>(result: HttpResult, schema: z.ZodType<T>, method: string, path: string): T {
  const parsed = schema.safeParse(result.data);
  if (parsed.success) return parsed.data;
  const problems = result.data === undefined ? ['empty body'] : describeIssues(parsed.error);
  throw new ConnectError(
    'bad_response',
    `${method} ${routeOf(path)}: unexpected response: ${problems.slice(0, 5).join('; ')}`,
    {
      method,
      path: routeOf(path),
      status: result.status,
      bodyPreview: JSON.stringify(result.data ?? null).slice(0, 300),
    },
  );
}

/** `eq(status,X)` for one status (the common case, and the simulator's fast path), else `in(status,(...))`. */
export function statusFilter(statuses: readonly string[]): Rql {
  return statuses.length === 1 ? rql.eq('status', statuses[0]!) : rql.in('status', statuses);
}

/**
 * The connection-type term of a queue listing: none for all types (the query stays as before),
 * `eq` for one, `in` for two; 'none' when no type is wanted, so nothing needs to be asked.
 */
export function connectionTypeFilter(field: string, types: readonly string[] | undefined): Rql[] | 'none' {
  if (types === undefined || ALL_CONNECTION_TYPES.every((type) => types.includes(type))) return [];
  if (types.length === 0) return 'none';
  return [types.length === 1 ? rql.eq(field, types[0]!) : rql.in(field, types)];
}

/** Where the next page of a keyset listing starts: `created >= since`, skipping `offset` items of a tie. */
interface KeysetCursor {
  since: string | undefined;
  offset: number;
}

function keysetQuery(filter: Rql, cursor: KeysetCursor, pageSize: number): string {
  return joinQuery(
    cursor.since === undefined ? filter : rql.and(filter, rql.ge('created', cursor.since)),
    rql.ordering('created'),
    `limit=${pageSize}`,
    `offset=${cursor.offset}`,
  );
}

/** The cursor after a full page: past its last timestamp, or further into a tie that fills the page. */
function advance(
  cursor: KeysetCursor,
  last: unknown,
  pageSize: number,
  createdOf: (item: unknown) => string | undefined,
): KeysetCursor {
  const lastCreated = createdOf(last);
  // Without a usable timestamp on the last item, or within one timestamp, page on by offset.
  if (lastCreated === undefined || lastCreated === cursor.since)
    return { since: cursor.since, offset: cursor.offset + pageSize };
  return { since: lastCreated, offset: 0 };
}

/** A full page's last item, parsed for its timestamp (once more when it is handed out: one per page). */
function lastItem(items: ReadonlyArray<JsonElement | undefined>): unknown {
  const element = items[items.length - 1];
  const parsed = element === undefined ? undefined : parseElement(element);
  return parsed?.ok ? parsed.value : undefined;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
