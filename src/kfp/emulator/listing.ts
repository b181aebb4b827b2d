import { collationKey } from '../collation.js';
import { invalid } from './rpc.js';
import { PREDICATE_OPS } from '../types.js';

/**
 * KFP's list semantics: `filter` JSON (predicates AND-ed, `op` in v1 / `operation` in v2, values
 * in snake or camel case), `sort_by` "field [asc|desc]" with the id as tie-breaker, keyset paging
 * with an opaque base64 JSON next_page_token, page size default 20, capped at 200.
 */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 200;

// api/v2beta1 filter.proto Predicate.Operation: the SDK may send the enum's number (UNKNOWN = 0).
const OPS: readonly string[] = ['UNKNOWN', ...PREDICATE_OPS];
const VALUE_KEYS = [
  'int_value',
  'long_value',
  'string_value',
  'timestamp_value',
  'int_values',
  'long_values',
  'string_values',
];
const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

type Scalar = string | number;
export interface Predicate {
  op: string;
  field: string;
  value: Scalar | Scalar[];
}

/** A listable resource: how each filter/sort key reads a value (strings, or epoch seconds for times). */
export interface Listable<T> {
  fields: Record<string, (item: T) => Scalar>;
  /** Aliases accepted for the same field, e.g. display_name → name. */
  aliases: Record<string, string>;
  id: (item: T) => string;
}

function field<T>(l: Listable<T>, key: string, what: string): string {
  const f = l.aliases[key] ?? key;
  if (!(f in l.fields))
    throw invalid(`${what} key '${key}' is not supported (supported: ${Object.keys(l.fields).join(', ')})`);
  return f;
}

/**
 * Go's url.QueryUnescape: `+` is a space, `%XX` a byte, and a `%` not followed by two hex digits is an
 * error. KFP applies it to `filter` after the gateway already decoded the query (parseAPIFilter; #9448).
 */
export function queryUnescape(text: string): string {
  const bad = /%(?![0-9a-fA-F]{2})/.exec(text);
  if (bad)
    throw invalid(
      `failed to parse valid filter from ${JSON.stringify(text.slice(0, 100))}: invalid URL escape ${JSON.stringify(text.slice(bad.index, bad.index + 3))}`,
    );
  const src = Buffer.from(text.replace(/\+/g, ' '), 'utf8');
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    if (src[i] === 0x25) {
      out.push(parseInt(src.toString('latin1', i + 1, i + 3), 16));
      i += 2;
    } else out.push(src[i]!);
  }
  return Buffer.from(out).toString('utf8');
}

