import { type Document, isMap, isPair, isScalar, isSeq, stringify, type Scalar } from 'yaml';
import { type Diagnostic, type SourceLocation, UserError } from '../lib/errors.js';
import { didYouMean } from '../lib/suggest.js';
import {
  MAX_ALIAS_COUNT,
  type YamlFile,
  differingPaths,
  isPlainObject,
  locate,
  nodeAt,
  parseYaml,
  toData,
} from '../lib/yaml.js';

export type PathSegment = string | number;

/** How the pinned value is found in the config file. */
export type PinLocator =
  | { kind: 'key'; path: PathSegment[]; text: string; document?: DocumentSelector }
  | { kind: 'marker'; marker: string; document?: DocumentSelector };

/** A Kubernetes-style document of a multi-document file: `kind/name`. */
export interface DocumentSelector {
  kind: string;
  name: string;
}

export interface PinMatch {
  value: string;
  path: PathSegment[];
  location: SourceLocation;
  /** Offsets of the value's source text (quotes included, comments excluded). */
  start: number;
  end: number;
  type: Scalar.Type | undefined;
  docIndex: number;
}

/**
 * `spec.predictor.model.storageUri`, `orgs[0].automl_model`, `metadata.annotations["a.b/c"]`:
 * dots between keys, `[n]` for list items, `["…"]` for keys containing dots.
 */
export function parseConfigKey(text: string): PathSegment[] {
  const out: PathSegment[] = [];
  const re = /\s*(?:\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\['([^']*)'\]|\.?([^.[\]]+))/y;
  let pos = 0;
  const src = text.trim();
  while (pos < src.length) {
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m || m[0] === '' || (m[4] !== undefined && pos > 0 && src[pos] !== '.' && src[pos - 1] !== ']')) {
      throw new UserError(
        `config-key '${text}' is not a valid path at character ${pos + 1}. Fix: write keys separated by dots, list items as [0], and keys with dots as ["a.b"], e.g. spec.predictor.model.storageUri.`,
      );
    }
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(m[2].replace(/\\(.)/g, '$1'));
    else if (m[3] !== undefined) out.push(m[3]);
    else out.push(m[4]!.trim());
    pos = re.lastIndex;
  }
  if (out.length === 0)
    throw new UserError(`config-key is empty. Fix: give a YAML path such as spec.predictor.model.storageUri.`);
  return out;
}

export function parseDocumentSelector(text: string): DocumentSelector {
  const m = /^\s*([^/\s]+)\/([^/\s]+)\s*$/.exec(text);
  if (!m) throw new UserError(`document '${text}' must be kind/name, e.g. InferenceService/churn-model.`);
  return { kind: m[1]!, name: m[2]! };
}

export function formatPath(path: readonly PathSegment[]): string {
  return path
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : /[.[\]\s"]/.test(s) ? `["${s}"]` : i === 0 ? s : `.${s}`))
    .join('');
}

/** Every scalar value (not key) of a document with its path. */
function valueScalars(node: unknown, path: PathSegment[], out: { node: Scalar; path: PathSegment[] }[]): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      valueScalars(pair.value, [...path, key], out);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => valueScalars(item, [...path, i], out));
  } else if (isScalar(node)) {
    out.push({ node, path });
  }
}

function docLabel(doc: Document.Parsed): string | undefined {
  const data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
  if (!isPlainObject(data)) return undefined;
  const name = isPlainObject(data.metadata) ? data.metadata.name : undefined;
  return typeof data.kind === 'string' && typeof name === 'string' ? `${data.kind}/${name}` : undefined;
}

