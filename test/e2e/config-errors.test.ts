import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { itPrintsNoStackFrames, spawnCli } from '../support/cli.ts';
import { TEST_API_KEY } from '../support/harness.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cf-config-errors-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, body: string) => {
  writeFileSync(join(dir, name), body);
  return join(dir, name);
};
// Nothing listens on port 9: a command that got past its configuration would fail with exit 1.
const LIVE = { CONNECT_API_URL: 'http://127.0.0.1:9/public/v1', CONNECT_API_KEY: TEST_API_KEY };

/** Every way a handler module can be unusable, and the line each must be reported with. */
function brokenHandlers(): { config: string; expected: RegExp[] } {
  write('syntax.js', 'export default {\n  purchase() {\n    return { action: "skip" \n  },\n};\n');
  write('syntax.ts', 'const x: number = 1;\nexport default {\n  purchase() { return x +; },\n};\n');
  write('throws.js', '// needs a key\nthrow new Error("VENDOR_KEY is not set");\nexport default {};\n');
  write('no-default.js', 'export const purchase = () => ({ action: "skip" });\n');
  write('no-products.js', 'export default { purchase() { return { action: "skip" }; } };\n');
  write(
    'ok.js',
    'export default { products: ["PRD-100-000-001"], purchase() { return { action: "skip" }; } };\n',
  );
  const config = write(
    'broken.yaml',
    [
      'handlers:',
      '  - module: ./missing.js',
      '  - module: ./syntax.js',
      '  - module: ./syntax.ts',
      '  - module: ./throws.js',
      '  - module: ./no-default.js',
      '  - module: ./no-products.js',
      '  - module: ./ok.js',
    ].join('\n'),
  );
  const at = (index: number, file: string, what: string) =>
    new RegExp(`^  - handlers\\[${index}\\] \\(${join(dir, file).replace(/[.]/g, '\\.')}\\): ${what}`, 'm');
  return {
    config,
    expected: [
      at(0, 'missing.js', 'cannot load the module: no such file$'),
      at(1, 'syntax.js', "syntax error at line 5: Unexpected token '}'$"),
      at(2, 'syntax.ts', 'syntax error at line 3: '),
      at(3, 'throws.js', 'threw while loading, at line 2: VENDOR_KEY is not set$'),
      at(4, 'no-default.js', 'the default export must be a handler object'),
      at(5, 'no-products.js', 'no products: list them in the config entry'),
    ],
  };
}

describe('check-config judges handler modules exactly as start does, without contacting Connect', () => {
  it('reports every broken module, one line each, exit 2; run-once refuses the same lines', async () => {
    const { config, expected } = brokenHandlers();
    const check = spawnCli(['check-config', '--config', config], LIVE);
    expect((await check.exited).code).toBe(2);
    for (const line of expected) expect(check.stderr()).toMatch(line);
    expect(check.stdout()).toBe('');

    const runOnce = spawnCli(['run-once', '--config', config], LIVE);
    expect((await runOnce.exited).code).toBe(2);
    const problems = (text: string) => text.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems(runOnce.stderr())).toEqual(problems(check.stderr()));
    expect(problems(check.stderr())).toHaveLength(expected.length);
  });

  it('--json gives the same verdict for machines', async () => {
    const { config } = brokenHandlers();
    const cli = spawnCli(['check-config', '--config', config, '--json'], LIVE);
    expect((await cli.exited).code).toBe(2);
    const verdict = JSON.parse(cli.stdout()) as { valid: boolean; problems: string[]; config: unknown };
    expect(verdict.valid).toBe(false);
    expect(verdict.problems).toHaveLength(6);
    expect(verdict.problems[3]).toMatch(/throws\.js\): threw while loading, at line 2/);

    const good = write('good.yaml', 'handlers:\n  - module: ./ok.js\n');
    const ok = spawnCli(['check-config', '--config', good, '--json'], LIVE);
    expect((await ok.exited).code).toBe(0);
    expect(JSON.parse(ok.stdout())).toMatchObject({ valid: true, problems: [], warnings: [] });
  });

  it('warns when an entry routes products the module does not claim, and when live mode has no handlers', async () => {
    write(
      'ok.js',
      'export default { products: ["PRD-100-000-001"], purchase() { return { action: "skip" }; } };\n',
    );
    const other = write('other.yaml', 'handlers:\n  - module: ./ok.js\n    products: [PRD-200-000-002]\n');
    const cli = spawnCli(['check-config', '--config', other], LIVE);
    expect((await cli.exited).code).toBe(0);
    expect(cli.stderr()).toMatch(
      /^warning: handlers\[0\] .*ok\.js\): the entry's products PRD-200-000-002 are not among the module's own \(PRD-100-000-001\)/m,
    );
    const empty = spawnCli(['check-config'], LIVE);
    expect((await empty.exited).code).toBe(0);
    expect(empty.stderr()).toMatch(/^warning: handlers: is empty: live mode polls no product/m);
  });
});

describe('a config file that cannot be used: exit 2 naming the file (and the line where known)', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    [
      'a YAML alias bomb',
      () =>
        write(
          'bomb.yaml',
          [
            'a: &a [x, x, x, x, x, x, x, x, x]',
            ...'bcdefg'
              .split('')
              .map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`),
          ].join('\n'),
        ),
      /bomb\.yaml: invalid YAML: Excessive alias count/,
    ],
    [
      'an alias without anchor',
      () => write('alias.yaml', 'poll:\n  pageSize: *size\n'),
      /alias\.yaml: invalid YAML: Unresolved alias .* at line 2, column 13$/m,
    ],
    [
      'bad YAML',
      () => write('bad.yaml', 'poll:\n  schedule: [\n'),
      /bad\.yaml: invalid YAML: .* at line 3, column 1$/m,
    ],
    [
      'bad JSON',
      () => write('bad.json', '{\n  "poll": { "pageSize": }\n}\n'),
      /bad\.json: invalid JSON: Unexpected token '\}' at line 2, column 25$/m,
    ],
    [
      'JSON cut short',
      () => write('short.json', '{\n  "poll": {\n'),
      /short\.json: invalid JSON: .* at line 3, column 1$/m,
    ],
    [
      'a directory',
      () => (mkdirSync(join(dir, 'conf.d'), { recursive: true }), join(dir, 'conf.d')),
      /conf\.d: cannot be read \(it is a directory\)$/m,
    ],
    ['a missing file', () => join(dir, 'absent.yaml'), /absent\.yaml: cannot be read \(no such file\)$/m],
    [
      'an unreadable file (a symlink loop)',
      () => {
        const loop = join(dir, 'loop.yaml');
        rmSync(loop, { force: true });
        symlinkSync(loop, loop);
        return loop;
      },
      /loop\.yaml: cannot be read \(.*ELOOP/m,
    ],
  ];
  for (const [what, file, message] of cases) {
    it(`${what}: start, run-once and check-config alike`, async () => {
      const path = file();
      // The three commands at once: each reads the file on its own.
      const runs = ['start', 'run-once', 'check-config'].map((command) => ({
        command,
        cli: spawnCli([command, '--config', path], LIVE),
      }));
      for (const { command, cli } of runs) {
        expect({ command, code: (await cli.exited).code }).toEqual({ command, code: 2 });
        expect(cli.stderr()).toMatch(message);
        expect(cli.stderr()).toContain(`config file ${path}`);
      }
    });
  }
});

itPrintsNoStackFrames();
