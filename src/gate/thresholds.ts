import type { Document, Pair, Scalar, YAMLMap } from 'yaml';
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import { type Diagnostic, type SourceLocation, UserError } from '../lib/errors.js';
import { closest, didYouMean } from '../lib/suggest.js';
import { type YamlFile, locate } from '../lib/yaml.js';
import { toNumber } from './numbers.js';

/** The checks a rule or its warn band can hold, named as in the thresholds file. */
export const CHECKS = ['min', 'max', 'min_absolute_change', 'min_relative_change'] as const;
export type CheckName = (typeof CHECKS)[number];
export type Bounds = Partial<Record<CheckName, number>>;

/** One rule of a thresholds file: a metric path or `*` pattern and what its values must meet. */
export interface Rule {
  /** The key as written: `accuracy`, `precision.area-*`. */
  pattern: string;
  /** Direction for change checks: from `greater_is_better`, else `min` only ⇒ true, `max` only ⇒ false. */
  greaterIsBetter?: boolean;
  /** Failing these fails the gate. */
  hard: Bounds;
  /** Failing these only warns (a soft band, usually stricter than `hard`). */
  warn: Bounds;
  /** A missing metric is skipped instead of failing. */
  optional: boolean;
  /**
   * With it, a change check fails only when the candidate is worse beyond the tolerance with confidence
   * 1 − significance (metrics given as `{value, n}` on both sides); from the rule or the file's top level.
   */
  significance?: number;
  /** On a wildcard rule: up to this many matched metrics may fail before the rule fails. */
  maxFailing?: number;
  /** On a wildcard rule: check the worst (`min`) or the mean of the matched metrics as one value. */
  aggregate?: Aggregate;
  /** Where the rule's key is, and where each check is (`min`, `warn.min`…), for annotations. */
  at: SourceLocation;
  checkAt: Partial<Record<string, SourceLocation>>;
}

export const AGGREGATES = ['min', 'mean'] as const;
export type Aggregate = (typeof AGGREGATES)[number];

const RULE_KEYS = [
  ...CHECKS,
  'threshold',
  'greater_is_better',
  'optional',
  'warn',
  'significance',
  'max_failing',
  'aggregate',
];
const BAND_KEYS = [...CHECKS, 'threshold'];
const FORM = 'a mapping such as {min: 0.85}, {max: 50}, {min_absolute_change: -0.01, greater_is_better: true}';

/**
 * Read the rules of a thresholds file. Every problem is collected with its line and a fix, then
 * thrown as one UserError, so a bad file is reported whole and nothing is evaluated.
 *
 * `threshold` + `greater_is_better` (MLflow's MetricThreshold) is accepted as `min` or `max`.
 * A top-level `significance: 0.05` (a number, where a rule would be a mapping) applies to every rule
 * that does not set its own.
 */
