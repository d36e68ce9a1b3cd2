import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { itPrintsNoStackFrames, spawnCli } from '../support/cli.ts';
import { EXAMPLE_HANDLERS, TEST_API_KEY } from '../support/harness.ts';

let dir: string;
let sim: RunningSimulator;
let env: Record<string, string>;
let daemonConfig: string;
const tier1 = {
  name: 'Northwind Reseller',
  external_id: 'R-2002',
  contact_info: {
    address_line1: '5 Market Street',
    city: 'Springfield',
    state: 'Illinois',
    postal_code: '62701',
    country: 'US',
    contact: { first_name: 'Grace', last_name: 'Hopper', email: 'grace@northwind.example' },
  },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cf-flow-'));
  sim = await startSimulator({ apiKey: TEST_API_KEY });
  env = { CONNECT_API_URL: sim.url, CONNECT_API_KEY: TEST_API_KEY, RATE_LIMIT_RPS: '1000' };
  daemonConfig = join(dir, 'daemon.yaml');
  writeFileSync(daemonConfig, `handlers:\n  - module: ${EXAMPLE_HANDLERS.fallball}\n`);
  writeFileSync(join(dir, 'tier1.json'), JSON.stringify(tier1));
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs one CLI command to completion; returns its exit code and parsed stdout. */
async function cli(args: string[]) {
  const run = spawnCli(args, env);
  const { code } = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr(), logs: run.logLines() };
}

async function create(type: string, ...flags: string[]) {
  const result = await cli(['requests', 'create', type, '--external-id', 'FLOW-1', ...flags]);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  return JSON.parse(result.stdout) as { id: string; type: string; status: string; asset: { id: string } };
}

/** A purchase of 5 × `item` on the demo hub and marketplace, for the tier 1 account in `tier1File`. */
function createPurchase(item: string, tier1File: string, ...params: string[]) {
  const flags = ['--hub', 'HB-0309-9389', '--marketplace', 'Ingram Micro US Cloud', '--item', item];
  flags.push('--quantity', '5', '--tier1', join(dir, tier1File), ...params.flatMap((p) => ['--param', p]));
  return create('purchase', ...flags);
}

async function daemonCycle() {
  const result = await cli(['run-once', '--config', daemonConfig]);
  expect(result.code).toBe(0);
  return result.logs.find((l) => l.event === 'cycle.finished')!;
}

describe('distributor actions through the CLI, fulfilled by the daemon', () => {
  it('purchase, change, suspend, resume and cancel of one asset, each created then processed', async () => {
    const purchase = await createPurchase(
      'PRD-276-377-545-0001',
      'tier1.json',
      'email=admin@northwind.example',
    );
    expect(purchase).toMatchObject({ type: 'purchase', status: 'pending' });
    await daemonCycle();
    expect(sim.store.getRequest(purchase.id)?.status).toBe('approved');
    const assetId = purchase.asset.id;
    expect(sim.store.getAsset(assetId)?.status).toBe('active');

    const steps: Array<[string, string[], string]> = [
      ['change', ['--global-id', 'PRD-276-377-545-0001', '--quantity', '8'], 'active'],
      ['suspend', [], 'suspended'],
      ['resume', [], 'active'],
      ['cancel', [], 'terminated'],
    ];
    for (const [type, flags, assetStatus] of steps) {
      const request = await create(type, ...flags);
      expect({ type: request.type, asset: request.asset.id, status: request.status }).toEqual({
        type,
        asset: assetId,
        status: 'pending',
      });
      const cycle = await daemonCycle();
      expect(cycle).toMatchObject({ errors: 0 });
      expect({
        type,
        request: sim.store.getRequest(request.id)?.status,
        asset: sim.store.getAsset(assetId)?.status,
      }).toEqual({
        type,
        request: 'approved',
        asset: assetStatus,
      });
    }
    const item = sim.store.getAsset(assetId)?.items.find((i) => i.id === 'PRD-276-377-545-0001');
    expect(item?.quantity).toBe('8');
  });

  it("a purchase of a product with reseller-level parameters waits in tiers_setup until the daemon approves the reseller's TCR", async () => {
    writeFileSync(
      join(dir, 'new-reseller.json'),
      JSON.stringify({ ...tier1, name: 'Fresh Reseller', external_id: 'R-7007' }),
    );
    const purchase = await createPurchase(
      'PRD-604-522-081-0001',
      'new-reseller.json',
      'admin_email=grace@fresh.example',
      'reseller_code=NW-7007',
    );
    expect(purchase.status).toBe('tiers_setup');
    // Connect asks the reseller for its parameter on a setup TCR, with the order's answer on it.
    const tcr = sim.store
      .listTierConfigRequests()
      .find(
        (t) =>
          t.status === 'pending' && t.params.some((p) => p.id === 'reseller_code' && p.value === 'NW-7007'),
      );
    expect(tcr).toMatchObject({ type: 'setup', configuration: { product: { id: 'PRD-604-522-081' } } });

    const northwind = join(dir, 'northwind.yaml');
    writeFileSync(northwind, `handlers:\n  - module: ${EXAMPLE_HANDLERS.northwindPbx}\n`);
    const result = await cli(['run-once', '--config', northwind]);
    expect(result.code).toBe(0);
    expect([
      sim.store.getTierConfigRequest(tcr!.id)?.status,
      sim.store.getRequest(purchase.id)?.status,
    ]).toEqual(['approved', 'approved']);
  });
});

itPrintsNoStackFrames();
