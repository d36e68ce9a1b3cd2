import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from '../support/cli.ts';
import { EXAMPLE_HANDLERS, TEST_API_KEY } from '../support/harness.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cf-handlers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = { CONNECT_API_URL: 'http://127.0.0.1:9/public/v1', CONNECT_API_KEY: TEST_API_KEY };

async function checkConfig(
  name: string,
  handlers: string,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const file = join(dir, name);
  writeFileSync(file, `handlers:\n${handlers}\n`);
  const cli = spawnCli(['check-config', '--config', file], ENV);
  const { code } = await cli.exited;
  return { code, stderr: cli.stderr(), stdout: cli.stdout() };
}

const RULES_ENTRY = [
  '  - products: [PRD-700-100-200]',
  '    rules:',
  '      purchase:',
  '        require:',
  '          - { param: email, format: email, message: Enter a valid e-mail. }',
  '        approve: { templateId: TL-001 }',
].join('\n');

describe('handlers entries without code, checked by the built CLI', () => {
  it('check-config shows a rules entry as configured', async () => {
    const { code, stdout } = await checkConfig('rules.yaml', RULES_ENTRY);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as { handlers: Array<Record<string, unknown>> };
    expect(printed.handlers[0]).toMatchObject({
      products: ['PRD-700-100-200'],
      rules: { purchase: { approve: { templateId: 'TL-001' } } },
    });
  });

  it.each([
    ['an unknown format', 'format: email', 'format: phone', 'handlers[0].rules.purchase.require[0].format'],
    ['an invalid regex', 'format: email', "pattern: '[a-'", 'handlers[0].rules.purchase.require[0].pattern'],
    [
      'an unknown key in a rule',
      'format: email',
      'fromat: email',
      'handlers[0].rules.purchase.require[0].fromat',
    ],
    ['a missing action', '        approve: { templateId: TL-001 }', '', 'handlers[0].rules.purchase'],
    ['an unknown request type', '      purchase:', '      purchse:', 'handlers[0].rules.purchse'],
  ])('exits 2 on %s, naming the key, without a stack trace', async (_what, from, to, key) => {
    const { code, stderr, stdout } = await checkConfig('bad-rules.yaml', RULES_ENTRY.replace(from, to));
    expect(code).toBe(2);
    expect(stderr).toContain(key);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
  });

  it('exits 2 on an entry with both module and rules', async () => {
    const { code, stderr } = await checkConfig(
      'both.yaml',
      `${RULES_ENTRY}\n    module: ${EXAMPLE_HANDLERS.fallball}`,
    );
    expect(code).toBe(2);
    expect(stderr).toContain('handlers[0]');
    expect(stderr).toMatch(/exactly one of module/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  const webhookEntry = (url: string) =>
    [
      '  - products: [PRD-700-300-400]',
      '    webhook:',
      `      url: ${url}`,
      '      secret: whsec-e2e-5f2a7c9d1b3e',
    ].join('\n');

  it('check-config shows a webhook entry with its secret masked', async () => {
    const { code, stdout } = await checkConfig(
      'webhook.yaml',
      webhookEntry('https://hooks.example.com/fulfill'),
    );
    expect(code).toBe(0);
    expect(stdout).not.toContain('whsec-e2e-5f2a7c9d1b3e');
    const printed = JSON.parse(stdout) as { handlers: Array<Record<string, unknown>> };
    expect(printed.handlers[0]).toEqual({
      products: ['PRD-700-300-400'],
      webhook: { url: 'https://hooks.example.com/fulfill', secret: '****' },
    });
  });

  it.each([
    ['a URL that is not a URL', 'not a url'],
    ['plain http:// to another host', 'http://hooks.example.com/fulfill'],
  ])('exits 2 on %s, naming handlers[0].webhook.url', async (_what, url) => {
    const { code, stderr } = await checkConfig('bad-webhook.yaml', webhookEntry(url));
    expect(code).toBe(2);
    expect(stderr).toContain('handlers[0].webhook.url');
    expect(stderr).not.toContain('whsec-e2e-5f2a7c9d1b3e');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on an entry with both module and webhook', async () => {
    const { code, stderr } = await checkConfig(
      'both-webhook.yaml',
      `${webhookEntry('https://hooks.example.com/fulfill')}\n    module: ${EXAMPLE_HANDLERS.fallball}`,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /handlers\[0\]: must have exactly one of module, webhook, rules, not module and webhook/,
    );
  });
});
