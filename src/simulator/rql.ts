import { badQuery } from './errors.ts';

/**
 * Parses a Connect listing query string: `&`-separated terms (split at parenthesis depth 0), each an
 * RQL call (`eq(status,pending)`, `in(asset.product.id,(PRD-1,PRD-2))`, `and(...)`, `ordering(-created)`,
 * `limit(10,20)`, ...) or a plain `field=value` pair (`status=pending`, `limit=100`, `offset=0`).
 *
 * Values are percent-decoded AFTER tokenising: clients encode `(`, `)`, `,`, `&` and `+` inside values,
 * and `+` is never read as a space (a `+00:00` offset must survive). Anything the parser does not know
 * is refused with a 400 naming the term, so a client's typo shows up instead of matching nothing.
 */

export type RqlValue = string | null;

export type RqlFilter =
  | { op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le' | 'like' | 'ilike'; field: string; value: RqlValue }
  | { op: 'in' | 'out'; field: string; values: RqlValue[] }
  | { op: 'and' | 'or'; terms: RqlFilter[] }
  | { op: 'not'; term: RqlFilter };

export interface OrderTerm {
  field: string;
  descending: boolean;
}

export interface ListQuery {
  /** All top-level filter terms, and-ed; undefined when there are none. */
  filter: RqlFilter | undefined;
  /** Empty: the collection's default order. */
  ordering: OrderTerm[];
  limit: number | undefined;
  offset: number | undefined;
  /** `select(...)`: fields prefixed with `-` are dropped from the answer; others are accepted and ignored. */
  exclude: string[];
}

type Node =
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'list'; items: Node[] }
  | { kind: 'word'; raw: string };

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'like', 'ilike']);
const FIELD = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function parseQuery(raw: string): ListQuery {
  const query: ListQuery = {
    filter: undefined,
    ordering: [],
    limit: undefined,
    offset: undefined,
    exclude: [],
  };
  const filters: RqlFilter[] = [];
  for (const term of splitTopLevel(raw.startsWith('?') ? raw.slice(1) : raw)) {
    if (term === '') continue;
    if (isCall(term)) applyCall(term, parseTerm(term), query, filters);
    else applyPair(term, query, filters);
  }
  if (filters.length === 1) query.filter = filters[0];
  else if (filters.length > 1) query.filter = { op: 'and', terms: filters };
  return query;
}

