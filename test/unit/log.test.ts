import { describe, expect, it } from '@jest/globals';
import { createLogger, event, flushLogger, LOG_EVENTS, maskSecrets } from '../../src/log.ts';
import { maskApiKey, secretVariants } from '../../src/secrets.ts';
import { VERSION } from '../../src/version.ts';
import { captureLogs } from '../support/log-capture.ts';

const SECRET = 'Zq8vLr2Xk9PdWm4TbN7cYh3Js6Gf1Ae5';
const API_KEY = `SU-123-456-789:${SECRET}`;

describe('createLogger: lines', () => {
  it('writes event lines as JSON with a level label, an ISO time and service fields, without pid/hostname', () => {
    const capture = captureLogs({ level: 'info' });
    capture.logger.info({ event: 'cycle.started', cycleId: 'c-1' }, 'cycle started');
    const [line, ...rest] = capture.lines();
    expect(rest).toEqual([]);
    expect(line).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'connect-fulfillment',
      version: VERSION,
      event: 'cycle.started',
      cycleId: 'c-1',
      msg: 'cycle started',
    });
  });

  it('keeps child bindings and filters by level', () => {
    const capture = captureLogs({ level: 'info' });
    const child = capture.logger.child({ requestId: 'PR-1' });
    child.debug({ event: 'request.deferred' }, 'not shown');
    child.warn({ event: 'request.invalid' }, 'shown');
    expect(capture.lines()).toEqual([
      expect.objectContaining({ level: 'warn', requestId: 'PR-1', event: 'request.invalid' }),
    ]);
  });

  it('serializes errors under err (and error) with message and stack', () => {
    const capture = captureLogs();
    const failure = Object.assign(new Error('boom'), { code: 'NETWORK' });
    capture.logger.error({ event: 'request.error', err: failure }, 'failed');
    capture.logger.error({ error: failure }, 'also failed');
    const [first, second] = capture.lines();
    expect(first!.err).toMatchObject({
      type: 'Error',
      message: 'boom',
      code: 'NETWORK',
      stack: expect.stringContaining('Error: boom'),
    });
    expect(second!.error).toMatchObject({ message: 'boom' });
  });

  it('builds event objects with checked names', () => {
    expect(event('cycle.finished', { cycleId: 'c', found: 0 })).toEqual({
      event: 'cycle.finished',
      cycleId: 'c',
      found: 0,
    });
    expect(LOG_EVENTS).toEqual(
      expect.arrayContaining(['daemon.started', 'api.retry', 'daemon.stopped', 'config.warning']),
    );
  });
});

describe('createLogger: secrets', () => {
  /** Logs the key every way a careless caller could, at debug level. */
  function logEverywhere(secrets: readonly string[]): string {
    const capture = captureLogs({ level: 'debug', secrets });
    const log = capture.logger;
    log.debug(`connecting with ${API_KEY}`);
    log.debug({ event: 'api.retry', err: new Error(`401 for token ${API_KEY}`) }, 'retrying');
    log.debug({ response: { body: { echoed: { token: SECRET } } } }, 'nested');
    log.debug({ url: `https://api.example.com/requests?token=${encodeURIComponent(API_KEY)}&x=1` }, 'query');
    log.debug({ url: `https://api.example.com/requests?secret=${SECRET}` }, 'secret part alone');
    log.child({ requestId: 'PR-1' }).debug({ header: `ApiKey ${API_KEY}` }, 'handler log');
    log.debug({ list: [API_KEY, { deeper: [SECRET] }] }, 'arrays');
    return capture.text();
  }

  it('never writes a configured key or its secret part, wherever it appears', () => {
    const text = logEverywhere([API_KEY]);
    expect(text.split('\n').filter(Boolean)).toHaveLength(7);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(encodeURIComponent(API_KEY));
    expect(text).toContain('[REDACTED]');
  });

  it('masks the secret of a key configured with the ApiKey prefix', () => {
    expect(logEverywhere([`ApiKey ${API_KEY}`])).not.toContain(SECRET);
  });

  it('masks inside the stack of a logged error', () => {
    const capture = captureLogs({ secrets: [API_KEY] });
    const failure = new Error(`bad key ${API_KEY}`);
    capture.logger.error({ err: failure }, 'failed');
    const [line] = capture.lines();
    expect((line!.err as { stack: string }).stack).toContain('bad key [REDACTED]');
    expect(capture.text()).not.toContain(SECRET);
  });

  it('redacts secret-named fields at any depth, whatever their value', () => {
    const capture = captureLogs();
    capture.logger.info(
      {
        apiKey: 'short',
        options: { apiKey: 'abc "quoted" \\ too', api_key: 12345 },
        config: { connect: { apiKey: 'x' } },
        headers: { authorization: 'ApiKey y', Authorization: 'Bearer t' },
        deep: { a: { b: { c: { req: { headers: { authorization: 'ApiKey z' } } } } } },
        note: 'apiKey and authorization in a message stay readable',
      },
      'paths',
    );
    const [line] = capture.lines();
    expect(line).toMatchObject({
      apiKey: '[REDACTED]',
      options: { apiKey: '[REDACTED]', api_key: '[REDACTED]' },
      config: { connect: { apiKey: '[REDACTED]' } },
      headers: { authorization: '[REDACTED]', Authorization: '[REDACTED]' },
      deep: { a: { b: { c: { req: { headers: { authorization: '[REDACTED]' } } } } } },
      note: 'apiKey and authorization in a message stay readable',
    });
    expect(capture.text()).not.toMatch(/quoted|12345|Bearer|ApiKey [yz]/);
  });

  it('redacts secret-named fields in child logger bindings', () => {
    const capture = captureLogs();
    capture.logger.child({ requestId: 'PR-1', apiKey: 'bound-secret' }).info('bound');
    expect(capture.lines()[0]).toMatchObject({ requestId: 'PR-1', apiKey: '[REDACTED]' });
    expect(capture.text()).not.toContain('bound-secret');
  });

  it('ignores secrets too short to mask safely', () => {
    const capture = captureLogs({ secrets: ['abc'] });
    capture.logger.info('abcdef');
    expect(capture.lines()[0]!.msg).toBe('abcdef');
  });
});

