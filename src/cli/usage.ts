import { once } from 'node:events';
import { parseInput } from '../connect/distributor.ts';
import { UsageListArgsSchema, listUsageRecords } from '../connect/usage.ts';
import { intFlag, parseCommandArgs } from './args.ts';
import { inFlagTerms, withConnection } from './connection.ts';
import { EXIT, UsageError, type CliIO, type Command, type ExitCode } from './io.ts';

const OPTIONS = {
  config: { type: 'string' },
  file: { type: 'string' },
  'page-size': { type: 'string' },
} as const;

const FLAG_OF_FIELD = { usageFileId: '--file', pageSize: '--page-size' };

const USAGE = `Usage: connect-fulfillment usage records --file UF-... [--page-size N] [--config FILE]

Prints every record of a usage file as JSON lines, one record per line, in Connect's order.

Options:
  --file UF-...     the usage file (required)
  --page-size N     records fetched per API call, 1-1000 (default 100)
  --config FILE     configuration file with connect.url and connect.apiKey (or CONNECT_API_URL,
                    CONNECT_API_KEY)

Exit codes: 0 all records printed, 1 Connect could not be reached or refused, 2 invalid usage or
unknown usage file.`;

export const usageCommand: Command = {
  name: 'usage',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<ExitCode> {
    const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
    if (positionals.join(' ') !== 'records')
      throw new UsageError(`expected "usage records", got "usage ${positionals.join(' ')}"`);
    const { usageFileId, pageSize } = await inFlagTerms(FLAG_OF_FIELD, async () =>
      parseInput(UsageListArgsSchema, {
        usageFileId: values.file,
        pageSize: intFlag(values['page-size'], 'page-size', 1),
      }),
    );
    return withConnection(io, values.config, ({ client }) =>
      inFlagTerms(FLAG_OF_FIELD, async () => {
        for await (const record of listUsageRecords(client, usageFileId, { pageSize })) {
          await writeLine(io.stdout, JSON.stringify(record));
        }
        return EXIT.ok;
      }),
    );
  },
};

/** Honours backpressure: a file of many records piped into a slow reader must not pile up in memory. */
async function writeLine(stream: NodeJS.WritableStream, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}
