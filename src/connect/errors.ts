/**
 * Typed errors of the Connect client. Every failure of an API call ends up as a ConnectError with a
 * stable `code` that callers (retry policy, executor, cycle, logs, metrics) switch on. The error
 * carries what helps an operator (method, path, status, Connect's own error_code and messages, a
 * short body preview) and never the API key: the transport never puts it in anything it builds.
 */
export type ConnectErrorCode =
  /** 401/403: the key is wrong, revoked, or lacks permission. */
  | 'unauthorized'
  | 'not_found'
  /** A 4xx on an action: the request is not in a status that allows it (or the body was refused). */
  | 'invalid_state'
  /** Any other 4xx: our request was malformed. Retrying will not help. */
  | 'bad_request'
  /** 429 (or 503 with Retry-After): the server asked us to slow down. */
  | 'rate_limited'
  /** A Retry-After longer than `retry.maxRetryAfterMs`: the cycle ends instead of sleeping. */
  | 'retry_after_too_long'
  | 'server_error'
  /** Connect, headers or body timeout: the outcome of a write is unknown. */
  | 'timeout'
  /** Connection refused, reset, DNS...: the outcome of a write is unknown when the request was sent. */
  | 'network'
  /** A response we cannot use: non-JSON, empty where a body was expected, or failing the schema. */
  | 'bad_response'
  /** Our own signal aborted the call (shutdown, handler deadline). */
  | 'aborted';

export interface ConnectErrorDetails {
  method: string;
  path: string;
  status?: number;
  /** Connect's `error_code`, e.g. AUTH_001. */
  connectCode?: string;
  /** Connect's `errors` messages. */
  errors?: string[];
  contentType?: string;
  /** The first few hundred characters of a body we could not use. */
  bodyPreview?: string;
  /** The pause the server asked for, when it sent Retry-After. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class ConnectError extends Error {
  override readonly name = 'ConnectError';
  readonly code: ConnectErrorCode;
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly connectCode: string | undefined;
  readonly errors: string[] | undefined;
  readonly contentType: string | undefined;
  readonly bodyPreview: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ConnectErrorCode, message: string, details: ConnectErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.connectCode = details.connectCode;
    this.errors = details.errors;
    this.contentType = details.contentType;
    this.bodyPreview = details.bodyPreview;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** The fields worth a log line; pino serialises `err` with these. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      method: this.method,
      path: this.path,
      status: this.status,
      connectCode: this.connectCode,
      errors: this.errors,
      contentType: this.contentType,
      bodyPreview: this.bodyPreview,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

export function isConnectError(err: unknown, ...codes: ConnectErrorCode[]): err is ConnectError {
  return err instanceof ConnectError && (codes.length === 0 || codes.includes(err.code));
}

/** The part of a path we may show: no query string (it can hold customer data). */
export function routeOf(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}
