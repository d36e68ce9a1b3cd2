import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as Yaml from 'yaml';
import { isPlainObject } from './settings.ts';

// yaml is loaded with the first YAML file, not with the daemon: a JSON-configured daemon would carry
// its 70 modules (~2.5 MB of RSS) for nothing.
const load = createRequire(import.meta.url);
let yamlModule: typeof Yaml | undefined;
const yaml = (): typeof Yaml => (yamlModule ??= load('yaml') as typeof Yaml);

export type FileContent = { data: Record<string, unknown> } | { problem: string };

/**
 * Reads a config file: YAML for `.yaml`/`.yml`, JSON otherwise. An empty file is an empty config.
 * Every failure comes back as one line naming the file (and the line in it, where known).
 */
export function readConfigFile(filePath: string): FileContent {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    return { problem: `cannot be read (${describeReadError(error)})` };
  }
  const parsed = isYaml(filePath) ? parseYaml(text) : parseJson(text);
  if ('problem' in parsed) return parsed;
  if (parsed.data === null || parsed.data === undefined) return { data: {} };
  if (!isPlainObject(parsed.data)) return { problem: 'must contain an object of settings at the top level' };
  return { data: parsed.data };
}

function isYaml(filePath: string): boolean {
  return ['.yaml', '.yml'].includes(path.extname(filePath).toLowerCase());
}

function parseYaml(text: string): { data: unknown } | { problem: string } {
  const YAML = yaml();
  const lineCounter = new YAML.LineCounter();
  const document = YAML.parseDocument(text, { lineCounter });
  const [error] = document.errors;
  // yaml's message is "<what> at line L, column C:" followed by a code excerpt; the first line says it all.
  if (error) return { problem: `invalid YAML: ${error.message.split('\n')[0]!.replace(/:$/, '')}` };
  try {
    // Aliases are resolved here, and refused here: one to an anchor not set before it, or so many that
    // the expansion would exhaust memory (an "alias bomb"; yaml's default limit).
    return { data: document.toJS() };
  } catch (error) {
    const alias = unresolvedAlias(document, lineCounter);
    return { problem: `invalid YAML: ${(error as Error).message.split('\n')[0]}${alias ?? ''}` };
  }
}

/** ` at line L, column C` of the first alias whose anchor is not set before it. */
function unresolvedAlias(document: Yaml.Document, lineCounter: Yaml.LineCounter): string | undefined {
  const YAML = yaml();
  let at: string | undefined;
  YAML.visit(document, {
    Alias(_, node) {
      if (node.resolve(document) !== undefined || !node.range) return undefined;
      const { line, col } = lineCounter.linePos(node.range[0]);
      at = ` at line ${line}, column ${col}`;
      return YAML.visit.BREAK;
    },
  });
  return at;
}

function parseJson(text: string): { data: unknown } | { problem: string } {
  if (text.trim() === '') return { data: {} };
  try {
    return { data: JSON.parse(text) };
  } catch (error) {
    return { problem: `invalid JSON: ${describeJsonError(text, (error as Error).message)}` };
  }
}

/**
 * V8's message in one line with the line and column: for an unexpected token it quotes the whole text
 * instead of saying where, so the place comes from a scan of its own.
 */
function describeJsonError(text: string, message: string): string {
  const what = message
    .replace(/, .*is not valid JSON$/s, '')
    .replace(/ at position \d+.*$/s, '')
    .replace(/ in JSON$/, '')
    .split('\n')[0]!;
  const offset = jsonErrorOffset(text);
  return offset === undefined ? what : `${what} at ${lineAndColumn(text, offset)}`;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The offset of the first syntax error of `text` as JSON: a minimal scanner, for the message only. */
function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new RangeError(String(i));
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): void => {
    for (i++; i < text.length && text[i] !== '"'; i++) {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const list = (close: string, item: () => void): void => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      space();
      if (text[i] === close) return void i++;
      if (text[i] !== ',') fail();
      i++;
    }
  };
  const value = (): void => {
    space();
    if (text[i] === '{') {
      return list('}', () => {
        space();
        if (text[i] !== '"') fail();
        string();
        space();
        if (text[i] !== ':') fail();
        i++;
        value();
      });
    }
    if (text[i] === '[') return list(']', value);
    if (text[i] === '"') return string();
    LITERAL.lastIndex = i;
    if (!LITERAL.test(text)) fail();
    i = LITERAL.lastIndex;
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return undefined;
  } catch (error) {
    return error instanceof RangeError ? Math.min(Number(error.message), text.length) : undefined;
  }
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}
