import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/**
 * Why a handler module could not be imported, in one line for the person who wrote it: a missing
 * file, a syntax error with its line, or an error the module threw while loading with the line it
 * threw at (Node's own messages name the loader's files, or no line at all).
 */
export function describeImportFailure(modulePath: string, err: unknown): string {
  if (!(err instanceof Error)) return `cannot load the module: ${String(err)}`;
  const message = err.message.split('\n')[0]!;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ERR_MODULE_NOT_FOUND' && message.includes(`'${modulePath}'`)) {
    return 'cannot load the module: no such file';
  }
  if (err instanceof SyntaxError) {
    const at = syntaxErrorLocation(modulePath, err);
    return `syntax error${at ? ` at ${at}` : ''}: ${message}`;
  }
  const line = lineInStack(err.stack, modulePath);
  if (line !== undefined) return `threw while loading, at line ${line}: ${message}`;
  return `cannot load the module: ${message}`;
}

/**
 * `line N` (or `FILE line N` when the error is in a module it imports). Type-stripping errors say
 * where in their stack's first line; V8's own SyntaxError of an ES module says nowhere, so the file
 * is checked again with `node --check`, which does print the line (only on this failure path).
 */
function syntaxErrorLocation(modulePath: string, err: SyntaxError): string | undefined {
  const where = /^(.+):(\d+)$/m.exec(err.stack?.split('\n')[0] ?? '');
  if (where) return describeAt(modulePath, where[1]!, where[2]!);
  const check = spawnSync(process.execPath, ['--check', modulePath], { encoding: 'utf8', timeout: 10_000 });
  const checked = /^(.+):(\d+)$/m.exec(check.stderr?.split('\n')[0] ?? '');
  return checked ? describeAt(modulePath, checked[1]!, checked[2]!) : undefined;
}

function describeAt(modulePath: string, file: string, line: string): string {
  file = withoutVersion(file);
  return file === modulePath || file === pathToFileURL(modulePath).href
    ? `line ${line}`
    : `${file} line ${line}`;
}

/** The line of the first stack frame inside the module itself. */
function lineInStack(stack: string | undefined, modulePath: string): string | undefined {
  const url = pathToFileURL(modulePath).href;
  for (const frame of stack?.split('\n').slice(1) ?? []) {
    const match = /\(?((?:file:\/\/)?[^()\s]+):(\d+):\d+\)?$/.exec(frame.trim());
    const file = match && withoutVersion(match[1]!);
    if (match && (file === url || file === modulePath)) return match[2];
  }
  return undefined;
}

/** A module reloaded by `dev` is imported as `file.js?v=N`; its frames and errors carry the query. */
function withoutVersion(file: string): string {
  return file.replace(/\?v=\d+$/, '');
}
