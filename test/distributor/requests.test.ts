import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { http, HttpResponse } from 'msw';
import { UsageError, type CliIO } from '../../src/cli/io.ts';
import { runCli } from '../../src/cli/run.ts';
import { requestsCommand } from '../../src/cli/requests.ts';
import { ConnectError } from '../../src/connect/errors.ts';
import { FALLBALL_ID, PRODUCTION_HUB } from '../../src/simulator/index.ts';
import { account, setUpDistributor, type DistributorSetup } from './support.ts';

const HUB = PRODUCTION_HUB.id;
const ITEM = `${FALLBALL_ID}-0001`;
const MARKETPLACE = 'Ingram Micro US Cloud';

let setup: DistributorSetup;
let tier1File: string;
let customerFile: string;

beforeAll(async () => {
  setup = await setUpDistributor();
  tier1File = await setup.jsonFile('tier1.json', account('Acme Reseller', 'R-1001', 'reseller@acme.example'));
  customerFile = await setup.jsonFile('customer.json', account('Big Corp', 'C-2001', 'it@bigcorp.example'));
});
afterAll(() => setup.close());

/** `requests create <type> ...`: the printed request, parsed. */
async function create(
  type: string,
  ...flags: string[]
): Promise<{ id: string; type: string; status: string }> {
  const { code, stdout } = await setup.run(requestsCommand, ['create', type, ...flags]);
  expect(code).toBe(0);
  return JSON.parse(stdout) as { id: string; type: string; status: string };
}

function purchaseFlags(externalId: string, overrides: Record<string, string | undefined> = {}): string[] {
  const flags: Record<string, string | undefined> = {
    '--external-id': externalId,
    '--hub': HUB,
    '--marketplace': MARKETPLACE,
    '--item': ITEM,
    '--quantity': '5',
    '--tier1': tier1File,
    '--param': 'email=admin@bigcorp.example',
    ...overrides,
  };
  return Object.entries(flags).flatMap(([flag, value]) => (value === undefined ? [] : [flag, value]));
}

/** The vendor's side of the flow (the daemon's job elsewhere): approve the request in Connect. */
function vendorApproves(requestId: string): void {
  setup.sim.store.act(requestId, 'approve', { template_id: 'TL-000-000-001' });
}

/** Runs a command expected to refuse its input, and tells what was said and whether anything reached Connect. */
async function refusal(
  args: string[],
  env?: Record<string, string>,
): Promise<{ error: unknown; calls: string[] }> {
  const before = setup.sim.journal.length;
  const error = await setup.run(requestsCommand, args, env).then(
    () => undefined,
    (err: unknown) => err,
  );
  return { error, calls: setup.sim.journal.slice(before).map((entry) => `${entry.method} ${entry.path}`) };
}

describe('requests create: the life of one subscription', () => {
  it('creates a purchase, then a change, suspend, resume and cancel of the same asset', async () => {
    const purchase = await create(
      'purchase',
      ...purchaseFlags('WK-SUB-1001', { '--customer': customerFile }),
    );

    const stored = setup.sim.store.getRequest(purchase.id)!;
    expect(stored).toMatchObject({
      type: 'purchase',
      status: 'pending',
      marketplace: { id: 'MP-91673', name: MARKETPLACE },
      asset: {
        external_id: 'WK-SUB-1001',
        product: { id: FALLBALL_ID },
        connection: { hub: { id: HUB }, type: 'production' },
        items: [{ id: ITEM, quantity: '5' }],
        tiers: {
          tier1: {
            name: 'Acme Reseller',
            external_id: 'R-1001',
            contact_info: { contact: { email: 'reseller@acme.example' } },
          },
          customer: {
            name: 'Big Corp',
            external_id: 'C-2001',
            contact_info: { contact: { email: 'it@bigcorp.example' } },
          },
        },
      },
    });
    expect(stored.asset.params.find((p) => p.id === 'email')?.value).toBe('admin@bigcorp.example');
    expect(stored.asset.external_uid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    ); // generated
    const assetId = stored.asset.id;
    vendorApproves(purchase.id);

    const change = await create(
      'change',
      '--external-id',
      'WK-SUB-1001',
      '--global-id',
      ITEM,
      '--quantity',
      '8',
    );
    expect(setup.sim.store.getRequest(change.id)).toMatchObject({
      type: 'change',
      status: 'pending',
      asset: { id: assetId, items: [{ id: ITEM, quantity: '8', old_quantity: '5' }] },
    });
    vendorApproves(change.id);

    // Suspend, then resume: each is created pending for the same asset, and its approval settles the asset.
    for (const [type, assetStatus] of [
      ['suspend', 'suspended'],
      ['resume', 'active'],
    ] as const) {
      const created = await create(type, '--external-id', 'WK-SUB-1001');
      expect(setup.sim.store.getRequest(created.id)).toMatchObject({
        type,
        status: 'pending',
        asset: { id: assetId },
      });
      vendorApproves(created.id);
      expect(setup.sim.store.getAsset(assetId)?.status).toBe(assetStatus);
    }

    const cancel = await create('cancel', '--external-id', 'WK-SUB-1001');
    expect(cancel).toMatchObject({ type: 'cancel', status: 'pending' });
    expect(setup.sim.store.getRequest(cancel.id)?.asset.id).toBe(assetId);
  });

  it('changes the only item of an asset without --global-id, and picks the asset by --external-uid', async () => {
    const uids = ['uid-a-0001', 'uid-b-0002'];
    const [first] = await Promise.all(
      uids.map((uid) => create('purchase', ...purchaseFlags('WK-SUB-2002', { '--external-uid': uid }))),
    );
    vendorApproves(first!.id);

    const change = await create(
      'change',
      '--external-id',
      'WK-SUB-2002',
      '--external-uid',
      'uid-a-0001',
      '--quantity',
      '12',
    );
    expect(setup.sim.store.getRequest(change.id)?.asset).toMatchObject({
      external_uid: 'uid-a-0001',
      items: [{ id: ITEM, quantity: '12' }],
    });
  });

  it('prints usage with --help', async () => {
    let stdout = '';
    const io = { env: {}, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true } };
    const code = await runCli(['requests', '--help'], io as unknown as CliIO);
    expect(code).toBe(0);
    expect(stdout).toContain('requests create purchase');
  });
});

