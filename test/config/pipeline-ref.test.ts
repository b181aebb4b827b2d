import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { loadDesiredState } from '../../src/config/load.js';
import type { ApiVersion } from '../../src/kfp/types.js';
import { TempRepo } from '../support/git-repo.js';
import { repoRoot } from '../support/paths.js';

// pipeline_source.kfp_pipeline (issue 15), checked without KFP: a pipeline declared in pipelines.yaml of the
// folder types and checks the parameters; any other is looked up by name when the plan is made.
const DIR = 'schedules/team-ml';
let repo: TempRepo;
beforeEach(async () => {
  repo = await TempRepo.create(
    {
      [`${DIR}/pipelines.yaml`]:
        'pipelines:\n  - name: batch-predict\n    source: {path: pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml}\n',
    },
    { copyFrom: path.join(repoRoot, 'examples') },
  );
});
afterEach(() => repo.remove());

function runs(...entries: { source: string; params?: string[] }[]): string {
  return `recurring_runs:\n${entries
    .map(
      (e, i) => `  - pipeline_source: ${e.source}
${e.params ? `    pipeline_parameters:\n${e.params.map((p) => `      - ${p}\n`).join('')}` : ''}    job:
      name: s${i}
      enabled: true
      experiment: issue-classifier-scoring
      max_concurrency: 1
      trigger: {interval_seconds: 3600, catchup: false}
`,
    )
    .join('')}`;
}

async function load(text: string, apiVersion: ApiVersion = 'v2beta1') {
  await repo.write({ [`${DIR}/recurring_runs.yaml`]: text });
  const state = await loadDesiredState([DIR], { root: repo.dir, apiVersion });
  const errors = state.diagnostics.filter((d) => d.severity !== 'warning');
  return { jobs: state.namespaces[0]?.jobs ?? [], errors: errors.map((e) => `${e.location?.line} ${e.message}`) };
}

describe('pipeline_source.kfp_pipeline', () => {
  test('a declared pipeline: version defaults to current, parameters checked and typed by its file', async () => {
    const { jobs, errors } = await load(
      runs(
        { source: '{kfp_pipeline: batch-predict}', params: ['{name: model_uri, value: gs://m}'] },
        { source: '{kfp_pipeline: batch-predict, version: latest}', params: ['{name: model_uri, value: gs://m}'] },
      ),
    );
    expect(errors).toEqual([]);
    expect(jobs.map((j) => j.pipelineRef)).toEqual([
      { name: 'batch-predict', version: 'current', declared: true },
      { name: 'batch-predict', version: 'latest', declared: true },
    ]);
    expect(jobs[0]!.pipeline?.inputs.map((i) => i.name)).toEqual(['model_uri', 'batch_size']);
  });

  test("a declared pipeline's inputs: unknown, missing and mistyped parameters are errors at their lines", async () => {
    const { jobs, errors } = await load(
      runs({
        source: '{kfp_pipeline: batch-predict}',
        params: ['{name: model_url, value: gs://m}', '{name: batch_size, value: many}'],
      }),
    );
    expect(jobs).toEqual([]);
    expect(errors).toEqual([
      expect.stringMatching(/^3 .*requires 'model_uri'/),
      expect.stringMatching(/^4 Parameter 'model_url' is not an input.*Did you mean 'model_uri'/),
      expect.stringMatching(/^5 Parameter .*batch_size/),
    ]);
  });

  test('an undeclared pipeline is left to the plan (looked up by name); version without kfp_pipeline is refused', async () => {
    const { jobs, errors } = await load(
      runs(
        { source: '{kfp_pipeline: managed-by-argo-cd, version: v3}', params: ['{name: anything, value: x}'] },
        { source: '{path: pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml, version: latest}' },
        { source: '{kfp_pipeline: batch-predict, path: pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml}' },
      ),
    );
    expect(jobs.map((j) => [j.name, j.pipelineRef, j.pipeline])).toEqual([
      ['s0', { name: 'managed-by-argo-cd', version: 'v3', declared: false }, undefined],
    ]);
    expect(errors).toEqual([
      expect.stringMatching(/^1[0-9] pipeline_source.version 'latest' is only read with kfp_pipeline/),
      expect.stringMatching(/^1[0-9] /),
    ]);
  });

  test('v1beta1: a pipeline registered outside git may be run (KFP v1 jobs reference a version); latest is planned as current', async () => {
    await fs.rm(path.join(repo.dir, DIR, 'pipelines.yaml')); // registering pipelines from git needs v2beta1
    const { jobs, errors } = await load(runs({ source: '{kfp_pipeline: other, version: latest}' }), 'v1beta1');
    expect(errors).toEqual([]);
    expect(jobs.map((j) => j.pipelineRef)).toEqual([{ name: 'other', version: 'latest', declared: false }]);
  });
});
