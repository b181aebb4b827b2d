import { describe, expect, test } from '@jest/globals';
import { compareRendered } from '../../src/render/compare.js';

const ignore = new Set(['pipelines.kubeflow.org/pipeline_compilation_time']);

describe('compareRendered', () => {
  test('a YAML file differing only in an ignored key, at any depth, is equal', () => {
    const a = 'metadata:\n  annotations:\n    pipelines.kubeflow.org/pipeline_compilation_time: "1"\nspec: {x: 1}\n';
    const b = 'metadata:\n  annotations:\n    pipelines.kubeflow.org/pipeline_compilation_time: "2"\nspec:\n  x: 1\n';
    expect(compareRendered('w.yaml', a, b, ignore)).toEqual({ equal: true, keys: [] });
  });

  test('a real change is reported with its data path', () => {
    const r = compareRendered('w.yaml', 'spec:\n  steps: [a, b]\n', 'spec:\n  steps: [a, c]\n', ignore);
    expect(r).toEqual({ equal: false, keys: ['spec.steps[1]'] });
  });

  test('non-YAML files compare as text; absent vs present differs', () => {
    expect(compareRendered('params/x', 'a', 'a', ignore).equal).toBe(true);
    expect(compareRendered('params/x', 'a', 'a\n', ignore).equal).toBe(false);
    expect(compareRendered('params/x', undefined, 'a', ignore).equal).toBe(false);
    expect(compareRendered('params/x', undefined, undefined, ignore).equal).toBe(true);
  });

  test('the ignored key still matters in a file that is not YAML data', () => {
    expect(
      compareRendered(
        'w.txt',
        'pipelines.kubeflow.org/pipeline_compilation_time: 1',
        'pipelines.kubeflow.org/pipeline_compilation_time: 2',
        ignore,
      ).equal,
    ).toBe(false);
  });
});
