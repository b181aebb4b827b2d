import { describe, expect, test } from '@jest/globals';
import { parseYaml } from '../../src/lib/yaml.js';
import { evaluate } from '../../src/gate/evaluate.js';
import { flattenMetrics } from '../../src/gate/metrics.js';
import { UserError } from '../../src/lib/errors.js';
import { notEvaluatedMarkdown, gateMarkdown, resultsJson, ruleDiagnostics, verdict } from '../../src/gate/report.js';
import { parseThresholds } from '../../src/gate/thresholds.js';

function gate(thresholds: string, candidate: Record<string, unknown>, baseline?: Record<string, unknown>) {
  return evaluate(
    parseThresholds(parseYaml(thresholds, 'quality/thresholds.yaml')),
    flattenMetrics(candidate),
    baseline && flattenMetrics(baseline),
    { missingBaseline: 'warn' },
  );
}

const RULES = `accuracy: {min: 0.85, warn: {min: 0.9}}
latency_ms: {max: 50}
"precision.*": {min: 0.5}
`;

describe('verdict: one line', () => {
  test('failed, passed with warnings, passed', () => {
    expect(verdict(gate(RULES, { accuracy: 0.8, latency_ms: 60, precision: { a: 0.6 } }))).toBe(
      '❌ Quality gate failed: 2 of 3 checks failed (accuracy, latency_ms).',
    );
    expect(verdict(gate(RULES, { accuracy: 0.88, latency_ms: 40, precision: { a: 0.6 } }), 'Label bot gate')).toBe(
      '⚠️ Label bot gate passed: 2 of 3 checks passed; 1 warning (accuracy).',
    );
    expect(verdict(gate(RULES, { accuracy: 0.95, latency_ms: 40, precision: { a: 0.6 } }))).toBe(
      '✅ Quality gate passed: 3 of 3 checks passed.',
    );
  });

  test('all passing: the verdict, then the table folded', () => {
    const md = gateMarkdown(gate(RULES, { accuracy: 0.95, latency_ms: 40, precision: { a: 0.6 } }), { limit: 65536 });
    expect(md.split('\n').slice(0, 4)).toEqual([
      '### ✅ Quality gate passed: 3 of 3 checks passed.',
      '',
      '<details><summary>✅ 3 passing checks</summary>',
      '',
    ]);
  });
});

describe('gateMarkdown', () => {
  test('the table has the documented columns, failures first, then warnings, then passes', () => {
    const r = gate(
      RULES,
      { accuracy: 0.88, latency_ms: 60, precision: { a: 0.6, b: 0.4 } },
      { accuracy: 0.9, latency_ms: 40 },
    );
    const md = gateMarkdown(r, { limit: 65536, sources: ['**Candidate:** `m.json`'] });
    const lines = md.split('\n');
    expect(lines[0]).toBe(
      '### ❌ Quality gate failed: 2 of 4 checks failed (latency_ms, precision.b); 1 warning (accuracy).',
    );
    expect(md).toContain('**Candidate:** `m.json`');
    const header = lines.findIndex((l) => l.startsWith('| metric |'));
    expect(lines[header]).toBe('| metric | baseline | candidate | Δ | Δ% | rule | status |');
    const rows = lines.filter((l) => l.startsWith('| `'));
    expect(rows.map((row) => row.split(' | ')[0])).toEqual([
      '| `latency_ms`',
      '| `precision.b`',
      '| `accuracy`',
      '| `precision.a`',
    ]);
    // Passing rows are folded away under their own header, after the problems.
    const details = lines.indexOf('<details><summary>✅ 1 passing check</summary>');
    expect(details).toBeGreaterThan(lines.indexOf(rows[2]!));
    expect(lines.slice(details + 2, details + 5)).toEqual([lines[header], lines[header + 1], rows[3]]);
    expect(lines[details + 6]).toBe('</details>');
    expect(rows[0]).toBe('| `latency_ms` | 40 | 60 | +20 | +50% | ≤ 50 | ❌ fail: 60 is above max 50 |');
    expect(rows[2]).toBe(
      '| `accuracy` | 0.9 | 0.88 | −0.02 | −2.22% | ≥ 0.85; warn: ≥ 0.9 | ⚠️ warn: 0.88 is below min 0.9 (warn band) |',
    );
    expect(rows[3]).toContain('| — | 0.6 | — | — |'); // no baseline value
  });

  test('a table that does not fit is cut at a row, failures kept, with a note; within the limit', () => {
    const candidate: Record<string, number> = {};
    for (let i = 0; i < 2000; i++) candidate[`label-${String(i).padStart(4, '0')}`] = i < 5 ? 0.1 : 0.9;
    const r = gate('"label-*": {min: 0.5}', candidate);
    const md = gateMarkdown(r, { limit: 4000 });
    expect(md.length).toBeLessThanOrEqual(4000);
    expect(md).toContain('`label-0004`'); // all five failures survive
    expect(md).toMatch(
      /… \d+ more rows not shown \(\d+ passing\) to stay within GitHub's size limit; the `results` output has them all\./,
    );
    const shown = md.split('\n').filter((l) => l.startsWith('| `label-')).length;
    const left = Number(/… (\d+) more rows/.exec(md)![1]);
    expect(shown + left).toBe(2000);
    expect(md).toContain('<details><summary>✅ 1995 passing checks</summary>');
    expect(md.trimEnd().split('\n').slice(-3)[0]).toBe('</details>'); // closed before the note
    expect(
      gateMarkdown(r, { limit: 1024 * 1024 })
        .split('\n')
        .filter((l) => l.startsWith('| `label-')),
    ).toHaveLength(2000);
  });

  test('pipes and newlines in names cannot break the table', () => {
    const r = gate('"a|b": {min: 1}', { 'a|b': 0 });
    expect(gateMarkdown(r, { limit: 65536 })).toContain('| `a\\|b` |');
  });
});