describe('maskSecrets', () => {
  it('masks the key, its secret part, and their URL-encoded and JSON-escaped forms', () => {
    const quoted = 'Ab"cd\\ef:gh';
    expect(maskSecrets(`a ${API_KEY} b ${SECRET} c ${encodeURIComponent(API_KEY)}`, [API_KEY])).toBe(
      'a [REDACTED] b [REDACTED] c [REDACTED]',
    );
    expect(maskSecrets(JSON.stringify({ v: quoted }), [quoted])).toBe('{"v":"[REDACTED]"}');
  });

  it('leaves text alone without secrets', () => {
    expect(maskSecrets('nothing to hide', [])).toBe('nothing to hide');
  });

  it('lists the forms of a Connect token', () => {
    expect(secretVariants(`ApiKey ${API_KEY}`)).toEqual(
      expect.arrayContaining([`ApiKey ${API_KEY}`, API_KEY, SECRET]),
    );
    expect(maskApiKey(API_KEY)).toBe('SU-123-456-789:****');
  });
});

describe('createLogger: formats', () => {
  function capturingStream(isTTY: boolean): {
    stream: { write(s: string): void; isTTY: boolean };
    text(): string;
  } {
    const chunks: string[] = [];
    return { stream: { write: (chunk) => void chunks.push(chunk), isTTY }, text: () => chunks.join('') };
  }

  it('pretty-prints for people, synchronously, still masked', () => {
    const out = capturingStream(false);
    const log = createLogger({
      level: 'info',
      format: 'pretty',
      destination: out.stream,
      secrets: [API_KEY],
    });
    log.info({ event: 'cycle.started', cycleId: 'c-1' }, `cycle started with ${API_KEY}`);
    const text = out.text();
    expect(text).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: \[cycle\.started\] cycle started with \[REDACTED\]/,
    );
    expect(text).toContain('"cycleId":"c-1"');
    expect(() => JSON.parse(text)).toThrow();
    expect(text).not.toContain(SECRET);
  });

  it('auto: JSON when the destination is not a terminal, pretty when it is', () => {
    const pipe = capturingStream(false);
    createLogger({ level: 'info', format: 'auto', destination: pipe.stream }).info('hello');
    expect(JSON.parse(pipe.text())).toMatchObject({ msg: 'hello' });

    const terminal = capturingStream(true);
    createLogger({ level: 'info', format: 'auto', destination: terminal.stream }).info('hello');
    expect(terminal.text()).toContain('hello');
    expect(() => JSON.parse(terminal.text())).toThrow();
  });

  it('flushes', async () => {
    const capture = captureLogs();
    capture.logger.info('before exit');
    await flushLogger(capture.logger);
    expect(capture.lines()).toHaveLength(1);
  });
});

describe('captureLogs', () => {
  it('filters events by name and by family, lists their names, and clears', () => {
    const capture = captureLogs();
    capture.logger.info({ event: 'cycle.started' }, 'a');
    capture.logger.info('no event');
    capture.logger.info({ event: 'request.processed', requestId: 'PR-1' }, 'b');
    capture.logger.error({ event: 'request.error', requestId: 'PR-2' }, 'c');
    // A line logged without an event (a handler's, through context.log) gets `handler.log`.
    expect(capture.eventNames()).toEqual([
      'cycle.started',
      'handler.log',
      'request.processed',
      'request.error',
    ]);
    expect(capture.events('request.*').map((line) => line.requestId)).toEqual(['PR-1', 'PR-2']);
    expect(capture.events('request.error')).toEqual([expect.objectContaining({ level: 'error', msg: 'c' })]);
    capture.clear();
    expect(capture.lines()).toEqual([]);
  });
});

describe('error stacks', () => {
  const sample = () => {
    const err = new Error('Connect said no', { cause: new Error('socket hang up') });
    return Object.assign(err, { code: 'unauthorized' });
  };

  it('are left out below debug level: the message and code tell what happened', () => {
    const capture = captureLogs({ level: 'info' });
    capture.logger.error({ event: 'api.unauthorized', err: sample() }, 'refused');
    const [line] = capture.lines();
    expect(line!.err).toMatchObject({
      message: expect.stringContaining('Connect said no'),
      code: 'unauthorized',
    });
    expect(JSON.stringify(line)).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it('are kept at debug level', () => {
    const capture = captureLogs({ level: 'debug' });
    capture.logger.error({ event: 'api.unauthorized', err: sample() }, 'refused');
    expect(JSON.stringify(capture.lines()[0])).toMatch(/\bat .*log\.test\.ts:\d+:\d+/);
  });
});
