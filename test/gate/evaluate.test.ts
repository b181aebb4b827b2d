import { describe, expect, test } from '@jest/globals';
import { parseYaml } from '../../src/lib/yaml.js';
import { type MissingBaseline, describeRule, evaluate, relativeChange } from '../../src/gate/evaluate.js';
import { flattenMetrics } from '../../src/gate/metrics.js';
import { parseThresholds } from '../../src/gate/thresholds.js';

function gate(
  thresholds: string,
  candidate: Record<string, unknown>,
  baseline?: Record<string, unknown>,
  missingBaseline: MissingBaseline = 'warn',
) {
  const rules = parseThresholds(parseYaml(thresholds, 'thresholds.yaml'));
  return evaluate(rules, flattenMetrics(candidate), baseline && flattenMetrics(baseline), { missingBaseline });
}

/** The status of the single result of a one-rule gate. */
function status(
  thresholds: string,
  candidate: Record<string, unknown>,
  baseline?: Record<string, unknown>,
  missingBaseline: MissingBaseline = 'warn',
) {
  const r = gate(thresholds, candidate, baseline, missingBaseline);
  expect(r.results).toHaveLength(1);
  return r.results[0]!.status;
}

describe('absolute bounds (min / max)', () => {
  test('boundaries are inclusive and do not flap', () => {
    expect(status('a: {min: 0.3}', { a: 0.3 })).toBe('pass');
    expect(status('a: {min: 0.3}', { a: 0.1 + 0.2 })).toBe('pass');
    expect(status('a: {max: 0.3}', { a: 0.1 + 0.2 })).toBe('pass');
    expect(status('a: {min: 0.3}', { a: 0.2999 })).toBe('fail');
    expect(status('a: {max: 50}', { a: 50.0001 })).toBe('fail');
    expect(status('a: {min: 0.1, max: 0.9}', { a: 0.95 })).toBe('fail');
  });

  test('the reason says what was expected', () => {
    const r = gate('accuracy: {min: 0.85}', { accuracy: 0.81 }).results[0]!;
    expect(r.reasons).toEqual(['0.81 is below min 0.85']);
    expect(r.at.line).toBe(1);
  });

  test('numeric strings are numbers', () => {
    expect(status('a: {min: 0.5}', { a: '0.75' })).toBe('pass');
    expect(status('a: {min: 0.5}', { a: '0.25' })).toBe('fail');
  });

  test('NaN, text and infinities', () => {
    const nan = gate('a: {max: 1}', { a: 'NaN' }).results[0]!;
    expect(nan.status).toBe('fail');
    expect(nan.reasons).toEqual(['the candidate value is NaN']);
    expect(gate('a: {min: 0}', { a: 'n/a' }).results[0]!.reasons).toEqual(['not a number: "n/a"']);
    expect(status('a: {min: 0}', { a: true })).toBe('fail');
    expect(status('a: {max: 50}', { a: 'Infinity' })).toBe('fail');
    expect(status('a: {min: 0.5}', { a: '-inf' })).toBe('fail');
  });
});

