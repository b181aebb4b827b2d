import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { type Pipeline, parsePipeline, typedParameterValue } from '../../src/pipeline/pipeline.js';
import { UserError } from '../../src/lib/errors.js';
import { describeWithShared, repoRoot, sharedDir } from '../support/paths.js';

function rejection(text: string, file = 'p.yaml'): UserError {
  try {
    parsePipeline(text, file);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected the pipeline to be rejected');
}

const inputsOf = (p: Pipeline) =>
  Object.fromEntries(p.inputs.map((i) => [i.name, { required: i.required, default: i.default }]));

describe('parsePipeline on the examples', () => {
  test('v1 Argo workflow: inputs from the pipeline_spec annotation (optional, defaults, types)', () => {
    const text = fs.readFileSync(
      path.join(repoRoot, 'examples/pipelines/train-model/RENDERED_PIPELINE/workflow.yaml'),
      'utf8',
    );
    const p = parsePipeline(text, 'workflow.yaml');
    expect(p.kind).toBe('v1');
    expect(p.name).toBe('train-model');
    expect(p.description).toBe('Train the issue classifier');
    expect(inputsOf(p)).toEqual({
      learning_rate: { required: true, default: undefined },
      epochs: { required: false, default: '10' },
      dataset_uri: { required: true, default: undefined },
    });
    expect(p.inputs.find((i) => i.name === 'learning_rate')?.type).toBe('Float');
    expect((p.workflow as { kind: string }).kind).toBe('Workflow');
    expect(p.text).toBe(text);
  });

  test('v2 IR: inputs from root.inputDefinitions with defaults and isOptional', () => {
    const text = fs.readFileSync(
      path.join(repoRoot, 'examples/pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml'),
      'utf8',
    );
    const p = parsePipeline(text, 'pipeline.yaml');
    expect(p.kind).toBe('v2');
    expect(p.name).toBe('batch-predict');
    expect(inputsOf(p)).toEqual({
      model_uri: { required: true, default: undefined },
      batch_size: { required: false, default: 64 },
    });
    expect(p.inputs.find((i) => i.name === 'batch_size')?.type).toBe('NUMBER_INTEGER');
  });
});

describe('parsePipeline refusals, each located with a fix', () => {
  test('not YAML', () => {
    const e = rejection('a: [1, 2\nb: 3\n');
    expect(e.diagnostics[0]!.message).toMatch(/YAML syntax error/);
    expect(e.diagnostics[0]!.location).toMatchObject({ file: 'p.yaml', line: expect.any(Number) });
  });

  test('empty file, a list, and something that is neither format', () => {
    expect(rejection('# only a comment\n').diagnostics[0]!.message).toBe('The pipeline file is empty.');
    expect(rejection('- a\n- b\n').diagnostics[0]!.message).toMatch(/not a YAML mapping/);
    const e = rejection('name: my-component\nimplementation:\n  container: {image: x}\n');
    expect(e.diagnostics[0]!.message).toMatch(/Neither a KFP v1 Argo Workflow .* nor a KFP v2 IR/);
    expect(e.diagnostics[0]!.fix).toMatch(/compiled pipeline/);
  });

  test('an Argo object that is not a Workflow, and a broken annotation', () => {
    const e = rejection('apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: x}\nspec: {}\n');
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]!).toMatchObject({
      message: 'kind is "CronWorkflow", not \'Workflow\'.',
      location: { line: 2, column: 7 },
    });
    const bad = rejection(
      "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  annotations:\n    pipelines.kubeflow.org/pipeline_spec: '{oops'\nspec: {}\n",
    );
    expect(bad.diagnostics[0]!.message).toMatch(/annotation is not a JSON object/);
    expect(bad.diagnostics[0]!.location?.line).toBe(5);
  });

  test('v2: unknown top-level key with a suggestion, empty pipelineInfo.name, stray document', () => {
    const e = rejection('components_1: {}\npipelineInfo:\n  name: ""\nroot: {}\nschemaVersion: 2.1.0\n');
    expect(e.diagnostics.map((d) => [d.message, d.location?.line])).toEqual([
      ["Unknown top-level key 'components_1' in a KFP v2 pipeline spec. Did you mean 'components'?", 1],
      ['pipelineInfo.name is missing or empty; KFP refuses a pipeline without a name.', 3],
    ]);
    const stray = rejection('pipelineInfo: {name: p}\nroot: {}\nschemaVersion: 2.1.0\n---\nkind: ConfigMap\n');
    expect(stray.diagnostics[0]!.message).toMatch(/only one more document: the platform spec/);
  });

  test('a file the strict YAML parser refuses but KFP reads (quoted scalar continued at the parent indent)', () => {
    const text =
      'pipelineInfo:\n  name: p\nroot: {}\nschemaVersion: 2.1.0\ndeploymentSpec:\n  command:\n  - "a\\\n  b"\n';
    const p = parsePipeline(text, 'p.yaml');
    expect(p.kind).toBe('v2');
    expect((p.workflow.deploymentSpec as { command: string[] }).command).toEqual(['ab']);
    const bad = rejection(
      'pipelineInfo: {name: p}\nroot: {}\ncomponents_x: 1\ndeploymentSpec:\n  command:\n  - "a\\\n  b"\n',
    );
    expect(bad.diagnostics[0]).toMatchObject({ location: { line: 3 } });
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
      'pipelineInfo: {name: p}',
      'root: {}',
      'deploymentSpec:',
      '  command:',
      '  - "a\\',
      '  b"',
    ].join('\n');
    expect(rejection(bomb).diagnostics[0]!.message).toMatch(/aliases expand/);
  });

  test('v1 without the annotation: arguments without a value are required', () => {
    const p = parsePipeline(
      'apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: hello-}\nspec:\n  arguments:\n    parameters: [{name: a, value: "1"}, {name: b}]\n',
      'w.yaml',
    );
    expect(p.name).toBe('hello');
    expect(inputsOf(p)).toEqual({ a: { required: false, default: '1' }, b: { required: true, default: undefined } });
  });
});