/** Find the one value the locator names; zero or several matches are errors with file:line. */
export function findPin(yf: YamlFile, locator: PinLocator): PinMatch {
  const sel = locator.document;
  let docs = yf.docs.map((doc, index) => ({ doc, index }));
  if (sel) {
    const want = `${sel.kind}/${sel.name}`;
    const picked = docs.filter(({ doc }) => docLabel(doc) === want);
    if (picked.length === 0) {
      const labels = docs.map(({ doc }) => docLabel(doc)).filter((l): l is string => !!l);
      throw UserError.at(
        `No document ${want} in this file (it has ${labels.length ? labels.join(', ') : 'no kind/metadata.name documents'}).${didYouMean(want, labels)}`,
        { file: yf.file, line: 1 },
        'set document to kind/name of one of the documents.',
      );
    }
    docs = picked;
  }
  const matches: PinMatch[] = [];
  const where = locator.kind === 'key' ? `config-key '${locator.text}'` : `marker '${locator.marker}'`;
  for (const { doc, index } of docs) {
    if (locator.kind === 'key') {
      const node = nodeAt(doc, locator.path);
      if (node === undefined) continue;
      if (!isScalar(node)) {
        const loc = locate(yf, locator.path, { doc });
        throw UserError.at(
          `${where} names a ${isMap(node) ? 'mapping' : isSeq(node) ? 'list' : 'non-scalar node'}, not a single value.`,
          loc,
          'point config-key at the scalar holding the model, e.g. spec.predictor.model.storageUri.',
        );
      }
      matches.push(toMatch(yf, node, locator.path, index));
    } else {
      const scalars: { node: Scalar; path: PathSegment[] }[] = [];
      valueScalars(doc.contents, [], scalars);
      for (const s of scalars)
        if (hasMarker(yf.text, s.node, locator.marker)) matches.push(toMatch(yf, s.node, s.path, index));
    }
  }
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw noMatch(
      yf,
      locator,
      docs.map((d) => d.doc),
      where,
    );
  const diagnostics: Diagnostic[] = matches.map((m) => ({
    message: `${where} matches ${matches.length} values; this is one of them${yf.docs.length > 1 ? ` (document ${docLabel(yf.docs[m.docIndex]!) ?? `#${m.docIndex + 1}`})` : ''}.`,
    location: m.location,
    fix:
      yf.docs.length > 1 && locator.kind === 'key'
        ? 'set document to kind/name to choose the document.'
        : 'make the locator match exactly one value.',
  }));
  throw new UserError(`${yf.file}: ${where} matches ${matches.length} values, expected exactly one.`, diagnostics);
}

function toMatch(yf: YamlFile, node: Scalar, path: PathSegment[], docIndex: number): PinMatch {
  const [start, end] = node.range!;
  const pos = yf.lineCounter.linePos(start);
  const endPos = yf.lineCounter.linePos(end);
  return {
    value: node.value === null ? '' : String(node.value),
    path,
    location: { file: yf.file, line: pos.line, column: pos.col, endLine: endPos.line, endColumn: endPos.col },
    start,
    end,
    type: node.type,
    docIndex,
  };
}

/** The marker is in a comment on the value's own line, after the value. */
function hasMarker(text: string, node: Scalar, marker: string): boolean {
  const end = node.range![1];
  const lineEnd = text.indexOf('\n', end);
  const rest = text.slice(end, lineEnd < 0 ? text.length : lineEnd);
  const hash = rest.indexOf('#');
  if (
    hash < 0 ||
    rest
      .slice(0, hash)
      .trim()
      .replace(/^[,}\]]+/, '') !== ''
  )
    return false;
  const want = marker.trim().replace(/^#\s*/, '');
  return rest.slice(hash + 1).includes(want);
}