describe('requests create: refused input, nothing sent', () => {
  // Built inside each test: the account files exist only once beforeAll has run.
  const purchase = (overrides: Record<string, string | undefined>) => () => [
    'create',
    'purchase',
    ...purchaseFlags('WK-REFUSED', overrides),
  ];
  const args =
    (...list: string[]) =>
    () =>
      list;
  it.each([
    ['a missing required flag', purchase({ '--hub': undefined }), /^--hub: required$/],
    ['a malformed hub id', purchase({ '--hub': 'HUB-1' }), /^--hub: expected an id like HB-0309-9389$/],
    [
      'a malformed item id',
      purchase({ '--item': 'PRD-276-377-545' }),
      /^--item: expected an id like PRD-276-377-545-0001$/,
    ],
    ['quantity 0', purchase({ '--quantity': '0' }), /^--quantity: must be at least 1$/],
    ['a quantity that is not a number', purchase({ '--quantity': 'five' }), /^--quantity: expected a number/],
    [
      'an item of another product',
      purchase({ '--product': 'PRD-561-716-033' }),
      /^--item: PRD-276-377-545-0001 is not an item of product PRD-561-716-033$/,
    ],
    [
      'a missing account file',
      purchase({ '--tier1': '/nonexistent/tier1.json' }),
      /^--tier1: cannot read \/nonexistent\/tier1.json: ENOENT$/,
    ],
    [
      'a flag the type does not use',
      args('create', 'cancel', '--external-id', 'WK-E-7', '--quantity', '3'),
      /--quantity not used by "requests create cancel"/,
    ],
    [
      'an unknown request type',
      args('create', 'renew', '--external-id', 'WK-E-8'),
      /must be one of purchase, change, cancel, suspend, resume/,
    ],
    [
      'a negative change quantity',
      args('create', 'change', '--external-id', 'WK-E-9', '--quantity=-1'),
      /^--quantity: must not be negative$/,
    ],
  ])('refuses %s, naming the flag', async (_case, argsOf, message) => {
    const { error, calls } = await refusal(argsOf());
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect(calls).toEqual([]);
  });

  it('refuses a tier 1 account file with a bad field, naming the flag and the field', async () => {
    const broken = await setup.jsonFile('broken.json', {
      ...account('X', 'R-9', 'not-an-email'),
      nickname: 'x',
    });
    const { error, calls } = await refusal([
      'create',
      'purchase',
      ...purchaseFlags('WK-E-10', { '--tier1': broken }),
    ]);
    expect((error as Error).message).toContain(
      '--tier1 (contact_info.contact.email): expected an email address',
    );
    expect((error as Error).message).toContain('--tier1 (nickname): unknown field');
    expect(calls).toEqual([]);
  });
});