describe('change against the baseline (MLflow MetricThreshold, |baseline| in the relative denominator)', () => {
  test('min_absolute_change, higher is better: Δ ≥ m', () => {
    const rule = 'f1: {min_absolute_change: 0.01, greater_is_better: true}';
    expect(status(rule, { f1: 0.81 }, { f1: 0.8 })).toBe('pass'); // exactly +0.01 (0.81 − 0.8 = 0.010000000000000009)
    expect(status(rule, { f1: 0.8099 }, { f1: 0.8 })).toBe('fail');
    const tolerance = 'f1: {min_absolute_change: -0.01, greater_is_better: true}'; // a bounded regression
    expect(status(tolerance, { f1: 0.79 }, { f1: 0.8 })).toBe('pass');
    expect(status(tolerance, { f1: 0.7899 }, { f1: 0.8 })).toBe('fail');
  });

  test('min_absolute_change, lower is better: Δ ≤ −m', () => {
    const rule = 'latency_ms: {max: 100, min_absolute_change: -5}'; // may be 5 ms slower
    expect(status(rule, { latency_ms: 45 }, { latency_ms: 40 })).toBe('pass');
    expect(status(rule, { latency_ms: 45.5 }, { latency_ms: 40 })).toBe('fail');
    expect(status('loss: {min_absolute_change: 0.1, greater_is_better: false}', { loss: 0.4 }, { loss: 0.5 })).toBe(
      'pass',
    ); // must improve by 0.1
    expect(status('loss: {min_absolute_change: 0.1, greater_is_better: false}', { loss: 0.41 }, { loss: 0.5 })).toBe(
      'fail',
    );
  });

  test('min_relative_change, both directions', () => {
    expect(status('a: {min_relative_change: -0.02, greater_is_better: true}', { a: 0.784 }, { a: 0.8 })).toBe('pass'); // exactly −2%
    expect(status('a: {min_relative_change: -0.02, greater_is_better: true}', { a: 0.7839 }, { a: 0.8 })).toBe('fail');
    expect(status('a: {min_relative_change: 0.05, greater_is_better: true}', { a: 0.84 }, { a: 0.8 })).toBe('pass'); // +5%
    expect(status('lat: {max: 1000, min_relative_change: -0.1}', { lat: 44 }, { lat: 40 })).toBe('pass'); // +10% slower allowed
    expect(status('lat: {max: 1000, min_relative_change: -0.1}', { lat: 44.01 }, { lat: 40 })).toBe('fail');
  });

  test('negative baselines use |baseline|: an improvement is positive whatever the sign', () => {
    // log-likelihood −2.0 → −1.9 is a 5% improvement (signed-base arithmetic would call it −5%).
    expect(relativeChange(-1.9, -2)).toBeCloseTo(0.05, 12);
    expect(status('ll: {min_relative_change: 0.05, greater_is_better: true}', { ll: -1.9 }, { ll: -2 })).toBe('pass');
    expect(status('ll: {min_relative_change: 0.0, greater_is_better: true}', { ll: -2.1 }, { ll: -2 })).toBe('fail');
    expect(status('ll: {min_relative_change: 0.04, greater_is_better: true}', { ll: -1.95 }, { ll: -2 })).toBe('fail'); // +2.5% < +4%
    expect(status('r2: {min_relative_change: -0.5, greater_is_better: true}', { r2: -0.15 }, { r2: -0.1 })).toBe(
      'pass',
    ); // −50%
    expect(status('r2: {min_relative_change: -0.5, greater_is_better: true}', { r2: -0.16 }, { r2: -0.1 })).toBe(
      'fail',
    );
    expect(status('cost: {min_relative_change: 0.1, greater_is_better: false}', { cost: -2.2 }, { cost: -2 })).toBe(
      'pass',
    ); // 10% lower
  });

  test('a zero baseline: unchanged is a 0% change, any move is ±∞', () => {
    expect(relativeChange(0, 0)).toBe(0);
    expect(relativeChange(1e-13, 0)).toBe(0);
    expect(relativeChange(0.01, 0)).toBe(Infinity);
    expect(relativeChange(-0.01, 0)).toBe(-Infinity);
    const up = 'a: {min_relative_change: 0.1, greater_is_better: true}';
    expect(status(up, { a: 0.001 }, { a: 0 })).toBe('pass'); // any improvement meets any required gain
    expect(status(up, { a: 0 }, { a: 0 })).toBe('fail'); // no gain where 10% is required
    const tolerant = 'a: {min_relative_change: -0.1, greater_is_better: true}';
    expect(status(tolerant, { a: 0 }, { a: 0 })).toBe('pass');
    expect(status(tolerant, { a: -0.001 }, { a: 0 })).toBe('fail'); // any regression from 0 is −∞%
    const r = gate(tolerant, { a: -0.001 }, { a: 0 }).results[0]!;
    expect(r.relativeDelta).toBe(-Infinity);
    expect(r.reasons).toEqual(['Δ% −∞% is below −10%']);
  });

  test('Δ and Δ% are reported for every metric with a baseline', () => {
    const r = gate('a: {min: 0}', { a: 0.912 }, { a: 0.905 }).results[0]!;
    expect(r.baseline).toBe(0.905);
    expect(r.delta).toBeCloseTo(0.007, 12);
    expect(r.relativeDelta).toBeCloseTo(0.007 / 0.905, 12);
  });
});

