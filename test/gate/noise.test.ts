import { describe, expect, test } from '@jest/globals';
import { UserError } from '../../src/lib/errors.js';
import { parseYaml } from '../../src/lib/yaml.js';
import { evaluate } from '../../src/gate/evaluate.js';
import { metricCharts, trendCharts } from '../../src/gate/chart.js';
import { flattenMetrics, parseMetricsText } from '../../src/gate/metrics.js';
import { gateMarkdown, resultsJson } from '../../src/gate/report.js';
import { parseThresholds } from '../../src/gate/thresholds.js';
import { pairedOutcomes } from '../../src/gate/paired.js';

function gate(thresholds: string, candidate: Record<string, unknown>, baseline?: Record<string, unknown>) {
  const rules = parseThresholds(parseYaml(thresholds, 'thresholds.yaml'));
  return evaluate(rules, flattenMetrics(candidate), baseline && flattenMetrics(baseline), { missingBaseline: 'warn' });
}

function problems(thresholds: string): string[] {
  try {
    parseThresholds(parseYaml(thresholds, 'thresholds.yaml'));
  } catch (err) {
    return (err as UserError).diagnostics.map((d) => `${d.location?.line}: ${d.message}`);
  }
  return [];
}

describe('{value, n}: a proportion measured on n examples', () => {
  test('is one metric, not x.value and x.n; other shapes stay groups', () => {
    const m = flattenMetrics({
      recall: { bug: { value: 0.62, n: 45 }, docs: 0.5 },
      group: { value: 1, n: 2, other: 3 },
      odd: { value: 1, n: 'many' },
    });
    expect([...m.keys()]).toEqual([
      'recall.bug',
      'recall.docs',
      'group.value',
      'group.n',
      'group.other',
      'odd.value',
      'odd.n',
    ]);
    expect(m.get('recall.bug')).toEqual({ value: 0.62, n: 45 });
  });

  test('a group whose two metrics are named value and n is written with dotted keys', () => {
    const m = flattenMetrics({ 'g.value': 0.3, 'g.n': 12 });
    expect(m.get('g.value')).toBe(0.3);
    expect(m.get('g.n')).toBe(12);
  });

  test('n must be a count and value a proportion: located errors', async () => {
    const bad = async (text: string) =>
      (await parseMetricsText(text, 'm.yaml').catch((e: UserError) => e)) as UserError;
    let err = await bad('recall:\n  bug: {value: 0.6, n: 4.5}\n');
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain("'n' must be a whole number of examples");
    expect(err.diagnostics[0]!.location?.line).toBe(2);
    err = await bad('f1: {value: 7.5, n: 40}\n');
    expect(err.message).toContain("A value with 'n' must be a proportion between 0 and 1");
  });

  test('the report shows the 95 % Wilson interval next to the value; results carry n and the interval', () => {
    const r = gate('recall.bug: {min: 0.2}', { recall: { bug: { value: 81 / 263, n: 263 } } });
    expect(r.results[0]!.candidateInterval!.lo).toBeCloseTo(0.2553, 4);
    const md = gateMarkdown(r, { limit: 10_000 });
    expect(md).toContain('| `recall.bug` | — | 0.307985 (0.255–0.366, n=263) |');
    const json = JSON.parse(resultsJson(r)).results[0];
    expect(json.candidate_n).toBe(263);
    expect(json.candidate_interval.hi).toBeCloseTo(0.3662, 4);
  });
});

