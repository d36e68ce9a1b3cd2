import type { RunningSimulator } from '../../src/simulator/index.ts';

/** What a call to the simulator answered: status, headers and the body, parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  text: string;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is instead of JSON-encoding `body` (malformed JSON tests). */
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A plain fetch client over the loopback port, with the API key when one is given. */
export function api(sim: RunningSimulator, apiKey?: string) {
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (apiKey !== undefined) headers.authorization = `ApiKey ${apiKey}`;
    let body: string | undefined = options.rawBody;
    if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${sim.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: keep the text.
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  return {
    call,
    get: (path: string, options?: CallOptions) => call('GET', path, options),
    put: (path: string, body: unknown) => call('PUT', path, { body }),
    post: (path: string, body?: unknown) => call('POST', path, { body: body ?? {} }),
  };
}

/** The ids of a listing, in order. */
export function ids(answer: Answer): string[] {
  return (answer.body as Array<{ id: string }>).map((item) => item.id);
}

/** Polls until the condition holds (timer-driven behaviour under a loaded machine); throws after timeoutMs. */
export async function waitFor(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
