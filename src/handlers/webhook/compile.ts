import { Pool } from '../../connect/undici.ts';
import { REQUEST_TYPES } from '../../connect/schemas.ts';
import type { HandlerContext, HandlerFunction, VendorHandler } from '../../fulfillment/handler.ts';
import { signature } from './sign.ts';
import type { WebhookSpec } from './types.ts';

/** Bodies larger than this are not an outcome; reading stops there. */
const MAX_ANSWER_BYTES = 1_000_000;

type Kind = 'request' | 'tier_config_request';
type WebhookFunction = (
  request: unknown,
  context: Pick<HandlerContext, 'signal' | 'attempt' | 'cycleId'>,
) => Promise<unknown>;

export type WebhookHandler = VendorHandler & {
  tierConfig: { setup: WebhookFunction; update: WebhookFunction };
  /** Closes the webhook's connections (the daemon's shutdown, tests). */
  close(): Promise<void>;
};

/**
 * The VendorHandler a checked `webhook:` entry stands for: every request type (and tier config
 * request) is POSTed, signed, through the webhook's own pool, so a slow webhook never holds the
 * Connect client's slots. The answer is returned as is: the daemon validates it like a module's.
 */
export function compileWebhook(spec: WebhookSpec, name: string): WebhookHandler {
  const url = new URL(spec.url);
  const pool = new Pool(url.origin, { connections: 8, keepAliveTimeout: 4_000 });
  const path = `${url.pathname}${url.search}`;

  const call = (kind: Kind) => async (request: unknown, context: Parameters<WebhookFunction>[1]) => {
    const body = JSON.stringify({ kind, request, attempt: context.attempt, cycleId: context.cycleId });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signal = spec.timeoutMs
      ? AbortSignal.any([context.signal, AbortSignal.timeout(spec.timeoutMs)])
      : context.signal;
    const answer = await pool.request({
      method: 'POST',
      path,
      body,
      signal,
      headers: {
        'content-type': 'application/json',
        'x-fulfillment-timestamp': timestamp,
        'x-fulfillment-signature': signature(spec.secret, timestamp, body),
      },
    });
    const text = await readLimited(answer.body);
    if (answer.statusCode !== 200) {
      throw new Error(
        `webhook ${name} answered ${answer.statusCode}${text ? `: ${text.slice(0, 200)}` : ''}`,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`webhook ${name} answered 200 with a body that is not JSON: ${text.slice(0, 200)}`);
    }
  };

  const handler: Record<string, unknown> = { name };
  for (const type of REQUEST_TYPES) handler[type] = call('request') as unknown as HandlerFunction;
  handler.tierConfig = { setup: call('tier_config_request'), update: call('tier_config_request') };
  handler.close = () => pool.close();
  return handler as WebhookHandler;
}

async function readLimited(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) throw new Error(`webhook answer is larger than ${MAX_ANSWER_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
