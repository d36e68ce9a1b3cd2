/**
 * The bare-client baseline (forked by processes.ts): what an undici Pool alone achieves against the
 * same Connect model with the same calls and the same calls in flight as the daemon — the keyset
 * listing of pending requests (next page asked for as soon as a page arrives), then one approve per
 * request — and no daemon logic: no validation, no handler, no rate window, no logging.
 *
 *   argv[2]: JSON of BaselineArgs  → { type: 'done', result: BaselineResult } and exit
 */
import { Pool } from 'undici';

export interface BaselineArgs {
  url: string;
  apiKey: string;
  products: string[];
  pageSize: number;
  /** Calls in flight at once (the daemon's rateLimit.concurrency). */
  concurrency: number;
}

export interface BaselineResult {
  calls: number;
  approved: number;
  failures: number;
  cpuMs: number;
  peakRssMb: number;
}

const enc = (v: string) =>
  encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

async function run(args: BaselineArgs): Promise<BaselineResult> {
  const origin = new URL(args.url);
  const base = origin.pathname.replace(/\/+$/, '');
  const pool = new Pool(origin.origin, { connections: args.concurrency });
  const headers = { authorization: `ApiKey ${args.apiKey}`, accept: 'application/json' };
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  let calls = 0;
  let failures = 0;
  const slot = async () => {
    if (inFlight >= args.concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight++;
  };
  const free = () => {
    inFlight--;
    waiting.shift()?.();
  };
  const request = async (method: 'GET' | 'POST', path: string, body?: string): Promise<unknown> => {
    await slot();
    calls++;
    try {
      const res = await pool.request({
        method,
        path,
        headers: body ? { ...headers, 'content-type': 'application/json' } : headers,
        body,
      });
      if (res.statusCode !== 200) failures++;
      if (method === 'GET') return await res.body.json();
      await res.body.dump();
      return undefined;
    } finally {
      free();
    }
  };
  const filter = `and(eq(status,pending),in(asset.product.id,(${args.products.map(enc).join(',')})))`;
  const page = (since: string | undefined, offset: number) =>
    request(
      'GET',
      `${base}/requests?${since ? filter.replace(/\)$/, `,ge(created,${enc(since)}))`) : filter}&ordering(created)&limit=${args.pageSize}&offset=${offset}`,
    ) as Promise<Array<{ id: string; created: string }>>;

  const seen = new Set<string>();
  const actions: Array<Promise<unknown>> = [];
  let approved = 0;
  let cursor: { since: string | undefined; offset: number } | undefined = { since: undefined, offset: 0 };
  let next = page(undefined, 0);
  while (cursor) {
    const items = await next;
    const last = items.at(-1)?.created;
    cursor =
      items.length < args.pageSize
        ? undefined
        : last === cursor.since
          ? { since: cursor.since, offset: cursor.offset + args.pageSize }
          : { since: last, offset: 0 };
    if (cursor) next = page(cursor.since, cursor.offset);
    for (const item of items) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      actions.push(
        request('POST', `${base}/requests/${enc(item.id)}/approve`, '{"template_id":"TL-BENCH"}').then(
          () => approved++,
        ),
      );
    }
  }
  await Promise.all(actions);
  await pool.close();
  const usage = process.resourceUsage();
  return {
    calls,
    approved,
    failures,
    cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
    peakRssMb: usage.maxRSS / 1024,
  };
}

const args = JSON.parse(process.argv[2] ?? '{}') as BaselineArgs;
const result = await run(args);
process.send?.({ type: 'done', result }, () => process.exit(0));
