import { afterEach, describe, expect, it } from '@jest/globals';
import { HttpResponse, delay, http } from 'msw';
import { request } from 'undici';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.ts';
import { api } from './helpers.ts';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  sim = await startSimulator({ seed: false, ...options });
  return sim;
}

const encoder = new TextEncoder();

describe('authorization', () => {
  const KEY = 'SU-123-456:s3cr3t-value';

  it('refuses a call without the key or with a wrong one: 401 AUTH_001, key not echoed', async () => {
    const s = await start({ apiKey: KEY });
    for (const client of [api(s), api(s, 'SU-123-456:wrong')]) {
      const answer = await client.get('/requests');
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error_code: 'AUTH_001', errors: ['API request is unauthorized.'] });
      expect(answer.text).not.toContain('s3cr3t');
      expect([...answer.headers.values()].join(' ')).not.toContain('s3cr3t');
    }
    expect((await api(s, KEY).get('/requests')).status).toBe(200);
    expect(s.journal.map((entry) => [entry.status, entry.authorized])).toEqual([
      [401, false],
      [401, false],
      [200, true],
    ]);
  });

  it('checks every API route, writes included, before anything else', async () => {
    const s = await start({ apiKey: KEY });
    const request = s.store.addRequest();
    const answer = await api(s).post(`/requests/${request.id}/approve`, { template_id: 'TL-1' });
    expect(answer.status).toBe(401);
    expect(s.store.getRequest(request.id)!.status).toBe('pending');
    expect((await api(s).get('/no/such/route')).status).toBe(401);
  });

  it('takes the option with or without the ApiKey prefix; the header needs it', async () => {
    const s = await start({ apiKey: `ApiKey ${KEY}` });
    expect((await api(s, KEY).get('/requests')).status).toBe(200);
    const bare = await fetch(`${s.url}/requests`, { headers: { authorization: KEY } });
    expect(bare.status).toBe(401);
  });
});

describe('rate limit', () => {
  it('answers calls beyond the limit with 429, Retry-After: 1 and a Connect error body', async () => {
    const s = await start({ rateLimit: 5 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => api(s).get('/requests')));
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(5);
    expect(limited).toHaveLength(3);
    expect(limited[0]!.headers.get('retry-after')).toBe('1');
    expect(limited[0]!.body).toEqual({
      error_code: 'THR_429',
      errors: [expect.stringContaining('5 per second')],
    });
    expect(s.stats()).toMatchObject({ calls: 8, status429: 3, maxCallsInAnySecond: 8 });
  });

  it('slides: in ANY one-second window at most N calls are served, and a call is refused only then', async () => {
    const s = await start({ rateLimit: 5 });
    const client = api(s);
    const until = Date.now() + 1600;
    while (Date.now() < until) {
      await client.get('/requests');
      await delay(40);
    }
    const served = s.journal.filter((e) => e.status === 200).map((e) => e.at);
    const servedWithin = (at: number) => served.filter((t) => t > at - 1000 && t <= at).length;
    for (const entry of s.journal) {
      if (entry.status === 200) expect(servedWithin(entry.at)).toBeLessThanOrEqual(5);
      else expect(servedWithin(entry.at)).toBe(5); // refused only when the window is full
    }
    // A steady stream is served again once old calls leave the window: not a fixed or permanent block.
    const firstRefusal = s.journal.findIndex((e) => e.status === 429);
    expect(firstRefusal).toBeGreaterThan(0);
    expect(s.journal.slice(firstRefusal).some((e) => e.status === 200)).toBe(true);
  });
});

