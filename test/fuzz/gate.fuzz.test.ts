import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, test } from '@jest/globals';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { runInProcess } from '../support/in-process.js';
import { FUZZ, SECRET, arbMutation, expectWellBehaved, mutate } from './support.js';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gate-fuzz-'));
});
afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

const NAMES = ['accuracy', 'loss', 'precision.a', 'precision', 'recall.kind-bug', 'latency_ms', 'f1'];

/** A metric value as DVC, MLflow exports and broken training scripts write them. */
const arbValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.double({ noNaN: false }),
  fc.integer(),
  fc.constantFrom('0.9', 'NaN', 'Infinity', '-inf', 'n/a', '', null, true, [], [0.5], {}),
);
const arbMetrics = fc.dictionary(
  fc.constantFrom(...NAMES),
  fc.oneof(arbValue, fc.dictionary(fc.constantFrom('a', 'b', 'kind-bug'), arbValue, { maxKeys: 3 })),
  { maxKeys: 6 },
);

/** A metrics file: JSON (Python-style NaN/Infinity included), YAML or TOML-ish, then maybe broken by hand. */
const arbMetricsFile = fc
  .record({
    data: arbMetrics,
    format: fc.constantFrom('json', 'yaml', 'toml'),
    deep: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 9 },
      { arbitrary: fc.integer({ min: 50, max: 12_000 }), weight: 1 },
    ),
    mutations: fc.oneof(
      { arbitrary: fc.constant([]), weight: 3 },
      { arbitrary: fc.array(arbMutation, { maxLength: 2 }), weight: 1 },
    ),
  })
  .map(({ data, format, deep, mutations }) => {
    let text: string;
    if (format === 'json')
      text = JSON.stringify(
        data,
        (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `@@${v}@@` : v),
        2,
      ).replace(/"@@(.*?)@@"/g, '$1');
    else if (format === 'yaml') text = stringify(data);
    else
      text = Object.entries(data)
        .map(([k, v]) => `"${k}" = ${typeof v === 'number' ? v : JSON.stringify(v)}`)
        .join('\n');
    if (deep && format === 'json') text = `{"d": ${'{"x": '.repeat(deep)}1${'}'.repeat(deep)}, ${text.slice(1)}`;
    return { name: `metrics.${format}`, text: mutate(text, mutations) };
  });

/** Mostly sensible values, sometimes one that must be refused. */
const usually = (good: string[], bad: string[]) =>
  fc.oneof({ arbitrary: fc.constantFrom(...good), weight: 30 }, { arbitrary: fc.constantFrom(...bad), weight: 1 });
const arbCheck = fc
  .record(
    {
      min: usually(['0.5', '0', '-1', '0.9'], ['.nan', '.inf', '-.inf', 'abc', '1e309']),
      max: usually(['50', '1', '100'], ['.nan', 'x', '-5']),
      min_absolute_change: usually(['-0.01', '0', '0.1'], ['y']),
      greater_is_better: usually(['true', 'false'], ['maybe']),
      optional: usually(['true', 'false'], ['2']),
    },
    { requiredKeys: ['min'] },
  )
  .chain((c) =>
    fc.oneof({ arbitrary: fc.constant(c), weight: 30 }, { arbitrary: fc.constant({ ...c, mni: '1' }), weight: 1 }),
  );
/** A thresholds file: rules for real and missing metrics, anchors and merge keys, then maybe broken by hand. */
const arbThresholds = fc
  .record({
    rules: fc.array(fc.tuple(fc.constantFrom(...NAMES, ...NAMES, 'precision.*', 'nope', '*'), arbCheck, fc.boolean()), {
      minLength: 1,
      maxLength: 5,
    }),
    mutations: fc.oneof(
      { arbitrary: fc.constant([]), weight: 3 },
      { arbitrary: fc.array(arbMutation, { maxLength: 2 }), weight: 1 },
    ),
  })
  .map(({ rules, mutations }) => {
    const lines = rules.map(([name, check, alias], i) => {
      const body = `{${Object.entries(check)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ')}}`;
      if (i === 0) return `"${name}": &first ${body}`;
      return alias
        ? `"${name}${i}": *first`
        : `"${name}${i}":\n  <<: *first\n  ${body.slice(1, -1).split(', ').join('\n  ')}`;
    });
    return mutate(lines.join('\n') + '\n', mutations);
  });

test('quality-gate on random metrics, baselines and thresholds: exit 0/1, no stack trace, errors located, no secret', async () => {
  await fc.assert(
    fc.asyncProperty(
      arbMetricsFile,
      fc.option(arbMetricsFile, { nil: undefined }),
      arbThresholds,
      fc.constantFrom('pass', 'warn', 'fail'),
      async (metrics, baseline, thresholds, missing) => {
        await fs.rm(path.join(dir, 'in'), { recursive: true, force: true });
        await fs.mkdir(path.join(dir, 'in', 'base'), { recursive: true });
        await fs.writeFile(path.join(dir, 'in', metrics.name), metrics.text);
        if (baseline) await fs.writeFile(path.join(dir, 'in', 'base', baseline.name), baseline.text);
        await fs.writeFile(path.join(dir, 'in', 'thresholds.yaml'), thresholds);
        const r = await runInProcess(
          'quality-gate',
          {
            metrics: `in/${metrics.name}`,
            thresholds: 'in/thresholds.yaml',
            baseline: baseline ? `in/base/${baseline.name}` : '',
            'missing-baseline': missing,
            token: SECRET,
            'mlflow-token': SECRET,
          },
          { workspace: dir },
        );
        expectWellBehaved(r);
      },
    ),
    { ...FUZZ, numRuns: FUZZ.numRuns ?? 150 },
  );
}, 120_000);
