import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import type { TempRepo } from '../support/git-repo.js';
import { runWorkflow, type RunWorkflowOptions } from '../support/workflow-runner/runner.js';
import { errorsOf, examplesRepo, results, TEMPLATES } from './helpers.js';

/**
 * The pipelines starter template (workflows-templates/kfp-pipelines.yml) with check-pipelines-rendered.yml
 * and retrain.yml, and retrain.yml's scheduled form (model-source) from a caller, end to end against the
 * KFP emulator.
 */
jest.setTimeout(180_000); // several workflow runs per test, each starting a few node processes
const REPO = 'acme/pipelines';
const KFP_TOKEN = 'kfp-sa-token-pipelines';
const EXPERIMENT = 'issue-classifier-training';

let emu: KfpEmulator;
let repo: TempRepo;
let stale: TempRepo;

beforeAll(async () => {
  emu = await startKfpEmulator({ auth: { tokens: [KFP_TOKEN] }, runTiming: { pendingMs: 0, runningMs: 0 } });
  repo = await examplesRepo({ pr: 5, only: ['pipelines', 'models'] });
  // A pull request that edits a pipeline's source without rendering it again.
  const template = 'pipelines/train-model/pipeline.template.yaml';
  stale = await examplesRepo({
    pr: 6,
    only: ['pipelines'],
    change: { [template]: (await repo.read(template)).replace('python:3.11-slim', 'python:3.12-slim') },
  });
});
afterAll(async () => {
  await emu.close();
  await repo.remove();
  await stale.remove();
});
beforeEach(() => {
  emu.state.runs.clear();
  if (![...emu.state.experiments.values()].some((e) => e.name === EXPERIMENT))
    emu.state.seedExperiment({ name: EXPERIMENT, namespace: 'team-ml' });
});

const pipelines = (opts: Partial<RunWorkflowOptions> & Pick<RunWorkflowOptions, 'event' | 'ref'>) =>
  runWorkflow({
    workflow: path.join(TEMPLATES, 'kfp-pipelines.yml'),
    repository: { dir: repo.dir, fullName: REPO },
    vars: { KFP_HOST: emu.url, KFP_NAMESPACE: 'team-ml' },
    secrets: { KFP_TOKEN },
    ...opts,
  });
const prPayload = (n: number) => ({
  number: n,
  pull_request: { number: n, head: { ref: 'feature' }, base: { ref: 'main' } },
});

describe('kfp-pipelines.yml', () => {
  test('pull request with fresh renders: rendered passes, no retrain', async () => {
    const run = await pipelines({ event: 'pull_request', ref: 'refs/pull/5/merge', payload: prPayload(5) });
    expect(results(run)).toEqual({
      rendered: 'success',
      'rendered / rendered': 'success',
      retrain: 'skipped',
    });
    expect(run.jobs.rendered!.outputs).toEqual({ result: 'fresh', 'stale-files': '[]' });
    expect(run.jobs['rendered / rendered']!.steps.map((s) => `${s.name}: ${s.conclusion}`)).toEqual([
      'Run actions/checkout: success',
      'Run actions/setup-python: skipped',
      'Install the render toolchain: skipped',
      'Run $/actions/check-rendered: success',
    ]);
    expect(run.warnings).toEqual([]);
    expect(emu.state.runs.size).toBe(0);
  });

  test('pull request with a stale render: rendered fails with the stale file in its outputs', async () => {
    const run = await pipelines({
      event: 'pull_request',
      ref: 'refs/pull/6/merge',
      payload: prPayload(6),
      repository: { dir: stale.dir, fullName: REPO },
    });
    expect(results(run)).toMatchObject({ rendered: 'failure', 'rendered / rendered': 'failure', retrain: 'skipped' });
    expect(run.jobs.rendered!.outputs).toEqual({
      result: 'stale',
      'stale-files': '["pipelines/train-model/RENDERED_PIPELINE/workflow.yaml"]',
    });
    expect(errorsOf(run, 'rendered / rendered').join('\n')).toContain(
      'run pipelines/train-model/render_pipeline.sh and commit',
    );
  });

  test('Run workflow (workflow_dispatch) with a parameter override: one run on KFP, outputs carried to the caller', async () => {
    const run = await pipelines({
      event: 'workflow_dispatch',
      ref: 'refs/heads/main',
      inputs: {
        pipeline: 'pipelines/train-model/RENDERED_PIPELINE',
        parameters: 'learning_rate: 0.02',
        experiment: EXPERIMENT,
      },
    });
    expect(results(run)).toEqual({
      rendered: 'skipped',
      retrain: 'success',
      'retrain / freshness': 'skipped',
      'retrain / run': 'success',
      'retrain / gate': 'success',
    });
    const [kfpRun] = [...emu.state.runs.values()];
    expect(emu.state.runs.size).toBe(1);
    expect(run.jobs.retrain!.outputs).toEqual({
      'run-id': kfpRun!.id,
      'run-url': expect.stringContaining(kfpRun!.id),
      state: 'SUCCEEDED',
      'needs-retrain': 'true',
      reason: '',
    });
    expect(JSON.stringify(kfpRun)).toContain('0.02');
    expect(run.log).not.toContain(KFP_TOKEN);
  });

  test("a wrong input and a missing secret fail with run-pipeline's own messages; nothing runs", async () => {
    const wrong = await pipelines({
      event: 'workflow_dispatch',
      ref: 'refs/heads/main',
      inputs: { experiment: 'no-such-experiment' },
    });
    expect(results(wrong)).toMatchObject({
      'retrain / run': 'failure',
      'retrain / gate': 'failure',
      retrain: 'failure',
    });
    expect(errorsOf(wrong, 'retrain / run').join('\n')).toContain('no-such-experiment');
    const noSecret = await pipelines({
      event: 'workflow_dispatch',
      ref: 'refs/heads/main',
      inputs: { experiment: EXPERIMENT },
      secrets: {},
    });
    expect(results(noSecret)).toMatchObject({ 'retrain / run': 'failure', 'retrain / gate': 'failure' });
    expect(noSecret.log).toMatch(/401|Unauthorized|credentials/i);
    expect(emu.state.runs.size).toBe(0);
  });
});

