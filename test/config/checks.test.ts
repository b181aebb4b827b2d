import { describe, expect, test } from '@jest/globals';
import { locate, parseYaml, toData } from '../../src/lib/yaml.js';
import { ConfigDoc } from '../../src/config/located.js';
import { checkExperiments } from '../../src/config/experiments.js';
import { checkParameterEntries, checkParameters } from '../../src/config/parameters.js';
import { checkPipelineSource, valueFromRequest } from '../../src/config/references.js';
import { checkJobNames } from '../../src/config/recurring-runs.js';
import { RUN_CHECKS, experimentDeclared } from '../../src/config/run-checks.js';
import { checkCron, checkTriggerDates, toTrigger } from '../../src/config/trigger.js';
import type { RawRun } from '../../src/config/raw.js';
import type { Pipeline } from '../../src/pipeline/pipeline.js';

/** The pure checks of config/, each on a located entry parsed from a few lines of YAML. */

const doc = (text: string) => {
  const yf = parseYaml(text, 'r.yaml');
  return new ConfigDoc(yf, toData(yf));
};
const runs = (text: string) => doc(text).entries<RawRun>('recurring_runs');
const now = new Date('2026-06-01T00:00:00Z');
const where = (ds: { location?: { line?: number; column?: number } }[]) =>
  ds.map((d) => `${d.location?.line}:${d.location?.column}`);

const RUN = (trigger: string, extra = '') => `recurring_runs:
  - pipeline_source: {path: p.yaml}
${extra}    job:
      enabled: true
      name: a
      experiment: e
      max_concurrency: 1
      trigger: ${trigger}
`;

describe('ConfigDoc: positions found once, as locate finds them', () => {
  const d = doc('a:\n  b: [1, {c: x}]\n  k: &k {v: 1}\n  m: *k\n');

  test('a value, its key, a list item', () => {
    expect(d.at(['a', 'b', 1, 'c'])).toMatchObject({ line: 2, column: 14 });
    expect(d.at(['a', 'b', 1, 'c'], true)).toMatchObject({ line: 2, column: 11 });
    expect(d.at(['a', 'b', 0], true)).toMatchObject({ line: 2, column: 7 });
  });

  test('past what is written: the deepest written part; through an alias: the alias', () => {
    expect(d.at(['a', 'b', 1, 'nope', 'deeper'], true)).toMatchObject({ line: 2, column: 10 });
    expect(d.at(['a', 'm', 'v'])).toMatchObject({ line: 4, column: 6 });
    expect(d.has(['a', 'm', 'v'])).toBe(true);
    expect(d.has(['a', 'nope'])).toBe(false);
  });

  test('the same as locate for every path, written or not', () => {
    const yf = parseYaml('a:\n  b: [1, {c: x}]\n  k: &k {v: 1}\n  m: *k\n  n:\n', 'r.yaml');
    const located = new ConfigDoc(yf, toData(yf));
    const paths = [
      [],
      ['a'],
      ['a', 'b'],
      ['a', 'b', 0],
      ['a', 'b', 1, 'c'],
      ['a', 'k', 'v'],
      ['a', 'm', 'v'],
      ['a', 'n'],
    ];
    for (const p of [...paths, ...paths.map((p) => [...p, 'missing'])])
      for (const key of [false, true]) expect([p, key, located.at(p, key)]).toEqual([p, key, locate(yf, p, { key })]);
  });

  test('an empty file is located at its start', () => {
    expect(doc('# only a comment\n').at(['x'])).toEqual({ file: 'r.yaml', line: 1, column: 1 });
  });
});

