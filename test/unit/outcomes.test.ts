import { describe, expect, it } from '@jest/globals';
import { approve, fail, inquire, pend, skip, validateOutcome } from '../../src/fulfillment/outcomes.ts';

describe('outcomes', () => {
  it('helpers build valid outcomes', () => {
    for (const outcome of [
      approve({ templateId: 'TL-1' }),
      approve({ activationTile: '# Hi' }, { subscription_id: 'S-1' }),
      fail('no'),
      inquire({ email: 'bad' }),
      pend(),
      skip({ retryAfterMs: 1000 }),
    ]) {
      expect(validateOutcome(outcome)).toEqual({ ok: true, outcome });
    }
  });

  it.each([
    [undefined, /action must be one of approve, fail, inquire, pend, skip/],
    [{ action: 'accept' }, /got "accept"/],
    [{ action: 'approve' }, /exactly one of templateId or activationTile/],
    [{ action: 'approve', templateId: 'TL-1', activationTile: 'x' }, /exactly one of/],
    [{ action: 'inquire', params: {} }, /at least one parameter/],
    [{ action: 'fail' }, /reason/],
    [{ action: 'fail', reason: 'x'.repeat(4097) }, /reason/],
    [{ action: 'skip', retryAfterMs: -1 }, /retryAfterMs/],
    [{ action: 'pend', extra: 1 }, /extra/],
  ])('rejects %j naming the problem', (value, problem) => {
    const result = validateOutcome(value);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problem).toMatch(problem);
  });
});