describe('typedParameterValue (v2 typed inputs)', () => {
  const input = (type: string) => ({ name: 'x', type, required: true });
  test('converts valid values and explains invalid ones', () => {
    expect(typedParameterValue(input('NUMBER_INTEGER'), '64')).toEqual({ ok: true, value: 64 });
    expect(typedParameterValue(input('NUMBER_INTEGER'), '6.4')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not a whole number/),
    });
    expect(typedParameterValue(input('NUMBER_DOUBLE'), '0.01')).toEqual({ ok: true, value: 0.01 });
    expect(typedParameterValue(input('NUMBER_DOUBLE'), 'abc').ok).toBe(false);
    expect(typedParameterValue(input('BOOLEAN'), 'True')).toEqual({ ok: true, value: true });
    expect(typedParameterValue(input('BOOLEAN'), 'yes').ok).toBe(false);
    expect(typedParameterValue(input('LIST'), '[1, "a"]')).toEqual({ ok: true, value: [1, 'a'] });
    expect(typedParameterValue(input('STRUCT'), '[1]').ok).toBe(false);
    expect(typedParameterValue(input('STRING'), ' keep spaces\n')).toEqual({ ok: true, value: ' keep spaces\n' });
    expect(typedParameterValue({ name: 'v1', type: 'Float', required: true }, 'not checked')).toEqual({
      ok: true,
      value: 'not checked',
    });
  });
});

describeWithShared('every compiled pipeline in ../shared/kfp-pipelines is classified as KFP does', () => {
  const dir = path.join(sharedDir, 'kfp-pipelines');
  const files = (sub: string) =>
    fs
      .readdirSync(path.join(dir, sub))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => [f, path.join(dir, sub, f)]);
  const read = (file: string) => fs.readFileSync(file, 'utf8');

  test('160 files: 5 v1, 152 valid v2, 3 invalid', () => {
    expect([files('v1-argo').length, files('v2-ir/valid').length, files('v2-ir/invalid').length]).toEqual([5, 152, 3]);
  });

  test.each(files('v1-argo'))('v1 %s', (_name, file) => {
    const p = parsePipeline(read(file!), file!);
    expect(p.kind).toBe('v1');
    expect(p.name).not.toBe('');
    const args = (
      (p.workflow.spec as { arguments?: { parameters?: { name: string }[] } }).arguments?.parameters ?? []
    ).map((a) => a.name);
    expect(p.inputs.map((i) => i.name).sort()).toEqual(expect.arrayContaining(args.sort()));
  });

  test('v1 inputs are extracted as declared', () => {
    expect(inputsOf(parsePipeline(read(path.join(dir, 'v1-argo/arguments-parameters.yaml')), 'a.yaml'))).toEqual({
      param1: { required: false, default: 'hello' },
      param2: { required: true, default: undefined },
    });
  });

  test.each(files('v2-ir/valid'))('v2 valid %s', (_name, file) => {
    const text = read(file!);
    const p = parsePipeline(text, file!);
    expect(p.kind).toBe('v2');
    expect(p.name).toBe(
      /\npipelineInfo:\n(?: {2}[^\n]*\n)*? {2}name: ([^\n]+)/.exec(text)![1]!.replace(/^['"]|['"]$/g, ''),
    );
    // Every declared root parameter is extracted; required exactly when it has no default and is not optional.
    const declared =
      (
        p.workflow.root as {
          inputDefinitions?: { parameters?: Record<string, { defaultValue?: unknown; isOptional?: boolean }> };
        }
      ).inputDefinitions?.parameters ?? {};
    expect(p.inputs.map((i) => i.name)).toEqual(Object.keys(declared));
    for (const i of p.inputs)
      expect(i.required).toBe(declared[i.name]!.defaultValue === undefined && declared[i.name]!.isOptional !== true);
    if (/\n---\n/.test(text)) expect(p.platformSpec).toHaveProperty('platforms');
  });

  test('some valid v2 files declare required and optional inputs (the extraction is exercised)', () => {
    const all = files('v2-ir/valid').flatMap(([, f]) => parsePipeline(read(f!), f!).inputs);
    expect(all.filter((i) => i.required).length).toBeGreaterThan(5);
    expect(all.filter((i) => !i.required).length).toBeGreaterThan(5);
  });

  test.each([
    ['empty_file.yaml', /empty/],
    ['invalid_yaml.yaml', /Unknown top-level key 'components_1'.*Did you mean 'components'/],
    ['no_name.yaml', /pipelineInfo.name is missing or empty/],
  ])('v2 invalid %s is rejected with a reason', (name, reason) => {
    const e = rejection(read(path.join(dir, 'v2-ir/invalid', name)), name);
    expect(e.diagnostics.map((d) => d.message).join('\n')).toMatch(reason);
    expect(e.diagnostics.every((d) => d.location?.file === name && d.location.line! >= 1 && d.fix)).toBe(true);
  });
});
