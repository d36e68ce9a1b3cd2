import { isConnectError } from '../connect/errors.ts';
import { findConversation, lastMessages, type Message } from '../connect/conversations.ts';
import type { FulfillmentRequest } from '../connect/schemas.ts';
import { parseCommandArgs } from './args.ts';
import { withConnection } from './connection.ts';
import { EXIT, UsageError, type CliIO, type ExitCode } from './io.ts';
import { REQUEST_ID } from './queue-flags.ts';

export const SHOW_USAGE = `Usage: connect-fulfillment requests show PR-.... [--notes N] [--json] [--config FILE]

Prints one request: its type, status, product, connection, asset, each parameter with its value and
its value error, and the last notes of its conversation (newest last). Exit 1 when there is no such
request.

Options:
  --notes N   how many notes to show (default 5)
  --json      {"request": ..., "notes": [...]} instead of text`;

const OPTIONS = {
  config: { type: 'string' },
  notes: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export async function runRequestsShow(args: string[], io: CliIO): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
  const [id, ...extra] = positionals;
  if (id === undefined) throw new UsageError('which request? requests show PR-1234-5678-9012-001');
  if (!REQUEST_ID.test(id))
    throw new UsageError(`${JSON.stringify(id)} is not a request id like PR-1234-5678-9012-001`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  const count = notesFlag(values.notes);

  const found = await withConnection(io, values.config, async ({ client }) => {
    let request: FulfillmentRequest;
    try {
      request = await client.getRequest(id);
    } catch (err) {
      if (isConnectError(err, 'not_found')) return undefined;
      throw err;
    }
    const conversation = count > 0 ? await findConversation(client, id) : undefined;
    const notes = conversation ? (await lastMessages(client, conversation.id, count)).reverse() : [];
    return { request, notes };
  });
  if (!found) {
    io.stderr.write(`requests show: request ${id} not found on Connect\n`);
    return EXIT.failed;
  }
  io.stdout.write(values.json ? `${JSON.stringify(found)}\n` : describe(found.request, found.notes));
  return EXIT.ok;
}

function notesFlag(value: string | undefined): number {
  if (value === undefined) return 5;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100)
    throw new UsageError(`--notes must be a whole number from 0 to 100, got ${JSON.stringify(value)}`);
  return n;
}

function describe(request: FulfillmentRequest, notes: Message[]): string {
  const { asset } = request;
  const lines = [
    `${request.id}  ${request.type}  ${request.status}`,
    `  product     ${asset.product.id}${asset.product.name ? ` (${asset.product.name})` : ''}`,
    `  connection  ${asset.connection ? `${asset.connection.type ?? '?'} (${asset.connection.id})` : '-'}`,
    `  asset       ${asset.id}${asset.external_id != null ? `  external id ${String(asset.external_id)}` : ''}`,
    `  created     ${request.created}`,
    ...(request.reason ? [`  reason      ${request.reason}`] : []),
    '',
    'Parameters:',
    ...(asset.params?.length
      ? asset.params.map(
          (p) => `  ${p.id}: ${formatValue(p.value)}${p.value_error ? `   ! ${p.value_error}` : ''}`,
        )
      : ['  (none)']),
    '',
    'Notes:',
    ...(notes.length ? notes.map((m) => `  ${m.created ?? ''}  ${m.text}`) : ['  (none)']),
  ];
  return `${lines.join('\n')}\n`;
}

function formatValue(value: unknown): string {
  if (value === undefined || value === null || value === '') return '(empty)';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
