import { afterEach, describe, expect, it } from '@jest/globals';
import { delay, http, HttpResponse } from 'msw';
import { createDaemon } from '../../src/daemon/build.ts';
import type { VendorHandler } from '../../src/fulfillment/handler.ts';
import { Router } from '../../src/fulfillment/router.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { captureLogs } from '../support/log-capture.ts';
import { startHarness, testSettings, TEST_API_KEY, type Harness } from '../support/harness.ts';

const PRODUCT = 'PRD-900-000-001';
const LIST = '*/public/v1/requests';
const APPROVE = '*/public/v1/requests/:id/approve';

const approveAll: VendorHandler = {
  products: [PRODUCT],
  purchase: () => ({ action: 'approve', templateId: 'TL-1' }),
};

let harness: Harness | undefined;
let extraSim: RunningSimulator | undefined;
afterEach(async () => {
  await harness?.close();
  await extraSim?.close();
  harness = extraSim = undefined;
});

async function withRequests(
  count: number,
  options: Parameters<typeof startHarness>[0] = { handlers: [approveAll] },
) {
  harness = await startHarness(options);
  const ids = Array.from({ length: count }, () => harness!.sim.store.addRequest({ productId: PRODUCT }).id);
  const statuses = () => ids.map((id) => harness!.sim.store.getRequest(id)?.status);
  return { h: harness, ids, statuses };
}

/** A JSON answer whose body arrives in steps: text is sent, a number waits that long, an Error breaks it. */
function trickle(...steps: Array<string | number | Error>) {
  return () =>
    new HttpResponse(
      new ReadableStream({
        async start(controller) {
          for (const step of steps) {
            if (typeof step === 'number') await delay(step);
            else if (step instanceof Error) return controller.error(step);
            else controller.enqueue(new TextEncoder().encode(step));
          }
          controller.close();
        },
      }),
      { headers: { 'Content-Type': 'application/json' } },
    );
}

/** Journal entries of one method whose path ends with `suffix`. */
const calls = (h: Harness, method: string, suffix = '') =>
  h.sim.journal.filter((e) => e.method === method && e.path.endsWith(suffix));

describe('Retry-After', () => {
  it('a 429 with Retry-After seconds pauses every call for that long, then the cycle completes', async () => {
    const { h, statuses } = await withRequests(3);
    h.sim.use(
      http.get(
        LIST,
        () =>
          HttpResponse.json(
            { error_code: 'THROTTLED', errors: ['slow down'] },
            { status: 429, headers: { 'Retry-After': '1' } },
          ),
        { once: true },
      ),
    );

    const summary = await h.daemon.runCycle();

    expect(summary).toMatchObject({ result: 'completed', approved: 3 });
    expect(statuses()).toEqual(['approved', 'approved', 'approved']);
    expect(h.logs.events('api.retry')).toEqual([
      expect.objectContaining({ status: 429, delayMs: 1000, attempt: 1, path: '/requests' }),
    ]);
    const [throttled, ...rest] = h.sim.journal;
    expect(throttled!.status).toBe(429);
    expect(rest.every((e) => e.at - throttled!.at >= 990)).toBe(true); // nothing was sent during the pause
  });

  it('reads an HTTP-date Retry-After', async () => {
    const { h } = await withRequests(1);
    const inTwoSeconds = new Date(Date.now() + 2_000).toUTCString();
    h.sim.use(
      http.get(
        LIST,
        () => new HttpResponse(null, { status: 429, headers: { 'Retry-After': inTwoSeconds } }),
        { once: true },
      ),
    );
    await expect(h.daemon.runCycle()).resolves.toMatchObject({ result: 'completed', approved: 1 });
    const [retry] = h.logs.events('api.retry');
    expect(retry!.delayMs).toBeGreaterThan(500);
    expect(retry!.delayMs).toBeLessThanOrEqual(2_000);
  });

  it('a Retry-After date in the past falls back to the computed backoff, never a busy loop', async () => {
    const { h } = await withRequests(1);
    h.sim.use(
      http.get(
        LIST,
        () =>
          new HttpResponse(null, {
            status: 429,
            headers: { 'Retry-After': 'Wed, 21 Oct 2015 07:28:00 GMT' },
          }),
        { once: true },
      ),
    );
    await expect(h.daemon.runCycle()).resolves.toMatchObject({ result: 'completed', approved: 1 });
    const [retry] = h.logs.events('api.retry');
    expect(retry!.delayMs).toBeGreaterThanOrEqual(1);
    expect(retry!.delayMs).toBeLessThanOrEqual(h.settings.retry.maxDelayMs);
  });

  it('a Retry-After beyond retry.maxRetryAfterMs ends the cycle instead of sleeping through it', async () => {
    const { h, statuses } = await withRequests(2);
    h.sim.use(
      http.get(LIST, () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '3600' } })),
    );
    const summary = await h.daemon.runCycle();
    expect(summary).toMatchObject({ result: 'aborted', abortedBy: 'retry_after_too_long', found: 0 });
    expect(statuses()).toEqual(['pending', 'pending']);
    expect(h.logs.events('cycle.aborted')[0]?.msg).toMatch(/wait 3600 s, more than retry\.maxRetryAfterMs/);
  });
});

