import { bodyStream } from './body-stream.ts';

/**
 * A JSON answer as a plain Fetch Response: the same status, body and headers (Content-Type,
 * Content-Length) as msw's HttpResponse.json, without what the simulator never uses and would pay for
 * on every call (cookie mocking, a Blob copy of the body to measure it). A status message is not set:
 * node's defaults are msw's.
 *
 * It keeps the JSON text it was made from, which the bridge writes as it is (see `unreadText`); the
 * body stream encodes that text only when something reads it (a per-test handler, a test).
 */
export interface JsonInit {
  status?: number;
  headers?: Record<string, string>;
}

const encoder = new TextEncoder();

export class JsonResponse extends Response {
  readonly #text: string;

  constructor(text: string, init: JsonInit = {}) {
    super(
      bodyStream(() => encoder.encode(text)),
      {
        status: init.status ?? 200,
        headers: {
          ...init.headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(text)),
        },
      },
    );
    this.#text = text;
  }

  /** The body as made, while nobody has taken the stream (if someone has, reading it again fails as it should). */
  get unreadText(): string | undefined {
    return this.bodyUsed || this.body?.locked ? undefined : this.#text;
  }
}

export function jsonResponse(value: unknown, init?: JsonInit): JsonResponse {
  return new JsonResponse(JSON.stringify(value), init);
}
