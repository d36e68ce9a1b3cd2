/**
 * A small builder for Connect's RQL filters. Values are percent-encoded, including the characters
 * RQL itself uses as syntax (parentheses, comma) and '+', which some servers read as a space in a
 * query string — a `+00:00` timezone would otherwise turn into ` 00:00`.
 */
export type RqlValue = string | number | boolean | null;

/** A rendered RQL term; a branded string so raw user text cannot be passed by mistake. */
export type Rql = string & { readonly __rql: unique symbol };

const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

function field(name: string): string {
  if (!FIELD.test(name)) throw new TypeError(`RQL: invalid field name ${JSON.stringify(name)}`);
  return name;
}

export function encodeRqlValue(value: RqlValue): string {
  if (value === null) return 'null()';
  return encodeURIComponent(String(value)).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

const term = (text: string): Rql => text as Rql;
const compare = (op: string) => (name: string, value: RqlValue) =>
  term(`${op}(${field(name)},${encodeRqlValue(value)})`);
const list = (op: string) => (name: string, values: readonly RqlValue[]) =>
  term(`${op}(${field(name)},(${values.map(encodeRqlValue).join(',')}))`);
const group =
  (op: string) =>
  (...terms: Rql[]) =>
    terms.length === 1 ? terms[0]! : term(`${op}(${terms.join(',')})`);

export const rql = {
  eq: compare('eq'),
  ne: compare('ne'),
  gt: compare('gt'),
  ge: compare('ge'),
  lt: compare('lt'),
  le: compare('le'),
  in: list('in'),
  out: list('out'),
  and: group('and'),
  or: group('or'),
  not: (inner: Rql) => term(`not(${inner})`),
  /** `ordering(created)`; prefix a field with '-' for descending. */
  ordering: (...fields: string[]) =>
    term(
      `ordering(${fields.map((f) => (f.startsWith('-') ? `-${field(f.slice(1))}` : field(f))).join(',')})`,
    ),
  select: (...fields: string[]) =>
    term(`select(${fields.map((f) => (f.startsWith('-') ? `-${field(f.slice(1))}` : field(f))).join(',')})`),
};

/** Joins query terms (RQL terms and plain key=value pairs) into one query string. */
export function joinQuery(...parts: Array<string | undefined | false>): string {
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join('&');
}
