import { z } from 'zod';

/**
 * The shape of `/status.json` (and of what the HTML page shows). Exported so tests and tools can
 * validate it; counts are open-ended (`catchall`) because new outcome kinds add new summary fields.
 */
const isoTime = z.iso.datetime();

export const cycleStatusSchema = z.object({
  cycleId: z.string(),
  startedAt: isoTime,
  /** null while the cycle runs. */
  durationMs: z.number().nonnegative().nullable(),
  result: z.enum(['running', 'completed', 'interrupted', 'aborted']),
  abortedBy: z.string().nullable(),
  /** Every numeric field of the cycle summary: found, approved, failed, errors, ... */
  counts: z.record(z.string(), z.number()),
});

export const backoffStatusSchema = z.object({
  requestId: z.string(),
  type: z.string(),
  productId: z.string(),
  /** Failed attempts so far. */
  attempts: z.number().int().positive(),
  lastErrorCode: z.string(),
  lastError: z.string(),
  lastErrorAt: isoTime,
  /** When the daemon may try again (it tries at the first cycle after that). */
  nextAttemptAt: isoTime,
});

export const handlerErrorSchema = z.object({
  at: isoTime,
  cycleId: z.string(),
  requestId: z.string(),
  type: z.string(),
  productId: z.string(),
  code: z.string(),
  message: z.string(),
});

export const pauseSchema = z.object({ at: isoTime, ms: z.number().nonnegative() });

export const statusSchema = z.object({
  version: z.string(),
  role: z.enum(['single', 'holder', 'standby']),
  generatedAt: isoTime,
  startedAt: isoTime,
  schedule: z.string(),
  cycles: z.array(cycleStatusSchema),
  backoff: z.array(backoffStatusSchema),
  handlerErrors: z.array(handlerErrorSchema),
  rateLimit: z.object({
    requestsPerSecond: z.number(),
    callsLastSecond: z.number().int().nonnegative(),
    pauses: z.array(pauseSchema),
    /** When the current Retry-After pause ends, if one is on. */
    pausedUntil: isoTime.nullable(),
  }),
  /** The effective configuration with secrets masked, as `check-config` prints it. */
  config: z.record(z.string(), z.unknown()),
});

export type Status = z.infer<typeof statusSchema>;
export type CycleStatus = z.infer<typeof cycleStatusSchema>;
export type BackoffStatus = z.infer<typeof backoffStatusSchema>;
export type HandlerErrorStatus = z.infer<typeof handlerErrorSchema>;
export type Role = Status['role'];
