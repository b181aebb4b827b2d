import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { repoRoot } from '../support/paths.js';
import { loadDesiredState } from '../../src/config/load.js';
import type { ApiVersion } from '../../src/kfp/types.js';

/**
 * What KFP refuses on create (kubeflow/pipelines 2.17.0, backend/src/apiserver/…) is refused by the
 * checker first, located in the config, so push-reconcile never plans a change that fails on every apply.
 */
const NOW = new Date('2026-06-01T12:00:00Z');
const repos: TempRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((r) => r.remove()));
});

const V1 = 'pipelines/train-model/RENDERED_PIPELINE/workflow.yaml';
const V2 = 'pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml';

function runs(pipeline: string, params: string, trigger = 'cron: "0 30 2 * * *"'): string {
  return `recurring_runs:
  - pipeline_source:
      path: ${pipeline}
    pipeline_parameters:
${params}
    job:
      enabled: true
      name: train
      experiment: exp
      max_concurrency: 1
      trigger:
        catchup: false
        ${trigger}
`;
}
const V1_PARAMS =
  '      - name: learning_rate\n        value: "0.01"\n      - name: dataset_uri\n        value: gs://b/d';
const V2_PARAMS = '      - name: model_uri\n        value: gs://m';

async function check(files: Record<string, string>, apiVersion?: ApiVersion) {
  const repo = await TempRepo.create(
    {
      'cfg/experiments.yaml': 'experiments:\n  - name: exp\n',
      'cfg/recurring_runs.yaml': runs(V1, V1_PARAMS),
      ...files,
    },
    { copyFrom: path.join(repoRoot, 'examples') },
  );
  repos.push(repo);
  const state = await loadDesiredState(['cfg'], { root: repo.dir, now: NOW, apiVersion });
  const errors = state.diagnostics.filter((d) => d.severity !== 'warning');
  return {
    errors: errors.map((d) => `${d.location?.file}:${d.location?.line} ${d.message} Fix: ${d.fix}`),
    jobs: state.namespaces[0]?.jobs.length ?? 0,
  };
}

describe('the checker refuses what KFP refuses on create', () => {
  test('a valid v1 and v2 config passes (the baseline of every case below)', async () => {
    expect(await check({})).toEqual({ errors: [], jobs: 1 });
    expect(await check({ 'cfg/recurring_runs.yaml': runs(V2, V2_PARAMS) }, 'v2beta1')).toEqual({ errors: [], jobs: 1 });
  });

  // validation/length.go: Experiment.Name ≤ 128, checked with Go's len(), i.e. bytes.
  test('experiment names are limited to 128 bytes, not characters', async () => {
    const name = 'é'.repeat(70); // 70 characters (the schema's limit is 128), 140 bytes
    const r = await check({ 'cfg/experiments.yaml': `experiments:\n  - name: ${name}\n  - name: exp\n` });
    expect(r.errors).toEqual([
      expect.stringMatching(
        /^cfg\/experiments\.yaml:2 experiments\[0\]\.name is 140 bytes long, over the 128 bytes KFP can take here\. Fix: shorten it to at most 128 bytes/,
      ),
    ]);
    expect(
      (await check({ 'cfg/experiments.yaml': `experiments:\n  - name: ${'é'.repeat(64)}\n  - name: exp\n` })).errors,
    ).toEqual([]);
  });

  // template/v2_template.go NewV2SpecTemplate: only schemaVersion 2.1.0.
  test('a v2 pipeline of another schema version is refused at its schemaVersion line', async () => {
    const repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
    repos.push(repo);
    const text = (await repo.read(V2)).replace('schemaVersion: 2.1.0', 'schemaVersion: 2.0.0');
    const r = await check({ [V2]: text, 'cfg/recurring_runs.yaml': runs(V2, V2_PARAMS) });
    expect(r.errors).toEqual([
      `${V2}:42 Not a valid KFP pipeline: schemaVersion is "2.0.0"; KFP takes only pipeline specs of schema version 2.1.0. Fix: recompile the pipeline with the KFP SDK 2.x, which writes schemaVersion 2.1.0.`,
    ]);
  });

  // template/v2_template.go validatePipelineJobInputs: a required input needs a value; "" is not sent.
  test('a required v2 input given as "" is refused', async () => {
    const r = await check({ 'cfg/recurring_runs.yaml': runs(V2, '      - name: model_uri\n        value: ""') });
    expect(r.errors).toEqual([
      expect.stringMatching(
        /^cfg\/recurring_runs\.yaml:4 Pipeline 'batch-predict' requires input 'model_uri', and its value is empty/,
      ),
    ]);
  });

  // server/api_converter.go toModelParameters: serialized Argo parameters over MAX_PARAMETER_BYTES (10,000) → 400.
  test('v1 Argo parameters over 10,000 bytes as KFP serializes them are refused', async () => {
    const fits =
      '      - name: learning_rate\n        value: "0.01"\n      - name: dataset_uri\n        value: "' +
      'x'.repeat(9_900) +
      '"';
    expect((await check({ 'cfg/recurring_runs.yaml': runs(V1, fits) })).errors).toEqual([]);
    // 2,000 '<' are 2,000 characters but 12,000 bytes once Go's encoding/json escapes them as \u003c.
    const escaped =
      '      - name: learning_rate\n        value: "0.01"\n      - name: dataset_uri\n        value: "' +
      '<'.repeat(2_000) +
      '"';
    expect((await check({ 'cfg/recurring_runs.yaml': runs(V1, escaped) })).errors).toEqual([
      expect.stringMatching(
        /^cfg\/recurring_runs\.yaml:4 The parameters of 'train-model' take 12\d{3} bytes as KFP stores them; KFP refuses more than 10000\./,
      ),
    ]);
  });

  test('an Argo (v1) pipeline with parameters is a config error with api-version v2beta1', async () => {
    expect((await check({}, 'v1beta1')).errors).toEqual([]);
    expect((await check({}, 'v2beta1')).errors).toEqual([
      expect.stringMatching(
        /^cfg\/recurring_runs\.yaml:4 'train-model' is a KFP v1 \(Argo\) workflow with parameters, and KFP's v2beta1 API cannot pass parameters .* Fix: set api-version to v1beta1/,
      ),
    ]);
  });

  // The zero Timestamp is omitted by KFP: a 1970-01-01T00:00:00Z date never reads back as written.
  test.each(['start_date', 'end_date'])('%s of exactly 1970-01-01T00:00:00Z is refused, located', async (key) => {
    const r = await check({
      'cfg/recurring_runs.yaml': runs(V1, V1_PARAMS, `cron: "0 30 2 * * *"\n        ${key}: "1970-01-01T00:00:00Z"`),
    });
    expect(r.errors).toEqual([
      expect.stringMatching(
        new RegExp(`^cfg/recurring_runs\\.yaml:17 ${key} '1970-01-01T00:00:00Z' is the zero timestamp`),
      ),
    ]);
    expect(
      (
        await check({
          'cfg/recurring_runs.yaml': runs(
            V1,
            V1_PARAMS,
            `cron: "0 30 2 * * *"\n        ${key}: "1970-01-01T00:00:01Z"`,
          ),
        })
      ).errors.filter((e) => !/end_date|start_date \(/.test(e)),
    ).toEqual([]);
  });
});