export function parseThresholds(yf: YamlFile): Rule[] {
  const problems: Diagnostic[] = [];
  const at = (path: (string | number)[], key = false) => locate(yf, path, { key });
  const problem = (message: string, path: (string | number)[], fix: string, key = false) =>
    problems.push({ message, location: at(path, key), fix });

  if (yf.docs.length !== 1) {
    throw UserError.at(
      yf.docs.length ? 'A thresholds file must hold one YAML document.' : 'The thresholds are empty.',
      { file: yf.file, line: 1 },
      'write one mapping of metric name (or pattern) to rule, e.g. `accuracy: {min: 0.85}`.',
    );
  }
  const doc = yf.docs[0]!;
  const root = doc.contents;
  if (!isMap(root) || root.items.length === 0) {
    throw UserError.at(
      'The thresholds must be a mapping of metric names (or `*` patterns) to rules.',
      at([]),
      'write e.g. `accuracy: {min: 0.85}` and `"precision.area-*": {min: 0.3}`.',
    );
  }

  const rules: Rule[] = [];
  let globalSignificance: number | undefined;
  for (const pair of (root as YAMLMap).items as Pair[]) {
    const pattern = isScalar(pair.key) ? String((pair.key as Scalar).value ?? '').trim() : '';
    if (!pattern) {
      problem(
        'A rule needs a metric name or pattern as its key.',
        [],
        'use a plain key such as `accuracy` or `"precision.area-*"`.',
      );
      continue;
    }
    const path = [pattern];
    const value = resolved(pair.value, doc);
    if (pattern === 'significance' && isScalar(value)) {
      globalSignificance = readSignificance((value as Scalar).value, path, problem);
      continue;
    }
    if (!isMap(value)) {
      const scalar = isScalar(value) ? toNumber((value as Scalar).value) : undefined;
      const fix =
        scalar !== undefined
          ? `write \`${pattern}: {min: ${scalar}}\` (or \`max\` when lower is better).`
          : `write \`${pattern}:\` followed by ${FORM}.`;
      problem(`The rule for '${pattern}' must be a mapping of checks.`, path, fix);
      continue;
    }
    const raw = ruleFields(value, doc);
    const rule: Rule = { pattern, hard: {}, warn: {}, optional: false, at: at(path, true), checkAt: {} };

    for (const key of Object.keys(raw)) {
      if (!RULE_KEYS.includes(key))
        problem(
          `Unknown key '${key}' in the rule for '${pattern}'.${didYouMean(key, RULE_KEYS)}`,
          [...path, key],
          `use only ${RULE_KEYS.join(', ')}.`,
          true,
        );
    }
    for (const key of ['optional', 'greater_is_better'] as const) {
      if (key in raw && typeof raw[key] !== 'boolean')
        problem(
          `'${key}' must be true or false (got ${shown(raw[key])}).`,
          [...path, key],
          `write \`${key}: true\` or \`${key}: false\`.`,
        );
    }
    rule.optional = raw.optional === true;
    if (typeof raw.greater_is_better === 'boolean') rule.greaterIsBetter = raw.greater_is_better;
    if ('significance' in raw)
      rule.significance = readSignificance(raw.significance, [...path, 'significance'], problem);
    if ('max_failing' in raw || 'aggregate' in raw) {
      const key = 'max_failing' in raw ? 'max_failing' : 'aggregate';
      const n = toNumber(raw.max_failing);
      if (!isPattern(pattern)) {
        problem(
          `'${key}' applies to a wildcard rule, and '${pattern}' names one metric.`,
          [...path, key],
          `use a pattern such as \`"precision.area-*"\`, or remove \`${key}\`.`,
          true,
        );
      } else if ('max_failing' in raw && 'aggregate' in raw) {
        problem(
          `'max_failing' and 'aggregate' do not go together in the rule for '${pattern}'.`,
          [...path, 'aggregate'],
          'an aggregate is one value (it passes or fails); keep one of them.',
          true,
        );
      } else if ('max_failing' in raw && (n === undefined || !Number.isInteger(n) || n < 0)) {
        problem(
          `'max_failing' must be a whole number ≥ 0 (got ${shown(raw.max_failing)}).`,
          [...path, 'max_failing'],
          'write how many matched metrics may fail, e.g. `max_failing: 2`.',
        );
      } else if ('max_failing' in raw) {
        rule.maxFailing = n;
      } else if (!(AGGREGATES as readonly unknown[]).includes(raw.aggregate)) {
        problem(
          `'aggregate' must be ${AGGREGATES.join(' or ')} (got ${shown(raw.aggregate)}).`,
          [...path, 'aggregate'],
          'write `aggregate: min` (the worst metric) or `aggregate: mean`.',
        );
      } else {
        rule.aggregate = raw.aggregate as Aggregate;
      }
    }

    const readBand = (fields: Record<string, unknown>, bandPath: string[], bounds: Bounds) => {
      for (const check of CHECKS) {
        if (!(check in fields)) continue;
        const n = toNumber(fields[check]);
        if (n === undefined || !Number.isFinite(n)) {
          problem(
            `'${check}' must be a finite number (got ${shown(fields[check])}).`,
            [...bandPath, check],
            `write a number, e.g. \`${check}: ${check === 'max' ? 50 : check === 'min' ? 0.85 : -0.01}\`.`,
          );
        } else {
          bounds[check] = n;
          rule.checkAt[[...bandPath.slice(1), check].join('.')] = at([...bandPath, check]);
        }
      }
      if ('threshold' in fields) {
        const n = toNumber(fields.threshold);
        if (rule.greaterIsBetter === undefined) {
          problem(
            `'threshold' needs a direction in the rule for '${pattern}'.`,
            [...bandPath, 'threshold'],
            'add `greater_is_better: true` (or false), or write `min:`/`max:` instead.',
          );
        } else if (n === undefined || !Number.isFinite(n)) {
          problem(
            `'threshold' must be a finite number (got ${shown(fields.threshold)}).`,
            [...bandPath, 'threshold'],
            'write a number, e.g. `threshold: 0.85`.',
          );
        } else {
          const as = rule.greaterIsBetter ? 'min' : 'max';
          if (as in fields)
            problem(
              `'threshold' and '${as}' say the same thing in the rule for '${pattern}'.`,
              [...bandPath, 'threshold'],
              `keep only \`${as}\`.`,
            );
          bounds[as] = n;
          rule.checkAt[[...bandPath.slice(1), as].join('.')] = at([...bandPath, 'threshold']);
        }
      }
      if (bounds.min !== undefined && bounds.max !== undefined && bounds.min > bounds.max) {
        problem(
          `'min' (${bounds.min}) is above 'max' (${bounds.max}), so no value can pass.`,
          [...bandPath, 'min'],
          'swap them or correct one of the bounds.',
        );
      }
    };
    readBand(raw, path, rule.hard);

    if ('warn' in raw) {
      const warnNode = raw.warn;
      if (!isMap(warnNode)) {
        problem(
          `'warn' must be a mapping of checks, e.g. \`warn: {min: 0.9}\`.`,
          [...path, 'warn'],
          'write the soft band with the same checks as the rule (min, max, min_absolute_change, min_relative_change).',
        );
      } else {
        const fields = ruleFields(warnNode, doc);
        for (const key of Object.keys(fields)) {
          if (!BAND_KEYS.includes(key))
            problem(
              `Unknown key '${key}' in the warn band of '${pattern}'.${didYouMean(key, BAND_KEYS)}`,
              [...path, 'warn', key],
              `a warn band holds only ${BAND_KEYS.join(', ')}.`,
              true,
            );
        }
        readBand(fields, [...path, 'warn'], rule.warn);
      }
    }

    const all = { ...rule.hard, ...rule.warn };
    if (!Object.keys(raw).some((k) => BAND_KEYS.includes(k) || k === 'warn' || !RULE_KEYS.includes(k))) {
      problem(`The rule for '${pattern}' has no check.`, path, `add at least one of ${CHECKS.join(', ')}.`, true);
    }
    const changes = all.min_absolute_change !== undefined || all.min_relative_change !== undefined;
    if (rule.greaterIsBetter === undefined && changes) {
      const hasMin = rule.hard.min !== undefined || rule.warn.min !== undefined;
      const hasMax = rule.hard.max !== undefined || rule.warn.max !== undefined;
      if (hasMin !== hasMax) rule.greaterIsBetter = hasMin;
      else
        problem(
          `The rule for '${pattern}' compares with the baseline but does not say which direction is better.`,
          path,
          'add `greater_is_better: true` (higher is better, e.g. accuracy) or `false` (lower is better, e.g. latency).',
          true,
        );
    }
    rules.push(rule);
  }
  if (globalSignificance !== undefined) for (const rule of rules) rule.significance ??= globalSignificance;
  if (problems.length) throw new UserError(`${yf.file}: ${problems.length} problem(s) in the thresholds`, problems);
  return rules;
}