describe('checks of one recurring run', () => {
  test('RUN_CHECKS run in order and name the key they are about', () => {
    const [run] = runs(RUN('{catchup: false, cron: "0 0 0 30 2 *"}'));
    const ds = RUN_CHECKS.flatMap((c) => c(run!, { now, apiVersion: 'v1beta1', experiments: exps(['f']) }));
    expect(ds.map((d) => d.message)).toEqual([
      expect.stringMatching(/^Experiment 'e' is not declared in experiments.yaml/),
      expect.stringMatching(/^Cron '0 0 0 30 2 \*' never fires/),
    ]);
    expect(where(ds)).toEqual(['6:19', '8:39']);
  });

  test('experimentDeclared: silent without a usable experiments file', () => {
    const [run] = runs(RUN('{catchup: false, interval_seconds: 60}'));
    expect(experimentDeclared(run!, { now, apiVersion: 'v1beta1' })).toEqual([]);
    expect(experimentDeclared(run!, { now, apiVersion: 'v1beta1', experiments: exps(['e']) })).toEqual([]);
  });

  test('checkTriggerDates: order, zero timestamp, end in the past', () => {
    const [run] = runs(
      RUN('{catchup: false, start_date: 2026-03-01, end_date: "1970-01-01T00:00:00Z", cron: "@daily"}'),
    );
    const ds = checkTriggerDates(run!, { now });
    expect(ds.map((d) => [d.message, d.severity ?? 'error'])).toEqual([
      [expect.stringMatching(/^end_date '1970-01-01T00:00:00Z' is the zero timestamp/), 'error'],
      [expect.stringMatching(/^start_date \(.*\) is not before end_date/), 'error'],
      [expect.stringMatching(/^end_date \(.*\) is in the past/), 'warning'],
    ]);
    expect(new Set(where(ds))).toEqual(new Set(['8:67']));
  });

  test('checkCron: an invalid cron is one error; toTrigger builds a valid one', () => {
    const [bad] = runs(RUN('{catchup: false, cron: "61 * * * * *"}'));
    expect(checkCron(bad!, { now }).map((d) => d.message)).toEqual([
      expect.stringMatching(/^Invalid cron '61 \* \* \* \* \*': KFP refuses it in the second field/),
    ]);
    expect(toTrigger(bad!.value.job.trigger)).toBeUndefined();
    const [good] = runs(RUN('{catchup: false, start_date: 2026-01-01, cron: "0 30 2 * * *"}'));
    expect(checkCron(good!, { now })).toEqual([]);
    expect(toTrigger(good!.value.job.trigger)).toMatchObject({
      type: 'cron',
      cron: '0 30 2 * * *',
      start: new Date('2026-01-01T00:00:00Z'),
    });
  });

  test('checkPipelineSource: path and GitHub keys together', () => {
    const [run] = runs(
      RUN('{catchup: false, interval_seconds: 60}').replace('{path: p.yaml}', '{path: p.yaml, github_repo: r}'),
    );
    expect(checkPipelineSource(run!).map((d) => [d.message, where([d])[0]])).toEqual([
      ["pipeline_source has 'path' (a file in this repository) and 'github_repo' (a GitHub repository).", '2:22'],
    ]);
  });

  test('checkParameterEntries: a name given twice, a valueFrom naming two places', () => {
    const params = `    pipeline_parameters:
      - {name: x, value: "1"}
      - {name: x, valueFrom: {path: v, github_owner: o}}
`;
    const [run] = runs(RUN('{catchup: false, interval_seconds: 60}', params));
    expect(checkParameterEntries(run!).map((d) => [d.message.slice(0, 40), where([d])[0]])).toEqual([
      ["Parameter 'x' is given twice (also at li", '5:16'],
      ["valueFrom has 'path' (a file in this rep", '5:30'],
    ]);
  });

  test('checkParameters: unknown inputs, and required inputs not given (at the key)', () => {
    const params = '    pipeline_parameters:\n      - {name: lr, value: "1"}\n';
    const [run] = runs(RUN('{catchup: false, interval_seconds: 60}', params));
    const pipeline = {
      kind: 'v2',
      name: 'train',
      inputs: [
        { name: 'rate', type: 'NUMBER_DOUBLE', required: false },
        { name: 'data', type: 'STRING', required: true },
      ],
    } as unknown as Pipeline;
    const ds = checkParameters(run!, pipeline, { lr: '1' });
    expect(ds.map((d) => [d.message, where([d])[0]])).toEqual([
      ["Parameter 'lr' is not an input of pipeline 'train'.", '4:16'],
      ["pipeline 'train' requires 'data', which is not given.", '3:5'],
    ]);
  });
});

test('valueFromRequest: file_path defaults to where the pipeline is', () => {
  const at = { file: 'r.yaml', line: 1 };
  expect(valueFromRequest({ file_path: 'v' }, { path: 'p.yaml' }, at)).toEqual({ type: 'local', path: 'v' });
  expect(
    valueFromRequest(
      { file_path: 'v' },
      { github_owner: 'o', github_repo: 'r', git_reference: 'main', file_path: 'p' },
      at,
    ),
  ).toEqual({ type: 'github', owner: 'o', repo: 'r', ref: 'main', path: 'v' });
  expect(valueFromRequest({ file_path: 'v', github_owner: 'o' }, { path: 'p.yaml' }, at)).toMatchObject({
    message: expect.stringContaining("'github_repo', 'git_reference' are missing"),
    location: at,
  });
});

test('checkJobNames and checkExperiments: repeats point at the repeat and name the first line', () => {
  const r = checkJobNames(doc('recurring_runs:\n  - job: {name: a}\n  - job: {name: b}\n  - job: {name: a}\n'));
  expect([...r.repeats]).toEqual([2]);
  expect(r.diagnostics.map((d) => [d.message, where([d])[0]])).toEqual([
    ["Duplicate job name 'a' (also at line 2).", '4:17'],
  ]);
  const e = checkExperiments(doc('experiments:\n  - name: Exp\n  - name: exp\n  - name: other\n'), [
    ['experiments', 2],
  ]);
  expect(e.experiments.list.map((x) => x.name)).toEqual(['Exp']);
  expect([...e.experiments.names]).toEqual(['Exp', 'other']);
  expect(where(e.diagnostics)).toEqual(['3:11']);
});

function exps(names: string[]) {
  return { list: [], names: new Set(names), usable: true };
}
