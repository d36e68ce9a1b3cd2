/**
 * Connect's error body is `{"error_code": "XXX_000", "errors": ["message", ...]}`. Only AUTH_001 is
 * documented (CONNECT-API.md); the other codes are the simulator's own, since Connect's are not
 * published. Clients must not depend on them beyond "a 4xx with this body shape".
 */
export const ERROR_CODES = {
  /** Documented by Connect. */
  unauthorized: 'AUTH_001',
  /** The action is not allowed in the request's status (Connect's real code is undocumented). */
  wrongStatus: 'REQ_003',
  /** No object with that id. */
  notFound: 'REQ_404',
  /** A body or field that fails validation. */
  invalid: 'VAL_001',
  /** A query the RQL parser does not accept. */
  badQuery: 'RQL_001',
  /** The simulator's `rateLimit` ceiling was exceeded. */
  throttled: 'THR_429',
  /** A path or method the simulator does not serve. */
  noRoute: 'API_404',
  /** A handler threw something else than a SimulatorError (a bug, or a test's fault injection). */
  internal: 'SIM_500',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

export interface ConnectErrorBody {
  error_code: string;
  errors: string[];
}

export function errorBody(code: string, ...errors: string[]): ConnectErrorBody {
  return { error_code: code, errors };
}

/** Thrown by the store and the parsers; handlers turn it into an HTTP answer. */
export class SimulatorError extends Error {
  override readonly name = 'SimulatorError';
  readonly status: number;
  readonly code: ErrorCode;

  constructor(status: number, code: ErrorCode, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }

  get body(): ConnectErrorBody {
    return errorBody(this.code, this.message);
  }
}

export const invalid = (message: string) => new SimulatorError(400, ERROR_CODES.invalid, message);
export const notFound = (message: string) => new SimulatorError(404, ERROR_CODES.notFound, message);
export const wrongStatus = (message: string) => new SimulatorError(400, ERROR_CODES.wrongStatus, message);
export const badQuery = (message: string) => new SimulatorError(400, ERROR_CODES.badQuery, message);
export const unauthorized = () =>
  new SimulatorError(401, ERROR_CODES.unauthorized, 'API request is unauthorized.');
export const noRoute = (method: string, path: string) =>
  new SimulatorError(404, ERROR_CODES.noRoute, `${method} ${path} is not served by the simulator.`);
