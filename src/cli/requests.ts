import { readFile } from 'node:fs/promises';
import type { ConnectClient } from '../connect/client.ts';
import {
  AssetRefSchema,
  ChangeInputSchema,
  PurchaseInputSchema,
  createCancelRequest,
  createChangeRequest,
  createPurchaseRequest,
  createResumeRequest,
  createSuspendRequest,
  parseInput,
  type AssetRef,
  type CreatedRequest,
} from '../connect/distributor.ts';
import { parseCommandArgs } from './args.ts';
import { inFlagTerms, withConnection } from './connection.ts';
import { EXIT, UsageError, type CliIO, type Command, type ExitCode } from './io.ts';
import { LIST_USAGE, runRequestsList } from './requests-list.ts';
import { runRequestsShow, SHOW_USAGE } from './requests-show.ts';

const OPTIONS = {
  config: { type: 'string' },
  'external-id': { type: 'string' },
  'external-uid': { type: 'string' },
  hub: { type: 'string' },
  marketplace: { type: 'string' },
  product: { type: 'string' },
  item: { type: 'string' },
  'global-id': { type: 'string' },
  quantity: { type: 'string' },
  tier1: { type: 'string' },
  customer: { type: 'string' },
  param: { type: 'string', multiple: true },
} as const;

type Flag = Exclude<keyof typeof OPTIONS, 'config'>;
type Values = {
  [F in keyof typeof OPTIONS]?: (typeof OPTIONS)[F] extends { multiple: true } ? string[] : string;
};

/** The flag that carries each input field, so that problems are reported in the user's words. */
const FLAG_OF_FIELD: Record<string, string> = {
  externalId: '--external-id',
  externalUid: '--external-uid',
  hubId: '--hub',
  marketplace: '--marketplace',
  productId: '--product',
  itemId: '--item',
  itemGlobalId: '--global-id',
  quantity: '--quantity',
  tier1: '--tier1',
  customer: '--customer',
  params: '--param',
};

/** Sends the validated request; returned only once the input is known to be good. */
type Send = (client: ConnectClient, signal?: AbortSignal) => Promise<CreatedRequest>;

interface RequestKind {
  flags: readonly Flag[];
  /** Validates the flags into the action's input, before any connection is made. */
  prepare(values: Values): Promise<Send>;
}

const ASSET_FLAGS = ['external-id', 'external-uid'] as const satisfies readonly Flag[];

/** Cancel, suspend and resume take the same flags and differ only in the action called. */
const assetRequest = (
  create: (client: ConnectClient, input: AssetRef, signal?: AbortSignal) => Promise<CreatedRequest>,
): RequestKind => ({
  flags: ASSET_FLAGS,
  async prepare(values) {
    const input = parseInput(AssetRefSchema, {
      externalId: values['external-id'],
      externalUid: values['external-uid'],
    });
    return (client, signal) => create(client, input, signal);
  },
});

const KINDS = {
  purchase: {
    flags: [
      ...ASSET_FLAGS,
      'hub',
      'marketplace',
      'product',
      'item',
      'quantity',
      'tier1',
      'customer',
      'param',
    ],
    async prepare(values) {
      const input = parseInput(PurchaseInputSchema, {
        externalId: values['external-id'],
        externalUid: values['external-uid'],
        hubId: values.hub,
        marketplace: values.marketplace,
        productId: values.product,
        itemId: values.item,
        quantity: numberFlag(values.quantity, 'quantity'),
        tier1: await readAccountFile(values.tier1, 'tier1'),
        customer: await readAccountFile(values.customer, 'customer'),
        params: paramFlags(values.param),
      });
      return (client, signal) => createPurchaseRequest(client, input, signal);
    },
  },
  change: {
    flags: [...ASSET_FLAGS, 'global-id', 'quantity'],
    async prepare(values) {
      const input = parseInput(ChangeInputSchema, {
        externalId: values['external-id'],
        externalUid: values['external-uid'],
        itemGlobalId: values['global-id'],
        quantity: numberFlag(values.quantity, 'quantity'),
      });
      return (client, signal) => createChangeRequest(client, input, signal);
    },
  },
  cancel: assetRequest(createCancelRequest),
  suspend: assetRequest(createSuspendRequest),
  resume: assetRequest(createResumeRequest),
} satisfies Record<string, RequestKind>;

type RequestType = keyof typeof KINDS;