export function parseFilter<T>(encoded: string, opKey: 'op' | 'operation', l: Listable<T>): Predicate[] {
  const text = queryUnescape(encoded);
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid(`Failed to parse valid filter from "${text.slice(0, 100)}": not JSON`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    throw invalid('filter must be a JSON object with "predicates"');
  for (const k of Object.keys(json))
    if (k !== 'predicates') throw invalid(`Failed to parse valid filter: unknown field "${k}"`);
  const preds = json.predicates ?? [];
  if (!Array.isArray(preds)) throw invalid('filter.predicates must be a list');
  return preds.map((p: any) => {
    if (!p || typeof p !== 'object') throw invalid('each filter predicate must be an object');
    const allowed = new Set([opKey, 'key', ...VALUE_KEYS, ...VALUE_KEYS.map(camel)]);
    for (const k of Object.keys(p))
      if (!allowed.has(k))
        throw invalid(
          `Failed to parse valid filter: unknown field "${k}" in a predicate${k === 'op' || k === 'operation' ? ` (this API version uses "${opKey}")` : ''}`,
        );
    const raw = p[opKey];
    const op = typeof raw === 'number' ? OPS[raw] : raw;
    if (!op || !OPS.includes(op) || op === 'UNKNOWN')
      throw invalid(`filter predicate has no valid ${opKey} (got ${JSON.stringify(raw)})`);
    const get = (k: string) => p[k] ?? p[camel(k)];
    let value: Scalar | Scalar[] | undefined;
    if (get('string_value') !== undefined) value = String(get('string_value'));
    else if (get('int_value') !== undefined) value = Number(get('int_value'));
    else if (get('long_value') !== undefined) value = Number(get('long_value'));
    else if (get('timestamp_value') !== undefined) {
      const t = Date.parse(String(get('timestamp_value')));
      if (Number.isNaN(t))
        throw invalid(`filter timestamp_value ${JSON.stringify(get('timestamp_value'))} is not RFC 3339`);
      value = Math.floor(t / 1000);
    } else {
      const list = get('string_values') ?? get('int_values') ?? get('long_values');
      if (list !== undefined)
        value = (list?.values ?? []).map((x: unknown) => (get('string_values') !== undefined ? String(x) : Number(x)));
    }
    if (value === undefined) throw invalid(`filter predicate on '${p.key}' has no value`);
    if (op === 'IN' && !Array.isArray(value))
      throw invalid('filter operation IN needs string_values, int_values or long_values');
    if (op !== 'IN' && Array.isArray(value)) throw invalid(`filter operation ${op} takes a single value`);
    if (op === 'IS_SUBSTRING' && typeof value !== 'string')
      throw invalid('filter operation IS_SUBSTRING needs string_value');
    return { op, field: field(l, String(p.key ?? ''), 'filter'), value };
  });
}

/**
 * storage_state values differ between versions (STORAGESTATE_ARCHIVED vs ARCHIVED); compare the bare
 * state. Strings compare as KFP's MySQL columns do (utf8mb4_0900_ai_ci: case- and accent-insensitive).
 */
const norm = (v: Scalar) => (typeof v === 'string' ? collationKey(v.replace(/^STORAGE_?STATE_/, '')) : v);

function matches(v: Scalar, p: Predicate): boolean {
  const a = norm(v);
  const b = Array.isArray(p.value) ? p.value.map(norm) : norm(p.value);
  switch (p.op) {
    case 'EQUALS':
      return a === b;
    case 'NOT_EQUALS':
      return a !== b;
    case 'GREATER_THAN':
      return a > (b as Scalar);
    case 'GREATER_THAN_EQUALS':
      return a >= (b as Scalar);
    case 'LESS_THAN':
      return a < (b as Scalar);
    case 'LESS_THAN_EQUALS':
      return a <= (b as Scalar);
    case 'IN':
      return (b as Scalar[]).includes(a);
    case 'IS_SUBSTRING':
      return String(a).includes(String(b));
    default:
      return false;
  }
}

interface Token {
  sortField: string;
  desc: boolean;
  lastValue: Scalar;
  lastId: string;
  filter: string;
  pageSize: number;
}

export interface ListQuery {
  pageToken?: string;
  pageSize?: string;
  sortBy?: string;
  filter?: string;
}

export function listPage<T>(
  all: Iterable<T>,
  q: ListQuery,
  opKey: 'op' | 'operation',
  l: Listable<T>,
): { items: T[]; totalSize: number; nextPageToken?: string } {
  let token: Token | undefined;
  if (q.pageToken) {
    try {
      token = JSON.parse(Buffer.from(q.pageToken, 'base64').toString('utf8'));
    } catch {
      throw invalid('Failed to decode the page token: it is not one this server issued');
    }
    if (!token || typeof token.sortField !== 'string')
      throw invalid('Failed to decode the page token: it is not one this server issued');
  }
  let pageSize = token?.pageSize ?? DEFAULT_PAGE_SIZE;
  if (q.pageSize !== undefined && q.pageSize !== '') {
    if (!/^-?\d+$/.test(q.pageSize)) throw invalid(`page_size must be an integer (got "${q.pageSize}")`);
    const n = Number(q.pageSize);
    if (n < 0) throw invalid(`The page size should be greater than 0. Got ${n}`);
    if (n > 0) pageSize = n;
  }
  pageSize = Math.min(pageSize, MAX_PAGE_SIZE);

  const filterText = q.filter ?? '';
  let sortField = 'created_at';
  let desc = false;
  if (q.sortBy) {
    const m = /^\s*(\S+)(?:\s+(asc|desc))?\s*$/i.exec(q.sortBy);
    if (!m) throw invalid(`Invalid sorting field: "${q.sortBy}" (use "field", "field asc" or "field desc")`);
    sortField = field(l, m[1]!, 'sort_by');
    desc = (m[2] ?? '').toLowerCase() === 'desc';
  }
  if (token) {
    if (
      (q.sortBy && (sortField !== token.sortField || desc !== token.desc)) ||
      (q.filter && filterText !== token.filter)
    ) {
      throw invalid('the page token was issued for a different sort_by or filter; omit them or send the same values');
    }
    sortField = token.sortField;
    desc = token.desc;
  }
  const preds = (token?.filter ?? filterText) ? parseFilter(token?.filter || filterText, opKey, l) : [];
  const get = l.fields[sortField]!;
  // Each item's sort key read once, not at every comparison (a fleet's listing sorts thousands per page).
  type Row = { it: T; v: Scalar; id: string };
  const order = (a: { v: Scalar; id: string }, b: { v: Scalar; id: string }) => {
    const c = a.v < b.v ? -1 : a.v > b.v ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return desc ? -c : c;
  };
  const matching: Row[] = [];
  for (const it of all)
    if (preds.every((p) => matches(l.fields[p.field]!(it), p))) matching.push({ it, v: get(it), id: l.id(it) });
  matching.sort(order);
  let start = 0;
  if (token) {
    const last = { v: token.lastValue, id: token.lastId };
    start = matching.findIndex((row) => order(row, last) > 0);
    if (start < 0) start = matching.length;
  }
  const rows = matching.slice(start, start + pageSize);
  const items = rows.map((r) => r.it);
  let nextPageToken: string | undefined;
  if (start + pageSize < matching.length) {
    const last = rows[rows.length - 1]!;
    const t: Token = {
      sortField,
      desc,
      lastValue: last.v,
      lastId: last.id,
      filter: token?.filter ?? filterText,
      pageSize,
    };
    nextPageToken = Buffer.from(JSON.stringify(t)).toString('base64');
  }
  return { items, totalSize: matching.length, nextPageToken };
}
