import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { UsageError } from '../../src/cli/io.ts';
import { usageCommand } from '../../src/cli/usage.ts';
import { ConnectError } from '../../src/connect/errors.ts';
import { parseQuery } from '../../src/simulator/index.ts';
import { setUpDistributor, type DistributorSetup } from './support.ts';

let setup: DistributorSetup;
beforeAll(async () => {
  setup = await setUpDistributor();
});
afterAll(() => setup.close());

/** The records the simulator holds for a file, in its order: what the command must reproduce. */
function recordIdsOf(fileId: string): string[] {
  return setup.sim.store
    .list('usageRecords', parseQuery(`eq(usagefile.id,${fileId})&limit=1000`))
    .items.map((record) => (record as { id: string }).id);
}

describe('usage records', () => {
  it('prints every record of a file spanning several pages, one JSON line each, in order', async () => {
    const { code, stdout } = await setup.run(usageCommand, [
      'records',
      '--file',
      'UF-2026-11-0001',
      '--page-size',
      '40',
    ]);
    expect(code).toBe(0);
    const records = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; usagefile: { id: string } });
    expect(records).toHaveLength(250);
    expect(records.map((r) => r.id)).toEqual(recordIdsOf('UF-2026-11-0001'));
    expect(records.every((r) => r.usagefile.id === 'UF-2026-11-0001')).toBe(true);
    const pages = setup.sim.journal.filter((entry) => entry.path === '/usage/records');
    expect(pages).toHaveLength(7); // 250 records at 40 a page
  });

  it('refuses a missing or malformed file id before calling Connect', async () => {
    const before = setup.sim.journal.length;
    await expect(setup.run(usageCommand, ['records'])).rejects.toThrow(new UsageError('--file: required'));
    await expect(setup.run(usageCommand, ['records', '--file', 'PR-1234'])).rejects.toThrow(
      '--file: expected an id like UF-2026-11-0001',
    );
    await expect(
      setup.run(usageCommand, ['records', '--file', 'UF-2026-11-0001', '--page-size', '5000']),
    ).rejects.toThrow('--page-size: must be at most 1000');
    expect(setup.sim.journal.length).toBe(before);
  });

  it('says so when the usage file does not exist, instead of printing nothing', async () => {
    const run = setup.run(usageCommand, ['records', '--file', 'UF-2026-12-0042']);
    await expect(run).rejects.toThrow(new UsageError('--file: no usage file UF-2026-12-0042'));
  });

  it('fails with an unauthorized ConnectError (exit 1) when the API key is refused', async () => {
    const run = setup.run(usageCommand, ['records', '--file', 'UF-2026-11-0001'], {
      CONNECT_API_KEY: 'SU-TEST-0000-0001:wrong-secret-000000',
    });
    await expect(run).rejects.toBeInstanceOf(ConnectError);
    await expect(run).rejects.toMatchObject({ code: 'unauthorized' });
  });
});
