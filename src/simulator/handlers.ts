import { http, type HttpHandler } from 'msw';
import { createDistributorRequest } from './distributor.ts';
import { SimulatorError, invalid, noRoute, notFound, unauthorized } from './errors.ts';
import { jsonResponse } from './json-response.ts';
import { ACTIONS, type RequestAction } from './model.ts';
import { contentRange } from './query.ts';
import { parseQuery, type ListQuery, type RqlFilter } from './rql.ts';
import type { SimulatorStats } from './stats.ts';
import type { Collection, SimulatorStore } from './store.ts';

/**
 * The simulator's msw handlers: Connect's routes under /public/v1 (vendor and distributor side), and
 * two admin routes outside it (/_simulator/stats, /_simulator/requests) for tests and benchmarks in
 * other processes. Per-test handlers go in front of these (RunningSimulator.use).
 *
 * Answers are made from the store's live objects (its reads take a hand-out function), serialized at
 * once, so nothing is copied first.
 */

export const API_BASE = '/public/v1';
const API = `*${API_BASE}`;

export interface SimulatorHandlerOptions {
  store: SimulatorStore;
  /** When set, every API call must carry `Authorization: ApiKey <token>`. */
  apiKey?: string;
  /** Served at GET /_simulator/stats. */
  stats?: () => SimulatorStats;
  /** Called for each action the store accepted. */
  onActionAccepted?: (requestId: string, action: RequestAction) => void;
}

/** The header a client must send: the option may hold the token with or without the `ApiKey ` prefix. */
export function expectedAuthorization(apiKey: string): string {
  return apiKey.startsWith('ApiKey ') ? apiKey : `ApiKey ${apiKey}`;
}

export function isAuthorized(header: string | null | undefined, apiKey: string | undefined): boolean {
  return apiKey === undefined || header === expectedAuthorization(apiKey);
}

