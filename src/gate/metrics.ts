import { UserError } from '../lib/errors.js';
import { isPlainObject, parseYaml, toData, tryParseData } from '../lib/yaml.js';

/** Metrics by dotted path (`precision.area-jupyter`), values as found (numbers, numeric strings, text). */
export type Metrics = ReadonlyMap<string, unknown>;

/**
 * DVC-style flattening: nested objects become dotted paths (`{"train": {"loss": 1}}` → `train.loss`).
 * Lists and nulls are dropped as DVC drops them; a key that already contains dots stays as written.
 */
export function flattenMetrics(data: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (value: unknown, prefix: string) => {
    if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else if (value !== null && value !== undefined && !Array.isArray(value) && prefix) {
      out.set(prefix, value);
    }
  };
  walk(data, '');
  return out;
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
export async function parseMetricsText(text: string, file: string, format: MetricsFormat = formatOf(file)): Promise<Map<string, unknown>> {
  let data: unknown;
  if (format === 'toml') {
    const { parse, TomlError } = await import('smol-toml');
    try {
      data = parse(text);
    } catch (err) {
      if (err instanceof TomlError) throw UserError.at(`TOML syntax error: ${err.message.split('\n')[0]}`, { file, line: err.line, column: err.column }, 'correct the TOML syntax at this position.');
      throw err;
    }
  } else if (format === 'json') {
    try {
      data = JSON.parse(text);
    } catch (err) {
      // Python's json module writes NaN and Infinity, which JSON refuses; YAML reads them (as strings toNumber knows).
      const viaYaml = tryParseData(text);
      if (viaYaml?.length !== 1) throw jsonSyntaxError(err as Error, text, file);
      data = viaYaml[0];
    }
  } else {
    const yf = parseYaml(text, file);
    if (yf.docs.length > 1) throw UserError.at('A metrics file must hold one document, not several.', { file }, 'keep one YAML document (remove the `---` separators).');
    data = yf.docs.length ? toData(yf) : undefined;
  }
  if (!isPlainObject(data)) {
    throw UserError.at('A metrics file must be an object of metric names to values (nested objects allowed).', { file, line: 1 }, 'write e.g. {"accuracy": 0.91, "precision": {"area-jupyter": 0.8}}.');
  }
  return flattenMetrics(data);
}

/** JSON.parse's error at its line and column (V8 says "at position N"). */
function jsonSyntaxError(err: Error, text: string, file: string): UserError {
  const pos = Number(/position (\d+)/.exec(err.message)?.[1] ?? NaN);
  const before = Number.isNaN(pos) ? undefined : text.slice(0, pos).split('\n');
  const message = err.message.replace(/\s*(in JSON )?at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)/, '');
  const location = before ? { file, line: before.length, column: before[before.length - 1]!.length + 1 } : { file };
  return UserError.at(`JSON syntax error: ${message}`, location, 'correct the JSON at this position (e.g. a missing comma or quote).');
}
