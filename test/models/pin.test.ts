import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { UserError } from '../../src/lib/errors.js';
import { type PinLocator, parseConfigKey, parseDocumentSelector, readPin, setPin } from '../../src/models/pin.js';
import { repoRoot } from '../support/paths.js';

const example = fs.readFileSync(path.join(repoRoot, 'examples/serving/churn-model.yaml'), 'utf8');
const NEW = 'gs://example-models/churn/2026-01-17T04-00-00Z';
const OLD = 'gs://example-models/churn/2026-01-10T04-00-00Z';

const key = (text: string, document?: string): PinLocator => ({
  kind: 'key',
  text,
  path: parseConfigKey(text),
  ...(document ? { document: parseDocumentSelector(document) } : {}),
});
const marker = (m: string): PinLocator => ({ kind: 'marker', marker: m });

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('parseConfigKey', () => {
  test('dots, list indexes and quoted keys', () => {
    expect(parseConfigKey('spec.predictor.model.storageUri')).toEqual(['spec', 'predictor', 'model', 'storageUri']);
    expect(parseConfigKey('orgs[0].automl_model')).toEqual(['orgs', 0, 'automl_model']);
    expect(parseConfigKey('metadata.annotations["serving.kserve.io/model"]')).toEqual([
      'metadata',
      'annotations',
      'serving.kserve.io/model',
    ]);
    expect(parseConfigKey("spec.predictors[1]['graph'].modelUri")).toEqual([
      'spec',
      'predictors',
      1,
      'graph',
      'modelUri',
    ]);
  });
  test('rejects malformed paths', () => {
    expect(() => parseConfigKey('a..b')).toThrow(/not a valid path/);
    expect(() => parseConfigKey('a[x]')).toThrow(/not a valid path/);
    expect(() => parseConfigKey('')).toThrow(/empty/);
  });
});

describe('setPin keeps everything but the value byte for byte', () => {
  test('by config-key in a multi-document KServe file, selecting the document', () => {
    const { text, match } = setPin(
      example,
      'churn-model.yaml',
      key('spec.predictor.model.storageUri', 'InferenceService/churn-model'),
      NEW,
    );
    expect(match.value).toBe(OLD);
    expect(match.location.line).toBe(18);
    expect(text).toBe(example.replace(OLD, NEW));
  });

  test('by marker comment (kpt-set), with or without the leading #', () => {
    for (const m of ['# kpt-set: ${model}', 'kpt-set: ${model}']) {
      const { text } = setPin(example, 'churn-model.yaml', marker(m), NEW);
      expect(text).toBe(example.replace(OLD, NEW));
    }
  });

  test('the label bot style setter reference after a double-quoted value, and a Flux $imagepolicy marker', () => {
    const cfg =
      'orgs:\n- name: kubeflow\n  automl_model: "projects/1/models/TCN1" # {"$ref":"#/definitions/io.k8s.cli.setters.automl-model"}\n  other: x # unrelated\n';
    const r = setPin(
      cfg,
      'model_config.yaml',
      marker('{"$ref":"#/definitions/io.k8s.cli.setters.automl-model"}'),
      'projects/1/models/TCN2',
    );
    expect(r.text).toBe(cfg.replace('TCN1', 'TCN2'));
    const flux = 'data:\n  model: "v1" # {"$imagepolicy": "flux-system:model"}\n';
    expect(setPin(flux, 'cm.yaml', marker('{"$imagepolicy": "flux-system:model"}'), 'v2').text).toBe(
      flux.replace('v1', 'v2'),
    );
  });

  test('quoting style is kept, and a plain value that needs quotes gets them', () => {
    const single = "data:\n  modelId: 'churn-7'   # trailing\n";
    expect(setPin(single, 'c.yaml', key('data.modelId'), "it's-8").text).toBe(
      "data:\n  modelId: 'it''s-8'   # trailing\n",
    );
    const plain = 'data:\n  modelId: churn-7\n  next: 1\n';
    expect(setPin(plain, 'c.yaml', key('data.modelId'), 'churn: #8').text).toBe(
      'data:\n  modelId: "churn: #8"\n  next: 1\n',
    );
    expect(setPin(plain, 'c.yaml', key('data.modelId'), '8').text).toBe('data:\n  modelId: "8"\n  next: 1\n');
  });

  test('flow mappings, JSON files, list items and an empty value', () => {
    const flow = 'model: {uri: gs://a/1, name: m}\n';
    expect(setPin(flow, 'f.yaml', key('model.uri'), 'gs://a/2').text).toBe('model: {uri: gs://a/2, name: m}\n');
    const json = '{\n  "model": {\n    "uri": "gs://a/1",\n    "n": 1\n  }\n}\n';
    expect(setPin(json, 'm.json', key('model.uri'), 'gs://a/"2"').text).toBe(
      json.replace('"gs://a/1"', '"gs://a/\\"2\\""'),
    );
    const seldon = 'spec:\n  predictors:\n  - graph:\n      modelUri: s3://m/1\n';
    expect(setPin(seldon, 's.yaml', key('spec.predictors[0].graph.modelUri'), 's3://m/2').text).toBe(
      seldon.replace('s3://m/1', 's3://m/2'),
    );
    expect(setPin('data:\n  uri:\n  x: 1\n', 'e.yaml', key('data.uri'), 'gs://a/1').text).toBe(
      'data:\n  uri: gs://a/1\n  x: 1\n',
    );
  });

  test('CRLF line endings and a missing final newline survive', () => {
    const crlf = '# c\r\ndata:\r\n  uri: gs://a/1 # pin\r\n  x: 1';
    expect(setPin(crlf, 'c.yaml', key('data.uri'), 'gs://a/2').text).toBe(crlf.replace('gs://a/1', 'gs://a/2'));
  });

  test('the same value leaves the text untouched', () => {
    expect(setPin(example, 'x.yaml', marker('kpt-set: ${model}'), OLD).text).toBe(example);
  });
});

