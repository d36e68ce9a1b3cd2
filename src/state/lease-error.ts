/** Refusal to send an API action: this replica's lease may have expired. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  readonly code = 'lease_lost';
}

export function isLeaseLost(err: unknown): boolean {
  return err instanceof LeaseLostError || (err instanceof Error && err.cause instanceof LeaseLostError);
}