describe('server errors and broken responses', () => {
  it('503 bursts on an approve: re-read, still pending, sent again — accepted once', async () => {
    const { h, ids, statuses } = await withRequests(1);
    h.sim.use(
      http.post(APPROVE, () => new HttpResponse('Service Unavailable', { status: 503 }), { once: true }),
    );
    h.sim.use(
      http.post(APPROVE, () => new HttpResponse('Service Unavailable', { status: 503 }), { once: true }),
    );

    await expect(h.daemon.runCycle()).resolves.toMatchObject({ approved: 1, errors: 0 });

    expect(statuses()).toEqual(['approved']);
    expect(calls(h, 'POST', '/approve')).toHaveLength(3);
    expect(h.sim.stats().actions[ids[0]!]?.approve).toBe(1);
    expect(h.logs.events('api.retry')).toHaveLength(2);
  });

  it('a 500 that persists on one action leaves that request pending with backoff; the others go on', async () => {
    const { h, ids, statuses } = await withRequests(3);
    h.sim.use(
      http.post(`*/public/v1/requests/${ids[1]}/approve`, () =>
        HttpResponse.json({ error_code: 'SYS_001', errors: ['boom'] }, { status: 500 }),
      ),
    );

    const summary = await h.daemon.runCycle();

    expect(summary).toMatchObject({ result: 'completed', approved: 2, errors: 1 });
    expect(statuses()).toEqual(['approved', 'pending', 'approved']);
    expect(calls(h, 'POST', `${ids[1]}/approve`)).toHaveLength(h.settings.retry.maxAttempts);
    expect(h.logs.events('request.error')).toEqual([
      expect.objectContaining({
        requestId: ids[1],
        code: 'server_error',
        attempt: 1,
        nextAttemptInMs: h.settings.processing.backoffBaseMs,
      }),
    ]);
    expect(h.backoff.waitFor(ids[1]!)).toBeGreaterThan(0);
  });

  it('an HTML 502 page is a typed error with status, content type and a short preview', async () => {
    const { h, statuses } = await withRequests(1);
    const page = `<html><head><title>502 Bad Gateway</title></head><body>${'x'.repeat(2000)}</body></html>`;
    h.sim.use(
      http.get(LIST, () => new HttpResponse(page, { status: 502, headers: { 'Content-Type': 'text/html' } })),
    );

    const summary = await h.daemon.runCycle();

    expect(summary).toMatchObject({ result: 'aborted', abortedBy: 'server_error' });
    expect(statuses()).toEqual(['pending']);
    const [aborted] = h.logs.events('cycle.aborted');
    expect(aborted!.err).toMatchObject({
      code: 'server_error',
      status: 502,
      contentType: 'text/html',
      bodyPreview: expect.stringMatching(/^<html>/),
    });
    expect((aborted!.err as { bodyPreview: string }).bodyPreview.length).toBeLessThanOrEqual(300);
    expect(h.logs.events('api.retry')).toHaveLength(h.settings.retry.maxAttempts - 1);
  });

  it('malformed JSON on a listing page is retried, then the cycle goes on', async () => {
    const { h, statuses } = await withRequests(2);
    h.sim.use(
      http.get(
        LIST,
        () => new HttpResponse('[{"id": "PR-', { headers: { 'Content-Type': 'application/json' } }),
        { once: true },
      ),
    );
    await expect(h.daemon.runCycle()).resolves.toMatchObject({ result: 'completed', approved: 2 });
    expect(statuses()).toEqual(['approved', 'approved']);
    expect(h.logs.events('api.retry')).toEqual([expect.objectContaining({ code: 'bad_response' })]);
  });

  it('an empty 200 where a request was expected is a bad response, not a crash', async () => {
    const { h, ids } = await withRequests(1);
    h.sim.use(http.get(`*/public/v1/requests/${ids[0]}`, () => new HttpResponse(null, { status: 200 })));
    await expect(h.connection.client.getRequest(ids[0]!)).rejects.toMatchObject({
      code: 'bad_response',
      message: expect.stringMatching(/empty body/),
    });
  });

  it('schema drift in one listed item: that item is set aside by id, the rest processed', async () => {
    const { h, ids, statuses } = await withRequests(2);
    h.sim.use(
      http.get(LIST, ({ request }) => {
        if (new URL(request.url).search.includes('ge(created')) return undefined; // later pages as usual
        const page = ids.map((id) => h.sim.store.getRequest(id)!) as unknown as Array<
          Record<string, unknown>
        >;
        page.splice(1, 0, { ...page[0], id: 'PR-DRIFT-0001', asset: { product: 'PRD-900-000-001' } });
        return HttpResponse.json(page, { headers: { 'Content-Range': `items 0-2/3` } });
      }),
    );
    const summary = await h.daemon.runCycle();
    expect(summary).toMatchObject({ result: 'completed', approved: 2, invalid: 1 });
    expect(statuses()).toEqual(['approved', 'approved']);
    expect(h.logs.events('request.invalid')).toEqual([
      expect.objectContaining({ requestId: 'PR-DRIFT-0001', problems: expect.any(Array) }),
    ]);
  });
  it('one listed item that is not JSON: it is set aside by its place in the page, the rest processed', async () => {
    const { h, ids, statuses } = await withRequests(2);
    h.sim.use(
      http.get(LIST, ({ request }) => {
        if (new URL(request.url).search.includes('ge(created')) return undefined; // later pages as usual
        const [first, second] = ids.map((id) => JSON.stringify(h.sim.store.getRequest(id)));
        return new HttpResponse(`[${first},{"id":"PR-BROKEN-0001",status:pending},${second}]`, {
          headers: { 'Content-Type': 'application/json', 'Content-Range': 'items 0-2/3' },
        });
      }),
    );
    const summary = await h.daemon.runCycle();
    expect(summary).toMatchObject({ result: 'completed', approved: 2, invalid: 1 });
    expect(statuses()).toEqual(['approved', 'approved']);
    const [invalid] = h.logs.events('request.invalid');
    expect(invalid).toMatchObject({ problems: [expect.stringMatching(/^not valid JSON/)] });
    expect(invalid!.msg).toMatch(/^listed request #1 set aside: not valid JSON/);
  });
});

describe('connections', () => {
  it('a reset before the answer: a GET is retried', async () => {
    const { h } = await withRequests(1);
    h.sim.use(http.get(LIST, () => HttpResponse.error(), { once: true }));
    await expect(h.daemon.runCycle()).resolves.toMatchObject({ result: 'completed', approved: 1 });
    expect(h.logs.events('api.retry')).toEqual([expect.objectContaining({ code: 'network', method: 'GET' })]);
  });

  it('a reset after the server approved: the POST is not re-sent, a re-read finds it done', async () => {
    const { h, ids, statuses } = await withRequests(1);
    h.sim.use(
      http.post(
        APPROVE,
        async ({ params, request }) => {
          h.sim.store.act(String(params.id), 'approve', await request.json()); // the server acts...
          return HttpResponse.error(); // ...and the answer is lost
        },
        { once: true },
      ),
    );

    await expect(h.daemon.runCycle()).resolves.toMatchObject({ approved: 1, errors: 0 });

    expect(statuses()).toEqual(['approved']);
    expect(calls(h, 'POST', '/approve')).toHaveLength(1);
    expect(h.logs.events('api.action_already_done')).toEqual([
      expect.objectContaining({ requestId: ids[0], action: 'approve' }),
    ]);
    expect(h.logs.events('request.processed')).toEqual([
      expect.objectContaining({ requestId: ids[0], alreadyDone: true }),
    ]);
  });

  it('a reset while the body streams: the GET is retried', async () => {
    const { h } = await withRequests(1);
    h.sim.use(http.get(LIST, trickle('[{"id":"PR-', 50, new Error('connection lost')), { once: true }));
    await expect(h.daemon.runCycle()).resolves.toMatchObject({ result: 'completed', approved: 1 });
    expect(h.logs.events('api.retry')).toEqual([
      expect.objectContaining({ method: 'GET', code: expect.stringMatching(/network|bad_response/) }),
    ]);
  });

  it('slow headers beyond the headers timeout are a timeout, retried', async () => {
    const { h } = await withRequests(1, {
      handlers: [approveAll],
      settings: (s) => ({ ...s, connect: { ...s.connect, headersTimeoutMs: 300 } }),
    });
    h.sim.use(
      http.get(
        LIST,
        async () => {
          await delay(1_000);
          return HttpResponse.json([]);
        },
        { once: true },
      ),
    );
    await expect(h.daemon.runCycle()).resolves.toMatchObject({ result: 'completed', approved: 1 });
    expect(h.logs.events('api.retry')).toEqual([expect.objectContaining({ code: 'timeout' })]);
  });

  it('a body that trickles beyond the body timeout is a timeout, retried', async () => {
    const { h } = await withRequests(1, {
      handlers: [approveAll],
      settings: (s) => ({ ...s, connect: { ...s.connect, bodyTimeoutMs: 300 } }),
    });
    h.sim.use(http.get(LIST, trickle('[', 1_000, ']'), { once: true }));
    await expect(h.daemon.runCycle()).resolves.toMatchObject({ result: 'completed', approved: 1 });
    expect(h.logs.events('api.retry')).toEqual([expect.objectContaining({ code: 'timeout' })]);
  });

  it('connection refused at start-up: the cycle is aborted; once Connect is back the next one completes', async () => {
    const probe = await startSimulator({ seed: false });
    const port = Number(new URL(probe.url).port);
    await probe.close(); // nothing listens on that port now
    const logs = captureLogs({ secrets: [TEST_API_KEY] });
    const settings = testSettings(probe.url);
    const built = createDaemon(
      settings,
      new Router([{ name: 'all', handler: approveAll, products: [PRODUCT] }]),
      logs.logger,
    );
    try {
      await expect(built.daemon.runCycle()).resolves.toMatchObject({
        result: 'aborted',
        abortedBy: 'network',
      });
      extraSim = await startSimulator({ apiKey: TEST_API_KEY, seed: false, port });
      const request = extraSim.store.addRequest({ productId: PRODUCT });
      await expect(built.daemon.runCycle()).resolves.toMatchObject({ result: 'completed', approved: 1 });
      expect(extraSim.store.getRequest(request.id)?.status).toBe('approved');
    } finally {
      await built.connection.close();
    }
  });
});

describe('authorization', () => {
  it('a 401 mid-cycle ends the cycle at once; the next cycle tries again', async () => {
    const { h, statuses } = await withRequests(6, {
      handlers: [approveAll],
      settings: (s) => ({
        ...s,
        processing: { ...s.processing, concurrency: 1 },
        rateLimit: { ...s.rateLimit, concurrency: 1 },
      }),
    });
    let served = 0;
    h.sim.use(
      http.all('*/public/v1/*', () =>
        ++served > 3
          ? HttpResponse.json(
              { error_code: 'AUTH_001', errors: ['API request is unauthorized.'] },
              { status: 401 },
            )
          : undefined,
      ),
    );

    const first = await h.daemon.runCycle();

    expect(first).toMatchObject({ result: 'aborted', abortedBy: 'unauthorized' });
    const refused = h.sim.journal.filter((e) => e.status === 401);
    expect(refused).toHaveLength(1); // no hammering
    expect(h.logs.events('api.unauthorized')).toHaveLength(1);
    expect(statuses().filter((s) => s === 'approved')).toHaveLength(2); // the listing and two approves got through

    h.sim.resetHandlers();
    await expect(h.daemon.runCycle()).resolves.toMatchObject({ result: 'completed', approved: 4 });
    expect(statuses().every((s) => s === 'approved')).toBe(true);
    expect(h.logs.text()).not.toContain(TEST_API_KEY.split(':')[1]);
  });
});

describe('handlers', () => {
  it('a handler that hangs ignoring its signal is cut off at its deadline; its slot is freed', async () => {
    let hungSignal: AbortSignal | undefined;
    const hangOnFirst: VendorHandler = {
      products: [PRODUCT],
      purchase: (request, context) => {
        if (request.asset.external_id === 'hang') {
          hungSignal = context.signal;
          return new Promise(() => {}); // never settles, ignores the signal
        }
        return { action: 'approve', templateId: 'TL-1' };
      },
    };
    harness = await startHarness({
      handlers: [hangOnFirst],
      settings: (s) => ({ ...s, processing: { ...s.processing, concurrency: 1, handlerTimeoutMs: 200 } }),
    });
    const hung = harness.sim.store.addRequest({ productId: PRODUCT, externalId: 'hang' });
    const others = [
      harness.sim.store.addRequest({ productId: PRODUCT }),
      harness.sim.store.addRequest({ productId: PRODUCT }),
    ];

    const summary = await harness.daemon.runCycle();

    expect(summary).toMatchObject({ approved: 2, errors: 1 });
    expect(harness.sim.store.getRequest(hung.id)?.status).toBe('pending');
    expect(others.map((r) => harness!.sim.store.getRequest(r.id)?.status)).toEqual(['approved', 'approved']);
    expect(hungSignal?.aborted).toBe(true);
    expect(harness.logs.events('request.error')).toEqual([
      expect.objectContaining({ requestId: hung.id, code: 'handler_timeout' }),
    ]);
  });

  it('backoff resets after a success and forgets requests that are no longer pending', async () => {
    let failing = true;
    const flaky: VendorHandler = {
      products: [PRODUCT],
      purchase: () => {
        if (failing) throw new Error('not yet');
        return { action: 'approve', templateId: 'TL-1' };
      },
    };
    harness = await startHarness({
      handlers: [flaky],
      settings: (s) => ({ ...s, processing: { ...s.processing, backoffBaseMs: 1 } }),
    });
    const [a, b] = [
      harness.sim.store.addRequest({ productId: PRODUCT }),
      harness.sim.store.addRequest({ productId: PRODUCT }),
    ];

    await harness.daemon.runCycle();
    expect(harness.backoff.size).toBe(2);
    expect(harness.backoff.attemptOf(a.id)).toBe(2);

    harness.sim.store.act(b.id, 'fail', { reason: 'cancelled by the provider' }); // leaves the queue elsewhere
    failing = false;
    await new Promise((resolve) => setTimeout(resolve, 5)); // past the 1 ms backoff
    const second = await harness.daemon.runCycle();

    expect(second).toMatchObject({ found: 1, approved: 1 });
    expect(harness.backoff.size).toBe(0);
    expect(harness.logs.events('request.processed').at(-1)).toMatchObject({ requestId: a.id });
  });
});

describe('the schedule', () => {
  it('a cycle longer than the interval is never run twice at once: the tick is skipped', async () => {
    let running = 0;
    let maxRunning = 0;
    const slow: VendorHandler = {
      products: [PRODUCT],
      purchase: async () => {
        await delay(1_500); // longer than the 1-second schedule, shorter than the handler deadline
        return { action: 'approve', templateId: 'TL-1' };
      },
    };
    harness = await startHarness({
      handlers: [slow],
      settings: (s) => ({ ...s, poll: { ...s.poll, schedule: '* * * * * *' } }),
    });
    harness.sim.store.addRequest({ productId: PRODUCT });
    harness.events.on('cycle:start', () => (maxRunning = Math.max(maxRunning, ++running)));
    harness.events.on('cycle:end', () => running--);
    const skipped = new Promise((resolve) => harness!.events.once('cycle:skipped', resolve));
    const firstEnd = new Promise((resolve) => harness!.events.once('cycle:end', resolve));

    harness.daemon.start();
    await skipped;
    await firstEnd;
    await harness.daemon.stop(1_000);

    expect(maxRunning).toBe(1);
    expect(harness.logs.events('cycle.skipped').length).toBeGreaterThanOrEqual(1);
    expect(Object.values(harness.sim.stats().actions).map((a) => a.approve)).toEqual([1]);
  });
});