describe('ruleDiagnostics: one annotation per failed rule, at the check that failed', () => {
  test('a wildcard failing for several labels is one annotation naming them all', () => {
    const r = gate(
      `accuracy:
  min: 0.85
  warn:
    min: 0.9
"precision.*": {min: 0.5}
`,
      { accuracy: 0.87, precision: { a: 0.1, b: 0.2, c: 0.9 } },
    );
    const d = ruleDiagnostics(r);
    expect(d).toHaveLength(2);
    expect(d[0]).toMatchObject({ severity: 'error', location: { file: 'quality/thresholds.yaml', line: 5 } });
    expect(d[0]!.message).toBe(
      "Rule 'precision.*' (≥ 0.5) failed for 2 metrics: precision.a: 0.1 is below min 0.5 · precision.b: 0.2 is below min 0.5",
    );
    expect(d[1]).toMatchObject({ severity: 'warning', location: { line: 4 } });
    expect(d[1]!.message).toBe("'accuracy' warns: 0.87 is below min 0.9 (warn band)");
  });

  test('a rule that matches nothing points at its key', () => {
    const d = ruleDiagnostics(gate('accuracy: {min: 0.5}\nlatncy: {max: 5}\n', { accuracy: 0.9, latency: 3 }));
    expect(d).toEqual([
      {
        severity: 'error',
        location: expect.objectContaining({ line: 2, column: 1 }),
        message: "'latncy' failed: No metric named 'latncy'. Did you mean 'latency'?",
      },
    ]);
  });
});

describe('resultsJson', () => {
  test('machine-readable, non-finite numbers as strings, with the rule location', () => {
    const json = JSON.parse(resultsJson(gate('a: {max: 1}\nb: {min: 0}\n', { a: 'NaN', b: 1 }, { b: 0 })));
    expect(json.passed).toBe(false);
    expect(json.counts).toEqual({ fail: 1, warn: 0, skip: 0, pass: 1 });
    expect(json.results[0]).toEqual({
      metric: 'a',
      rule: 'a',
      status: 'fail',
      candidate: 'NaN',
      baseline: null,
      delta: null,
      relative_delta: null,
      condition: '≤ 1',
      reasons: ['the candidate value is NaN'],
      file: 'quality/thresholds.yaml',
      line: 1,
    });
    expect(json.results[1]).toMatchObject({
      metric: 'b',
      candidate: 1,
      baseline: 0,
      delta: 1,
      relative_delta: 'Infinity',
    });
  });
});

describe('notEvaluatedMarkdown: why there is no table', () => {
  test('each problem with its place and fix; user text cannot turn into HTML or emphasis outside code spans', () => {
    const err = new UserError('quality/thresholds.yaml: 2 problem(s) in the thresholds', [
      {
        message: "Unknown key 'mni' in the rule for 'recall.area_*'.",
        location: { file: 'quality/thresholds.yaml', line: 20, column: 18 },
        fix: 'use `min_absolute_change` or min_relative_change.',
      },
      { message: 'No metric file at <workspace>/metrics.json.', fix: 'check the `metrics` input.' },
    ]);
    expect(notEvaluatedMarkdown('Label bot gate', err)).toBe(
      [
        '### ❌ Label bot gate: not evaluated',
        '',
        'quality/thresholds.yaml: 2 problem(s) in the thresholds',
        '',
        "- quality/thresholds.yaml:20:18: Unknown key 'mni' in the rule for 'recall.area\\_\\*'. Fix: use `min_absolute_change` or min\\_relative\\_change.",
        '- No metric file at \\<workspace\\>/metrics.json. Fix: check the `metrics` input.',
        '',
      ].join('\n'),
    );
  });

  test('one problem: its message alone (it already names the place)', () => {
    const err = UserError.at(
      'YAML syntax error',
      { file: 'quality/thresholds.yaml', line: 4, column: 1 },
      'correct the YAML syntax at this position.',
    );
    expect(notEvaluatedMarkdown('Quality gate', err)).toBe(
      '### ❌ Quality gate: not evaluated\n\nquality/thresholds.yaml:4:1: YAML syntax error Fix: correct the YAML syntax at this position.\n',
    );
  });
});