/** A significance level: a probability in (0, 0.5]; undefined (and a problem) otherwise. */
function readSignificance(
  value: unknown,
  path: string[],
  problem: (m: string, p: string[], fix: string) => void,
): number | undefined {
  const n = toNumber(value);
  if (n !== undefined && n > 0 && n <= 0.5) return n;
  problem(
    `'significance' must be a probability between 0 and 0.5 (got ${shown(value)}).`,
    path,
    'write e.g. `significance: 0.05` (fail only when worse with 95 % confidence).',
  );
  return undefined;
}

/**
 * A YAML mapping's entries as plain values (keys as strings), with aliases (`f1: *r`) resolved and
 * `<<: *base` merge keys applied as YAML 1.1 defines them: keys written in the mapping win.
 */
function ruleFields(map: YAMLMap, doc: Document.Parsed): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const merged: Record<string, unknown> = {};
  for (const item of map.items as Pair[]) {
    const key = isScalar(item.key) ? String((item.key as Scalar).value) : String(item.key);
    const value = resolved(item.value, doc);
    if (key === '<<' && (isMap(value) || isSeq(value))) {
      const sources = isSeq(value) ? value.items.map((v) => resolved(v, doc)) : [value];
      for (const src of sources)
        if (isMap(src)) for (const [k, v] of Object.entries(ruleFields(src, doc))) if (!(k in merged)) merged[k] = v;
      continue;
    }
    out[key] = isScalar(value) ? (value as Scalar).value : value;
  }
  return { ...merged, ...out };
}

/** The node an alias points at; other nodes as they are. */
export function resolved(node: unknown, doc: Document.Parsed): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

/** A value for an error message: `NaN` and `∞` rather than JSON's `null`. */
function shown(value: unknown): string {
  return typeof value === 'number' && !Number.isFinite(value)
    ? String(value)
    : (JSON.stringify(value) ?? String(value));
}

/** `*` matches any run of characters (dots included), `?` one character; the rest is literal. */
export function isPattern(key: string): boolean {
  return /[*?]/.test(key);
}

export function patternToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** The metric names a rule applies to, sorted; a literal rule names itself when it exists. */
export function expandRule(rule: Rule, names: Iterable<string>): string[] {
  if (!isPattern(rule.pattern)) return [...names].includes(rule.pattern) ? [rule.pattern] : [];
  const re = patternToRegExp(rule.pattern);
  return [...new Set([...names].filter((n) => re.test(n)))].sort();
}

/** " Did you mean …?" for a rule that matches nothing: a close metric name, or a close pattern prefix. */
export function suggestFor(pattern: string, names: readonly string[]): string {
  if (!isPattern(pattern)) return didYouMean(pattern, names);
  const star = pattern.search(/[*?]/);
  const prefix = pattern.slice(0, star);
  if (!prefix) return '';
  // Compare with name prefixes of about the same length (a typo may add or drop characters).
  const prefixes = new Set(names.flatMap((n) => [-2, -1, 0, 1, 2].map((d) => n.slice(0, prefix.length + d))));
  const near = closest(prefix, prefixes);
  return near && near !== prefix ? ` Did you mean '${near}${pattern.slice(star)}'?` : '';
}
