/**
 * A listing page's body split into the bytes of its elements as it streams in, without parsing them.
 *
 * Why not JSON.parse of the whole page: a page of 1,000 realistic requests is ~5 MB of JSON, and
 * parsed at once it is ~8 MB of objects that live until the page's last request is handled (a
 * prefetched page doubles that), so they outlive the young generation and every cycle pays for them in
 * old-space collections. Kept as bytes, a page costs its size, each request is parsed (natively) only
 * when it is handed out, and the bytes of handled requests are freed as the cycle goes. Streaming JSON
 * parsers that build the objects themselves are several times slower than JSON.parse; this only finds
 * where each element begins and ends (strings, escapes, nesting), which is all the listing needs.
 *
 * Each element is a view into the chunk it arrived in (copied only when it spans two chunks), so a
 * chunk is freed once its last element is dropped.
 */

/** One element of a JSON array, as the UTF-8 bytes it was sent in. */
export type JsonElement = Buffer;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const BOM = [0xef, 0xbb, 0xbf];

const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

type Phase = 'before' | 'inside' | 'after' | 'invalid';

export class JsonArraySplitter {
  readonly elements: JsonElement[] = [];
  /** Bytes kept of the body's start, for the error's preview when it is not an array. */
  readonly #previewLimit: number;
  #phase: Phase = 'before';
  #bytesSeen = 0;
  #preview: Buffer[] = [];
  #previewBytes = 0;
  /** Between elements: an element (or, right after '[', the end) must come next. */
  #expectElement = true;
  #afterOpen = true;
  /** Inside an element: bytes of it from earlier chunks, and where it starts in this one. */
  #inElement = false;
  #parts: Buffer[] = [];
  #start = 0;
  #depth = 0;
  #inString = false;
  /** The previous chunk ended on a backslash inside a string: the next byte is escaped. */
  #escaped = false;
  /** The next backslash in this chunk (-1: none left), so each string costs one search for its quote. */
  #backslash = -1;

  constructor(previewBytes: number) {
    this.#previewLimit = previewBytes;
  }

  push(chunk: Buffer): void {
    if (this.#previewBytes < this.#previewLimit) {
      const kept = chunk.subarray(0, this.#previewLimit - this.#previewBytes);
      this.#preview.push(kept);
      this.#previewBytes += kept.length;
    }
    if (this.#phase === 'invalid') return; // read to the end for the connection's sake, not scanned
    let i = 0;
    if (this.#bytesSeen === 0) i = bomLength(chunk);
    this.#bytesSeen += chunk.length;
    this.#start = 0;
    this.#backslash = chunk.indexOf(BACKSLASH, i);
    const end = chunk.length;
    while (i < end && this.#phase !== 'invalid') {
      if (this.#inElement) {
        i = this.#scanElement(chunk, i);
        continue;
      }
      const c = chunk[i]!;
      if (isWhitespace(c)) i++;
      else if (this.#phase === 'before') {
        this.#phase = c === OPEN_ARRAY ? 'inside' : 'invalid';
        i++;
      } else if (this.#phase === 'after') this.#phase = 'invalid';
      else if (c === CLOSE_ARRAY) {
        // `[]` is a page with no items; `[1,]` is not JSON.
        this.#phase = this.#expectElement && !this.#afterOpen ? 'invalid' : 'after';
        i++;
      } else if (c === COMMA) {
        if (this.#expectElement) this.#phase = 'invalid';
        this.#expectElement = true;
        i++;
      } else if (!this.#expectElement) this.#phase = 'invalid';
      else {
        this.#inElement = true;
        this.#expectElement = false;
        this.#afterOpen = false;
        this.#start = i;
        this.#depth = 0;
      }
    }
    if (this.#inElement) {
      this.#parts.push(chunk.subarray(this.#start));
    }
  }

  /** True when the body was one whole JSON array; its elements are then in `elements`. */
  end(): boolean {
    return this.#phase === 'after' && !this.#inElement;
  }

  /** The start of the body as text, for an error that says what came instead of an array. */
  preview(): string {
    return Buffer.concat(this.#preview).toString('utf8');
  }

  /** Scans an element from `i`; returns where scanning goes on (past the element when it ended). */
  #scanElement(chunk: Buffer, i: number): number {
    const end = chunk.length;
    while (i < end) {
      if (this.#inString) {
        i = this.#skipString(chunk, i);
        if (this.#inString) return end; // the string goes on in the next chunk
        if (this.#depth === 0) return this.#finish(chunk, i); // a string element
        continue;
      }
      const c = chunk[i]!;
      if (c === QUOTE) {
        this.#inString = true;
        i++;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        this.#depth++;
        i++;
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (this.#depth === 0) return this.#finish(chunk, i); // a number/true/false/null before ']'
        this.#depth--;
        i++;
        if (this.#depth === 0) return this.#finish(chunk, i);
      } else if (this.#depth === 0 && (c === COMMA || isWhitespace(c))) {
        return this.#finish(chunk, i); // the end of a number/true/false/null
      } else i++;
    }
    return end;
  }

  /** Past the closing quote of the string `i` is in (or to the chunk's end, still in the string). */
  #skipString(chunk: Buffer, i: number): number {
    if (this.#escaped) {
      this.#escaped = false;
      i++;
    }
    for (;;) {
      const quote = chunk.indexOf(QUOTE, i);
      if (this.#backslash !== -1 && this.#backslash < i) this.#backslash = chunk.indexOf(BACKSLASH, i);
      const backslash = this.#backslash;
      if (backslash !== -1 && (quote === -1 || backslash < quote)) {
        if (backslash + 1 >= chunk.length) {
          this.#escaped = true;
          return chunk.length;
        }
        i = backslash + 2;
        continue;
      }
      if (quote === -1) return chunk.length;
      this.#inString = false;
      return quote + 1;
    }
  }

  /** The element ends before `end` of this chunk. */
  #finish(chunk: Buffer, end: number): number {
    const tail = chunk.subarray(this.#start, end);
    this.elements.push(this.#parts.length === 0 ? tail : Buffer.concat([...this.#parts, tail]));
    this.#parts = [];
    this.#inElement = false;
    return end;
  }
}

function bomLength(chunk: Buffer): number {
  return BOM.every((byte, i) => chunk[i] === byte) ? BOM.length : 0;
}

/** An element parsed, or why it is not JSON. */
export function parseElement(
  element: JsonElement,
): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(element.toString('utf8')) };
  } catch (err) {
    return { ok: false, problem: `not valid JSON (${(err as Error).message})` };
  }
}