describe('significance on change checks', () => {
  const RULE = 'recall.bug: {min_absolute_change: -0.05, greater_is_better: true, significance: 0.05}';
  const on = (n: number, cand: number, base: number) =>
    gate(RULE, { recall: { bug: { value: cand, n } } }, { recall: { bug: { value: base, n } } }).results[0]!;

  test('a 0.125 drop on 8 examples is noise: passes, saying why', () => {
    const r = on(8, 0.75, 0.875);
    expect(r.status).toBe('pass');
    expect(r.reasons[0]).toMatch(
      /^Δ −0\.125 is below −0\.05, within noise \(90% interval for Δ −0\.\d+ to \+0\.\d+, significance 0\.05\)$/,
    );
    expect(r.deltaInterval!.confidence).toBeCloseTo(0.9, 12);
  });

  test('the same drop without significance fails', () => {
    const r = gate(
      RULE.replace(', significance: 0.05', ''),
      { recall: { bug: { value: 0.75, n: 8 } } },
      { recall: { bug: { value: 0.875, n: 8 } } },
    ).results[0]!;
    expect(r.status).toBe('fail');
  });

  test('the same drop on 5,000 examples is real: fails, with the interval', () => {
    const r = on(5000, 0.75, 0.875);
    expect(r.status).toBe('fail');
    expect(r.reasons[0]).toMatch(
      /^Δ −0\.125 is below −0\.05 \(significant: 90% interval for Δ −0\.1\d+ to −0\.1\d+\)$/,
    );
  });

  test('"beyond the tolerance": a drop of 0.06 on 5,000 examples is not confidently worse than −0.05', () => {
    expect(on(5000, 0.814, 0.874).status).toBe('pass');
    expect(on(50_000, 0.8, 0.874).status).toBe('fail');
  });

  test('lower is better mirrors the test (an error rate)', () => {
    const rule = 'err: {min_absolute_change: 0, greater_is_better: false, significance: 0.05}';
    expect(gate(rule, { err: { value: 0.2, n: 10 } }, { err: { value: 0.1, n: 10 } }).results[0]!.status).toBe('pass');
    expect(gate(rule, { err: { value: 0.2, n: 5000 } }, { err: { value: 0.1, n: 5000 } }).results[0]!.status).toBe(
      'fail',
    );
  });

  test('relative change uses the observed baseline for the tolerance', () => {
    const rule = 'acc: {min_relative_change: -0.05, greater_is_better: true, significance: 0.05}';
    expect(gate(rule, { acc: { value: 0.7, n: 20 } }, { acc: { value: 0.8, n: 20 } }).results[0]!.status).toBe('pass');
    expect(gate(rule, { acc: { value: 0.7, n: 20000 } }, { acc: { value: 0.8, n: 20000 } }).results[0]!.status).toBe(
      'fail',
    );
  });

  test('without n on both sides it behaves as before and says significance was not assessed', () => {
    const r = gate(RULE, { recall: { bug: 0.75 } }, { recall: { bug: { value: 0.875, n: 8 } } }).results[0]!;
    expect(r.status).toBe('fail');
    expect(r.reasons).toEqual([
      'significance not assessed: no n on the candidate (give {value, n})',
      'Δ −0.125 is below −0.05',
    ]);
  });

  test('a top-level significance applies to rules without their own; a mapping named significance is a rule', () => {
    const rules = parseThresholds(
      parseYaml('significance: 0.01\na: {min: 0.5}\nb: {min: 0.5, significance: 0.2}\n', 't.yaml'),
    );
    expect(rules.map((r) => [r.pattern, r.significance])).toEqual([
      ['a', 0.01],
      ['b', 0.2],
    ]);
    expect(parseThresholds(parseYaml('significance: {max: 0.05}\n', 't.yaml'))[0]!.pattern).toBe('significance');
    expect(problems('significance: 0.7\na: {min: 0.5}\n')).toEqual([
      "1: 'significance' must be a probability between 0 and 0.5 (got 0.7).",
    ]);
  });
});

