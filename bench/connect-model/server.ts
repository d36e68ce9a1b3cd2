/**
 * A minimal model of Connect's request queue for the benchmark, independent of src/simulator (so the
 * figures are not measured only against the project's own simulator): a node:http server that keeps
 * the requests in memory and answers
 *
 *   GET  /requests?<rql>&ordering(created)&limit=N&offset=M   (the daemon's keyset listing: status,
 *        product and `created >=` terms of an and(...), see src/connect/client.ts)
 *   GET  /requests/{id}
 *   POST /requests/{id}/approve|fail|inquire|pend              (state change at arrival)
 *   PUT  /requests/{id}                                        (answered with the request)
 *   GET  /tier/config-requests                                  (always empty)
 *
 * Every answer leaves a fixed `latencyMs` after the call arrived. Pages are built from each request's
 * JSON text, prepared once and again after each change, so the model's own CPU stays small and the
 * daemon's is what is measured. It checks the API key, and answers 400 for a query it does not know.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RealisticRequest } from './requests.ts';

export interface ModelOptions {
  requests: RealisticRequest[];
  latencyMs: number;
  apiKey: string;
  host?: string;
  port?: number;
}

export interface JournalEntry {
  at: number;
  method: string;
  path: string;
  status: number;
}

interface Stored {
  request: RealisticRequest;
  json: string;
}

const TARGET: Record<string, { status: string; from: readonly string[] }> = {
  approve: { status: 'approved', from: ['pending'] },
  fail: { status: 'failed', from: ['pending', 'inquiring', 'tiers_setup'] },
  inquire: { status: 'inquiring', from: ['pending'] },
  pend: { status: 'pending', from: ['inquiring'] },
};

export interface ListQuery {
  statuses: string[] | undefined;
  products: string[] | undefined;
  since: string | undefined;
  limit: number;
  offset: number;
}

/** The daemon's listing query → its parts; undefined when it holds a term the model does not know. */
export function parseListQuery(query: string): ListQuery | undefined {
  const out: ListQuery = {
    statuses: undefined,
    products: undefined,
    since: undefined,
    limit: 100,
    offset: 0,
  };
  for (const part of query.split('&')) {
    if (part === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^limit=(\d+)$/.exec(part))) out.limit = Number(m[1]);
    else if ((m = /^offset=(\d+)$/.exec(part))) out.offset = Number(m[1]);
    else if (part === 'ordering(created)') continue;
    else {
      for (const term of andTerms(part)) {
        if ((m = /^eq\(status,([^,()]+)\)$/.exec(term))) out.statuses = [decodeURIComponent(m[1]!)];
        else if ((m = /^in\(status,\(([^()]*)\)\)$/.exec(term))) out.statuses = list(m[1]!);
        else if ((m = /^in\(asset\.product\.id,\(([^()]*)\)\)$/.exec(term))) out.products = list(m[1]!);
        else if ((m = /^ge\(created,([^,()]+)\)$/.exec(term))) out.since = decodeURIComponent(m[1]!);
        else return undefined;
      }
    }
  }
  return out;
}

const list = (text: string) => text.split(',').map(decodeURIComponent);

/** The terms of a (possibly nested) and(...): the keyset cursor wraps the filter in one more. */
function andTerms(text: string): string[] {
  const inner = /^and\((.*)\)$/.exec(text)?.[1];
  return inner === undefined ? [text] : splitTerms(inner).flatMap(andTerms);
}

/** Top-level terms of an RQL argument list (commas inside parentheses belong to the term). */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.filter(Boolean);
}

export interface RunningModel {
  url: string;
  journal: JournalEntry[];
  requests(): RealisticRequest[];
  close(): Promise<void>;
}

export async function startConnectModel(options: ModelOptions): Promise<RunningModel> {
  // Ordered by creation time: the listing filters `created >=` and pages in that order.
  const stored: Stored[] = [...options.requests]
    .sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0))
    .map((request) => ({ request, json: JSON.stringify(request) }));
  const byId = new Map(stored.map((s) => [s.request.id, s]));
  const journal: JournalEntry[] = [];
  const authorization = `ApiKey ${options.apiKey}`;

  const firstAtOrAfter = (since: string) => {
    let lo = 0;
    let hi = stored.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (stored[mid]!.request.created < since) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const listPage = (q: ListQuery): { body: string; range: string } => {
    const matches: string[] = [];
    let skipped = 0;
    let total = 0;
    for (let i = q.since === undefined ? 0 : firstAtOrAfter(q.since); i < stored.length; i++) {
      const { request, json } = stored[i]!;
      if (q.statuses && !q.statuses.includes(request.status)) continue;
      if (q.products && !q.products.includes(request.asset.product.id)) continue;
      total++;
      if (skipped < q.offset) skipped++;
      else if (matches.length < q.limit) matches.push(json);
    }
    const last = q.offset + matches.length - 1;
    return {
      body: `[${matches.join(',')}]`,
      range: `items ${q.offset}-${Math.max(q.offset, last)}/${total}`,
    };
  };

  const route = (
    method: string,
    path: string,
    query: string,
  ): { status: number; body: string; headers?: Record<string, string> } => {
    if (method === 'GET' && path === '/requests') {
      const q = parseListQuery(query);
      if (!q) return error(400, 'REQ_000', `query not understood by the model: ${query}`);
      const page = listPage(q);
      return { status: 200, body: page.body, headers: { 'content-range': page.range } };
    }
    if (method === 'GET' && path === '/tier/config-requests')
      return { status: 200, body: '[]', headers: { 'content-range': 'items 0-0/0' } };
    const m = /^\/requests\/([^/]+)(?:\/([a-z]+))?$/.exec(path);
    const target = m ? byId.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !target) return error(404, 'REQ_404', `not found: ${path}`);
    const action = m[2];
    if (action === undefined && (method === 'GET' || method === 'PUT'))
      return { status: 200, body: target.json };
    const rule = action && method === 'POST' ? TARGET[action] : undefined;
    if (!rule) return error(405, 'REQ_405', `${method} ${path} is not modelled`);
    if (!rule.from.includes(target.request.status))
      return error(400, 'REQ_003', `request is ${target.request.status}, not ${rule.from.join('/')}`);
    target.request.status = rule.status;
    target.request.updated = new Date().toISOString().replace('Z', '+00:00');
    target.json = JSON.stringify(target.request);
    return { status: 200, body: target.json };
  };

  const server = http.createServer((req, res) => {
    const arrivedAt = Date.now();
    const [path = '', query = ''] = (req.url ?? '').split('?', 2);
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      journal.push({ at: arrivedAt, method: req.method ?? '', path, status });
      const send = () =>
        res
          .writeHead(status, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...headers,
          })
          .end(body);
      const wait = arrivedAt + options.latencyMs - Date.now();
      if (wait > 0) setTimeout(send, wait);
      else send();
    };
    req.resume(); // the bodies the daemon sends (template id, reason) are not needed by the model
    req.on('end', () => {
      if (req.headers.authorization !== authorization) {
        const e = error(401, 'AUTH_001', 'unauthorized');
        answer(e.status, e.body);
        return;
      }
      const result = route(req.method ?? 'GET', path, query);
      answer(result.status, result.body, result.headers);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    journal,
    requests: () => stored.map((s) => s.request),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function error(status: number, code: string, message: string) {
  return { status, body: JSON.stringify({ error_code: code, errors: [message] }) };
}
