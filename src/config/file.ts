import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { isPlainObject } from './settings.ts';

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
  const document = YAML.parseDocument(text);
  const [error] = document.errors;
  // yaml's message is "<what> at line L, column C:" followed by a code excerpt; the first line says it all.
  if (error) return { problem: `invalid YAML: ${error.message.split('\n')[0]!.replace(/:$/, '')}` };
  return { data: document.toJS() };
}

function parseJson(text: string): { data: unknown } | { problem: string } {
  if (text.trim() === '') return { data: {} };
  try {
    return { data: JSON.parse(text) };
  } catch (error) {
    return { problem: `invalid JSON: ${(error as Error).message}` };
  }
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (error as Error).message;
}