function noMatch(yf: YamlFile, locator: PinLocator, docs: Document.Parsed[], where: string): UserError {
  if (locator.kind === 'marker') {
    return UserError.at(
      `No value in this file has a comment containing ${where}.`,
      { file: yf.file, line: 1 },
      `put the marker as a comment after the pinned value, e.g. \`storageUri: gs://bucket/model # ${locator.marker.replace(/^#\s*/, '')}\`.`,
    );
  }
  // Point at the deepest part of the path that exists and suggest a key there.
  const doc = docs[0]!;
  let depth = 0;
  while (depth < locator.path.length && nodeAt(doc, locator.path.slice(0, depth + 1)) !== undefined) depth++;
  const parent = depth === 0 ? doc.contents : nodeAt(doc, locator.path.slice(0, depth));
  const keys = isMap(parent)
    ? parent.items.map((p) => (isPair(p) && isScalar(p.key) ? String(p.key.value) : '')).filter(Boolean)
    : [];
  const missing = locator.path[depth]!;
  const found = depth > 0 ? formatPath(locator.path.slice(0, depth)) : '(the document root)';
  const loc =
    depth > 0 ? locate(yf, locator.path.slice(0, depth), { doc, key: true }) : { file: yf.file, line: 1, column: 1 };
  return UserError.at(
    `${where} matches no value: ${found} has no ${typeof missing === 'number' ? `item [${missing}]` : `key '${missing}'`}${keys.length ? ` (keys: ${keys.join(', ')})` : ''}.${typeof missing === 'string' ? didYouMean(missing, keys) : ''}`,
    loc,
    'correct config-key to the path of the pinned model value.',
  );
}

/** The source text of `value` as a scalar of the same style as the one it replaces. */
function render(value: string, type: Scalar.Type | undefined): string[] {
  const double = JSON.stringify(value);
  switch (type) {
    case 'QUOTE_DOUBLE':
      return [double];
    case 'QUOTE_SINGLE':
      return [`'${value.replace(/'/g, "''")}'`, double];
    case 'BLOCK_FOLDED':
    case 'BLOCK_LITERAL':
      return [];
    default: {
      const plain = stringify(value, { lineWidth: 0, defaultStringType: 'PLAIN' }).replace(/\n$/, '');
      return plain.includes('\n') ? [double] : [plain, double];
    }
  }
}

/**
 * Replace the pinned value, changing nothing else: the new scalar is spliced into the original text
 * (so comments, key order, indentation and quoting stay byte for byte), then the result is parsed
 * again and must differ from the original in that one value only.
 */
export function setPin(
  text: string,
  file: string,
  locator: PinLocator,
  newValue: string,
): { text: string; match: PinMatch } {
  const yf = parseYaml(text, file);
  const match = findPin(yf, locator);
  if (match.value === newValue) return { text, match };
  const before = yf.docs.map((d) => toData(yf, d));
  for (const candidate of render(newValue, match.type)) {
    // An empty value (`storageUri:`) needs a space after the colon.
    const gap = match.start === match.end && text[match.start - 1] === ':' ? ' ' : '';
    const next = text.slice(0, match.start) + gap + candidate + text.slice(match.end);
    if (checkEdit(next, file, before, match, newValue)) return { text: next, match };
  }
  throw UserError.at(
    `Cannot rewrite this ${match.type === 'BLOCK_FOLDED' || match.type === 'BLOCK_LITERAL' ? 'block scalar' : 'value'} in place without changing anything else.`,
    match.location,
    'write the pinned value as a plain or quoted scalar on one line.',
  );
}

function checkEdit(next: string, file: string, before: unknown[], match: PinMatch, newValue: string): boolean {
  let yf: YamlFile;
  try {
    yf = parseYaml(next, file);
  } catch {
    return false;
  }
  if (yf.docs.length !== before.length) return false;
  return yf.docs.every((doc, i) => {
    const data = toData(yf, doc);
    if (i !== match.docIndex) return differingPaths(before[i], data).length === 0;
    const node = nodeAt(doc, match.path);
    if (!isScalar(node) || String(node.value) !== newValue) return false;
    return differingPaths(withValue(before[i], match.path, node.value), data).length === 0;
  });
}

/** A copy of `data` with the value at `path` replaced. */
function withValue(data: unknown, path: readonly PathSegment[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(data)) return data.map((x, i) => (i === head ? withValue(x, rest, value) : x));
  if (isPlainObject(data)) return { ...data, [String(head)]: withValue(data[String(head)], rest, value) };
  return data;
}

/** The value currently pinned in `text` (for reports), or a located error. */
export function readPin(text: string, file: string, locator: PinLocator): PinMatch {
  return findPin(parseYaml(text, file), locator);
}
