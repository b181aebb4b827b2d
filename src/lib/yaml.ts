import { Document, LineCounter, isMap, isNode, isSeq, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { type Diagnostic, type SourceLocation, UserError } from './errors.js';
import { readInputFile } from './files.js';

/** Refuse YAML files larger than this (a config or pipeline is far smaller). */
export const DEFAULT_MAX_YAML_BYTES = 5 * 1024 * 1024;
/** Alias expansion cap: stops "billion laughs" bombs. */
export const MAX_ALIAS_COUNT = 100;

/** A parsed YAML file that can say where any value came from. */
export interface YamlFile {
  /** Path used in messages (repo-relative where possible). */
  file: string;
  text: string;
  docs: Document.Parsed[];
  lineCounter: LineCounter;
}

/** Parse YAML text; syntax errors, duplicate keys and alias bombs become located diagnostics. */
export function parseYaml(text: string, file: string, opts: { maxBytes?: number } = {}): YamlFile {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_YAML_BYTES;
  const size = Buffer.byteLength(text);
  if (size > maxBytes) {
    throw UserError.at(
      `File is ${size} bytes, over the ${maxBytes}-byte limit for YAML files.`,
      { file },
      'split the file or check that the right file is referenced.',
    );
  }
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true }) as
    Document.Parsed[] | { errors: unknown[] };
  if (!Array.isArray(docs)) throw UserError.at('Not a YAML document stream.', { file });
  const diagnostics: Diagnostic[] = [];
  for (const doc of docs) {
    for (const e of doc.errors) {
      const pos = lineCounter.linePos(e.pos[0]);
      const reason = e.message.split('\n')[0]!.trim();
      if (e.code === 'RESOURCE_EXHAUSTION') {
        // The parser ran out of stack: nesting hundreds of levels deep, which no input needs.
        diagnostics.push({
          message: 'YAML nested too deeply to read.',
          location: { file, line: pos.line, column: pos.col },
          fix: 'flatten the data (at most a few dozen nested levels).',
        });
        break;
      }
      diagnostics.push({
        message: `YAML ${e.code === 'DUPLICATE_KEY' ? 'duplicate key' : 'syntax error'}: ${reason}${/[.!?]$/.test(reason) ? '' : '.'}`,
        location: { file, line: pos.line, column: pos.col },
        fix:
          e.code === 'DUPLICATE_KEY'
            ? 'remove or rename one of the duplicated keys.'
            : 'correct the YAML syntax at this position.',
      });
    }
  }
  if (diagnostics.length) throw new UserError(`${file}: invalid YAML`, diagnostics);
  return { file, text, docs, lineCounter };
}

export async function readYamlFile(
  absPath: string,
  displayPath: string,
  opts: { maxBytes?: number } = {},
): Promise<YamlFile> {
  return parseYaml(
    await readInputFile(absPath, displayPath, { maxBytes: opts.maxBytes ?? DEFAULT_MAX_YAML_BYTES, kind: 'YAML' }),
    displayPath,
    opts,
  );
}

/** A document as plain JS data, with alias expansion capped; undefined for an empty file (only comments). */
export function toData(yf: YamlFile, doc: Document.Parsed | undefined = yf.docs[0]): unknown {
  if (!doc) return undefined;
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw UserError.at(
      `YAML refused: ${(err as Error).message}`,
      { file: yf.file },
      'expand the anchors/aliases or reduce their use.',
    );
  }
}

/** Where the value (or, with `key`, the key) at `path` starts; the document start when not found. */
export function locate(
  yf: YamlFile,
  path: readonly (string | number)[],
  opts: { doc?: Document.Parsed; key?: boolean } = {},
): SourceLocation {
  const doc = opts.doc ?? yf.docs[0];
  let node: unknown = doc?.contents;
  let best: unknown = node;
  for (const [i, segment] of path.entries()) {
    const child = childNode(node, segment);
    const wantKey = opts.key && i === path.length - 1 && child?.key !== undefined;
    const next = child && (wantKey ? child.key : (child.value ?? child.key));
    if (next === undefined || next === null) break;
    node = next;
    best = node;
  }
  return nodeLocation(yf, best);
}

