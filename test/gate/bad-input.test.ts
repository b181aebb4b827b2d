import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { UserError } from '../../src/lib/errors.js';
import { parseYaml } from '../../src/lib/yaml.js';
import { evaluate } from '../../src/gate/evaluate.js';
import { parseMetricsText } from '../../src/gate/metrics.js';
import { loadMetrics, loadThresholds } from '../../src/gate/metrics-sources.js';
import { parseThresholds } from '../../src/gate/thresholds.js';

/** The UserError a promise rejects with (the test fails on anything else). */
async function refused(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

function thresholdsError(text: string): UserError {
  try {
    parseThresholds(parseYaml(text, 'thresholds.yaml'));
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error('the thresholds were accepted');
}

async function verdict(thresholds: string, metricsJson: string) {
  const rules = parseThresholds(parseYaml(thresholds, 'thresholds.yaml'));
  return evaluate(rules, await parseMetricsText(metricsJson, 'm.json'), undefined, { missingBaseline: 'warn' });
}

describe('metrics files: bad input is a located error', () => {
  test('a JSON duplicate key is refused at its line, naming the first', async () => {
    const err = await refused(parseMetricsText('{\n  "accuracy": 0.5,\n  "accuracy": 0.95\n}', 'm.json'));
    expect(err.diagnostics[0]).toMatchObject({
      message: expect.stringContaining("duplicate key 'accuracy' (first at line 2)"),
      location: { file: 'm.json', line: 3, column: 3 },
    });
  });

  test.each([
    ['JSON', 'm.json', '{"train": {"loss": 0.5},\n "train.loss": 0.1}', 2],
    ['YAML', 'm.yaml', 'train:\n  loss: 0.5\ntrain.loss: 0.1\n', 3],
  ])('%s: a dotted key and nested keys giving the same path are refused', async (_kind, file, text, line) => {
    const err = await refused(parseMetricsText(text, file));
    expect(err.diagnostics[0]!.message).toMatch(/Metric 'train.loss' is written twice/);
    expect(err.diagnostics[0]!.location).toMatchObject({ file, line });
  });

  test('10,000 levels of JSON nesting are a located error, not a stack overflow', async () => {
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const err = await refused(parseMetricsText(deep, 'deep.json'));
    expect(err.message).toMatch(/deep\.json:1:\d+: JSON syntax error: nesting deeper than 64 levels/);
  });

  test('deep YAML says it is nested too deeply (not a syntax error); moderately deep YAML is located by the gate', async () => {
    const deep = '['.repeat(2000) + ']'.repeat(2000);
    const err = await refused(parseMetricsText(deep, 'deep.yaml'));
    expect(err.diagnostics[0]).toMatchObject({
      message: 'YAML nested too deeply to read.',
      location: { file: 'deep.yaml', line: 1 },
    });
    const nested = Array.from({ length: 100 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    const moderate = await refused(parseMetricsText(nested, 'nested.yaml'));
    expect(moderate.diagnostics[0]).toMatchObject({
      message: 'Metrics nested deeper than 64 levels.',
      location: { file: 'nested.yaml', line: 65 },
    });
  });

  test('a TOML dotted key 10,000 levels deep is a located error too', async () => {
    const err = await refused(parseMetricsText(`accuracy = 0.9\nx${'.x'.repeat(10_000)} = 1\n`, 'deep.toml'));
    expect(err.diagnostics[0]).toMatchObject({
      message: 'Metrics nested deeper than 64 levels.',
      location: { file: 'deep.toml', line: 2 },
    });
  });

  test('a broken .json is JSON only: not silently re-read as YAML', async () => {
    const err = await refused(parseMetricsText('{accuracy: 0.9}', 'm.json'));
    expect(err.diagnostics[0]).toMatchObject({
      message: expect.stringMatching(/^JSON syntax error: expected a key in double quotes/),
      location: { file: 'm.json', line: 1, column: 2 },
    });
  });

  test('metrics text over 5 MB is refused before parsing', async () => {
    const big = `{"a": "${'x'.repeat(5 * 1024 * 1024)}"}`;
    const err = await refused(parseMetricsText(big, 'big.json'));
    expect(err.message).toMatch(/^big\.json: File is \d+ bytes, over the 5242880-byte limit/);
  });
});

describe('metrics files on disk', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gate-input-'));
    await fs.mkdir(path.join(dir, 'metrics.json'));
    await fs.writeFile(path.join(dir, 'big.json'), Buffer.alloc(6 * 1024 * 1024, 0x20));
  });
  afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

  test('a metrics path that is a folder is a clear error, not EISDIR', async () => {
    const err = await refused(
      loadMetrics({ kind: 'file', path: 'metrics.json' }, { workdir: dir, workspace: dir }, 'metrics'),
    );
    expect(err.message).toBe(
      "metrics.json: 'metrics.json' is a folder, not a file. Fix: give the path of the metrics file itself.",
    );
  });

  test('a metrics file over the cap is refused without reading it', async () => {
    const err = await refused(
      loadMetrics({ kind: 'file', path: 'big.json' }, { workdir: dir, workspace: dir }, 'baseline'),
    );
    expect(err.message).toMatch(/^big\.json: File is 6291456 bytes, over the 5242880-byte limit for baseline files/);
  });

  test('a thresholds path that is a folder says so', async () => {
    const err = await refused(loadThresholds('metrics.json', dir, dir));
    expect(err.message).toContain('is a folder, not a file');
  });
});

describe('metric values the gate cannot judge say what is wrong', () => {
  test.each([
    ['null', 'not a number: the value is null'],
    ['[0.9, 0.8]', 'not a number: the value is a list'],
  ])('%s', async (value, reason) => {
    const r = await verdict('accuracy: {min: 0.5}', `{"accuracy": ${value}}`);
    expect(r.results[0]).toMatchObject({
      metric: 'accuracy',
      status: 'fail',
      reasons: [expect.stringContaining(reason)],
    });
  });

  // Decision (README): a non-finite value means the metric broke; it fails like NaN instead of passing min/max.
  test.each(['Infinity', '-Infinity', '1e309', 'NaN'])('%s fails min and max rules', async (value) => {
    const r = await verdict('a: {min: 0.5}\nb: {max: 50}', `{"a": ${value}, "b": ${value}}`);
    expect(r.results.map((x) => x.status)).toEqual(['fail', 'fail']);
    expect(r.results[0]!.reasons[0]).toMatch(/^the candidate value is (NaN|−?∞ \(not a finite number\))$/);
  });
});

describe('thresholds: YAML features get a correct result', () => {
  test.each([
    ['min: .nan', "'min' must be a finite number (got NaN)."],
    ['max: .inf', "'max' must be a finite number (got Infinity)."],
    ['min: -.inf', "'min' must be a finite number (got -Infinity)."],
  ])('%s names the value it got', (check, message) => {
    expect(thresholdsError(`accuracy: {${check}}\n`).diagnostics[0]!.message).toBe(message);
  });

  test('an anchor reused as a rule (f1: *r) and a << merge key work', () => {
    const rules = parseThresholds(
      parseYaml('recall: &r {min: 0.8, warn: {min: 0.9}}\nf1: *r\nprecision:\n  <<: *r\n  min: 0.7\n', 't.yaml'),
    );
    expect(rules.map((r) => [r.pattern, r.hard, r.warn])).toEqual([
      ['recall', { min: 0.8 }, { min: 0.9 }],
      ['f1', { min: 0.8 }, { min: 0.9 }],
      ['precision', { min: 0.7 }, { min: 0.9 }],
    ]);
  });

  test('a merge key that points at a list of anchors merges them in order', () => {
    const [, rule] = parseThresholds(parseYaml('base: &a {min: 0.1}\nx:\n  <<: [*a, {max: 0.9}]\n', 't.yaml'));
    expect(rule).toMatchObject({ pattern: 'x', hard: { min: 0.1, max: 0.9 } });
  });
});