describe('retrain.yml on a schedule, gated by model freshness', () => {
  const caller = `
name: nightly retrain
on:
  schedule: [{cron: '0 4 * * *'}]
  workflow_dispatch:
permissions: {}
jobs:
  retrain:
    permissions: {contents: read, actions: read}
    uses: your-org/kfp-gitops/.github/workflows/retrain.yml@v1
    with:
      pipeline: pipelines/train-model/RENDERED_PIPELINE
      experiment: ${EXPERIMENT}
      kfp-host: \${{ vars.KFP_HOST }}
      namespace: team-ml
      model-source: file:models/trained-models.json
      max-age: 7d
      poll-interval: 0.05s
    secrets:
      KFP_TOKEN: \${{ secrets.KFP_TOKEN }}
`;
  const nightly = (now: string, event = 'schedule') =>
    runWorkflow({
      workflow: 'nightly.yml',
      content: caller,
      repository: { dir: repo.dir, fullName: REPO },
      event,
      ref: 'refs/heads/main',
      vars: { KFP_HOST: emu.url },
      secrets: { KFP_TOKEN },
      env: { KFP_GITOPS_NOW: now },
    });

  test('a fresh model: the run job is skipped, the gate passes, outputs say why', async () => {
    const run = await nightly('2026-01-20T00:00:00Z');
    expect(results(run)).toEqual({
      retrain: 'success',
      'retrain / freshness': 'success',
      'retrain / run': 'skipped',
      'retrain / gate': 'success',
    });
    expect(run.jobs.retrain!.outputs).toEqual({
      'run-id': '',
      'run-url': '',
      state: '',
      'needs-retrain': 'false',
      reason: 'fresh',
    });
    expect(emu.state.runs.size).toBe(0);
  });

  test('a model too old: one run; a manual dispatch runs even when fresh', async () => {
    const old = await nightly('2026-03-01T00:00:00Z');
    expect(results(old)).toEqual({
      retrain: 'success',
      'retrain / freshness': 'success',
      'retrain / run': 'success',
      'retrain / gate': 'success',
    });
    expect(old.jobs.retrain!.outputs).toMatchObject({ state: 'SUCCEEDED', 'needs-retrain': 'true', reason: 'too-old' });
    const manual = await nightly('2026-01-20T00:00:00Z', 'workflow_dispatch');
    expect(results(manual)['retrain / run']).toBe('success');
    expect(manual.jobs.retrain!.outputs).toMatchObject({
      'needs-retrain': 'false',
      reason: 'fresh',
      state: 'SUCCEEDED',
    });
    expect(emu.state.runs.size).toBe(2);
  });
});