/** Splits at `&` outside parentheses; unbalanced parentheses are an error. */
function splitTopLevel(raw: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth < 0) throw badQuery(`Unbalanced ")" in query term "${raw.slice(start)}".`);
    else if (c === '&' && depth === 0) {
      terms.push(raw.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw badQuery(`Unbalanced "(" in query term "${raw.slice(start)}".`);
  terms.push(raw.slice(start));
  return terms;
}

/** `name(` before any `=`: an RQL call; otherwise a plain pair. */
function isCall(term: string): boolean {
  const paren = term.indexOf('(');
  const equals = term.indexOf('=');
  return paren > 0 && (equals === -1 || paren < equals);
}

function applyPair(term: string, query: ListQuery, filters: RqlFilter[]): void {
  const equals = term.indexOf('=');
  if (equals <= 0)
    throw badQuery(`Query term "${term}" is neither an RQL expression nor a field=value pair.`);
  const key = decode(term.slice(0, equals), term);
  const value = decode(term.slice(equals + 1), term);
  if (key === 'limit') query.limit = nonNegativeInteger(value, term);
  else if (key === 'offset') query.offset = nonNegativeInteger(value, term);
  else if (key === 'ordering')
    query.ordering.push(...value.split(',').map((field) => orderTerm(field, term)));
  else filters.push({ op: 'eq', field: fieldName(key, term), value });
}

function applyCall(term: string, node: Node, query: ListQuery, filters: RqlFilter[]): void {
  if (node.kind !== 'call') throw badQuery(`Query term "${term}" is not an RQL call.`);
  const words = () => node.args.map((arg) => word(arg, term));
  switch (node.name) {
    case 'ordering':
      query.ordering.push(...words().map((field) => orderTerm(field, term)));
      return;
    case 'select':
      query.exclude.push(
        ...words()
          .filter((field) => field.startsWith('-'))
          .map((field) => fieldName(field.slice(1), term)),
      );
      return;
    case 'limit': {
      const [limit, offset, ...extra] = words();
      if (limit === undefined || extra.length > 0)
        throw badQuery(`Query term "${term}": limit takes (count) or (count,offset).`);
      query.limit = nonNegativeInteger(limit, term);
      if (offset !== undefined) query.offset = nonNegativeInteger(offset, term);
      return;
    }
    default:
      filters.push(toFilter(node, term));
  }
}

function toFilter(node: Node, term: string): RqlFilter {
  if (node.kind !== 'call') throw badQuery(`Query term "${term}": expected an RQL operator, found a value.`);
  const { name, args } = node;
  if (COMPARISONS.has(name)) {
    if (args.length !== 2) throw badQuery(`Query term "${term}": ${name} takes (field,value).`);
    return { op: name as 'eq', field: fieldName(word(args[0]!, term), term), value: value(args[1]!, term) };
  }
  if (name === 'in' || name === 'out') {
    const [field, ...rest] = args;
    if (field === undefined || rest.length === 0)
      throw badQuery(`Query term "${term}": ${name} takes (field,(value,...)).`);
    const items = rest.length === 1 && rest[0]!.kind === 'list' ? rest[0]!.items : rest;
    return {
      op: name,
      field: fieldName(word(field, term), term),
      values: items.map((item) => value(item, term)),
    };
  }
  if (name === 'and' || name === 'or') {
    if (args.length === 0) throw badQuery(`Query term "${term}": ${name}() needs at least one expression.`);
    return { op: name, terms: args.map((arg) => toFilter(arg, term)) };
  }
  if (name === 'not') {
    if (args.length !== 1) throw badQuery(`Query term "${term}": not takes exactly one expression.`);
    return { op: 'not', term: toFilter(args[0]!, term) };
  }
  throw badQuery(`Query term "${term}": unsupported RQL operator "${name}".`);
}

function value(node: Node, term: string): RqlValue {
  if (node.kind === 'call' && node.name === 'null' && node.args.length === 0) return null;
  return word(node, term);
}

function word(node: Node, term: string): string {
  if (node.kind !== 'word')
    throw badQuery(
      `Query term "${term}": expected a value, found ${node.kind === 'call' ? `${node.name}(...)` : 'a list'}.`,
    );
  return decode(node.raw, term);
}

function orderTerm(raw: string, term: string): OrderTerm {
  const descending = raw.startsWith('-');
  return { field: fieldName(descending || raw.startsWith('+') ? raw.slice(1) : raw, term), descending };
}

function fieldName(name: string, term: string): string {
  if (!FIELD.test(name)) throw badQuery(`Query term "${term}": "${name}" is not a field name.`);
  return name;
}

function nonNegativeInteger(text: string, term: string): number {
  if (!/^\d+$/.test(text)) throw badQuery(`Query term "${term}": "${text}" is not a non-negative integer.`);
  return Number(text);
}

function decode(raw: string, term: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badQuery(`Query term "${term}": malformed percent-encoding in "${raw}".`);
  }
}

/** Recursive descent over one term: `name(args)`, `(list)` or a bare word (kept encoded). */
function parseTerm(term: string): Node {
  let pos = 0;
  const fail = (what: string): never => {
    throw badQuery(`Query term "${term}": ${what} at position ${pos}.`);
  };
  const readWord = (): string => {
    const start = pos;
    while (pos < term.length && !'(),'.includes(term[pos]!)) pos++;
    return term.slice(start, pos);
  };
  const parseNode = (): Node => {
    const name = readWord();
    if (term[pos] !== '(') return { kind: 'word', raw: name };
    pos++;
    const args: Node[] = [];
    if (term[pos] !== ')') {
      for (;;) {
        args.push(parseNode());
        if (term[pos] !== ',') break;
        pos++;
      }
    }
    if (term[pos] !== ')') fail('expected ")"');
    pos++;
    if (name === '') return { kind: 'list', items: args };
    if (!/^[a-z]+$/.test(name)) fail(`"${name}" is not an operator name`);
    return { kind: 'call', name, args };
  };
  const node = parseNode();
  if (pos !== term.length) fail('unexpected text after the expression');
  return node;
}
