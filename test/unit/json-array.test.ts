import { describe, expect, it } from '@jest/globals';
import { JsonArraySplitter, parseElement } from '../../src/connect/json-array.ts';

/** Feeds `body` in chunks of `size` bytes; the elements parsed, or undefined when it is not an array. */
function split(body: Buffer | string, size: number): unknown[] | undefined {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const splitter = new JsonArraySplitter(300);
  for (let offset = 0; offset < bytes.length; offset += size)
    splitter.push(bytes.subarray(offset, offset + size));
  if (!splitter.end()) return undefined;
  return splitter.elements.map((element) => {
    const parsed = parseElement(element);
    if (!parsed.ok) throw new Error(`element not JSON: ${element.toString()}`);
    return parsed.value;
  });
}

const TRICKY = [
  { id: 'PR-1', note: 'quotes \\" and "escaped" ] } , [ {', path: 'C:\\\\dir\\\\', empty: '' },
  { nested: [[1, [2, [3]]], { a: { b: { c: [] } } }], unicode: 'Grüße, 東京, 🚀', ctrl: '\n\t\u0001' },
  'a string element with ] and , inside',
  -12.5e3,
  0,
  true,
  false,
  null,
  {},
  [],
  { last: '\\' },
];

describe('JsonArraySplitter', () => {
  const text = JSON.stringify(TRICKY, null, 1); // with newlines and indentation between the tokens

  it.each([1, 2, 3, 7, 64, text.length])('splits a tricky array fed in chunks of %i bytes', (size) => {
    expect(split(text, size)).toEqual(TRICKY);
  });

  it('splits random arrays at random chunk boundaries as JSON.parse reads them', () => {
    const random = seeded(20261207);
    for (let round = 0; round < 200; round++) {
      const value = Array.from({ length: Math.floor(random() * 12) }, () => randomJson(random, 3));
      const bytes = Buffer.from(JSON.stringify(value));
      const splitter = new JsonArraySplitter(300);
      for (let offset = 0; offset < bytes.length;) {
        const size = 1 + Math.floor(random() * 40);
        splitter.push(bytes.subarray(offset, offset + size));
        offset += size;
      }
      expect(splitter.end()).toBe(true);
      expect(splitter.elements.map((e) => JSON.parse(e.toString()))).toEqual(value);
    }
  });

  it('reads an empty page, whitespace around it, and a byte-order mark', () => {
    expect(split('[]', 1)).toEqual([]);
    expect(split(' \n[ \r\n ]\t', 2)).toEqual([]);
    expect(
      split(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"id":"PR-1"}]')]), 64),
    ).toEqual([{ id: 'PR-1' }]);
  });

  it.each([
    ['an object', '{"id":"PR-1"}'],
    ['an HTML page', '<html><body>Bad gateway</body></html>'],
    ['an empty body', ''],
    ['a truncated array', '[{"id":"PR-1"},{"id":"PR-'],
    ['an unterminated string', '[{"id":"PR-1]'],
    ['a trailing comma', '[1,2,]'],
    ['a missing comma', '[{"a":1} {"b":2}]'],
    ['a leading comma', '[,1]'],
    ['data after the array', '[1,2] [3]'],
  ])('refuses %s', (_, body) => {
    for (const size of [1, 5, 1000]) expect(split(body, size)).toBeUndefined();
  });

  it('keeps the start of a body that is not an array, for the error', () => {
    const splitter = new JsonArraySplitter(300);
    const page = `<html>${'x'.repeat(1000)}</html>`;
    for (let offset = 0; offset < page.length; offset += 100)
      splitter.push(Buffer.from(page.slice(offset, offset + 100)));
    expect(splitter.end()).toBe(false);
    expect(splitter.preview()).toBe(page.slice(0, 300));
  });

  it('an element that is not JSON is found as one element, and parseElement says so', () => {
    const splitter = new JsonArraySplitter(300);
    splitter.push(Buffer.from('[{"id":"PR-1"},{"id":"PR-2",broken},{"id":"PR-3"}]'));
    expect(splitter.end()).toBe(true);
    expect(splitter.elements.map((e) => parseElement(e).ok)).toEqual([true, false, true]);
    expect(parseElement(splitter.elements[1]!)).toEqual({
      ok: false,
      problem: expect.stringMatching(/^not valid JSON \(.+\)$/),
    });
  });
});

/** A small deterministic PRNG (mulberry32), so a failing round can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['a', 'Z', '"', '\\', ']', '[', '{', '}', ',', ':', ' ', 'é', '🚀', '\n', '\u0000'];

function randomJson(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * (depth > 0 ? 8 : 6));
  const string = () =>
    Array.from(
      { length: Math.floor(random() * 8) },
      () => ALPHABET[Math.floor(random() * ALPHABET.length)],
    ).join('');
  switch (pick) {
    case 0:
      return string();
    case 1:
      return Math.round((random() - 0.5) * 1e6) / 100;
    case 2:
      return random() < 0.5;
    case 3:
      return null;
    case 4:
      return string();
    case 5:
      return Math.floor(random() * 10);
    case 6:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomJson(random, depth - 1));
    default:
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, () => [string(), randomJson(random, depth - 1)]),
      );
  }
}
