import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ConfigError,
  configSecrets,
  describeConfig,
  loadConfig,
  type LoadOptions,
} from '../../src/config/index.ts';
import { SETTINGS } from '../../src/config/settings.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const URL_ = 'https://api.example.com/public/v1';
const API_KEY = 'SU-123-456-789:0123456789abcdef0123456789abcdef';
const SECRET = '0123456789abcdef0123456789abcdef';
const LIVE_ENV = { CONNECT_API_URL: URL_, CONNECT_API_KEY: API_KEY };

const tmp = mkdtempSync(path.join(tmpdir(), 'config-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let fileCount = 0;
/** Writes a config file in its own folder (so relative handler paths can be told apart). */
function configFile(name: string, content: string): string {
  const dir = path.join(tmp, `case-${++fileCount}`);
  mkdirSync(dir);
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** The problem lines loadConfig throws; fails the test when it does not throw. */
function problemsOf(options: LoadOptions): readonly string[] {
  try {
    loadConfig(options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: values', () => {
  it('reads poll.connectionTypes from POLL_CONNECTION_TYPES as a comma list, all three by default', () => {
    expect(loadConfig({ env: {} }).config.poll.connectionTypes).toEqual(['test', 'preview', 'production']);
    const loaded = loadConfig({ env: { POLL_CONNECTION_TYPES: ' Test, preview ' } });
    expect(loaded.config.poll.connectionTypes).toEqual(['test', 'preview']);
  });

  it('loads the defaults in demo mode without file or environment', () => {
    const loaded = loadConfig({ env: {} });
    expect(loaded.mode).toBe('demo');
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.connect).toEqual({
      url: null,
      apiKey: null,
      connectTimeoutMs: 15_000,
      headersTimeoutMs: 120_000,
      bodyTimeoutMs: 120_000,
    });
    expect(loaded.config.poll).toEqual({
      schedule: '0 */3 * * * *',
      pageSize: 100,
      connectionTypes: ['test', 'preview', 'production'],
    });
    expect(loaded.config.rateLimit).toEqual({ requestsPerSecond: 10, concurrency: 4 });
    expect(loaded.config.processing).toEqual({
      concurrency: 8,
      handlerTimeoutMs: 60_000,
      backoffBaseMs: 60_000,
      backoffMaxMs: 3_600_000,
    });
    expect(loaded.config.handlers).toEqual([]);
    expect(loaded.config.log).toEqual({ level: 'info', format: 'auto' });
    expect(loaded.config.ops).toEqual({ port: 0, host: '127.0.0.1' });
    expect(loaded.sources).toEqual({
      file: null,
      byKey: expect.objectContaining({ 'poll.pageSize': 'default' }),
    });
  });

  it('is live with a URL and a key', () => {
    const loaded = loadConfig({ env: LIVE_ENV });
    expect(loaded.mode).toBe('live');
    expect(loaded.config.connect).toMatchObject({ url: URL_, apiKey: API_KEY });
  });

  it('reads a JSON file', () => {
    const file = configFile(
      'config.json',
      JSON.stringify({ poll: { pageSize: 50 }, log: { level: 'debug' } }),
    );
    const loaded = loadConfig({ file, env: {} });
    expect(loaded.config.poll.pageSize).toBe(50);
    expect(loaded.config.log.level).toBe('debug');
    expect(loaded.sources.file).toBe(file);
    expect(loaded.sources.byKey['poll.pageSize']).toBe('file');
  });

  it('reads a YAML file (.yaml and .yml)', () => {
    for (const name of ['config.yaml', 'config.yml']) {
      const file = configFile(name, 'poll:\n  pageSize: 25\nrateLimit:\n  requestsPerSecond: 2.5\n');
      const { config } = loadConfig({ file, env: {} });
      expect(config.poll.pageSize).toBe(25);
      expect(config.rateLimit.requestsPerSecond).toBe(2.5);
    }
  });

  it('treats an empty file, and a section with every line commented out, as no settings', () => {
    expect(loadConfig({ file: configFile('empty.yaml', ''), env: {} }).config.poll.pageSize).toBe(100);
    expect(loadConfig({ file: configFile('empty.json', ''), env: {} }).config.poll.pageSize).toBe(100);
    expect(
      loadConfig({ file: configFile('c.yaml', 'poll:\n  # pageSize: 5\n'), env: {} }).config.poll.pageSize,
    ).toBe(100);
  });

  it('takes the file from CONFIG_FILE when none is given, and the given one over CONFIG_FILE', () => {
    const fromEnv = configFile('env.json', '{"poll":{"pageSize":7}}');
    const given = configFile('given.json', '{"poll":{"pageSize":8}}');
    expect(loadConfig({ env: { CONFIG_FILE: fromEnv } }).config.poll.pageSize).toBe(7);
    expect(loadConfig({ file: given, env: { CONFIG_FILE: fromEnv } }).config.poll.pageSize).toBe(8);
  });

  it('resolves a relative file against cwd', () => {
    const file = configFile('relative.json', '{"poll":{"pageSize":9}}');
    const loaded = loadConfig({ file: path.basename(file), env: {}, cwd: path.dirname(file) });
    expect(loaded.config.poll.pageSize).toBe(9);
    expect(loaded.sources.file).toBe(file);
  });

  it('applies defaults < file < environment < overrides', () => {
    const file = configFile(
      'c.json',
      JSON.stringify({ poll: { pageSize: 10, schedule: '0 */4 * * * *' }, ops: { port: 1000 } }),
    );
    const loaded = loadConfig({
      file,
      env: { POLL_PAGE_SIZE: '20', OPS_PORT: '2000' },
      overrides: { 'ops.port': 3000 },
    });
    expect(loaded.config.poll.schedule).toBe('0 */4 * * * *');
    expect(loaded.config.poll.pageSize).toBe(20);
    expect(loaded.config.ops.port).toBe(3000);
    expect(loaded.sources.byKey).toMatchObject({
      'poll.schedule': 'file',
      'poll.pageSize': 'env',
      'ops.port': 'override',
      'ops.host': 'default',
    });
  });

  it('accepts overrides nested or dotted, coerces strings, and ignores undefined ones', () => {
    const loaded = loadConfig({
      env: { POLL_PAGE_SIZE: '20' },
      overrides: { log: { level: 'debug' }, 'ops.port': '8080', 'poll.pageSize': undefined },
    });
    expect(loaded.config.log.level).toBe('debug');
    expect(loaded.config.ops.port).toBe(8080);
    expect(loaded.config.poll.pageSize).toBe(20);
  });

  it('coerces environment strings strictly', () => {
    const { config } = loadConfig({
      env: { POLL_PAGE_SIZE: ' 50 ', RATE_LIMIT_RPS: '0.5', LOG_LEVEL: 'DEBUG', LOG_FORMAT: 'Json' },
    });
    expect(config.poll.pageSize).toBe(50);
    expect(config.rateLimit.requestsPerSecond).toBe(0.5);
    expect(config.log).toEqual({ level: 'debug', format: 'json' });
  });

  it('treats an empty environment variable as unset', () => {
    const loaded = loadConfig({ env: { CONNECT_API_URL: '', CONNECT_API_KEY: '', POLL_PAGE_SIZE: '' } });
    expect(loaded.mode).toBe('demo');
    expect(loaded.config.poll.pageSize).toBe(100);
  });

  it('trims an API key read with its trailing newline', () => {
    expect(loadConfig({ env: { ...LIVE_ENV, CONNECT_API_KEY: `${API_KEY}\n` } }).config.connect.apiKey).toBe(
      API_KEY,
    );
  });

  it('replaces ${VAR} in file values with the environment', () => {
    const file = configFile('c.yaml', 'connect:\n  url: ${BASE}/public/v1\n  apiKey: ${MY_KEY}\n');
    const { config, mode } = loadConfig({ file, env: { BASE: 'https://connect.example', MY_KEY: API_KEY } });
    expect(mode).toBe('live');
    expect(config.connect).toMatchObject({ url: 'https://connect.example/public/v1', apiKey: API_KEY });
  });

  it('returns a deeply frozen config', () => {
    const file = configFile(
      'c.json',
      JSON.stringify({ handlers: [{ module: './h.js', products: ['PRD-1'] }] }),
    );
    const { config } = loadConfig({ file, env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.poll)).toBe(true);
    expect(Object.isFrozen(config.handlers[0]!.products)).toBe(true);
    expect(() => {
      (config.poll as { pageSize: number }).pageSize = 1;
    }).toThrow(TypeError);
  });
});

describe('loadConfig: handlers', () => {
  it('resolves module paths against the config file folder', () => {
    const file = configFile(
      'c.yaml',
      'handlers:\n  - module: ./vendor/a.js\n    products: [PRD-111-222-333]\n  - module: ../b.js\n  - module: /abs/c.js\n',
    );
    const dir = path.dirname(file);
    expect(loadConfig({ file, env: {} }).config.handlers).toEqual([
      { module: path.join(dir, 'vendor/a.js'), products: ['PRD-111-222-333'] },
      { module: path.resolve(dir, '../b.js') },
      { module: '/abs/c.js' },
    ]);
  });

  it('resolves module paths against cwd when they do not come from a file', () => {
    const { config } = loadConfig({
      env: {},
      cwd: '/srv/app',
      overrides: { handlers: [{ module: 'handlers/x.js' }] },
    });
    expect(config.handlers).toEqual([{ module: '/srv/app/handlers/x.js' }]);
  });
});

describe('loadConfig: problems', () => {
  it('names each invalid setting with its environment variable, one line each', () => {
    const withEnv = SETTINGS.filter((setting) => setting.env !== undefined);
    expect(withEnv.length).toBeGreaterThan(15);
    for (const { key, env } of withEnv) {
      const problems = problemsOf({ env: { [env!]: 'not valid' } });
      expect({ key, problems }).toEqual({
        key,
        problems: [expect.stringMatching(new RegExp(`^${key} \\(${env}\\): `))],
      });
    }
  });

  it.each([
    [
      'connect.url',
      { CONNECT_API_URL: 'ftp://files.example.com', CONNECT_API_KEY: API_KEY },
      'connect.url (CONNECT_API_URL): must be an http(s) URL',
    ],
    [
      'poll.pageSize',
      { POLL_PAGE_SIZE: '5000' },
      'poll.pageSize (POLL_PAGE_SIZE): must be an integer between 1 and 1000, got 5000',
    ],
    [
      'poll.connectionTypes',
      { POLL_CONNECTION_TYPES: 'test,staging' },
      'poll.connectionTypes (POLL_CONNECTION_TYPES): must be a non-empty comma list of test, preview, production, got ["test","staging"]',
    ],
    [
      'poll.pageSize',
      { POLL_PAGE_SIZE: '12abc' },
      'poll.pageSize (POLL_PAGE_SIZE): must be an integer between 1 and 1000, got "12abc"',
    ],
    [
      'rateLimit.requestsPerSecond',
      { RATE_LIMIT_RPS: '0' },
      'rateLimit.requestsPerSecond (RATE_LIMIT_RPS): must be a number greater than 0 and at most 10000, got 0',
    ],
    [
      'poll.schedule',
      { POLL_SCHEDULE: '61 * * * *' },
      'poll.schedule (POLL_SCHEDULE): must be a cron expression',
    ],
    [
      'poll.schedule',
      { POLL_SCHEDULE: '0 0 31 2 *' },
      'poll.schedule (POLL_SCHEDULE): never fires, got "0 0 31 2 *"',
    ],
    [
      'log.level',
      { LOG_LEVEL: 'verbose' },
      'log.level (LOG_LEVEL): must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    ],
    [
      'ops.port',
      { OPS_PORT: '70000' },
      'ops.port (OPS_PORT): must be an integer between 0 and 65535, got 70000',
    ],
  ])('%s: %j', (_key, env, expected) => {
    const problems = problemsOf({ env });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('rejects unknown keys in the file, suggesting a differently spelled one', () => {
    const file = configFile('c.yaml', 'poll:\n  pagesize: 5\n  interval: 3\nmetrics: true\n');
    expect(problemsOf({ file, env: {} })).toEqual([
      `poll.pagesize: unknown key in ${file} (did you mean poll.pageSize?)`,
      `poll.interval: unknown key in ${file}`,
      `metrics: unknown key in ${file}`,
    ]);
  });

  it('rejects unknown override keys', () => {
    expect(problemsOf({ env: {}, overrides: { 'poll.every': 5 } })).toEqual([
      'poll.every: unknown key in the overrides',
    ]);
  });

  it('rejects a section that is not an object, once', () => {
    const file = configFile('c.json', '{"poll": 5}');
    expect(problemsOf({ file, env: {} })).toEqual([
      'poll: must be an object with the keys schedule, pageSize, connectionTypes, got 5',
    ]);
  });

  it('names the handlers entry at fault', () => {
    const file = configFile(
      'c.json',
      JSON.stringify({ handlers: [{ module: './a.js' }, { products: ['PRD-1'] }] }),
    );
    expect(problemsOf({ file, env: {} })).toEqual([
      'handlers[1]: must have exactly one of module, webhook, rules',
    ]);
  });

  it('reports every bad part of the handlers list', () => {
    const handlers = [
      5,
      { module: './a.js', products: 'PRD-1' },
      { module: './b.js', products: ['PRD-1', 'prd-2'], name: 'b' },
    ];
    expect(problemsOf({ env: {}, overrides: { handlers } })).toEqual([
      'handlers[0]: must be an object like { "module": "./handler.js", "products": ["PRD-123-456-789"] }, got 5',
      'handlers[1].products: must be a non-empty list of product ids like PRD-123-456-789, got "PRD-1"',
      'handlers[2].products[1]: must be a product id like PRD-123-456-789, got "prd-2"',
      'handlers[2].name: unknown key (an entry has one of module, webhook, rules, and "products", "statuses" and "connectionTypes")',
    ]);
  });

  it('accepts statuses pending and inquiring on an entry, and names anything else', () => {
    const ok = [{ module: './a.js', statuses: ['pending', 'inquiring'] }];
    expect(loadConfig({ env: {}, overrides: { handlers: ok } }).config.handlers[0]?.statuses).toEqual([
      'pending',
      'inquiring',
    ]);
    const handlers = [
      { module: './a.js', statuses: ['approved'] },
      { module: './b.js', statuses: [] },
    ];
    expect(problemsOf({ env: {}, overrides: { handlers } })).toEqual([
      'handlers[0].statuses: must be a non-empty list of pending, inquiring, got ["approved"]',
      'handlers[1].statuses: must be a non-empty list of pending, inquiring, got []',
    ]);
  });

  it('rejects a product listed by two entries, naming the product and both entries', () => {
    const file = configFile(
      'c.yaml',
      'handlers:\n  - module: ./a.js\n    products: [PRD-1-2]\n  - module: ./b.js\n    products: [PRD-3, PRD-1-2]\n',
    );
    expect(problemsOf({ file, env: {} })).toEqual([
      'handlers: product PRD-1-2 is listed by both handlers[0] (./a.js) and handlers[1] (./b.js)',
    ]);
  });

  it('rejects an API key without a URL', () => {
    const problems = problemsOf({ env: { CONNECT_API_KEY: API_KEY } });
    expect(problems).toEqual([
      'connect.apiKey (CONNECT_API_KEY): is set but connect.url (CONNECT_API_URL) is not; set both for live mode, or neither for the demo',
    ]);
  });

  it('rejects a URL without an API key', () => {
    expect(problemsOf({ env: { CONNECT_API_URL: URL_ } })).toEqual([
      'connect.apiKey (CONNECT_API_KEY): is required when connect.url (CONNECT_API_URL) is set',
    ]);
  });

  it('rejects a base delay above its cap', () => {
    expect(problemsOf({ env: { RETRY_BASE_DELAY_MS: '60000', RETRY_MAX_DELAY_MS: '1000' } })).toEqual([
      'retry.baseDelayMs (RETRY_BASE_DELAY_MS): must not exceed retry.maxDelayMs (1000), got 60000',
    ]);
  });

  it('reports several problems, one line each', () => {
    const file = configFile('c.json', JSON.stringify({ poll: { pageSize: 0 }, unknown: 1 }));
    const problems = problemsOf({
      file,
      env: { RATE_LIMIT_RPS: '-1', LOG_LEVEL: 'loud', CONNECT_API_KEY: API_KEY },
    });
    expect(problems).toHaveLength(5);
    expect(problems.map((line) => line.split(/[ :]/)[0])).toEqual([
      'unknown',
      'poll.pageSize',
      'rateLimit.requestsPerSecond',
      'log.level',
      'connect.apiKey',
    ]);
    expect(problems.every((line) => !line.includes('\n'))).toBe(true);
  });

  it('names an unset variable the file refers to, once', () => {
    const file = configFile('c.yaml', `connect:\n  url: ${URL_}\n  apiKey: \${NOT_SET_KEY}\n`);
    expect(problemsOf({ file, env: {} })).toEqual([
      `connect.apiKey (CONNECT_API_KEY): refers to \${NOT_SET_KEY} in ${file}, which is not set in the environment`,
    ]);
  });

  it('never quotes the API key, even inside another value', () => {
    const badKey = `${API_KEY} extra`;
    const problems = problemsOf({ env: { CONNECT_API_URL: URL_, CONNECT_API_KEY: badKey } });
    expect(problems).toEqual([
      expect.stringMatching(/^connect\.apiKey \(CONNECT_API_KEY\): must be a Connect API token/),
    ]);
    expect(problems.join()).not.toContain(SECRET);

    const leaky = problemsOf({ env: { ...LIVE_ENV, OPS_HOST: `host ${API_KEY}` } });
    expect(leaky).toHaveLength(1);
    expect(leaky.join()).not.toContain(SECRET);
  });

  it('names a missing file', () => {
    const missing = path.join(tmp, 'nowhere.yaml');
    expect(problemsOf({ file: missing, env: {} })).toEqual([
      `config file ${missing}: cannot be read (no such file)`,
    ]);
  });

  it('names an unparseable YAML file and the line', () => {
    const file = configFile('bad.yaml', 'poll:\n  pageSize: 5\n  schedule: [1, 2\nlog: {}\n');
    const [problem, ...rest] = problemsOf({ file, env: {} });
    expect(rest).toEqual([]);
    expect(problem).toMatch(new RegExp(`^config file ${file}: invalid YAML: .* at line \\d+, column \\d+$`));
  });

  it('names an unparseable JSON file and the line', () => {
    const file = configFile('bad.json', '{\n  "poll": { "pageSize": 5, }\n}');
    const [problem, ...rest] = problemsOf({ file, env: {} });
    expect(rest).toEqual([]);
    expect(problem).toMatch(new RegExp(`^config file ${file}: invalid JSON: .*line 2`));
  });

  it('rejects a file whose top level is not an object', () => {
    const file = configFile('list.yaml', '- 1\n- 2\n');
    expect(problemsOf({ file, env: {} })).toEqual([
      `config file ${file}: must contain an object of settings at the top level`,
    ]);
  });

  it('collects file and environment problems together', () => {
    const missing = path.join(tmp, 'missing.json');
    expect(problemsOf({ file: missing, env: { POLL_PAGE_SIZE: '0' } })).toHaveLength(2);
  });

  it('is an Error whose message lists the problems', () => {
    const error = (() => {
      try {
        loadConfig({ env: { POLL_PAGE_SIZE: '0' } });
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(Error);
    expect(error?.name).toBe('ConfigError');
    expect(error?.message).toContain('poll.pageSize (POLL_PAGE_SIZE)');
  });
});

describe('loadConfig: warnings', () => {
  it('warns about a schedule outside 2-5 minutes', () => {
    const { warnings } = loadConfig({ env: { POLL_SCHEDULE: '*/10 * * * * *' } });
    expect(warnings).toEqual([
      expect.stringMatching(/^poll\.schedule \(POLL_SCHEDULE\): "\*\/10 \* \* \* \* \*" fires every 10 s/),
    ]);
  });

  it('does not warn about the default schedule', () => {
    expect(loadConfig({ env: { POLL_SCHEDULE: '0 */3 * * * *' } }).warnings).toEqual([]);
  });

  it('warns about plain http to a remote host and a key that is not a Connect token', () => {
    const { warnings } = loadConfig({
      env: { CONNECT_API_URL: 'http://connect.example/public/v1', CONNECT_API_KEY: 'plain-token-value' },
      overrides: { handlers: [{ module: './h.js' }] },
    });
    expect(warnings).toEqual([
      expect.stringMatching(/^connect\.url \(CONNECT_API_URL\): is plain http to a remote host/),
      expect.stringMatching(/^connect\.apiKey \(CONNECT_API_KEY\): does not look like a Connect token/),
    ]);
    expect(warnings.join()).not.toContain('plain-token-value');
  });

  it('does not warn about plain http on loopback (the simulator)', () => {
    expect(
      loadConfig({
        env: { ...LIVE_ENV, CONNECT_API_URL: 'http://127.0.0.1:4010/public/v1' },
        overrides: { handlers: [{ module: './h.js' }] },
      }).warnings,
    ).toEqual([]);
  });

  it('warns when live mode has no handlers (nothing would be polled), not in the demo', () => {
    expect(loadConfig({ env: LIVE_ENV }).warnings).toEqual([
      'handlers: is empty: live mode polls no product until handler modules are listed',
    ]);
    expect(loadConfig({ env: {} }).warnings).toEqual([]);
  });
});

describe('describeConfig', () => {
  it('masks the secret part of the API key and keeps the key id', () => {
    const loaded = loadConfig({ env: LIVE_ENV });
    const described = describeConfig(loaded);
    expect(described.connect.apiKey).toBe('SU-123-456-789:****');
    expect(JSON.stringify(described)).not.toContain(SECRET);
    expect(described.poll).toEqual(loaded.config.poll);
    expect(loaded.config.connect.apiKey).toBe(API_KEY);
  });

  it('masks a key of another shape entirely, and leaves an unset key null', () => {
    expect(
      describeConfig(loadConfig({ env: { ...LIVE_ENV, CONNECT_API_KEY: 'ApiKey abcdefghijkl' } })).connect
        .apiKey,
    ).toBe('****');
    expect(describeConfig(loadConfig({ env: {} })).connect.apiKey).toBeNull();
  });

  it('lists the secrets of a config for the logger', () => {
    expect(configSecrets(loadConfig({ env: LIVE_ENV }).config)).toEqual([API_KEY]);
    expect(configSecrets(loadConfig({ env: {} }).config)).toEqual([]);
  });
});

describe('shipped configuration files', () => {
  it('config/example.yaml loads in live mode with the URL and key from the environment', () => {
    const file = path.join(REPO, 'config/example.yaml');
    const loaded = loadConfig({ file, env: LIVE_ENV });
    expect(loaded.mode).toBe('live');
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.connect.apiKey).toBe(API_KEY);
    expect(loaded.config.handlers.map((entry) => path.relative(REPO, entry.module ?? ''))).toEqual([
      'examples/handlers/fallball.js',
      'examples/handlers/acme-backup.ts',
    ]);
  });

  it('config/default.json holds exactly the defaults', () => {
    const file = path.join(REPO, 'config/default.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(loadConfig({ env: {} }).config);
    expect(loadConfig({ file, env: {} }).mode).toBe('demo');
  });

  it('every setting is documented', () => {
    expect(SETTINGS.filter((setting) => setting.doc.length < 10)).toEqual([]);
  });
});
