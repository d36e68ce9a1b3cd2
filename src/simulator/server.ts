import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { getResponse, type RequestHandler } from 'msw';
import { ERROR_CODES, errorBody } from './errors.ts';
import { API_BASE, isAuthorized } from './handlers.ts';
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
  /** Asked on every request, so per-test handlers added later take effect at once. */
  handlers: () => RequestHandler[];
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
  const served = new SlidingWindow();
  let origin = '';
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
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
    if (options.rateLimit !== undefined && served.count(at) >= options.rateLimit) {
      response = tooManyRequests(options.rateLimit);
    } else {
      served.add(at);
      if (options.latencyMs) await sleep(options.latencyMs);
      response = await respond(req, res, url, body);
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
      headers: toHeaders(req),
      body: method === 'GET' || method === 'HEAD' || body.length === 0 ? undefined : new Uint8Array(body),
      signal: abort.signal,
    });
    try {
      return (
        (await getResponse(options.handlers(), request)) ??
        Response.json(
          errorBody(ERROR_CODES.noRoute, `${method} ${url.pathname} is not served by the simulator.`),
          { status: 404 },
        )
      );
    } catch (err) {
      return Response.json(
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

function tooManyRequests(limit: number): Response {
  const body = errorBody(ERROR_CODES.throttled, `Too many requests: at most ${limit} per second.`);
  return Response.json(body, { status: 429, headers: { 'Retry-After': '1' } });
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    for (const value of values ?? []) headers.append(name, value);
  }
  return headers;
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