export function createSimulatorHandlers(options: SimulatorHandlerOptions): HttpHandler[] {
  const { store } = options;
  // Every API route checks the key first: an unauthorized call gets 401 whatever it asks for.
  const route = <Params>(resolver: Resolver<Params>) => apiRoute(options.apiKey, resolver);

  const listing = (collection: Collection, request: Request, scope?: RqlFilter) => {
    const query = withScope(parseQuery(new URL(request.url).search), scope);
    return store.list(collection, query, (page) =>
      jsonResponse(page.items, { headers: { 'Content-Range': contentRange(page) } }),
    );
  };
  const found = (answer: Response | undefined, what: string): Response => {
    if (answer === undefined) throw notFound(`${what} not found.`);
    return answer;
  };

  // msw tries the handlers of a method in this order: the daemon's calls (the listing, the actions) first.
  return [
    http.get(
      `${API}/requests`,
      route(({ request }) => listing('requests', request)),
    ),
    ...ACTIONS.map((action) =>
      http.post<IdParams>(
        `${API}/requests/:id/${action}`,
        route<IdParams>(async ({ params, request }) => {
          const answer = store.act(params.id, action, await readJson(request), jsonResponse);
          options.onActionAccepted?.(params.id, action);
          return answer;
        }),
      ),
    ),
    http.get<IdParams>(
      `${API}/requests/:id`,
      route<IdParams>(({ params }) =>
        found(store.getRequest(params.id, jsonResponse), `Request ${params.id}`),
      ),
    ),
    http.put<IdParams>(
      `${API}/requests/:id`,
      route<IdParams>(async ({ params, request }) =>
        store.update(params.id, await readJson(request), jsonResponse),
      ),
    ),
    http.post(
      `${API}/requests`,
      route(async ({ request }) =>
        jsonResponse(createDistributorRequest(store, await readJson(request)), { status: 201 }),
      ),
    ),

    http.get(
      `${API}/tier/config-requests`,
      route(({ request }) => listing('tierConfigRequests', request)),
    ),
    ...ACTIONS.map((action) =>
      http.post<IdParams>(
        `${API}/tier/config-requests/:id/${action}`,
        route<IdParams>(async ({ params, request }) => {
          const tcr = store.actOnTierConfig(params.id, action, await readJson(request), (live) => live);
          // The spec answers approve with the template and date, the other actions with 204.
          if (action !== 'approve') return new Response(null, { status: 204 });
          return jsonResponse({
            template: { id: tcr.template.id, representation: tcr.template.name },
            effective_date: tcr.events.updated.at,
          });
        }),
      ),
    ),
    http.get<IdParams>(
      `${API}/tier/config-requests/:id`,
      route<IdParams>(({ params }) =>
        found(store.getTierConfigRequest(params.id, jsonResponse), `Tier configuration request ${params.id}`),
      ),
    ),
    http.put<IdParams>(
      `${API}/tier/config-requests/:id`,
      route<IdParams>(async ({ params, request }) =>
        store.updateTierConfig(params.id, await readJson(request), jsonResponse),
      ),
    ),

    http.get(
      `${API}/assets`,
      route(({ request }) => listing('assets', request)),
    ),
    http.get<IdParams>(
      `${API}/assets/:id`,
      route<IdParams>(({ params }) => found(store.getAsset(params.id, jsonResponse), `Asset ${params.id}`)),
    ),
    http.get<IdParams>(
      `${API}/products/:id/connections`,
      route<IdParams>(({ params, request }) => {
        if (!store.getProduct(params.id)) throw notFound(`Product ${params.id} not found.`);
        return listing('connections', request, { op: 'eq', field: 'product.id', value: params.id });
      }),
    ),
    http.get(
      `${API}/marketplaces`,
      route(({ request }) => listing('marketplaces', request)),
    ),
    http.get<IdParams>(
      `${API}/usage/files/:id`,
      route<IdParams>(({ params }) =>
        found(store.getUsageFile(params.id, jsonResponse), `Usage file ${params.id}`),
      ),
    ),
    http.get(
      `${API}/usage/records`,
      route(({ request }) => listing('usageRecords', request)),
    ),

    http.get(
      `${API}/conversations`,
      route(({ request }) => listing('conversations', request)),
    ),
    http.get<IdParams>(
      `${API}/conversations/:id/messages`,
      route<IdParams>(({ params, request }) =>
        store.listMessages(params.id, parseQuery(new URL(request.url).search), (page) =>
          jsonResponse(page.items, { headers: { 'Content-Range': contentRange(page) } }),
        ),
      ),
    ),
    http.post<IdParams>(
      `${API}/conversations/:id/messages`,
      route<IdParams>(async ({ params, request }) =>
        store.postMessage(params.id, await readJson(request), (message) =>
          jsonResponse(message, { status: 201 }),
        ),
      ),
    ),

    http.all(
      `${API}/*`,
      route(({ request }) => {
        throw noRoute(request.method, new URL(request.url).pathname);
      }),
    ),

    http.get('*/_simulator/stats', () => jsonResponse(options.stats?.() ?? null)),
    http.get('*/_simulator/requests', () =>
      jsonResponse(
        store.listRequests().map(({ id, type, status, created, updated, asset }) => ({
          id,
          type,
          status,
          created,
          updated,
          asset_id: asset.id,
          product_id: asset.product.id,
        })),
      ),
    ),
  ];
}

type IdParams = { id: string };

/** What the resolvers below read of msw's resolver info. */
interface RouteInfo<Params> {
  request: Request;
  params: Params;
}
type Resolver<Params> = (info: RouteInfo<Params>) => Response | Promise<Response>;

/**
 * An API route: refuses a call without the right key (401, the key never echoed) before the route
 * looks at it, and turns a SimulatorError thrown by the store or parsers into Connect's error answer.
 */
function apiRoute<Params>(
  apiKey: string | undefined,
  resolver: Resolver<Params>,
): (info: RouteInfo<Params>) => Promise<Response> {
  return async (info) => {
    try {
      if (!isAuthorized(info.request.headers.get('authorization'), apiKey)) throw unauthorized();
      return await resolver(info);
    } catch (err) {
      if (err instanceof SimulatorError) return jsonResponse(err.body, { status: err.status });
      throw err;
    }
  };
}

/** The JSON body, undefined when empty; malformed JSON is a 400 like Connect's. */
async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw invalid('The request body is not valid JSON.');
  }
}

/** A route's own condition (a product's connections) and-ed with the client's filter. */
function withScope(query: ListQuery, scope: RqlFilter | undefined): ListQuery {
  if (scope === undefined) return query;
  return {
    ...query,
    filter: query.filter === undefined ? scope : { op: 'and', terms: [scope, query.filter] },
  };
}