describe('regression budgets across slices', () => {
  const labels = (values: number[]) => ({ recall: Object.fromEntries(values.map((v, i) => [`l${i}`, v])) });

  test('max_failing: 2 passes two failing labels as named warnings and fails three', () => {
    const rule = '"recall.*": {min: 0.5, max_failing: 2}';
    const two = gate(rule, labels([0.9, 0.4, 0.3, 0.8]));
    expect(two.passed).toBe(true);
    expect(two.results.filter((r) => r.status === 'warn').map((r) => r.metric)).toEqual(['recall.l1', 'recall.l2']);
    expect(two.results[1]!.reasons).toEqual([
      '0.4 is below min 0.5',
      '2 of 4 failing, within the budget (max_failing: 2)',
    ]);
    const three = gate(rule, labels([0.9, 0.4, 0.3, 0.2]));
    expect(three.passed).toBe(false);
    expect(three.counts.fail).toBe(3);
    expect(three.results[3]!.reasons).toContain('3 of 4 failing, over the budget (max_failing: 2)');
  });

  test('aggregate: min checks the worst label, naming it; mean checks the mean', () => {
    let r = gate('"recall.*": {min: 0.35, aggregate: min}', labels([0.9, 0.4, 0.3])).results;
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ metric: 'min(recall.*)', candidate: 0.3, status: 'fail' });
    expect(r[0]!.reasons).toEqual(['0.3 is below min 0.35', 'worst: recall.l2']);
    r = gate('"recall.*": {min: 0.5, aggregate: mean}', labels([0.9, 0.4, 0.3])).results;
    expect(r[0]).toMatchObject({ metric: 'mean(recall.*)', status: 'pass' });
    expect(r[0]!.candidate).toBeCloseTo(0.5333333, 6);
  });

  test('aggregate: min with lower is better takes the highest; baselines aggregate too', () => {
    const r = gate(
      '"lat.*": {max: 50, aggregate: min, min_relative_change: -0.1}',
      { lat: { a: 30, b: 45 } },
      { lat: { a: 20, b: 40 } },
    ).results[0]!;
    expect(r).toMatchObject({ candidate: 45, baseline: 40, status: 'fail' });
  });

  test('a label missing from the candidate fails the aggregate', () => {
    const r = gate('"recall.*": {min: 0.1, aggregate: mean}', labels([0.9]), labels([0.9, 0.8])).results[0]!;
    expect(r.status).toBe('fail');
    expect(r.reasons).toEqual(['recall.l1 is missing or not a number in the candidate']);
  });

  test('budgets are for wildcard rules, one kind at a time, with valid values', () => {
    expect(problems('a: {min: 1, max_failing: 1}')).toEqual([
      "1: 'max_failing' applies to a wildcard rule, and 'a' names one metric.",
    ]);
    expect(problems('"a.*": {min: 1, max_failing: 1, aggregate: min}')).toEqual([
      "1: 'max_failing' and 'aggregate' do not go together in the rule for 'a.*'.",
    ]);
    expect(problems('"a.*": {min: 1, max_failing: -1}')).toEqual([
      "1: 'max_failing' must be a whole number ≥ 0 (got -1).",
    ]);
    expect(problems('"a.*": {min: 1, aggregate: median}')).toEqual([
      '1: \'aggregate\' must be min or mean (got "median").',
    ]);
  });
});

describe('charts', () => {
  test('one xychart per metric group: candidate bars, baseline line', () => {
    const r = gate(
      '"precision.*": {min: 0.1}\naccuracy: {min: 0.5}',
      { accuracy: 0.9, precision: { 'area-a': 0.8, 'kind-"b"': { value: 0.5, n: 4 } } },
      { precision: { 'area-a': 0.7, 'kind-"b"': 0.6 } },
    );
    const charts = metricCharts(r.results);
    expect(charts).toEqual([
      [
        '```mermaid',
        'xychart-beta',
        '  title "precision: candidate (bars) vs baseline (line)"',
        `  x-axis ["area-a", "kind-'b'"]`,
        '  y-axis "precision" 0 --> 1',
        '  bar [0.8, 0.5]',
        '  line [0.7, 0.6]',
        '```',
        '',
      ].join('\n'),
    ]);
    expect(gateMarkdown(r, { limit: 10_000, charts: true })).toContain(charts[0]);
    expect(gateMarkdown(r, { limit: 10_000 })).not.toContain('mermaid');
  });

  test('charts take at most a quarter of the limit; the table keeps the rest', () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, g) => [`g${g}`, { a: 1, b: 2, c: 3 }]));
    const r = gate('"*": {min: 0}', many);
    const md = gateMarkdown(r, { limit: 4000, charts: true });
    expect(md.length).toBeLessThanOrEqual(4000);
    const shown = md.split('```mermaid').length - 1;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(30);
    expect(md).toContain(`… ${30 - shown} charts not shown to stay within GitHub's size limit.`);
    expect(md).toContain('| metric | baseline | candidate |');
  });
});

