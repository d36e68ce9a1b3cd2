import { z } from 'zod';

/**
 * A handler's decision, as plain data. One executor turns it into API calls, so handlers never touch
 * request statuses themselves and tests can assert on decisions directly.
 */
export type ParamValues = Record<string, string>;
/** Every outcome may carry a note (markdown) for the request's conversation, posted once per text. */
export type WithNote = { note?: string };

export type ApproveOutcome =
  | { action: 'approve'; templateId: string; params?: ParamValues }
  | { action: 'approve'; activationTile: string; params?: ParamValues };
export type FailOutcome = { action: 'fail'; reason: string };
/** `params` maps each bad parameter id to the message the customer sees next to it. */
export type InquireOutcome = { action: 'inquire'; params: ParamValues };
export type PendOutcome = { action: 'pend' };
/** The one way to say "not now": nothing is sent, the request is looked at again in a later cycle. */
export type SkipOutcome = { action: 'skip'; reason?: string; retryAfterMs?: number };

export type Outcome = (ApproveOutcome | FailOutcome | InquireOutcome | PendOutcome | SkipOutcome) & WithNote;
export type OutcomeAction = Outcome['action'];

const MARKDOWN_MAX = 4096;
const note = z.string().trim().min(1, 'note must not be empty').max(MARKDOWN_MAX).optional();
const params = z.record(z.string().min(1), z.string(), { error: 'params must map parameter ids to strings' });

const SCHEMAS = {
  approve: z
    .strictObject({
      action: z.literal('approve'),
      note,
      templateId: z.string().min(1).optional(),
      activationTile: z.string().min(1).max(MARKDOWN_MAX).optional(),
      params: params.optional(),
    })
    .refine((o) => (o.templateId === undefined) !== (o.activationTile === undefined), {
      message: 'approve needs exactly one of templateId or activationTile',
    }),
  fail: z.strictObject({ action: z.literal('fail'), note, reason: z.string().min(1).max(MARKDOWN_MAX) }),
  inquire: z.strictObject({
    action: z.literal('inquire'),
    note,
    params: params.refine((p) => Object.keys(p).length > 0, 'inquire needs at least one parameter to mark'),
  }),
  pend: z.strictObject({ action: z.literal('pend'), note }),
  skip: z.strictObject({
    action: z.literal('skip'),
    note,
    reason: z.string().optional(),
    retryAfterMs: z.number().int().nonnegative().optional(),
  }),
} satisfies Record<OutcomeAction, z.ZodType>;

/** Checks what a handler returned; the problem text names what is wrong, for the log. */
export function validateOutcome(
  value: unknown,
): { ok: true; outcome: Outcome } | { ok: false; problem: string } {
  const action = (value as { action?: unknown } | null)?.action;
  if (typeof action !== 'string' || !Object.hasOwn(SCHEMAS, action)) {
    return {
      ok: false,
      problem: `action must be one of ${Object.keys(SCHEMAS).join(', ')}, got ${JSON.stringify(action ?? value ?? null)}`,
    };
  }
  const result = SCHEMAS[action as OutcomeAction].safeParse(value);
  if (result.success) return { ok: true, outcome: result.data as Outcome };
  const problem = result.error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
  return { ok: false, problem: `${action}: ${problem}` };
}

export const approve = (
  by: { templateId: string } | { activationTile: string },
  paramValues?: ParamValues,
): ApproveOutcome => ({ action: 'approve', ...by, ...(paramValues ? { params: paramValues } : {}) });
export const fail = (reason: string): FailOutcome => ({ action: 'fail', reason });
export const inquire = (paramErrors: ParamValues): InquireOutcome => ({
  action: 'inquire',
  params: paramErrors,
});
export const pend = (): PendOutcome => ({ action: 'pend' });
export const skip = (options: { reason?: string; retryAfterMs?: number } = {}): SkipOutcome => ({
  action: 'skip',
  ...options,
});
