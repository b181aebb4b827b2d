import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { UserError } from '../../src/lib/errors.js';
import { flattenMetrics, parseMetricsText } from '../../src/gate/metrics.js';
import { repoRoot } from '../support/paths.js';

async function located(p: Promise<unknown>): Promise<UserError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  return err as UserError;
}

describe('flattenMetrics (DVC-style dotted paths)', () => {
  test('nested objects become dotted paths; dotted keys stay; lists and nulls are kept (a rule says they are not numbers)', () => {
    const m = flattenMetrics({
      accuracy: 0.9,
      precision: { 'area-jupyter': 0.8, nested: { deep: '0.5' } },
      hist: [1, 2],
      gone: null,
      'recall.kind-bug': 0.7,
    });
    expect([...m]).toEqual([
      ['accuracy', 0.9],
      ['precision.area-jupyter', 0.8],
      ['precision.nested.deep', '0.5'],
      ['hist', [1, 2]],
      ['gone', null],
      ['recall.kind-bug', 0.7],
    ]);
  });
});

describe('parseMetricsText', () => {
  test('JSON, YAML and TOML give the same metrics', async () => {
    const json = await parseMetricsText('{"train": {"loss": 0.25, "acc": 0.9}, "latency_ms": 40}', 'm.json');
    const yaml = await parseMetricsText('train:\n  loss: 0.25\n  acc: 0.9\nlatency_ms: 40\n', 'm.yaml');
    const toml = await parseMetricsText('latency_ms = 40\n[train]\nloss = 0.25\nacc = 0.9\n', 'm.toml');
    const sorted = (m: Map<string, unknown>) => [...m].sort();
    expect(sorted(json)).toEqual([
      ['latency_ms', 40],
      ['train.acc', 0.9],
      ['train.loss', 0.25],
    ]);
    expect(sorted(yaml)).toEqual(sorted(json));
    expect(sorted(toml)).toEqual(sorted(json));
  });

  test("JSON written by Python's json module with NaN and Infinity is read", async () => {
    const m = await parseMetricsText('{"auc": NaN, "loss": Infinity, "acc": 0.5}', 'm.json');
    expect(m.get('auc')).toBe(NaN);
    expect(m.get('loss')).toBe(Infinity);
    expect(m.get('acc')).toBe(0.5);
  });

  test('syntax errors name the file and line', async () => {
    const bad = await located(parseMetricsText('{\n  "a": 1,\n  "b": 2\n  "c": 3\n}', 'metrics/m.json'));
    expect(bad.diagnostics[0]).toMatchObject({
      message: expect.stringMatching(/^JSON syntax error: /),
      location: { file: 'metrics/m.json', line: 4, column: 3 },
    });
    const yaml = await located(parseMetricsText('a: 1\nb: [1, 2\n', 'm.yaml'));
    expect(yaml.diagnostics[0]?.location?.file).toBe('m.yaml');
    const toml = await located(parseMetricsText('a = 1\nb = = 2\n', 'm.toml'));
    expect(toml.diagnostics[0]?.location).toMatchObject({ file: 'm.toml', line: 2 });
  });

  test('a top level that is not an object is refused with the fix', async () => {
    const err = await located(parseMetricsText('[0.9, 0.8]', 'm.json'));
    expect(err.message).toContain('must be an object of metric names to values');
    expect(err.message).toContain('Fix:');
  });

  test('the example metrics hold 23 labels with precision and recall each', async () => {
    const file = path.join(repoRoot, 'examples/quality/metrics.json');
    const m = await parseMetricsText(await fs.readFile(file, 'utf8'), 'metrics.json');
    const labels = [...m.keys()].filter((k) => k.startsWith('precision.')).map((k) => k.slice('precision.'.length));
    expect(labels).toHaveLength(23);
    for (const l of labels) expect(typeof m.get(`recall.${l}`)).toBe('number');
    expect(labels.filter((l) => l.startsWith('area-'))).toHaveLength(12);
  });
});