describe('paired predictions: McNemar instead of the independent interval', () => {
  const RULE = 'recall.bug: {min_absolute_change: -0.05, greater_is_better: true, significance: 0.05}';
  /** n examples; the baseline finds `base` of them, the candidate loses `lost` of those and finds `won` others. */
  function pairedGate(n: number, base: number, lost: number, won: number) {
    const b = Array.from({ length: n }, (_, i) => (i < base ? 1 : 0));
    const c = b.map((v, i) => (i < lost ? 0 : i >= base && i < base + won ? 1 : v));
    const paired = pairedOutcomes(flattenMetrics({ recall: { bug: { baseline: b, candidate: c } } }), 'paired.json');
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / n;
    const rules = parseThresholds(parseYaml(RULE, 't.yaml'));
    return evaluate(rules, flattenMetrics({ recall: { bug: mean(c) } }), flattenMetrics({ recall: { bug: mean(b) } }), {
      missingBaseline: 'warn',
      paired,
    }).results[0]!;
  }

  test('counts discordant examples from the two lists', () => {
    const m = pairedOutcomes(
      flattenMetrics({ a: { baseline: [1, 1, 0, 0, true], candidate: [1, 0, 1, 0, false] } }),
      'p.json',
    );
    expect(m.get('a')).toEqual({ n: 5, baselineOnly: 2, candidateOnly: 1 });
  });

  test('1 lost of 8 (no plain numbers needed): within noise by the exact test', () => {
    const r = pairedGate(8, 7, 1, 0);
    expect(r.status).toBe('pass');
    expect(r.pairedTest).toEqual({ losses: 1, wins: 0, p: 0.5, method: 'exact' });
    expect(r.reasons).toEqual([
      'Δ −0.125 is below −0.05, within noise (McNemar exact one-sided p = 0.5, 1 lost vs 0 won, significance 0.05)',
    ]);
  });

  test('6 lost, none won, of 40: significant (p = 1/64)', () => {
    const r = pairedGate(40, 36, 6, 0);
    expect(r.status).toBe('fail');
    expect(r.reasons[0]).toBe(
      'Δ −0.15 is below −0.05 (significant: McNemar exact one-sided p = 0.016, 6 lost vs 0 won)',
    );
    expect(
      gateMarkdown({ passed: false, results: [r], counts: { fail: 1, warn: 0, skip: 0, pass: 0 } }, { limit: 5000 }),
    ).toContain('−0.15 (McNemar p=0.016)');
  });

  test('a net drop of 0.08 with much churn is noise: 30 lost vs 22 won of 100 (χ² form, p ≈ 0.17)', () => {
    const r = pairedGate(100, 60, 30, 22);
    expect(r.delta).toBeCloseTo(-0.08, 12);
    expect(r.status).toBe('pass');
    expect(r.pairedTest!.method).toBe('normal');
    expect(r.pairedTest!.p).toBeCloseTo(0.166, 2);
  });

  test('bad paired files are errors naming the file and metric', () => {
    const bad = (data: Record<string, unknown>) => () => pairedOutcomes(flattenMetrics(data), 'paired.json');
    expect(bad({ a: { baseline: [1, 0], candidate: [1] } })).toThrow(
      "paired.json: paired predictions for 'a' cover 2 (baseline) and 1 (candidate) examples",
    );
    expect(bad({ a: { baseline: [1, 2], candidate: [1, 1] } })).toThrow('hold something other than 0/1');
    expect(bad({ a: { candidate: [1] } })).toThrow("for 'a' have no `baseline` list");
    expect(bad({ a: [1, 0] })).toThrow("for 'a' are not a `baseline` and `candidate` list");
  });
});

describe('trend of the last champions', () => {
  test('a line per headline metric, oldest first, the candidate last; champions without it are left out', () => {
    const history = [
      { label: 'a1b2c3d', metrics: flattenMetrics({ accuracy: 0.88, latency_ms: 45 }) },
      { label: 'e4f5a6b', metrics: flattenMetrics({ latency_ms: 41 }) },
      { label: 'c7d8e9f', metrics: flattenMetrics({ accuracy: { value: 0.91, n: 300 }, latency_ms: 40 }) },
    ];
    const charts = trendCharts(history, flattenMetrics({ accuracy: 0.93, latency_ms: 38, recall: { a: 0.5 } }));
    expect(charts).toEqual([
      [
        '```mermaid',
        'xychart-beta',
        '  title "accuracy: last 2 champions and the candidate"',
        '  x-axis ["a1b2c3d", "c7d8e9f", "candidate"]',
        '  y-axis "accuracy" 0.7 --> 1',
        '  line [0.88, 0.91, 0.93]',
        '```',
        '',
      ].join('\n'),
      [
        '```mermaid',
        'xychart-beta',
        '  title "latency_ms: last 3 champions and the candidate"',
        '  x-axis ["a1b2c3d", "e4f5a6b", "c7d8e9f", "candidate"]',
        '  y-axis "latency_ms" 0 --> 50',
        '  line [45, 41, 40, 38]',
        '```',
        '',
      ].join('\n'),
    ]);
    expect(trendCharts([], flattenMetrics({ accuracy: 0.9 }))).toEqual([]);
  });
});
