import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { UserError } from '../../src/lib/errors.js';
import { parsePipeline } from '../../src/pipeline/pipeline.js';
import {
  type GivenValue,
  parseParametersInput,
  readParamsFolder,
  resolveParameters,
} from '../../src/run/parameters.js';
import { prepareRun } from '../../src/run/prepare.js';
import { repoRoot } from '../support/paths.js';

const IR = `pipelineInfo: {name: typed}
root:
  inputDefinitions:
    parameters:
      flags: {parameterType: LIST}
      dry_run: {parameterType: BOOLEAN, defaultValue: false, isOptional: true}
      rate: {parameterType: NUMBER_DOUBLE}
schemaVersion: 2.1.0
`;
const typed = parsePipeline(IR, 'p.yaml');
const input = (text: string) => parseParametersInput(text);
const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError)
      return err.diagnostics.map((d) => `${d.location?.file}:${d.location?.line} ${d.message}`);
    throw err;
  }
  throw new Error('expected a UserError');
};

describe('the parameters input', () => {
  test('YAML or JSON mappings; scalars become text, lists and objects JSON', () => {
    expect(
      Object.fromEntries([...input('a: 1\nb: x\nc: [1, 2]\nd: true').entries()].map(([k, v]) => [k, v.text])),
    ).toEqual({ a: '1', b: 'x', c: '[1,2]', d: 'true' });
    expect(input('{"a": {"k": "v"}}').get('a')).toEqual({ text: '{"k":"v"}', source: { kind: 'input' } });
    expect(input('  ').size).toBe(0);
  });

  test.each([
    ['[1, 2]', /must be a mapping/],
    ['just text', /must be a mapping/],
    ['a: 1\na: 2', /not valid YAML or JSON: .*duplicate key/],
    ['a:', /parameter 'a' has no value/],
  ])('%j is refused', (text, message) => {
    expect(() => input(text)).toThrow(message);
  });
});

describe('params/ folders', () => {
  test('one value per file, read as is; dot files skipped; a missing folder is empty', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-params-'));
    await fs.writeFile(path.join(dir, 'b'), 'two\n');
    await fs.writeFile(path.join(dir, 'a'), 'one');
    await fs.writeFile(path.join(dir, '.gitkeep'), '');
    const values = await readParamsFolder(dir, 'x/params');
    expect([...values.entries()]).toEqual([
      ['a', { text: 'one', source: { kind: 'file', file: 'x/params/a' } }],
      ['b', { text: 'two\n', source: { kind: 'file', file: 'x/params/b' } }],
    ]);
    expect((await readParamsFolder(path.join(dir, 'none'), 'none')).size).toBe(0);
    await fs.rm(dir, { recursive: true });
  });
});

describe('resolveParameters', () => {
  test('v2 values are typed as the pipeline declares; defaults are listed but left to KFP', () => {
    const r = resolveParameters(typed, 'p.yaml', input('rate: "0.5"\nflags: ["a", "b"]'), 'params');
    expect(r.values).toEqual({ flags: ['a', 'b'], rate: 0.5 });
    expect(r.rows.map((x) => [x.name, x.value, x.source.kind])).toEqual([
      ['flags', ['a', 'b'], 'input'],
      ['dry_run', false, 'default'],
      ['rate', 0.5, 'input'],
    ]);
  });

  test('every problem at once, each located in the pipeline file', () => {
    const given = new Map<string, GivenValue>([...input('flags: "{}"\nrates: 1\ndry_run: maybe')]);
    expect(problems(() => resolveParameters(typed, 'p.yaml', given, 'params'))).toEqual([
      "p.yaml:5 Parameter 'flags' takes a JSON list; '{}' is not (from input 'parameters').",
      "p.yaml:4 Parameter 'rates' (from input 'parameters') is not an input of pipeline 'typed'. Did you mean 'rate'?",
      "p.yaml:6 Parameter 'dry_run' is a boolean input; use true or false, not 'maybe' (from input 'parameters').",
      "p.yaml:7 Pipeline 'typed' requires input 'rate' (NUMBER_DOUBLE), which is not given.",
    ]);
  });

  test('v1 values are passed as text, whatever they look like', () => {
    const text = `apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: v1}
spec:
  arguments:
    parameters:
      - name: n
`;
    expect(resolveParameters(parsePipeline(text, 'w.yaml'), 'w.yaml', input('n: 007'), 'params').values).toEqual({
      n: '7',
    });
    expect(resolveParameters(parsePipeline(text, 'w.yaml'), 'w.yaml', input('n: "007"'), 'params').values).toEqual({
      n: '007',
    });
  });
});

describe('prepareRun over examples/', () => {
  const workdir = path.join(repoRoot, 'examples');
  test('a folder resolves to its pipeline file; params/ and the input merge, the input winning', async () => {
    const p = await prepareRun({
      workdir,
      root: workdir,
      pipeline: 'pipelines/train-model/RENDERED_PIPELINE',
      parameters: 'learning_rate: "0.3"',
      apiVersion: 'v1beta1',
    });
    expect(p.file).toBe('pipelines/train-model/RENDERED_PIPELINE/workflow.yaml');
    expect(p.pipeline).toMatchObject({ kind: 'v1', name: 'train-model' });
    expect(p.parameters.values).toEqual({
      learning_rate: '0.3',
      dataset_uri: 'gs://example-bucket/datasets/issues/latest',
    });
  });

  // server/api_converter.go toModelParameters: Argo parameters over MAX_PARAMETER_BYTES (10,000) serialized → 400.
  test('Argo parameters over 10,000 bytes as KFP serializes them are refused before any call', async () => {
    const big = JSON.stringify({ dataset_uri: 'x'.repeat(10_000) });
    await expect(
      prepareRun({
        workdir,
        root: workdir,
        pipeline: 'pipelines/train-model/RENDERED_PIPELINE',
        parameters: big,
        apiVersion: 'v1beta1',
      }),
    ).rejects.toThrow(/take 10\d{3} bytes as KFP stores them; KFP refuses more than 10000/);
  });

  test('a folder without a pipeline file is refused, naming the files looked for', async () => {
    await expect(
      prepareRun({ workdir, root: workdir, pipeline: 'pipelines', parameters: '', apiVersion: 'v1beta1' }),
    ).rejects.toThrow(/holds none of workflow\.yaml, pipeline\.yaml/);
  });
});
