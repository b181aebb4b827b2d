import type { ErrorObject } from 'ajv';
import type { Diagnostic, SourceLocation } from '../lib/errors.js';
import { closest, didYouMean } from '../lib/suggest.js';
import { type DataPath, humanPath } from './data-path.js';
import type { ConfigDoc } from './located.js';
import * as compiled from './schema-validators.js';

/**
 * Validation of the config files against the published JSON Schemas (schemas/*.json, the same
 * files editors use), with each ajv error turned into one located diagnostic that names the fix.
 * The validators are compiled at build time (scripts/gen-validators.mjs), so ajv itself is not bundled;
 * still import this module dynamically, only where files are validated.
 */
export type ConfigKind = 'experiments' | 'recurring_runs' | 'pipelines';

export interface SchemaResult {
  diagnostics: Diagnostic[];
  /** Data paths of the values that failed, so callers can skip checks that depend on them. */
  failedPaths: DataPath[];
}

/** What ajv's generated code provides: a test, and the errors of the last failed one. */
type Validator = { (data: unknown): boolean; errors?: ErrorObject[] | null };
const validators: Record<ConfigKind, Validator> = compiled;

export function validateSchema(kind: ConfigKind, doc: ConfigDoc): SchemaResult {
  const { data } = doc;
  const validate = validators[kind];
  if (validate(data)) return { diagnostics: [], failedPaths: [] };
  const errors = validate.errors ?? [];
  // A failed oneOf also reports why each branch failed; those branch errors only restate it.
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf');
  const kept = errors.filter((e) => !oneOfs.some((o) => e !== o && e.schemaPath.startsWith(`${o.schemaPath}/`)));
  // A more specific error inside the same object (a typo'd key, a wrong type) explains a failed oneOf.
  const explained = (o: ErrorObject) =>
    kept.some(
      (e) =>
        e.keyword !== 'oneOf' && (e.instancePath === o.instancePath || e.instancePath.startsWith(`${o.instancePath}/`)),
    );
  // A typo'd key and the required key it was meant to be are one mistake: report the typo only.
  const typoFor = (r: ErrorObject) =>
    kept.some(
      (e) =>
        e.keyword === 'additionalProperties' &&
        e.instancePath === r.instancePath &&
        closest(String(e.params.additionalProperty), [String(r.params.missingProperty)]) !== undefined,
    );
  const final = kept.filter(
    (e) => (e.keyword !== 'oneOf' || !explained(e)) && (e.keyword !== 'required' || !typoFor(e)),
  );
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const failedPaths: DataPath[] = [];
  for (const e of final) {
    const path = toPath(e.instancePath, data);
    const d = describe(e, path, doc, kind);
    const key = `${d.location?.line}:${d.location?.column}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(d);
    failedPaths.push(path);
  }
  return { diagnostics, failedPaths };
}

/** JSON pointer → data path, with numbers for array indices. */
function toPath(pointer: string, data: unknown): DataPath {
  const out: DataPath = [];
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key = Array.isArray(node) ? Number(seg) : seg;
    out.push(key);
    node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  }
  return out;
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  return `the text '${String(v)}'`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'null',
};

/** The text of a value as written, when it is on one line. */
function written(doc: ConfigDoc, loc: SourceLocation): string | undefined {
  if (!loc.line || loc.endLine !== loc.line || !loc.column || !loc.endColumn) return undefined;
  return doc.yaml.text.split('\n')[loc.line - 1]?.slice(loc.column - 1, loc.endColumn - 1);
}

function describe(e: ErrorObject, path: DataPath, doc: ConfigDoc, kind: ConfigKind): Diagnostic {
  const where = humanPath(path, doc.file);
  const last = path[path.length - 1];
  const field = typeof last === 'string' ? last : where;
  const schema = (e.parentSchema ?? {}) as {
    description?: string;
    properties?: Record<string, { description?: string }>;
    type?: string | string[];
  };
  const at = doc.at(path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys(schema.properties ?? {});
      return {
        message: `Unknown key '${key}' in ${where}.${didYouMean(key, allowed)}`,
        location: doc.at([...path, key], true),
        fix: `remove or rename it; the keys allowed here are ${allowed.join(', ')}.`,
      };
    }
    case 'required': {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      const desc = schema.properties?.[key]?.description;
      return {
        message: `Missing required key '${key}' in ${where}.`,
        location: at,
        fix: `add '${key}: …'${desc ? ` (${desc})` : ''}.`,
      };
    }
    case 'type': {
      const want = ([] as string[]).concat((e.params as { type: string | string[] }).type);
      const words = want.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
      const value = e.data;
      if (path.length === 0 && (value === null || value === undefined)) {
        return {
          message: `The file is empty: it must hold a '${kind}:' list.`,
          location: { file: doc.file, line: 1, column: 1 },
          fix: `write '${kind}:' and its entries (an empty list is '${kind}: []').`,
        };
      }
      if (path.length === 0) {
        return {
          message: `The file must be a mapping with a '${kind}' list, not ${kindOf(value)}.`,
          location: at,
          fix: 'follow the format in the schema (schemas/*.schema.json) or the README.',
        };
      }
      let fix = `write ${words}${schema.description ? `: ${schema.description}` : '.'}`;
      if (want.includes('string') && (typeof value === 'number' || typeof value === 'boolean')) {
        const text = written(doc, at) ?? String(value);
        fix = `quote the value so YAML keeps it as text: ${field}: "${text}".`;
      } else if (
        (want.includes('integer') || want.includes('number')) &&
        typeof value === 'string' &&
        /^-?\d+(\.\d+)?$/.test(value)
      ) {
        fix = `remove the quotes: ${field}: ${value}.`;
      } else if (want.includes('boolean') && typeof value === 'string') {
        fix = `write true or false without quotes.`;
      }
      return { message: `${where} must be ${words}, not ${kindOf(value)}.`, location: at, fix };
    }
    case 'minLength':
      return {
        message: `${where} must not be empty.`,
        location: at,
        fix: ([] as string[]).concat(schema.type ?? []).includes('null')
          ? `give a value, or write ${field}: null.`
          : `give a value${schema.description ? ` (${schema.description})` : ''}.`,
      };
    case 'maxLength':
      return {
        message: `${where} is longer than ${(e.params as { limit: number }).limit} characters.`,
        location: at,
        fix: `shorten it${schema.description ? ` (${schema.description})` : ''}.`,
      };
    case 'minimum':
    case 'maximum': {
      const { limit, comparison } = e.params as { limit: number; comparison: string };
      return {
        message: `${where} must be ${comparison} ${limit}, not ${String(e.data)}.`,
        location: at,
        fix: `${schema.description ? `${schema.description} ` : ''}Use a value ${comparison} ${limit}.`,
      };
    }
    case 'pattern': {
      if (field === 'start_date' || field === 'end_date') {
        return {
          message: `${where} '${String(e.data)}' is not a date or a date-time.`,
          location: at,
          fix: `write a date (2024-01-01, midnight UTC) or an RFC 3339 date-time (2024-01-01T06:00:00Z), or null.`,
        };
      }
      return {
        message: `${where} '${String(e.data)}' is not valid here.`,
        location: at,
        fix: schema.description ?? `match ${(e.params as { pattern: string }).pattern}.`,
      };
    }
    case 'oneOf': {
      const branches = (e.schema as { required?: string[] }[]).map((b) => b.required ?? []);
      const each = branches.map((keys) => keys.map((k) => `'${k}'`).join(' + '));
      const alternatives = each.length > 2 ? `${each.slice(0, -1).join(', ')} or ${each.at(-1)}` : each.join(' or ');
      const passing = (e.params as { passingSchemas: number[] | null }).passingSchemas;
      const data = (e.data ?? {}) as Record<string, unknown>;
      if (passing && passing.length > 1) {
        return {
          message: `${where} sets ${alternatives}; only one of them may be set.`,
          location: at,
          fix: `keep one and remove the other.`,
        };
      }
      const nulls = branches.flat().filter((k) => k in data && data[k] === null);
      // Name what is missing for the alternative the user came closest to.
      const present = (keys: string[]) => keys.filter((k) => k in data && data[k] !== null).length;
      const nearest =
        [...branches].sort((a, b) => present(b) - present(a) || a.length - present(a) - (b.length - present(b)))[0] ??
        [];
      const missing = nearest.filter((k) => !(k in data) || data[k] === null);
      const partial = branches.some((keys) => keys.length > 1 && keys.some((k) => k in data));
      return {
        message: `${where} needs exactly one of ${alternatives}${nulls.length ? ` with a value (${nulls.map((k) => `'${k}'`).join(', ')} ${nulls.length > 1 ? 'are' : 'is'} null)` : ''}${partial ? `; missing ${missing.map((k) => `'${k}'`).join(', ')}` : ''}.`,
        location: at,
        fix: partial ? `add ${missing.map((k) => `'${k}'`).join(', ')}.` : `set ${alternatives}, exactly one.`,
      };
    }
    default:
      return {
        message: `${where} ${e.message ?? 'is invalid'}.`,
        location: at,
        fix: schema.description ?? 'see the schema in schemas/.',
      };
  }
}
