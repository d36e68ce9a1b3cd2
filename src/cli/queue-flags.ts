import { CONNECTION_TYPES } from '../config/types.ts';
import { REQUEST_TYPES } from '../connect/schemas.ts';
import { REQUEST_STATUSES } from '../simulator/model.ts'; // the statuses of CONNECT-API.md, modelled once
import { UsageError } from './io.ts';

/** Also `renew` and `transfer`, which the daemon does not route but Connect may list. */
const LISTED_TYPES = [...REQUEST_TYPES, 'renew', 'transfer'];

const PRODUCT_ID = /^PRD-\d+(-\d+)*$/;
export const REQUEST_ID = /^PR-\d{4}-\d{4}-\d{4}(-\d{3})?$/;

/** A flag whose value must be one of a few words: exit 2 naming the flag and what it takes. */
export function oneOfFlag(
  value: string | undefined,
  flag: string,
  allowed: readonly string[],
): string | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value))
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value;
}

export const statusFlag = (value: string | undefined) => oneOfFlag(value, 'status', REQUEST_STATUSES);
export const typeFlag = (value: string | undefined) => oneOfFlag(value, 'type', LISTED_TYPES);
export const connectionTypeFlag = (value: string | undefined) =>
  oneOfFlag(value, 'connection-type', CONNECTION_TYPES);

export function productFlag(value: string | undefined): string | undefined {
  if (value !== undefined && !PRODUCT_ID.test(value))
    throw new UsageError(`--product must be a product id like PRD-123-456-789, got ${JSON.stringify(value)}`);
  return value;
}