describe('missing values', () => {
  test('a missing candidate metric fails unless optional', () => {
    const r = gate('auc: {min: 0.9}\nacc: {min: 0.5}', { acc: 0.9 }, { auc: 0.95 });
    expect(r.results[0]).toMatchObject({
      metric: 'auc',
      status: 'fail',
      reasons: ['missing from the candidate metrics'],
    });
    expect(status('auc: {min: 0.9, optional: true}', { acc: 0.9 }, { auc: 0.95 })).toBe('skip');
  });

  test('a rule that names no metric at all is a failure with did-you-mean (typo protection)', () => {
    const r = gate('acuracy: {min: 0.9}', { accuracy: 0.95 });
    expect(r.passed).toBe(false);
    expect(r.results[0]).toMatchObject({
      metric: 'acuracy',
      status: 'fail',
      reasons: ["No metric named 'acuracy'. Did you mean 'accuracy'?"],
    });
    const w = gate('"precison.area-*": {min: 0.3}', { 'precision.area-a': 0.5 });
    expect(w.results[0]!.reasons).toEqual(["No metric matches 'precison.area-*'. Did you mean 'precision.area-*'?"]);
    expect(gate('"x.*": {min: 0.3, optional: true}', { a: 1 }).results[0]!.status).toBe('skip');
  });

  test.each<['pass' | 'warn' | 'fail', 'pass' | 'warn' | 'fail', boolean]>([
    ['pass', 'pass', true],
    ['warn', 'warn', true],
    ['fail', 'fail', false],
  ])('no baseline at all with missing-baseline %s → %s; absolute bounds still apply', (policy, expected, passed) => {
    const rule = 'f1: {min: 0.8, min_absolute_change: -0.01}';
    const r = gate(rule, { f1: 0.85 }, undefined, policy);
    expect(r.results[0]!.status).toBe(expected);
    expect(r.passed).toBe(passed);
    expect(r.results[0]!.reasons[0]).toMatch(/^no baseline value/);
    expect(gate(rule, { f1: 0.75 }, undefined, policy).results[0]!.status).toBe('fail'); // min still fails
  });

  test('a metric missing from the baseline (a new label) follows missing-baseline; a NaN baseline too', () => {
    const rule = '"recall.*": {min_absolute_change: -0.05, greater_is_better: true}';
    const r = gate(rule, { recall: { old: 0.5, new: 0.4 } }, { recall: { old: 0.52 } }, 'fail');
    expect(r.results.map((x) => [x.metric, x.status])).toEqual([
      ['recall.new', 'fail'],
      ['recall.old', 'pass'],
    ]);
    const nan = gate('a: {min_absolute_change: 0, greater_is_better: true}', { a: 0.5 }, { a: 'NaN' }, 'warn')
      .results[0]!;
    expect(nan.status).toBe('warn');
    expect(nan.reasons[0]).toContain('baseline value "NaN" is not a number');
  });

  test('a metric that disappeared from the candidate is caught by a wildcard', () => {
    const r = gate('"precision.*": {min: 0.3}', { precision: { a: 0.5 } }, { precision: { a: 0.5, b: 0.6 } });
    expect(r.results.map((x) => [x.metric, x.status])).toEqual([
      ['precision.a', 'pass'],
      ['precision.b', 'fail'],
    ]);
  });
});

describe('wildcards, warn bands and the whole verdict', () => {
  test('a wildcard expands to one result per metric; every rule is evaluated', () => {
    const r = gate('"precision.area-*": {min: 0.3}\naccuracy: {min: 0.99}', {
      accuracy: 0.9,
      precision: { 'area-a': 0.2, 'area-b': 0.4, 'kind-x': 0.1 },
    });
    expect(r.results.map((x) => [x.metric, x.status])).toEqual([
      ['precision.area-a', 'fail'],
      ['precision.area-b', 'pass'],
      ['accuracy', 'fail'],
    ]);
    expect(r.counts).toEqual({ fail: 2, warn: 0, skip: 0, pass: 1 });
    expect(r.passed).toBe(false);
  });

  test('warn bands are soft failures: reported, still passing; the annotation points at the band', () => {
    const rules = 'accuracy:\n  min: 0.85\n  warn:\n    min: 0.9\n';
    const soft = gate(rules, { accuracy: 0.87 });
    expect(soft.passed).toBe(true);
    expect(soft.results[0]).toMatchObject({ status: 'warn', reasons: ['0.87 is below min 0.9 (warn band)'] });
    expect(soft.results[0]!.at.line).toBe(4);
    const hard = gate(rules, { accuracy: 0.8 });
    expect(hard.results[0]!.status).toBe('fail');
    expect(hard.results[0]!.at.line).toBe(2);
    expect(hard.results[0]!.reasons).toEqual(['0.8 is below min 0.85']); // the soft miss is implied
    expect(gate(rules, { accuracy: 0.95 }).results[0]!.status).toBe('pass');
  });

  test('a warn band on change: a small regression warns, a large one fails', () => {
    const rules = 'f1: {min_absolute_change: -0.05, greater_is_better: true, warn: {min_absolute_change: 0}}';
    expect(status(rules, { f1: 0.8 }, { f1: 0.8 })).toBe('pass');
    expect(status(rules, { f1: 0.78 }, { f1: 0.8 })).toBe('warn');
    expect(status(rules, { f1: 0.74 }, { f1: 0.8 })).toBe('fail');
  });

  test('the rule in words, in terms of the candidate and Δ', () => {
    const rules = parseThresholds(
      parseYaml(
        'a: {min: 0.85, min_absolute_change: -0.01, warn: {min: 0.9}}\nlat: {max: 50, min_relative_change: -0.1}\nb: {min: 0.1, optional: true}\n',
        't.yaml',
      ),
    );
    expect(rules.map(describeRule)).toEqual(['≥ 0.85, Δ ≥ −0.01; warn: ≥ 0.9', '≤ 50, Δ% ≤ +10%', '≥ 0.1 (optional)']);
  });

  test('the same inputs give the same verdict, in the same order', () => {
    const args = ['"*": {min: 0.5}', { b: 0.5, a: 0.49, c: '0.6' }, { a: 0.5 }] as const;
    expect(gate(...args)).toEqual(gate(...args));
    expect(gate(...args).results.map((r) => r.metric)).toEqual(['a', 'b', 'c']);
  });
});
