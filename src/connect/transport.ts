import { Pool, errors as undiciErrors } from './undici.ts';
import { ConnectError, routeOf, type ConnectErrorCode } from './errors.ts';
import { JsonArraySplitter } from './json-array.ts';
import { parseRetryAfter } from './retry-after.ts';

export interface TransportOptions {
  /** API base, e.g. https://api.connect.cloudblue.com/public/v1 */
  url: string;
  /** The token as configured; `ApiKey ` is prefixed when missing. */
  apiKey: string;
  userAgent: string;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Sockets kept to the API host; the gate bounds calls in flight, this only sizes the pool. */
  connections?: number;
}

export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT';
  /** Path under the API base, starting with '/', e.g. /requests/PR-1/approve */
  path: string;
  /** Raw query string without '?', already encoded (RQL is not key=value, so no URLSearchParams). */
  query?: string;
  body?: unknown;
  signal?: AbortSignal;
  /** The caller does not read a successful answer (actions): its JSON is checked for type, not parsed. */
  discardBody?: boolean;
  /**
   * A listing page: a successful answer must be a JSON array, and `data` is its elements' bytes
   * (JsonElement[]), each to be parsed when it is used (see json-array.ts).
   */
  arrayElements?: boolean;
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined for an empty body (204). */
  data: unknown;
}

const PREVIEW_CHARS = 300;

/**
 * The one place that speaks HTTP to Connect: an undici Pool on the API origin, auth and JSON.
 * It makes exactly one attempt; retrying, pacing and re-reading are the layers above it.
 */
export class Transport {
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #headers: Record<string, string>;
  readonly #timeouts: { headersTimeout: number; bodyTimeout: number };

  constructor(options: TransportOptions) {
    const base = new URL(options.url);
    this.#basePath = base.pathname.replace(/\/+$/, '');
    this.#pool = new Pool(base.origin, {
      connections: options.connections ?? 16,
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
    });
    this.#timeouts = { headersTimeout: options.headersTimeoutMs, bodyTimeout: options.bodyTimeoutMs };
    this.#headers = {
      authorization: authorizationHeader(options.apiKey),
      accept: 'application/json',
      'user-agent': options.userAgent,
    };
  }

  async send(call: HttpCall): Promise<HttpResult> {
    const route = routeOf(call.path);
    const fullPath = this.#basePath + call.path + (call.query ? `?${call.query}` : '');
    const where = { method: call.method, path: route };
    let response;
    try {
      response = await this.#pool.request({
        method: call.method,
        path: fullPath,
        headers:
          call.body === undefined ? this.#headers : { ...this.#headers, 'content-type': 'application/json' },
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: call.signal,
        ...this.#timeouts,
      });
    } catch (err) {
      throw failure(err, where, call.signal);
    }

    const headers = response.headers;
    const contentType = headerValue(headers['content-type']);
    const status = response.statusCode;
    const success = status >= 200 && status < 300;

    let text: string;
    try {
      if (success && call.discardBody && isJsonContentType(contentType)) {
        // Read to the end without decoding: the answer is not used, and a decoded copy of every
        // action's answer is garbage the heap would have to carry.
        await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
        return { status, headers, data: undefined };
      }
      if (success && call.arrayElements && isJsonContentType(contentType)) {
        const splitter = new JsonArraySplitter(PREVIEW_CHARS);
        for await (const chunk of response.body) splitter.push(chunk as Buffer);
        if (splitter.end()) return { status, headers, data: splitter.elements };
        throw new ConnectError('bad_response', `${call.method} ${route}: expected a JSON array`, {
          ...where,
          status,
          contentType,
          bodyPreview: splitter.preview(),
        });
      }
      text = await response.body.text();
    } catch (err) {
      throw failure(err, where, call.signal);
    }

    if (success) {
      if (text.trim() === '') return { status, headers, data: undefined };
      const parsed = parseJson(text);
      if (!parsed.ok || !isJsonContentType(contentType)) {
        throw new ConnectError(
          'bad_response',
          `${call.method} ${route}: expected JSON, got ${describe(contentType)}`,
          {
            ...where,
            status,
            contentType,
            bodyPreview: text.slice(0, PREVIEW_CHARS),
          },
        );
      }
      return { status, headers, data: parsed.value };
    }

    const parsed = parseJson(text);
    const body = parsed.ok ? connectErrorBody(parsed.value) : undefined;
    const code = codeForStatus(status, call.method);
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    const summary = body?.errors?.join('; ') || `HTTP ${status}`;
    throw new ConnectError(
      code,
      `${call.method} ${route}: ${status} ${body?.error_code ?? ''} ${summary}`.replace(/\s+/g, ' '),
      {
        ...where,
        status,
        connectCode: body?.error_code,
        errors: body?.errors,
        contentType,
        bodyPreview: body ? undefined : text.slice(0, PREVIEW_CHARS),
        retryAfterMs,
      },
    );
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }

  /** Forceful: drops sockets with calls in flight (second signal at shutdown). */
  async destroy(): Promise<void> {
    await this.#pool.destroy();
  }
}

export function authorizationHeader(apiKey: string): string {
  const token = apiKey.trim();
  return /^ApiKey\s/i.test(token) ? token : `ApiKey ${token}`;
}

function codeForStatus(status: number, method: string): ConnectErrorCode {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'server_error';
  // Connect does not document the error of an action in the wrong status; any other 4xx on a POST
  // action means "not allowed now", which the executor resolves by re-reading the request.
  return method === 'POST' ? 'invalid_state' : 'bad_request';
}

function failure(err: unknown, where: { method: string; path: string }, signal?: AbortSignal): ConnectError {
  if (err instanceof ConnectError) return err;
  if (signal?.aborted) {
    return new ConnectError('aborted', `${where.method} ${where.path}: aborted`, {
      ...where,
      cause: signal.reason,
    });
  }
  const code = (err as { code?: string }).code;
  const timeout =
    err instanceof undiciErrors.ConnectTimeoutError ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError;
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectError(
    timeout ? 'timeout' : 'network',
    // undici's messages often hold the code already ("connect ECONNREFUSED 127.0.0.1:443"): once is enough.
    `${where.method} ${where.path}: ${code && !message.includes(code) ? `${code} ` : ''}${message}`.trim(),
    {
      ...where,
      cause: err,
    },
  );
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function connectErrorBody(value: unknown): { error_code?: string; errors?: string[] } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  return {
    error_code: typeof v.error_code === 'string' ? v.error_code : undefined,
    errors: Array.isArray(v.errors) ? v.errors.map(String) : undefined,
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function isJsonContentType(contentType: string | undefined): boolean {
  // A missing content type with a JSON body is tolerated; an HTML page is not.
  return contentType === undefined || /json/i.test(contentType);
}

function describe(contentType: string | undefined): string {
  return contentType ? `a ${contentType} body` : 'a body that is not JSON';
}
