import { describe, expect, test } from '@jest/globals';
import type { ModelPrResult } from '../../src/models/model-pr.js';
import { modelPrMarkdown } from '../../src/models/pr-report.js';

const latest = { id: 'churn__v2__', uri: 's3://models/<team>/churn__v2__', created: new Date('2026-01-17T04:00:00Z') };

function result(operation: ModelPrResult['operation'], why: string): ModelPrResult {
  return {
    operation,
    base: 'main',
    branch: 'auto-update-model',
    current: 's3://models/<team>/churn__v1__',
    match: {
      value: '',
      path: [],
      location: { file: 'serving/model.yaml', line: 18 },
      start: 0,
      end: 0,
      type: undefined,
      docIndex: 0,
    },
    pr: { number: 7, url: 'https://github.com/acme/serving/pull/7', open: true },
    why,
  };
}

const summary = (operation: ModelPrResult['operation'], why: string) =>
  modelPrMarkdown({
    result: result(operation, why),
    latest,
    desired: latest.uri,
    path: 'serving/model.yaml',
    clock: new Date('2026-01-25T00:00:00Z'),
    repo: 'acme/serving',
  });

describe('open-model-pr job summary', () => {
  test('a run that changed nothing says the PR is unchanged (not "(none)")', () => {
    const md = summary('none', 'PR #7 already proposes the model with the same tree; nothing was written.');
    expect(md).toContain('Pull request: [#7](https://github.com/acme/serving/pull/7) (unchanged).');
    expect(summary('updated', 'x')).toContain('(updated).');
  });

  test('model URIs in the sentence render as written: no HTML swallowed, no bold from __', () => {
    const md = summary('created', `A PR is opened to pin ${latest.uri} (base pins s3://models/<team>/churn__v1__).`);
    expect(md.split('\n')[2]).toBe(
      'A PR is opened to pin s3://models/\\<team\\>/churn\\_\\_v2\\_\\_ (base pins s3://models/\\<team\\>/churn\\_\\_v1\\_\\_).',
    );
    expect(md).toContain('| `s3://models/<team>/churn__v2__` | `churn__v2__` | 7d 20h |'); // code spans in the table stay literal
  });
});