const CREATE_USAGE = `Usage: connect-fulfillment requests create <type> [options]

Creates a request on Connect as a distributor would (the Workato connector's actions) and prints it
as JSON. Every input is checked before anything is sent.

  requests create purchase --external-id ID --hub HB-... --marketplace NAME --item PRD-...-0001
                           --quantity N --tier1 FILE.json [--customer FILE.json] [--product PRD-...]
                           [--external-uid UID] [--param ID=VALUE ...]
  requests create change   --external-id ID [--external-uid UID] --quantity N [--global-id ITEM]
  requests create cancel|suspend|resume --external-id ID [--external-uid UID]

Options:
  --external-id ID     the subscription's id in your system (required)
  --external-uid UID   picks one asset when several share the external id; for a purchase, its uid
                       (a UUID is generated when absent)
  --hub HB-...         the hub whose connection of the product carries the purchase
  --marketplace NAME   the marketplace's name, as shown in Connect
  --item PRD-...-0001  the item bought; --product defaults to the item's product
  --quantity N         a whole number: at least 1 for a purchase; the new quantity for a change
                       (0 removes the item)
  --global-id ITEM     the item to change; may be left out when the asset has one item
  --tier1 FILE.json    the tier 1 account (required for a purchase); --customer the customer account.
                       Each file holds {"name", "external_id", "external_uid"?, "tax_id"?,
                       "contact_info": {"address_line1", "city", "postal_code", "country", "state"?,
                       "contact": {"first_name", "last_name", "email", "phone_number"?}}}
  --param ID=VALUE     an ordering parameter's value (repeatable)
  --config FILE        configuration file with connect.url and connect.apiKey (or CONNECT_API_URL,
                       CONNECT_API_KEY)

Exit codes: 0 created, 1 Connect could not be reached or refused, 2 invalid usage (the flag is named).`;

const USAGE = [
  CREATE_USAGE,
  LIST_USAGE,
  `${SHOW_USAGE}\n\nExit codes of list and show: 0 done, 1 Connect could not be reached (or no such request), 2 invalid usage.`,
].join('\n\n');

/** `requests list` and `requests show` read the queue; `requests create` (below) writes to it. */
const READERS: Record<string, (args: string[], io: CliIO) => Promise<ExitCode>> = {
  list: runRequestsList,
  show: runRequestsShow,
};

export const requestsCommand: Command = {
  name: 'requests',
  usage: USAGE,
  async run(args: string[], io: CliIO): Promise<ExitCode> {
    const reader = args[0] === undefined ? undefined : READERS[args[0]];
    if (reader) return reader(args.slice(1), io);
    const { values, positionals } = parseCommandArgs(args, OPTIONS, true);
    const type = requestTypeOf(positionals);
    rejectForeignFlags(values, KINDS[type].flags, type);
    const send = await inFlagTerms(FLAG_OF_FIELD, () => KINDS[type].prepare(values));
    const request = await withConnection(io, values.config, ({ client }) =>
      inFlagTerms(FLAG_OF_FIELD, () => send(client)),
    );
    io.stdout.write(`${JSON.stringify(request, null, 2)}\n`);
    return EXIT.ok;
  },
};

function requestTypeOf(positionals: string[]): RequestType {
  const [verb, type, ...extra] = positionals;
  if (verb !== 'create')
    throw new UsageError(
      `expected "requests create <type>", "requests list" or "requests show PR-...", got "requests ${positionals.join(' ')}"`,
    );
  if (type === undefined || !Object.hasOwn(KINDS, type)) {
    throw new UsageError(
      `the request type must be one of ${Object.keys(KINDS).join(', ')}${type === undefined ? '' : `, got "${type}"`}`,
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return type as RequestType;
}

/** A flag the type does not use is a mistake worth stopping for (a --quantity on a cancel means something else was meant). */
function rejectForeignFlags(values: Values, allowed: readonly Flag[], type: RequestType): void {
  const foreign = (Object.keys(values) as Array<keyof Values>).filter(
    (key) => key !== 'config' && key !== ('help' as string) && !allowed.includes(key as Flag),
  );
  if (foreign.length > 0)
    throw new UsageError(`${foreign.map((f) => `--${f}`).join(', ')} not used by "requests create ${type}"`);
}

/** A number for the schema to judge (whole, in range); text that is not a number is named here. */
function numberFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  if (Number.isNaN(n)) throw new UsageError(`--${flag}: expected a number, got ${JSON.stringify(value)}`);
  return n;
}

function paramFlags(values: string[] | undefined): Record<string, string> | undefined {
  if (values === undefined) return undefined;
  return Object.fromEntries(
    values.map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new UsageError(`--param: expected ID=VALUE, got ${JSON.stringify(pair)}`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** An account from a JSON file; its content is judged by the action's schema. */
async function readAccountFile(file: string | undefined, flag: string): Promise<unknown> {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(
      `--${flag}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`--${flag}: ${file} is not valid JSON: ${(err as Error).message}`);
  }
}
