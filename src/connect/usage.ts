import { z } from 'zod';
import type { ConnectClient } from './client.ts';
import { ConnectError, isConnectError } from './errors.ts';
import { rql } from './rql.ts';
import type { InvalidItem } from './schemas.ts';
import { inputError, parseInput } from './distributor.ts';

/**
 * A usage record as Connect sends it. Loose like every listed object: only the id is required, the
 * rest is typed for readers and kept as it came (amounts and usage may be numbers or strings).
 */
const str = z.string().nullish();
const amount = z.union([z.number(), z.string()]).nullish();
export const UsageRecordSchema = z.looseObject({
  id: z.string().min(1),
  status: str,
  start_date: str,
  end_date: str,
  usage: amount,
  amount,
  item: z.looseObject({ id: str, mpn: str, name: str, unit: str }).nullish(),
  asset: z
    .looseObject({ id: str, external_id: z.union([z.string(), z.number()]).nullish(), external_uid: str })
    .nullish(),
  params: z.array(z.looseObject({ parameter_name: str, parameter_value: z.unknown().optional() })).nullish(),
  usagefile: z.looseObject({ id: str, name: str }).nullish(),
});
export type UsageRecord = z.infer<typeof UsageRecordSchema>;

/** The arguments of listUsageRecords, for callers that check them ahead (the CLI, before connecting). */
export const UsageListArgsSchema = z.object({
  usageFileId: z
    .string({
      error: (issue) => (issue.input === undefined ? 'required' : 'expected an id like UF-2026-11-0001'),
    })
    .trim()
    .regex(/^UF-\d+(-\d+)+$/, 'expected an id like UF-2026-11-0001'),
  pageSize: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000')
    .default(100),
});

export interface UsageRecordListOptions {
  /** Records per page, 1–1000 (Connect's ceiling); 100 by default. */
  pageSize?: number;
  signal?: AbortSignal;
  /**
   * Called for a record that fails validation (it is then left out). By default such a record ends the
   * listing with a ConnectError: "every record of the file" must not quietly become "most of them".
   */
  onInvalid?: (item: InvalidItem) => void;
}

/**
 * Every record of a usage file, over all pages, in the order Connect lists them. The arguments are
 * checked at once, and the file is looked up first, so a wrong id is an error rather than an empty list.
 */
export function listUsageRecords(
  client: ConnectClient,
  usageFileId: string,
  options: UsageRecordListOptions = {},
): AsyncGenerator<UsageRecord> {
  const { usageFileId: fileId, pageSize } = parseInput(UsageListArgsSchema, {
    usageFileId,
    pageSize: options.pageSize,
  });
  const onInvalid = options.onInvalid ?? rejectInvalidRecord;
  return (async function* records() {
    await requireUsageFile(client, fileId, options.signal);
    yield* client.paginate('/usage/records', rql.eq('usage_file', fileId), UsageRecordSchema, {
      pageSize,
      signal: options.signal,
      onInvalid,
    });
  })();
}

async function requireUsageFile(client: ConnectClient, fileId: string, signal?: AbortSignal): Promise<void> {
  try {
    await client.get(`/usage/files/${encodeURIComponent(fileId)}`, z.looseObject({ id: z.string() }), signal);
  } catch (err) {
    if (isConnectError(err, 'not_found')) throw inputError('usageFileId', `no usage file ${fileId}`);
    throw err;
  }
}

function rejectInvalidRecord(item: InvalidItem): never {
  throw new ConnectError(
    'bad_response',
    `GET /usage/records: record ${item.id ?? `#${item.index}`} is unusable: ${item.problems.slice(0, 5).join('; ')}`,
    {
      method: 'GET',
      path: '/usage/records',
    },
  );
}
