import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { approve, defineHandler, fail, inquire, pend, skip } from '../../src/index.ts';
import {
  buildRequest,
  buildTierConfigRequest,
  HandlerRunError,
  runHandler,
  startSimulator,
  type FulfillmentRequest,
  type RunningSimulator,
} from '../../src/testing/index.ts';

/** runHandler: the daemon's context and outcome checks around one handler call. */

const expectRunError = async (running: Promise<unknown>, code: string, message: RegExp) => {
  const error = await running.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(HandlerRunError);
  expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
  return error as HandlerRunError;
};

describe('outcomes', () => {
  const pending = buildRequest({ params: { email: 'ann@example.com' } });
  const inquiring = buildRequest({
    status: 'inquiring',
    params: { email: { value: 'x', value_error: 'bad' } },
  });

  it.each([
    ['approve with a template', approve({ templateId: 'TL-1' }, { email: 'ann@example.com' }), pending],
    ['approve with a tile', approve({ activationTile: '# Welcome' }), pending],
    ['fail', fail('Out of stock'), pending],
    ['inquire', inquire({ email: 'Please give a work address' }), pending],
    ['skip', skip({ reason: 'later', retryAfterMs: 1000 }), pending],
    ['pend', pend(), inquiring],
    ['fail an inquiring one', { ...fail('Never answered'), note: 'Closed: no answer' }, inquiring],
  ])('%s: returned as checked', async (_name, outcome, request) => {
    const handler = defineHandler({ statuses: ['pending', 'inquiring'], purchase: () => outcome });
    expect((await runHandler(handler, request)).outcome).toEqual(outcome);
  });

  it('gives the handler a real context: logger captured, signal, attempt, cycle id', async () => {
    const run = await runHandler(
      async (request, context) => {
        context.log.info({ step: 'checked' }, `looked at ${request.id}`);
        expect(context.signal.aborted).toBe(false);
        return skip({ reason: `attempt ${context.attempt} in ${context.cycleId}` });
      },
      pending,
      { attempt: 3 },
    );
    expect(run.outcome).toEqual({ action: 'skip', reason: 'attempt 3 in test-cycle' });
    expect(run.logs).toEqual([
      expect.objectContaining({
        level: 'info',
        msg: `looked at ${pending.id}`,
        step: 'checked',
        requestId: pending.id,
      }),
    ]);
  });

  it('routes a tier config request to tierConfig.setup / update', async () => {
    const handler = {
      tierConfig: { setup: () => approve({ templateId: 'TL-SETUP' }), update: () => fail('no updates') },
    };
    expect((await runHandler(handler, buildTierConfigRequest())).outcome).toEqual(
      approve({ templateId: 'TL-SETUP' }),
    );
    expect((await runHandler(handler, buildTierConfigRequest({ type: 'update' }))).outcome).toEqual(
      fail('no updates'),
    );
  });
});

describe('handler errors, as the daemon sees them', () => {
  const request = buildRequest({ params: { email: 'ann@example.com' } });

  it('a throw', async () => {
    const error = await expectRunError(
      runHandler((_r, context) => {
        context.log.warn('about to fail');
        throw new Error('vendor API down');
      }, request),
      'handler_error',
      /handler threw: vendor API down/,
    );
    expect(error.logs).toEqual([expect.objectContaining({ msg: 'about to fail' })]);
  });

  it('a timeout: the signal aborts at the deadline', async () => {
    let aborted = false;
    await expectRunError(
      runHandler(
        (_r, context) =>
          new Promise(() => {
            context.signal.addEventListener('abort', () => (aborted = true));
          }),
        request,
        { timeoutMs: 50 },
      ),
      'handler_timeout',
      /did not finish within 50 ms/,
    );
    expect(aborted).toBe(true);
  });

  it.each([
    ['not an outcome', { action: 'accept' }, /action must be one of approve, fail, inquire, pend, skip/],
    [
      'approve with neither template nor tile',
      { action: 'approve' },
      /exactly one of templateId or activationTile/,
    ],
    ['a reason over 4096 characters', fail('x'.repeat(4097)), /reason/],
    [
      'inquire on a parameter the request lacks',
      inquire({ phone: 'missing' }),
      /phone that request .* does not have \(it has: email/,
    ],
  ])('an invalid outcome: %s', async (_name, outcome, message) => {
    await expectRunError(
      runHandler(() => outcome as never, request),
      'invalid_outcome',
      message,
    );
  });

  it('a wrong status pairing: pend on a pending request, approve on an inquiring one', async () => {
    await expectRunError(
      runHandler(() => pend(), request),
      'invalid_outcome',
      /pend is not allowed .* which is pending/,
    );
    const inquiring = buildRequest({ status: 'inquiring' });
    await expectRunError(
      runHandler(() => approve({ templateId: 'TL-1' }), inquiring),
      'invalid_outcome',
      /approve is not allowed .* which is inquiring \(allowed: pend, fail, skip\)/,
    );
  });

  it('a TCR approved without a template', async () => {
    await expectRunError(
      runHandler(() => approve({ activationTile: 'hi' }), buildTierConfigRequest()),
      'invalid_outcome',
      /approved with a templateId only/,
    );
  });

  it('a request the daemon would not give the handler: another status, or no function for the type', async () => {
    const handler = defineHandler({ purchase: () => approve({ templateId: 'TL-1' }) });
    await expectRunError(
      runHandler(handler, buildRequest({ status: 'inquiring' })),
      'not_called',
      /statuses are pending/,
    );
    await expectRunError(
      runHandler(handler, buildRequest({ type: 'cancel' })),
      'not_called',
      /no cancel function/,
    );
    await expectRunError(
      runHandler(handler, buildTierConfigRequest()),
      'not_called',
      /no tierConfig.setup function/,
    );
  });
});

describe('context.client', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: false });
  });
  afterAll(() => sim.close());

  it('without a simulator it fails on use, saying what to pass', async () => {
    await expectRunError(
      runHandler(async (request, context) => {
        await context.client.getRequest(request.id);
        return skip();
      }, buildRequest()),
      'handler_error',
      /context.client.getRequest\(\) called, but runHandler has no Connect to call: pass \{ simulator/,
    );
  });

  it('bound to a simulator, it reads from it', async () => {
    const stored = sim.store.addRequest({ productId: 'PRD-123-000-001', params: { email: 'x@y.example' } });
    const { outcome } = await runHandler(
      async (request, context) => {
        const fresh = await context.client.getRequest(request.id, context.signal);
        return fail(`seen ${fresh.asset.params!.find((p) => p.id === 'email')!.value}`);
      },
      stored as unknown as FulfillmentRequest, // the store's own type is stricter than what handlers get
      { simulator: sim },
    );
    expect(outcome).toEqual(fail('seen x@y.example'));
  });
});
