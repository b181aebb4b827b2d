import { type SourceLocation, UserError } from '../lib/errors.js';
import { DEFAULT_MAX_INPUT_BYTES } from '../lib/files.js';
import { MAX_NESTING, parseJson } from '../lib/json.js';
import { isPlainObject, locate, parseYaml, toData } from '../lib/yaml.js';
import { toNumber } from './numbers.js';

/** Metrics by dotted path (`precision.area-jupyter`), values as found (numbers, numeric strings, text, Samples). */
export type Metrics = ReadonlyMap<string, unknown>;

/** A proportion measured on n examples, written `{value: 0.62, n: 45}`: one metric, not two. */
export interface Sample {
  value: unknown;
  n: number;
}

/**
 * The leaf rule: an object with exactly the two keys `value` and `n` is a Sample when `n` is a number.
 * A group whose only two metrics happen to be named `value` and `n` must be written with dotted keys
 * (`"group.value": 0.3, "group.n": 12`); any other key next to them keeps the object a group.
 */
function isSampleShape(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length === 2 && 'value' in value && 'n' in value && toNumber(value.n) !== undefined;
}

/** The value and, for a Sample, its n. */
export function sampleOf(raw: unknown): { value: unknown; n?: number } {
  if (isPlainObject(raw) && 'n' in raw && 'value' in raw) return { value: raw.value, n: raw.n as number };
  return { value: raw };
}

/** Where a value is, by its path of keys from the root (for a located error). */
export type Locator = (path: readonly string[]) => SourceLocation;

/**
 * DVC-style flattening: nested objects become dotted paths (`{"train": {"loss": 1}}` → `train.loss`);
 * a key that already contains dots stays as written. Nulls and lists are kept as values (DVC drops them)
 * so that a rule naming one says what is wrong with it rather than that it does not exist. `{value, n}`
 * (exactly those two keys) is one metric, a Sample, not `x.value` and `x.n`. Two keys
 * giving the same path (`"a.b"` and `{"a": {"b"}}`) and nesting deeper than MAX_NESTING are errors.
 */
export function flattenMetrics(data: unknown, where: Locator = () => ({ file: 'metrics' })): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const firstPath = new Map<string, readonly string[]>();
  const walk = (found: unknown, keys: readonly string[]): void => {
    if (keys.length > MAX_NESTING) {
      throw UserError.at(
        `Metrics nested deeper than ${MAX_NESTING} levels.`,
        where(keys),
        `flatten the metrics (at most ${MAX_NESTING} nested objects).`,
      );
    }
    const sample = isPlainObject(found) && keys.length > 0 && isSampleShape(found);
    if (isPlainObject(found) && !sample) {
      for (const [k, v] of Object.entries(found)) walk(v, [...keys, k]);
      return;
    }
    const value = sample ? checkedSample(found as Record<string, unknown>, where(keys)) : found;
    if (value === undefined || keys.length === 0) return;
    const name = keys.join('.');
    const first = firstPath.get(name);
    if (first) {
      const at = where(first);
      throw UserError.at(
        `Metric '${name}' is written twice (${describePath(first)}${at.line ? ` at line ${at.line}` : ''} and ${describePath(keys)}).`,
        where(keys),
        'keep one of them: a dotted key and nested keys giving the same path would silently hide one value.',
      );
    }
    firstPath.set(name, keys);
    out.set(name, value);
  };
  walk(data, []);
  return out;
}

/** `n` is a count of examples and `value` a proportion of them: anything else is a located error. */
function checkedSample(raw: Record<string, unknown>, at: SourceLocation): Sample {
  const n = toNumber(raw.n)!;
  if (!Number.isInteger(n) || n < 0) {
    throw UserError.at(
      `'n' must be a whole number of examples (got ${JSON.stringify(raw.n)}).`,
      at,
      'write the number of examples the value was measured on, e.g. `{value: 0.62, n: 45}`.',
    );
  }
  const value = toNumber(raw.value);
  if (value !== undefined && Number.isFinite(value) && (value < 0 || value > 1)) {
    throw UserError.at(
      `A value with 'n' must be a proportion between 0 and 1 (got ${value}).`,
      at,
      'give `n` only for proportions (accuracy, precision, recall…); write F1, loss or latency as plain numbers.',
    );
  }
  return { value: raw.value, n };
}

function describePath(keys: readonly string[]): string {
  return keys.length === 1 ? `key "${keys[0]}"` : `nested keys ${keys.map((k) => `"${k}"`).join(' → ')}`;
}

export type MetricsFormat = 'json' | 'yaml' | 'toml';

export function formatOf(file: string): MetricsFormat {
  if (/\.toml$/i.test(file)) return 'toml';
  if (/\.json$/i.test(file)) return 'json';
  return 'yaml';
}

/**
 * Parse a metrics file's text (JSON, YAML 1.2 or TOML, as DVC accepts) into flattened metrics.
 * Syntax errors name the file, line and column.
 */
export async function parseMetricsText(
  text: string,
  file: string,
  format: MetricsFormat = formatOf(file),
): Promise<Map<string, unknown>> {
  const size = Buffer.byteLength(text);
  if (size > DEFAULT_MAX_INPUT_BYTES) {
    throw UserError.at(
      `File is ${size} bytes, over the ${DEFAULT_MAX_INPUT_BYTES}-byte limit for metrics files.`,
      { file },
      'check that the right file is referenced.',
    );
  }
  let data: unknown;
  // TOML has no positions: the first line holding the last key is close enough.
  let where: Locator = (keys) => ({ file, line: lineOf(text, keys[keys.length - 1]) });
  if (format === 'toml') {
    const { parse, TomlError } = await import('smol-toml');
    try {
      data = parse(text);
    } catch (err) {
      if (err instanceof TomlError)
        throw UserError.at(
          `TOML syntax error: ${err.message.split('\n')[0]}`,
          { file, line: err.line, column: err.column },
          'correct the TOML syntax at this position.',
        );
      throw err;
    }
  } else if (format === 'json') {
    // JSON only: a broken .json is not re-read as YAML (that hid the error and was slow on big files).
    const jf = parseJson(text, file);
    data = jf.value;
    where = jf.locate;
  } else {
    const yf = parseYaml(text, file);
    if (yf.docs.length > 1)
      throw UserError.at(
        'A metrics file must hold one document, not several.',
        { file },
        'keep one YAML document (remove the `---` separators).',
      );
    data = yf.docs.length ? toData(yf) : undefined;
    where = (keys) => locate(yf, keys, { key: true });
  }
  if (!isPlainObject(data)) {
    throw UserError.at(
      'A metrics file must be an object of metric names to values (nested objects allowed).',
      { file, line: 1 },
      'write e.g. {"accuracy": 0.91, "precision": {"area-jupyter": 0.8}}.',
    );
  }
  return flattenMetrics(data, where);
}

/** The first 1-based line on which `word` appears, or 1. */
function lineOf(text: string, word: string | undefined): number {
  const i = word ? text.indexOf(word) : -1;
  return i < 0 ? 1 : text.slice(0, i).split('\n').length;
}
