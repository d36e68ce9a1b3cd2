import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Health, ProbeResult } from './health.ts';
import type { Metrics } from './metrics.ts';
import { renderStatusPage } from './status-page.ts';
import type { StatusRecorder } from './status.ts';

export interface OpsServerOptions {
  /** Address to bind: `127.0.0.1` by default in the config, `0.0.0.0` in a container. */
  host: string;
  /** Port to bind; 0 picks a free one (tests). The CLI does not start the server when `ops.port` is 0. */
  port: number;
  health: Pick<Health, 'liveness' | 'readiness'>;
  metrics: Pick<Metrics, 'registry'>;
  /** When given, `/` (HTML) and `/status.json` show it. */
  status?: Pick<StatusRecorder, 'snapshot'>;
  log: Logger;
}

export interface OpsServer {
  /** e.g. `http://127.0.0.1:9464` */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open connections (scrapers keep them alive); resolves when closed. */
  close(): Promise<void>;
}

const PROBE_PATHS = ['/healthz', '/readyz', '/metrics'];
const STATUS_PATHS = ['/', '/status.json'];

function send(res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // The status page loads nothing from anywhere and runs no script; say so to the browser.
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  });
  res.end(head ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, head: boolean): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, head);
}

function probeBody(result: ProbeResult) {
  return {
    status: result.ok ? 'ok' : 'unavailable',
    reason: result.reason,
    message: result.message,
    ...result.details,
  };
}

/**
 * The ops endpoints on node:http: `GET /healthz` (liveness), `GET /readyz` (readiness), each 200 or 503
 * with a JSON body saying why, and `GET /metrics` (Prometheus text format). Anything else is 404
 * (405 for another method on those paths). It reads no request body and logs no header, so no secret
 * passes through it.
 */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const { health, metrics, status, log } = options;
  const PATHS = new Set(status ? [...STATUS_PATHS, ...PROBE_PATHS] : PROBE_PATHS);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!PATHS.has(path)) {
      sendJson(res, 404, { status: 'not_found', paths: [...PATHS] }, req.method === 'HEAD');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { status: 'method_not_allowed' }, false);
      return;
    }
    const head = req.method === 'HEAD';
    if (path === '/metrics') {
      const text = await metrics.registry.metrics();
      send(res, 200, metrics.registry.contentType, text, head);
      return;
    }
    if (status && path === '/status.json') {
      sendJson(res, 200, status.snapshot(), head);
      return;
    }
    if (status && path === '/') {
      send(res, 200, 'text/html; charset=utf-8', renderStatusPage(status.snapshot()), head);
      return;
    }
    const result = path === '/healthz' ? health.liveness() : health.readiness();
    sendJson(res, result.ok ? 200 : 503, probeBody(result), head);
  };

  const server = createServer((req, res) => {
    // The body, if any, is never read; let it drain so keep-alive works.
    req.resume();
    handle(req, res).catch((err: unknown) => {
      log.error({ event: 'ops.error', path: (req.url ?? '').split('?')[0], err }, 'ops endpoint failed');
      if (!res.headersSent) sendJson(res, 500, { status: 'error' }, false);
      else res.destroy();
    });
  });
  // Scrapers are on loopback or the pod network; nobody needs more than this.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ event: 'ops.error', err }, 'ops server error'));

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info({ event: 'ops.listening', url }, `ops endpoints on ${url} (${[...PATHS].join(', ')})`);

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