/** Where a node starts and ends; the file's start for anything that is not a parsed node. */
export function nodeLocation(yf: YamlFile, node: unknown): SourceLocation {
  const range = isNode(node) ? (node as YamlNode).range : undefined;
  if (!range) return { file: yf.file, line: 1, column: 1 };
  const start = yf.lineCounter.linePos(range[0]);
  const end = yf.lineCounter.linePos(range[1]);
  return { file: yf.file, line: start.line, column: start.col, endLine: end.line, endColumn: end.col };
}

/**
 * One step down a YAML node tree: the pair of a map whose key reads `segment`, or the item of a sequence at
 * index `segment`; undefined when there is none. The one step behind every path walk over nodes: `locate`,
 * `nodeAt`, and the config's located documents (config/located.ts).
 */
export function childNode(node: unknown, segment: string | number): { key?: unknown; value: unknown } | undefined {
  if (isMap(node)) return node.items.find((p) => keyString(p.key) === String(segment));
  if (isSeq(node) && typeof segment === 'number') {
    const value: unknown = node.items[segment];
    return value === undefined ? undefined : { value };
  }
  return undefined;
}

/** The node at `path` in a document; undefined when a step is missing or its value is null. */
export function nodeAt(doc: Document.Parsed, path: readonly (string | number)[]): unknown {
  let node: unknown = doc.contents;
  for (const segment of path) {
    node = childNode(node, segment)?.value;
    if (node === undefined || node === null) return undefined;
  }
  return node;
}

function keyString(k: unknown): string | undefined {
  if (isNode(k) && 'value' in k) return String((k as { value: unknown }).value);
  return k === undefined || k === null ? undefined : String(k);
}

/** A copy of `value` without the keys in `keys`, at any depth. */
export function withoutKeys(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutKeys(v, keys));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!keys.has(k)) out[k] = withoutKeys(v, keys);
    return out;
  }
  return value;
}

/** Paths (dotted, with [i] for arrays) where two data values differ; empty when equal. */
export function differingPaths(a: unknown, b: unknown, at = '', limit = 50): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, p: string) => {
    if (out.length >= limit) return;
    if (Array.isArray(x) && Array.isArray(y)) {
      for (let i = 0; i < Math.max(x.length, y.length); i++) walk(x[i], y[i], `${p}[${i}]`);
      return;
    }
    if (isPlainObject(x) && isPlainObject(y)) {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) walk(x[k], y[k], p ? `${p}.${k}` : k);
      return;
    }
    if (!Object.is(x, y) && !(x instanceof Date && y instanceof Date && x.getTime() === y.getTime()))
      out.push(p || '(root)');
  };
  walk(a, b, at);
  return out;
}

/**
 * Whether two data values are equal once the `ignore` keys are dropped at any depth: differingPaths' equality
 * (an absent key equals an undefined one) without copying, for comparing large pipelines as their pages arrive.
 */
export function sameData(a: unknown, b: unknown, ignore: ReadonlySet<string>): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameData(a[i], b[i], ignore)) return false;
    return true;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of Object.keys(a)) if (!ignore.has(k) && !sameData(a[k], b[k], ignore)) return false;
    for (const k of Object.keys(b)) if (!ignore.has(k) && !(k in a) && b[k] !== undefined) return false;
    return true;
  }
  return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

/** Parse every document of a YAML/JSON text into data, or undefined when it is not YAML. */
export function tryParseData(text: string): unknown[] | undefined {
  try {
    const docs = parseAllDocuments(text, { uniqueKeys: false });
    if (!Array.isArray(docs) || docs.some((d) => d.errors.length > 0)) return undefined;
    return docs.map((d) => d.toJS({ maxAliasCount: MAX_ALIAS_COUNT }));
  } catch {
    return undefined;
  }
}