describe('latency', () => {
  it('answers every API call latencyMs after it arrived', async () => {
    const s = await start({ latencyMs: 150 });
    const started = Date.now();
    expect((await api(s).get('/requests')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });
});

describe('per-test handlers (fault injection)', () => {
  it('a { once: true } handler answers once, then the simulator does', async () => {
    const s = await start();
    const pending = s.store.addRequest();
    s.use(
      http.post(
        '*/requests/:id/approve',
        () =>
          HttpResponse.json(
            { error_code: 'MNT_001', errors: ['Maintenance'] },
            { status: 503, headers: { 'Retry-After': '2' } },
          ),
        {
          once: true,
        },
      ),
    );
    const first = await api(s).post(`/requests/${pending.id}/approve`, { template_id: 'TL-1' });
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBe('2');
    expect(s.store.getRequest(pending.id)!.status).toBe('pending');
    const second = await api(s).post(`/requests/${pending.id}/approve`, { template_id: 'TL-1' });
    expect(second.status).toBe(200);
    expect(s.stats().actions[pending.id]).toEqual({ approve: 1, fail: 0, inquire: 0, pend: 0 });
    expect(s.journal.map((e) => e.status)).toEqual([503, 200]);
  });

  it('the newest handler wins; resetHandlers drops them all', async () => {
    const s = await start();
    s.use(http.get('*/requests', () => HttpResponse.json(['older'])));
    s.use(http.get('*/requests', () => HttpResponse.json(['newer'])));
    expect((await api(s).get('/requests')).body).toEqual(['newer']);
    s.resetHandlers();
    expect((await api(s).get('/requests')).body).toEqual([]);
  });

  it('a handler may delay and then let the simulator answer', async () => {
    const s = await start();
    s.use(
      http.get('*/requests', async () => {
        await delay(120);
        return undefined;
      }),
    );
    const started = Date.now();
    const answer = await api(s).get('/requests');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-range')).toBe('items 0-0/0');
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('serves malformed JSON and HTML error pages as given', async () => {
    const s = await start();
    s.use(
      http.get(
        '*/requests',
        () => new HttpResponse('[{"id": "PR-1",', { headers: { 'Content-Type': 'application/json' } }),
        { once: true },
      ),
      http.get('*/requests/:id', () =>
        HttpResponse.html('<html><body><h1>502 Bad Gateway</h1></body></html>', { status: 502 }),
      ),
    );
    const malformed = await api(s).get('/requests');
    expect(malformed.status).toBe(200);
    expect(malformed.text).toBe('[{"id": "PR-1",');
    const page = await api(s).get('/requests/PR-1');
    expect(page.status).toBe(502);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('502 Bad Gateway');
  });

  it('HttpResponse.error() drops the connection: the client sees a reset, no response', async () => {
    const s = await start();
    s.use(http.get('*/requests', () => HttpResponse.error(), { once: true }));
    const failure = await request(`${s.url}/requests`).then(
      () => undefined,
      (err: NodeJS.ErrnoException) => err,
    );
    expect(failure?.code).toBe('ECONNRESET');
    expect(s.journal[0]).toMatchObject({ path: '/requests', status: 0 });
    expect((await request(`${s.url}/requests`)).statusCode).toBe(200);
  });

  it('streams a trickled body: the first chunk reaches the client long before the rest', async () => {
    const s = await start();
    s.use(
      http.get(
        '*/requests',
        () =>
          new HttpResponse(
            new ReadableStream({
              async start(controller) {
                controller.enqueue(encoder.encode('[{"id":"PR-1"}'));
                await delay(300);
                controller.enqueue(encoder.encode(']'));
                controller.close();
              },
            }),
            { headers: { 'Content-Type': 'application/json' } },
          ),
      ),
    );
    const response = await request(`${s.url}/requests`);
    const chunks: Array<[text: string, at: number]> = [];
    for await (const chunk of response.body) chunks.push([Buffer.from(chunk).toString(), Date.now()]);
    expect(chunks.map(([text]) => text).join('')).toBe('[{"id":"PR-1"}]');
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.at(-1)![1] - chunks[0]![1]).toBeGreaterThanOrEqual(250); // the first part came long before the rest
  });

  it('a handler that throws becomes a 500 with a Connect error body', async () => {
    const s = await start();
    s.use(
      http.get('*/requests', () => {
        throw new Error('boom');
      }),
    );
    const answer = await api(s).get('/requests');
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ error_code: 'SIM_500', errors: ['The simulator failed: boom'] });
  });
});

describe('journal, stats and admin routes', () => {
  it('records every call with path, raw query, parsed body and status; counts routes and actions', async () => {
    const s = await start();
    const a = s.store.addRequest();
    const b = s.store.addRequest();
    const client = api(s);
    await client.get('/requests?eq(status,pending)&limit=10');
    await client.put(`/requests/${a.id}`, { asset: { params: [{ id: 'email', value_error: 'bad' }] } });
    await client.post(`/requests/${a.id}/inquire`, {});
    await client.post(`/requests/${a.id}/pend`, {});
    await client.post(`/requests/${a.id}/approve`, { template_id: 'TL-1' });
    await client.post(`/requests/${a.id}/approve`, { template_id: 'TL-1' }); // refused: not counted as an action
    await client.post(`/requests/${b.id}/fail`, { reason: 'No' });
    await client.call('POST', `/requests/${b.id}/fail`, { rawBody: 'not json' });

    expect(s.journal[0]).toEqual({
      at: expect.any(Number),
      method: 'GET',
      path: '/requests',
      query: 'eq(status,pending)&limit=10',
      body: undefined,
      status: 200,
      authorized: true,
    });
    expect(s.journal[1]).toMatchObject({
      method: 'PUT',
      path: `/requests/${a.id}`,
      body: { asset: { params: [{ id: 'email', value_error: 'bad' }] } },
      status: 200,
    });
    expect(s.journal.at(-1)).toMatchObject({ body: 'not json', status: 400 });
    const stats = s.stats();
    expect(stats.calls).toBe(8);
    expect(stats.byRoute).toEqual({
      'GET /requests': 1,
      'PUT /requests/{id}': 1,
      'POST /requests/{id}/inquire': 1,
      'POST /requests/{id}/pend': 1,
      'POST /requests/{id}/approve': 2,
      'POST /requests/{id}/fail': 2,
    });
    expect(stats.actions).toEqual({
      [a.id]: { approve: 1, fail: 0, inquire: 1, pend: 1 },
      [b.id]: { approve: 0, fail: 1, inquire: 0, pend: 0 },
    });

    const admin = await fetch(`${s.url.replace('/public/v1', '')}/_simulator/stats`);
    expect(await admin.json()).toEqual(stats);
    const requests = await (await fetch(`${s.url.replace('/public/v1', '')}/_simulator/requests`)).json();
    expect(requests).toEqual([
      expect.objectContaining({ id: a.id, status: 'approved', type: 'purchase' }),
      expect.objectContaining({ id: b.id, status: 'failed' }),
    ]);
    expect(s.journal).toHaveLength(8); // admin routes are not journaled
  });

  it('answers unknown API routes with a Connect 404 and stamps Connect-Version', async () => {
    const s = await start();
    const answer = await api(s).get('/nothing/here');
    expect(answer.status).toBe(404);
    expect(answer.body.error_code).toBe('API_404');
    expect(answer.headers.get('connect-version')).toBe('37.0');
  });
});

describe('close', () => {
  it('resolves promptly with a body still streaming, and the port stops answering', async () => {
    const s = await start();
    s.use(
      http.get(
        '*/requests',
        () => new HttpResponse(new ReadableStream({ start: (c) => c.enqueue(encoder.encode('[')) })),
      ),
    );
    const response = await request(s.url + '/requests');
    const reading = response.body.text().catch((err: Error) => err);
    const started = Date.now();
    await s.close();
    sim = undefined;
    expect(Date.now() - started).toBeLessThan(500);
    expect(await reading).toBeInstanceOf(Error);
    await expect(fetch(`${s.url}/requests`)).rejects.toThrow();
  });
});
