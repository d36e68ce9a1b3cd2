import { HttpResponse, http, type HttpHandler } from 'msw';
import { createDistributorRequest } from './distributor.ts';
import { ERROR_CODES, SimulatorError, errorBody, invalid, notFound } from './errors.ts';
import { ACTIONS, type RequestAction } from './model.ts';
import { contentRange } from './query.ts';
import { parseQuery, type ListQuery, type RqlFilter } from './rql.ts';
import type { SimulatorStats } from './stats.ts';
import type { Collection, SimulatorStore } from './store.ts';

/**
 * The simulator's msw handlers: Connect's routes under /public/v1 (vendor and distributor side), and
 * two admin routes outside it (/_simulator/stats, /_simulator/requests) for tests and benchmarks in
 * other processes. Per-test handlers go in front of these (RunningSimulator.use).
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
  const { store, apiKey } = options;

  const listing = (collection: Collection, request: Request, scope?: RqlFilter) => {
    const query = withScope(parseQuery(new URL(request.url).search), scope);
    const page = store.list(collection, query);
    return HttpResponse.json(page.items, { headers: { 'Content-Range': contentRange(page) } });
  };
  const found = (value: object | undefined, what: string): Response => {
    if (value === undefined) throw notFound(`${what} not found.`);
    return HttpResponse.json(value);
  };

  return [
    // Auth comes first: an unauthorized call gets 401 whatever it asks for. The key is never echoed.
    http.all(`${API}/*`, ({ request }) => {
      if (isAuthorized(request.headers.get('authorization'), apiKey)) return undefined;
      return HttpResponse.json(errorBody(ERROR_CODES.unauthorized, 'API request is unauthorized.'), {
        status: 401,
      });
    }),

    http.get(
      `${API}/requests`,
      guarded(({ request }) => listing('requests', request)),
    ),
    http.post(
      `${API}/requests`,
      guarded(async ({ request }) =>
        HttpResponse.json(createDistributorRequest(store, await readJson(request)), { status: 201 }),
      ),
    ),
    http.get<IdParams>(
      `${API}/requests/:id`,
      guarded<IdParams>(({ params }) => found(store.getRequest(params.id), `Request ${params.id}`)),
    ),
    http.put<IdParams>(
      `${API}/requests/:id`,
      guarded<IdParams>(async ({ params, request }) =>
        HttpResponse.json(store.update(params.id, await readJson(request))),
      ),
    ),
    ...ACTIONS.map((action) =>
      http.post<IdParams>(
        `${API}/requests/:id/${action}`,
        guarded<IdParams>(async ({ params, request }) => {
          const updated = store.act(params.id, action, await readJson(request));
          options.onActionAccepted?.(params.id, action);
          return HttpResponse.json(updated);
        }),
      ),
    ),

    http.get(
      `${API}/assets`,
      guarded(({ request }) => listing('assets', request)),
    ),
    http.get<IdParams>(
      `${API}/assets/:id`,
      guarded<IdParams>(({ params }) => found(store.getAsset(params.id), `Asset ${params.id}`)),
    ),
    http.get<IdParams>(
      `${API}/products/:id/connections`,
      guarded<IdParams>(({ params, request }) => {
        if (!store.getProduct(params.id)) throw notFound(`Product ${params.id} not found.`);
        return listing('connections', request, { op: 'eq', field: 'product.id', value: params.id });
      }),
    ),
    http.get(
      `${API}/marketplaces`,
      guarded(({ request }) => listing('marketplaces', request)),
    ),
    http.get<IdParams>(
      `${API}/usage/files/:id`,
      guarded<IdParams>(({ params }) => found(store.getUsageFile(params.id), `Usage file ${params.id}`)),
    ),
    http.get(
      `${API}/usage/records`,
      guarded(({ request }) => listing('usageRecords', request)),
    ),

    http.all(`${API}/*`, ({ request }) =>
      HttpResponse.json(
        errorBody(
          ERROR_CODES.noRoute,
          `${request.method} ${new URL(request.url).pathname} is not served by the simulator.`,
        ),
        { status: 404 },
      ),
    ),

    http.get('*/_simulator/stats', () => HttpResponse.json(options.stats?.() ?? null)),
    http.get('*/_simulator/requests', () =>
      HttpResponse.json(
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

/** Turns a SimulatorError thrown by the store or parsers into Connect's error answer. */
function guarded<Params = Record<string, unknown>>(
  resolver: (info: RouteInfo<Params>) => Response | Promise<Response>,
): (info: RouteInfo<Params>) => Promise<Response> {
  return async (info) => {
    try {
      return await resolver(info);
    } catch (err) {
      if (err instanceof SimulatorError) return HttpResponse.json(err.body, { status: err.status });
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