describe('requests create: what Connect does not have', () => {
  it('refuses an unknown marketplace and creates nothing', async () => {
    const { error, calls } = await refusal([
      'create',
      'purchase',
      ...purchaseFlags('WK-E-11', { '--marketplace': 'Nowhere Cloud' }),
    ]);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe('--marketplace: no marketplace named "Nowhere Cloud"');
    expect(calls).not.toContain('POST /requests');
  });

  it('refuses a hub where the product has no connection, naming product and hub', async () => {
    const { error, calls } = await refusal([
      'create',
      'purchase',
      ...purchaseFlags('WK-E-12', { '--hub': 'HB-9999-0000' }),
    ]);
    expect((error as Error).message).toBe(
      `--hub: product ${FALLBALL_ID} has no connection on hub HB-9999-0000`,
    );
    expect(calls).not.toContain('POST /requests');
  });

  it('refuses an item of a product Connect does not have', async () => {
    const { error, calls } = await refusal([
      'create',
      'purchase',
      ...purchaseFlags('WK-E-14', { '--item': 'PRD-404-404-404-0001' }),
    ]);
    expect((error as Error).message).toBe('--item: no product PRD-404-404-404');
    expect(calls).not.toContain('POST /requests');
  });

  it('refuses a hub where the product has several connections, listing them', async () => {
    const connection = (id: string, type: string) => ({ id, type, status: 'approved', hub: PRODUCTION_HUB });
    setup.sim.use(
      http.get(
        '*/products/:id/connections',
        () => HttpResponse.json([connection('CT-1', 'test'), connection('CT-2', 'production')]),
        { once: true },
      ),
    );
    const { error, calls } = await refusal(['create', 'purchase', ...purchaseFlags('WK-E-13')]);
    expect((error as Error).message).toBe(
      `--hub: product ${FALLBALL_ID} has several connections on hub ${HUB}: CT-1 (test), CT-2 (production)`,
    );
    expect(calls).not.toContain('POST /requests');
  });

  it('refuses a change of an asset nobody has', async () => {
    const { error, calls } = await refusal([
      'create',
      'change',
      '--external-id',
      'WK-NOBODY',
      '--quantity',
      '2',
    ]);
    expect((error as Error).message).toBe('--external-id: no asset with external id "WK-NOBODY"');
    expect(calls).toEqual(['GET /assets']);
  });

  it('refuses a suspend when several live assets share the external id, listing them', async () => {
    const a = setup.sim.store.addAsset({
      productId: FALLBALL_ID,
      externalId: 'WK-TWIN',
      externalUid: 'twin-1',
    });
    const b = setup.sim.store.addAsset({
      productId: FALLBALL_ID,
      externalId: 'WK-TWIN',
      externalUid: 'twin-2',
    });
    const { error, calls } = await refusal(['create', 'suspend', '--external-id', 'WK-TWIN']);
    expect((error as Error).message).toBe(
      `--external-id: several assets have external id "WK-TWIN"; pass the external uid to pick one: ${a.id} (active), ${b.id} (active)`,
    );
    expect(calls).toEqual(['GET /assets']);
  });

  it('leaves terminated assets out when looking an asset up', async () => {
    setup.sim.store.addAsset({ productId: FALLBALL_ID, externalId: 'WK-REUSED', status: 'terminated' });
    const live = setup.sim.store.addAsset({ productId: FALLBALL_ID, externalId: 'WK-REUSED' });
    const suspend = await create('suspend', '--external-id', 'WK-REUSED');
    expect(setup.sim.store.getRequest(suspend.id)?.asset.id).toBe(live.id);
  });

  it("reports Connect's refusal of a change while the purchase is still pending", async () => {
    await create('purchase', ...purchaseFlags('WK-SUB-3003'));
    const { error, calls } = await refusal([
      'create',
      'change',
      '--external-id',
      'WK-SUB-3003',
      '--quantity',
      '2',
    ]);
    expect(error).toBeInstanceOf(ConnectError); // exit 1: the input was fine, Connect would not do it now
    expect((error as Error).message).toMatch(
      /^POST \/requests: 400 .* is processing; a change request needs it active/,
    );
    expect(calls).toEqual(['GET /assets', 'POST /requests']);
  });

  it('fails with an unauthorized ConnectError (exit 1) when the API key is refused', async () => {
    const { error } = await refusal(['create', 'cancel', '--external-id', 'WK-SUB-1001'], {
      CONNECT_API_KEY: 'SU-TEST-0000-0001:wrong-secret-000000',
    });
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: 'unauthorized', status: 401 });
  });
});
