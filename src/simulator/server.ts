import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { RequestHandler, getResponse, type DefaultBodyType, type StrictRequest } from 'msw';
import { bodyStream } from './body-stream.ts';
import { ERROR_CODES, errorBody, noRoute } from './errors.ts';
import { API_BASE, isAuthorized } from './handlers.ts';
import { JsonResponse, jsonResponse } from './json-response.ts';
import { SlidingWindow, type JournalEntry, type StatsRecorder } from './stats.ts';

/**
 * A small node:http bridge in front of msw handlers: each incoming request becomes a Fetch Request,
 * the current handler list answers it, and the answer is written back, streaming bodies as they come
 * (a test can trickle a body) and dropping the connection for HttpResponse.error(). Latency, the rate
 * ceiling, the journal and the stats live here, around the handlers, so faults injected per test are
 * journaled and limited like everything else.
 */

export const CONNECT_VERSION = '37.0';
const ADMIN_PREFIX = '/_simulator/';

export interface BridgeOptions {
  host: string;
  port: number;
  /** The handlers to try for a request of this method; asked on every request, so per-test handlers added later take effect at once. */
  handlers: (method: string) => RequestHandler[];
  stats: StatsRecorder;
  apiKey?: string;
  latencyMs?: number;
  /** At most this many calls are served in any sliding second; the rest get 429 with Retry-After: 1. */
  rateLimit?: number;
}

export interface Bridge {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  close(): Promise<void>;
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  /** The calls served in the last second are kept only when there is a limit to hold. */
  const ceiling =
    options.rateLimit === undefined ? undefined : { max: options.rateLimit, served: new SlidingWindow() };
  let origin = '';
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const arrived = performance.now();
    const url = new URL(req.url ?? '/', origin);
    const body = await readBody(req);
    if (url.pathname.startsWith(ADMIN_PREFIX)) {
      await answer(res, await respond(req, res, url, body));
      return;
    }
    options.stats.recordArrival(at);
    const entry: Omit<JournalEntry, 'status'> = {
      at,
      method: req.method ?? 'GET',
      path: url.pathname.startsWith(`${API_BASE}/`) ? url.pathname.slice(API_BASE.length) : url.pathname,
      query: url.search.slice(1),
      body: journalBody(body),
      authorized: isAuthorized(req.headers.authorization, options.apiKey),
    };
    let response: Response;
    if (ceiling !== undefined && ceiling.served.count(at) >= ceiling.max) {
      response = tooManyRequests(ceiling.max);
    } else {
      ceiling?.served.add(at);
      response = await respond(req, res, url, body);
      // The latency is the answer's time from arrival to departure, the server's own work included,
      // as a client measures a round trip; waiting it out before the work would add the two.
      if (options.latencyMs) await sleep(Math.max(0, arrived + options.latencyMs - performance.now()));
    }
    if (response.type === 'error') {
      // A network error: no answer at all, the client sees its connection reset.
      options.stats.recordAnswer({ ...entry, status: 0 });
      req.socket.resetAndDestroy();
      return;
    }
    options.stats.recordAnswer({ ...entry, status: response.status });
    res.setHeader('Connect-Version', CONNECT_VERSION);
    await answer(res, response);
  }

  async function respond(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: Buffer,
  ): Promise<Response> {
    // The handlers' request signal aborts when the client goes away before the answer is complete.
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const method = req.method ?? 'GET';
    const request = new Request(url, {
      method,
      headers: headerPairs(req),
      body:
        method === 'GET' || method === 'HEAD' || body.length === 0
          ? undefined
          : bodyStream(() => new Uint8Array(body)),
      duplex: 'half', // required with a stream body: the whole body is at hand, nothing is streamed
      signal: abort.signal,
    });
    skipMswClone(request);
    try {
      return (
        (await getResponse(options.handlers(method), request)) ??
        jsonResponse(noRoute(method, url.pathname).body, { status: 404 })
      );
    } catch (err) {
      return jsonResponse(
        errorBody(
          ERROR_CODES.internal,
          `The simulator failed: ${err instanceof Error ? err.message : String(err)}`,
        ),
        { status: 500 },
      );
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;

  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Writes status, headers (the response's win over defaults already set) and body; a streamed body is passed on chunk by chunk, headers first. */
async function answer(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  response.headers.forEach((value, name) => res.setHeader(name, value));
  const text = response instanceof JsonResponse ? response.unreadText : undefined;
  if (text !== undefined) {
    res.end(text); // the simulator's own answers: no stream to read back
    return;
  }
  if (!response.body) {
    res.end();
    return;
  }
  if (response.headers.has('content-length')) {
    // Complete when made (HttpResponse.json and the like): one write, no stream plumbing per call.
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  // A streamed body (a test trickling it, or breaking it halfway): pass it on as it comes.
  res.flushHeaders();
  try {
    await pipeline(
      Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>),
      res,
    );
  } catch {
    // The client went away mid-body, or the stream failed: nothing left to tell anyone.
    res.destroy();
  }
}

/**
 * msw's RequestHandler.run clones each request (once, through its public clone cache) for the
 * execution result, which getResponse drops; the clone tees the body stream, and that costs more than
 * the matching itself. Caching the request as its own clone skips it and changes nothing handlers see.
 * (True of msw 3's getResponse: check again when msw is upgraded.)
 */
function skipMswClone(request: Request): void {
  const typed = request as StrictRequest<DefaultBodyType>; // msw's view of the same Request
  RequestHandler.cache.set(typed, typed);
}

function tooManyRequests(limit: number): Response {
  const body = errorBody(ERROR_CODES.throttled, `Too many requests: at most ${limit} per second.`);
  return jsonResponse(body, { status: 429, headers: { 'Retry-After': '1' } });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Every header line as received, repeats included (Headers joins those as node's headersDistinct would list them). */
function headerPairs(req: IncomingMessage): [string, string][] {
  const raw = req.rawHeaders;
  const pairs: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

function journalBody(body: Buffer): unknown {
  if (body.length === 0) return undefined;
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
