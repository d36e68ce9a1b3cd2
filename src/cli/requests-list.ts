import { rql, type Rql } from '../connect/rql.ts';
import { statusFilter } from '../connect/client.ts';
import type { FulfillmentRequest } from '../connect/schemas.ts';
import { parseCommandArgs } from './args.ts';
import { withConnection } from './connection.ts';
import { EXIT, UsageError, type CliIO, type ExitCode } from './io.ts';
import { connectionTypeFlag, productFlag, statusFlag, typeFlag } from './queue-flags.ts';

export const LIST_USAGE = `Usage: connect-fulfillment requests list [--status S] [--product PRD-...] [--type T]
                                        [--connection-type C] [--json] [--config FILE]

Prints the requests waiting on Connect (or in another status), oldest first, as a table with totals;
with --json one JSON object per line on stdout and the totals on stderr. Paged by the daemon's own
listing (poll.pageSize per page), so a queue that changes while it is read is neither cut nor doubled.

Options:
  --status S           draft, tiers_setup, pending (default), inquiring, approved, failed, scheduled,
                       revoking or revoked
  --product PRD-...    one product only
  --type T             purchase, change, suspend, resume, cancel, adjustment, renew or transfer
  --connection-type C  test, preview or production
  --json               JSON lines instead of the table`;

const OPTIONS = {
  config: { type: 'string' },
  status: { type: 'string' },
  product: { type: 'string' },
  type: { type: 'string' },
  'connection-type': { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** One line of the listing: what a person needs to see which request waits, and for how long. */
export interface QueueRow {
  id: string;
  type: string;
  status: string;
  product: string;
  connectionType: string | null;
  created: string;
  ageSeconds: number;
}

export async function runRequestsList(args: string[], io: CliIO, now = Date.now()): Promise<ExitCode> {
  const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const status = statusFlag(values.status) ?? 'pending';
  const terms: Rql[] = [statusFilter([status])];
  const product = productFlag(values.product);
  if (product) terms.push(rql.eq('asset.product.id', product));
  const type = typeFlag(values.type);
  if (type) terms.push(rql.eq('type', type));
  const connectionType = connectionTypeFlag(values['connection-type']);
  if (connectionType) terms.push(rql.eq('asset.connection.type', connectionType));

  const rows = await withConnection(io, values.config, async ({ client, config, log }) => {
    const listed: QueueRow[] = [];
    const listing = client.listRequests(rql.and(...terms), {
      pageSize: config.poll.pageSize,
      onInvalid: (item) =>
        log.warn(
          { event: 'request.invalid', requestId: item.id, problems: item.problems },
          `listed request ${item.id ?? `#${item.index}`} set aside: ${item.problems.join('; ')}`,
        ),
    });
    for await (const request of listing) {
      const row = rowOf(request, now);
      listed.push(row);
      if (values.json) io.stdout.write(`${JSON.stringify(row)}\n`); // streamed: a long queue shows at once
    }
    return listed;
  });
  const totals = totalsLine(rows, status);
  if (values.json) io.stderr.write(`${totals}\n`);
  else io.stdout.write(`${table(rows)}${totals}\n`);
  return EXIT.ok;
}

function rowOf(request: FulfillmentRequest, now: number): QueueRow {
  const created = Date.parse(request.created);
  return {
    id: request.id,
    type: request.type,
    status: request.status,
    product: request.asset.product.id,
    connectionType: request.asset.connection?.type ?? null,
    created: request.created,
    ageSeconds: Number.isNaN(created) ? 0 : Math.max(0, Math.round((now - created) / 1000)),
  };
}

const COLUMNS: Array<[string, (row: QueueRow) => string]> = [
  ['ID', (r) => r.id],
  ['TYPE', (r) => r.type],
  ['PRODUCT', (r) => r.product],
  ['CONNECTION', (r) => r.connectionType ?? '-'],
  ['AGE', (r) => formatAge(r.ageSeconds)],
  ['STATUS', (r) => r.status],
];

function table(rows: QueueRow[]): string {
  if (rows.length === 0) return '';
  const cells = [COLUMNS.map(([title]) => title), ...rows.map((row) => COLUMNS.map(([, cell]) => cell(row)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => line[i]!.length)));
  return (
    cells
      .map((line) =>
        line
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** `3 pending requests: 2 purchase, 1 cancel`. */
function totalsLine(rows: QueueRow[], status: string): string {
  const byType = new Map<string, number>();
  for (const row of rows) byType.set(row.type, (byType.get(row.type) ?? 0) + 1);
  const parts = [...byType].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `${n} ${type}`);
  const noun = rows.length === 1 ? 'request' : 'requests';
  return `${rows.length} ${status} ${noun}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** `45s`, `12m`, `5h 2m`, `3d 4h`: the two largest units are enough to see what waits too long. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}