describe('locator errors name file, line and fix', () => {
  test('a path matching values in several documents', () => {
    const err = userError(() => readPin(example, 'serving/churn-model.yaml', key('spec.predictor.model.storageUri')));
    expect(err.diagnostics.map((d) => d.location?.line)).toEqual([18, 32]);
    expect(err.message).toContain('matches 2 values');
    expect(err.diagnostics[0]!.fix).toContain('document');
  });

  test('a path matching nothing points at the deepest existing key and suggests a typo fix', () => {
    const err = userError(() =>
      readPin(
        example,
        'serving/churn-model.yaml',
        key('spec.predictor.model.storageURI', 'InferenceService/churn-model'),
      ),
    );
    expect(err.diagnostics[0]!.location).toMatchObject({ file: 'serving/churn-model.yaml', line: 14 });
    expect(err.message).toContain("has no key 'storageURI'");
    expect(err.message).toContain("Did you mean 'storageUri'?");
  });

  test('an unknown document names the ones there are', () => {
    const err = userError(() => readPin(example, 'x.yaml', key('spec', 'InferenceService/churn')));
    expect(err.message).toContain('InferenceService/churn-model, InferenceService/churn-model-shadow');
  });

  test('a mapping is not a value; a marker found twice or never', () => {
    expect(
      userError(() => readPin(example, 'x.yaml', key('spec.predictor.model', 'InferenceService/churn-model'))).message,
    ).toContain('names a mapping');
    const twice = 'a: 1 # pin\nb: 2 # pin\n';
    const err = userError(() => readPin(twice, 't.yaml', marker('pin')));
    expect(err.diagnostics.map((d) => d.location?.line)).toEqual([1, 2]);
    expect(userError(() => readPin(twice, 't.yaml', marker('kpt-set'))).message).toContain(
      'No value in this file has a comment',
    );
  });

  test('a block scalar cannot be rewritten in place', () => {
    expect(userError(() => setPin('uri: |\n  gs://a/1\n', 'b.yaml', key('uri'), 'gs://a/2')).message).toContain(
      'block scalar',
    );
  });

  test('invalid YAML is reported with its position', () => {
    const err = userError(() => readPin('a: [1\nb: 2\n', 'bad.yaml', key('a')));
    expect(err.diagnostics[0]!.location?.file).toBe('bad.yaml');
    expect(err.diagnostics[0]!.location?.line).toBeGreaterThan(0);
  });
});
