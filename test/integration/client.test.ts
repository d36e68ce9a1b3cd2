import { afterEach, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import diagnostics from 'node:diagnostics_channel';
import { connectTo, type ConnectConnection } from '../../src/connect/index.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { captureLogs } from '../support/log-capture.ts';
import { testSettings, TEST_API_KEY } from '../support/harness.ts';

const PRODUCT = 'PRD-900-000-001';
let sim: RunningSimulator | undefined;
let connection: ConnectConnection | undefined;
afterEach(async () => {
  await connection?.close();
  await sim?.close();
  sim = connection = undefined;
});

async function setUp(options: { rps?: number; concurrency?: number; apiKey?: string } = {}) {
  sim = await startSimulator({ apiKey: TEST_API_KEY, seed: false });
  const settings = testSettings(sim.url);
  const logs = captureLogs({ secrets: [TEST_API_KEY, options.apiKey ?? TEST_API_KEY] });
  connection = connectTo(
    {
      ...settings.connect,
      apiKey: options.apiKey ?? TEST_API_KEY,
      requestsPerSecond: options.rps ?? 1_000,
      concurrency: options.concurrency ?? 8,
      retry: settings.retry,
    },
    logs.logger,
  );
  return { sim, client: connection.client, logs };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('listing pending requests', () => {
  it('hands out each request exactly once while the caller approves them and new ones arrive', async () => {
    const { sim, client } = await setUp();
    const seeded = Array.from({ length: 45 }, (_, i) =>
      sim.store.addRequest({
        productId: PRODUCT,
        created: Date.parse('2026-11-24T08:00:00Z') + Math.floor(i / 3) * 1000,
      }),
    );
    const seen: string[] = [];
    let arrivals = 0;
    for await (const request of client.listPendingRequests([PRODUCT], { pageSize: 10 })) {
      seen.push(request.id);
      await client.approve(request.id, { template_id: 'TL-1' }); // removes it from the pending listing
      if (seen.length % 7 === 0 && arrivals < 5) {
        arrivals++;
        sim.store.addRequest({ productId: PRODUCT }); // created now: after every seeded one
      }
    }
    expect(new Set(seen).size).toBe(seen.length); // none doubled
    expect(seen.slice(0, 45)).toEqual(seeded.map((r) => r.id)); // none lost, in created order
    expect(seen).toHaveLength(45 + arrivals); // arrivals during the pass are picked up too
    expect(sim.store.listRequests().filter((r) => r.status === 'pending')).toEqual([]);
  });

  it('asks for the next page while the current one is handled, and stops asking when the caller stops', async () => {
    const { sim, client } = await setUp();
    const start = Date.parse('2026-11-24T08:00:00Z');
    for (let i = 0; i < 35; i++) sim.store.addRequest({ productId: PRODUCT, created: start + i * 1000 });
    const listings = () => sim.journal.filter((e) => e.method === 'GET' && e.path === '/requests');
    const handled: string[] = [];
    for await (const request of client.listPendingRequests([PRODUCT], { pageSize: 10 })) {
      await client.approve(request.id, { template_id: 'TL-1' });
      handled.push(request.id);
      if (handled.length === 15) break;
    }
    // Page 2 was asked for before page 1's last request was approved, not after.
    const secondListing = sim.journal.indexOf(listings()[1]!);
    const tenthApproval = sim.journal.filter((e) => e.path.endsWith('/approve'))[9]!;
    expect(secondListing).toBeLessThan(sim.journal.indexOf(tenthApproval));
    // Stopping in page 2 drops the request for page 3 that was already under way; nothing more is listed.
    const listed = listings().length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listed).toBeLessThanOrEqual(3);
    expect(listings()).toHaveLength(listed);
    expect(sim.store.listRequests().filter((r) => r.status === 'approved')).toHaveLength(15);
  });

  it('lists the union of two statuses once each while 2,500 of each change status under it', async () => {
    const { sim, client } = await setUp();
    const start = Date.parse('2026-11-24T08:00:00Z');
    const ids = Array.from({ length: 5_000 }, (_, i) =>
      sim.store.addRequest({
        productId: PRODUCT,
        status: i % 2 ? 'inquiring' : 'pending',
        created: start + Math.floor(i / 4) * 1000, // ties of four
      }),
    ).map((r) => r.id);
    const seen: string[] = [];
    let changed = 0;
    for await (const request of client.listRequestsIn(['pending', 'inquiring'], [PRODUCT], {
      pageSize: 100,
    })) {
      seen.push(request.id);
      // Approving what was listed takes it out of the union (an offset pager would skip requests).
      if (request.status === 'pending') sim.store.act(request.id, 'approve', { template_id: 'TL-1' });
      // Someone else moves a request not listed yet from one status of the union to the other.
      const ahead = ids[seen.length + 150];
      const status = ahead === undefined ? undefined : sim.store.getRequest(ahead)?.status;
      if (status === 'inquiring') {
        sim.store.answerInquiry(ahead!);
        changed++;
      } else if (status === 'pending' && seen.length % 2 === 0) {
        sim.store.update(ahead!, { asset: { params: [{ id: 'email', value_error: 'Wrong.' }] } });
        sim.store.act(ahead!, 'inquire');
        changed++;
      }
    }
    expect(changed).toBeGreaterThan(2_500);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(ids);
  });

  it('gets through a page made entirely of one timestamp', async () => {
    const { sim, client } = await setUp();
    const sameTime = Date.parse('2026-11-24T08:00:00Z');
    const ids = Array.from(
      { length: 25 },
      () => sim.store.addRequest({ productId: PRODUCT, created: sameTime }).id,
    );
    const seen = (await collect(client.listPendingRequests([PRODUCT], { pageSize: 10 }))).map((r) => r.id);
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it('sets aside a malformed item with its id and uses the rest of the page', async () => {
    const { sim, client } = await setUp();
    const good = sim.store.addRequest({ productId: PRODUCT });
    sim.use(
      http.get('*/public/v1/requests', () =>
        HttpResponse.json(
          [{ id: 'PR-BROKEN-0001', type: 'purchase', status: 'pending' }, sim!.store.getRequest(good.id)],
          {
            headers: { 'Content-Range': 'items 0-1/2' },
          },
        ),
      ),
    );
    const invalid: Array<{ id?: string; problems: string[] }> = [];
    const listed = await collect(
      client.listPendingRequests([PRODUCT], { pageSize: 10, onInvalid: (item) => invalid.push(item) }),
    );
    expect(listed.map((r) => r.id)).toEqual([good.id]);
    expect(invalid).toEqual([
      expect.objectContaining({
        id: 'PR-BROKEN-0001',
        problems: expect.arrayContaining([expect.stringMatching(/^created|^asset/)]),
      }),
    ]);
  });
});

describe('actions', () => {
  type Client = ConnectConnection['client'];
  it.each([
    ['approve', (c: Client, id: string) => c.approve(id, { template_id: 'TL-1' }), 'approved', 'failed'],
    ['fail', (c: Client, id: string) => c.fail(id, 'out of stock'), 'failed', 'approved'],
    [
      'inquire',
      async (c: Client, id: string) => {
        await c.updateParams(id, [{ id: 'email', value_error: 'invalid' }]);
        return c.inquire(id);
      },
      'inquiring',
      'approved',
    ],
  ] as const)(
    '%s moves a pending request, and is refused from a terminal status',
    async (_name, act, target, terminalStatus) => {
      const { sim, client } = await setUp();
      const request = sim.store.addRequest({ productId: PRODUCT });
      await expect(act(client, request.id)).resolves.toEqual(expect.objectContaining({ result: 'done' }));
      expect(sim.store.getRequest(request.id)?.status).toBe(target);

      const terminal = sim.store.addRequest({ productId: PRODUCT, status: terminalStatus });
      await expect(act(client, terminal.id)).rejects.toMatchObject({
        code: expect.stringMatching(/invalid_state|bad_request/),
      });
      expect(sim.store.getRequest(terminal.id)?.status).toBe(terminalStatus);
    },
  );

  it('pend moves an inquiring request back to pending', async () => {
    const { sim, client } = await setUp();
    const request = sim.store.addRequest({
      productId: PRODUCT,
      status: 'inquiring',
      params: { email: { value: 'x', value_error: 'bad' } },
    });
    await expect(client.pend(request.id)).resolves.toEqual({ result: 'done', action: 'pend' });
    expect(sim.store.getRequest(request.id)?.status).toBe('pending');
  });

  it('an approve refused because someone else already approved counts as done, and is not re-sent', async () => {
    const { sim, client, logs } = await setUp();
    const request = sim.store.addRequest({ productId: PRODUCT });
    sim.store.act(request.id, 'approve', { template_id: 'TL-OTHER' }); // another operator was faster
    await expect(client.approve(request.id, { template_id: 'TL-1' })).resolves.toEqual({
      result: 'already_done',
      action: 'approve',
    });
    expect(sim.journal.filter((e) => e.method === 'POST')).toHaveLength(1);
    expect(logs.events('api.action_already_done')).toEqual([
      expect.objectContaining({ requestId: request.id }),
    ]);
  });
});

describe('the gate', () => {
  it('keeps every sliding 1 s window under the configured rate during a burst (measured at the server)', async () => {
    const { sim, client } = await setUp({ rps: 40, concurrency: 16 });
    const request = sim.store.addRequest({ productId: PRODUCT });
    await Promise.all(Array.from({ length: 120 }, () => client.getRequest(request.id)));
    const arrivals = sim.journal.map((e) => e.at).sort((a, b) => a - b);
    let worst = 0;
    for (let i = 0, j = 0; j < arrivals.length; j++) {
      while (arrivals[j]! - arrivals[i]! >= 1000) i++;
      worst = Math.max(worst, j - i + 1);
    }
    expect(arrivals).toHaveLength(120);
    expect(worst).toBeLessThanOrEqual(40);
    expect(sim.stats().maxCallsInAnySecond).toBeLessThanOrEqual(40);
  });

  it('hands an answer back only after the call its free slot let start has been sent', async () => {
    const { sim, client } = await setUp({ concurrency: 1 });
    const [a, b, c] = [1, 2, 3].map(() => sim.store.addRequest({ productId: PRODUCT }).id);
    // undici reports each request as its headers go onto the socket.
    const sent: string[] = [];
    const onSent = (message: unknown) => sent.push((message as { request: { path: string } }).request.path);
    diagnostics.subscribe('undici:client:sendHeaders', onSent);
    try {
      await client.approve(a!, { template_id: 'TL-1' }); // from here on, the one socket is a reused one
      const first = client.approve(b!, { template_id: 'TL-1' });
      const second = client.approve(c!, { template_id: 'TL-1' });
      await first;
      // One slot: the second call could start only when the first ended. Had the first answer come
      // back before the second call was written, whatever its caller did next would delay that call.
      expect(sent.map((path) => path.replace(/^.*\/requests\//, ''))).toEqual([
        `${a}/approve`,
        `${b}/approve`,
        `${c}/approve`,
      ]);
      await second;
    } finally {
      diagnostics.unsubscribe('undici:client:sendHeaders', onSent);
    }
  });
});

describe('authorization', () => {
  it('a wrong key gives the unauthorized error, and the key appears nowhere', async () => {
    const wrongKey = 'SU-WRONG-0000-0002:not-the-right-secret-123';
    const { sim, client, logs } = await setUp({ apiKey: wrongKey });
    const request = sim.store.addRequest({ productId: PRODUCT });
    const error = await client.getRequest(request.id).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401, connectCode: 'AUTH_001' });
    const serialized = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`;
    expect(serialized).not.toContain('not-the-right-secret');
    logs.logger.error({ err: error }, 'logged as a handler would');
    expect(logs.text()).not.toContain('not-the-right-secret');
    expect(sim.journal).toHaveLength(1); // not retried: a refused key does not get better
  });
});
