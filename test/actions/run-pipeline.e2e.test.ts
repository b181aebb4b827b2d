import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import type { RunRecord } from '../../src/kfp/emulator/state.js';
import { expectContract } from '../kfp/helpers.js';
import { TempRepo } from '../support/git-repo.js';
import { spawnAction, spawnCli } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';

const TRAIN = 'pipelines/train-model/RENDERED_PIPELINE/workflow.yaml';
const PREDICT = 'pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml';
const FAST = { pendingMs: 300, runningMs: 500 }; // margins for a loaded machine: each state is seen at least once
const ENV = {
  KFP_GITOPS_NOW: '2026-11-22T14:00:00Z',
  GITHUB_SHA: 'abc123def4567890',
  GITHUB_REPOSITORY: 'acme/pipelines',
  GITHUB_RUN_ID: '42',
};

let emu: KfpEmulator;
let repo: TempRepo;

beforeAll(async () => {
  emu = await startKfpEmulator({ runTiming: FAST });
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
});
afterAll(async () => {
  await emu.close();
  await repo.remove();
});
beforeEach(() => {
  for (const id of [...emu.state.experiments.keys()]) emu.state.experiments.delete(id);
  emu.state.runs.clear();
  emu.state.runTiming = { ...FAST };
  emu.state.runOutcome = 'SUCCEEDED';
  emu.state.seedExperiment({ name: 'issue-classifier-training', namespace: 'team-ml' });
  emu.log.clear();
});
afterEach(() => expectContract(emu));

const runPipeline = (inputs: Record<string, string>) =>
  spawnAction(
    'run-pipeline',
    {
      'kfp-host': emu.url,
      namespace: 'team-ml',
      experiment: 'issue-classifier-training',
      'poll-interval': '0.05s',
      ...inputs,
    },
    { workspace: repo.dir, env: ENV },
  );

const onlyRun = (): RunRecord => {
  const runs = [...emu.state.runs.values()];
  expect(runs).toHaveLength(1);
  return runs[0]!;
};
const errors = (r: Awaited<ReturnType<typeof runPipeline>>) => r.annotations.filter((a) => a.kind === 'error');

describe('run-pipeline over real HTTP against the KFP emulator', () => {
  test('a v1 Argo workflow with params/ and an override runs to SUCCEEDED (v1beta1), with progress, outputs and summary', async () => {
    const r = await runPipeline({ pipeline: TRAIN, parameters: 'learning_rate: 0.02' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const run = onlyRun();
    expect(run.name).toBe('MANUAL::train-model__2026-11-22T14-00-00Z');
    expect(run.namespace).toBe('team-ml');
    expect(run.description).toBe(
      `One-off run of ${TRAIN}.\n\n[kfp-gitops: commit abc123def456 · https://github.com/acme/pipelines/actions/runs/42]`,
    );
    // The input overrides params/learning_rate; params/dataset_uri is read as is; epochs keeps its default.
    expect(run.pipeline).toMatchObject({
      kind: 'argo',
      parameters: [
        { name: 'learning_rate', value: '0.02' },
        { name: 'dataset_uri', value: 'gs://example-bucket/datasets/issues/latest' },
      ],
    }); // declaration order
    expect(r.outputs).toEqual({
      'run-id': run.id,
      'run-url': `${emu.origin}/pipeline/#/runs/details/${run.id}`,
      state: 'SUCCEEDED',
    });
    // One progress line per state, in order.
    const states = r.stdout
      .split('\n')
      .map((l) => /^(PENDING|RUNNING|SUCCEEDED)\s+after /.exec(l)?.[1])
      .filter(Boolean);
    expect(states).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
    expect(emu.log.counts()['POST /apis/v1beta1/runs']).toBe(1);
    expect(r.summary).toContain(`## ✅ Run ${run.name} SUCCEEDED`);
    expect(r.summary).toContain(`[${run.name}](${r.outputs['run-url']})`);
    expect(r.summary).toContain('| `learning_rate` | `0.02` | input `parameters` |');
    expect(r.summary).toContain(
      '| `dataset_uri` | `gs://example-bucket/datasets/issues/latest` | `pipelines/train-model/RENDERED_PIPELINE/params/dataset_uri` |',
    );
    expect(r.summary).toContain('| `epochs` | `10` | pipeline default |');
  });

  test.each([
    ['v2beta1', 'POST /apis/v2beta1/runs'],
    ['v1beta1', 'POST /apis/v1beta1/runs'],
  ])('a v2 IR pipeline runs through %s with typed parameters', async (apiVersion, route) => {
    const r = await runPipeline({
      pipeline: path.dirname(PREDICT),
      parameters: '{"batch_size": 32}',
      'api-version': apiVersion,
      'run-name': 'score-now',
    });
    expect(r.code).toBe(0);
    const run = onlyRun();
    expect(run.name).toBe('score-now');
    expect(run.pipeline).toMatchObject({
      kind: 'ir',
      parameters: { model_uri: 'gs://example-bucket/models/issue-classifier/v12', batch_size: 32 },
    });
    expect(r.outputs.state).toBe('SUCCEEDED');
    expect(emu.log.counts()[route]).toBe(1);
  });

  test('a failed run fails the step with its state and UI link', async () => {
    emu.state.runOutcome = 'FAILED';
    const r = await runPipeline({ pipeline: TRAIN });
    expect(r.code).toBe(1);
    const run = onlyRun();
    expect(r.outputs).toEqual({
      'run-id': run.id,
      'run-url': `${emu.origin}/pipeline/#/runs/details/${run.id}`,
      state: 'FAILED',
    });
    expect(errors(r).map((a) => a.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Run ${run.name} ended FAILED after .*See ${r.outputs['run-url']!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`,
        ),
      ),
    ]);
    expect(r.summary).toContain(`## ❌ Run ${run.name} ended FAILED`);
  });

  test('a run that outlasts the timeout fails the step and is left running', async () => {
    emu.state.runTiming = { pendingMs: 50, runningMs: 60_000 };
    const r = await runPipeline({ pipeline: TRAIN, timeout: '1s', 'poll-interval': '0.2s' });
    expect(r.code).toBe(1);
    expect(r.outputs.state).toBe('RUNNING');
    expect(errors(r)[0]?.message).toMatch(
      /did not finish within 1s: still RUNNING; it keeps running in KFP\. See http:\/\/127\.0\.0\.1:\d+\/pipeline\/#\/runs\/details\//,
    );
    expect(emu.state.runState(onlyRun()).state).toBe('RUNNING');
    const polls = emu.log.counts()['GET /apis/v1beta1/runs/{run_id}'] ?? 0;
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(8);
  });

  // The KFP side: resource_manager.go TerminateRun (the run reads CANCELING, v1 Terminating).
  test('on-timeout: terminate stops the KFP run when the wait times out; the summary says so', async () => {
    emu.state.runTiming = { pendingMs: 50, runningMs: 60_000, cancelingMs: 60_000 };
    const r = await runPipeline({ pipeline: TRAIN, timeout: '1s', 'poll-interval': '0.2s', 'on-timeout': 'terminate' });
    expect(r.code).toBe(1);
    expect(emu.log.counts()['POST /apis/v1beta1/runs/{run_id}/terminate']).toBe(1);
    expect(emu.state.runState(onlyRun()).state).toBe('CANCELING');
    expect(r.outputs.state).toBe('CANCELING');
    expect(errors(r)[0]?.message).toMatch(/did not finish within 1s; the KFP run was terminated \(CANCELING\)\. See /);
    expect(r.summary).toContain('the KFP run was terminated (CANCELING)');
  });

  test.each([
    ['SIGINT', 'true'],
    ['SIGTERM', 'true'],
    ['SIGINT', 'false'],
  ])('a workflow cancelled while the step waits (%s, terminate-on-cancel %s)', async (signal, terminateOnCancel) => {
    emu.state.runTiming = { pendingMs: 0, runningMs: 60_000, cancelingMs: 60_000 };
    const r = await spawnAction(
      'run-pipeline',
      {
        'kfp-host': emu.url,
        namespace: 'team-ml',
        experiment: 'issue-classifier-training',
        'poll-interval': '0.05s',
        pipeline: TRAIN,
        'terminate-on-cancel': terminateOnCancel,
      },
      { workspace: repo.dir, env: ENV, signalWhen: { stdout: /RUNNING\s+after/, signal: signal as NodeJS.Signals } },
    );
    expect(r.code).toBe(1);
    const terminated = terminateOnCancel === 'true';
    expect(emu.state.runState(onlyRun()).state).toBe(terminated ? 'CANCELING' : 'RUNNING');
    expect(r.summary).toContain(terminated ? 'was cancelled after' : 'it keeps running in KFP');
    expect(r.summary).toContain(terminated ? 'the KFP run was terminated (CANCELING)' : 'Waiting for run');
  });

  test('wait: false submits and returns without polling', async () => {
    const r = await runPipeline({ pipeline: TRAIN, wait: 'false' });
    expect(r.code).toBe(0);
    expect(r.outputs.state).toBe('PENDING');
    expect(r.outputs['run-id']).toBe(onlyRun().id);
    expect(emu.log.counts()['GET /apis/v1beta1/runs/{run_id}']).toBeUndefined();
    expect(r.summary).toContain('not waiting for it');
  });

  test('kfp-ui-url sets the link for an in-cluster kfp-host', async () => {
    const r = await runPipeline({
      pipeline: TRAIN,
      wait: 'false',
      'kfp-ui-url': 'https://kubeflow.example.com/pipeline/',
    });
    expect(r.outputs['run-url']).toBe(`https://kubeflow.example.com/pipeline/#/runs/details/${onlyRun().id}`);
  });
});

describe('run-pipeline refuses bad input before any KFP call', () => {
  test('an unknown parameter is reported at the pipeline file, with a suggestion', async () => {
    const r = await runPipeline({ pipeline: TRAIN, parameters: 'learning_rat: 0.1' });
    expect(r.code).toBe(1);
    expect(emu.log.calls).toBe(0);
    expect(r.outputs).toEqual({ 'run-id': '', 'run-url': '', state: '' });
    const [e] = errors(r);
    expect(e?.props.file).toBe(TRAIN);
    expect(e?.props.line).toBe('16'); // spec.arguments.parameters
    expect(e?.message).toContain(
      "Parameter 'learning_rat' (from input 'parameters') is not an input of pipeline 'train-model'. Did you mean 'learning_rate'?",
    );
  });

  test('a missing required input points at its declaration; a params/ file that is no input points at itself', async () => {
    const dir = 'pipelines/train-model/RENDERED_PIPELINE/params';
    await fs.rename(repo.path(`${dir}/dataset_uri`), repo.path(`${dir}/dataset`));
    try {
      const r = await runPipeline({ pipeline: TRAIN });
      expect(r.code).toBe(1);
      expect(emu.log.calls).toBe(0);
      const found = errors(r)
        .filter((a) => a.props.file)
        .map((a) => [a.props.file, a.props.line, a.message.split('.')[0]]);
      expect(found).toEqual([
        [
          `${dir}/dataset`,
          '1',
          "Parameter 'dataset' (from file pipelines/train-model/RENDERED_PIPELINE/params/dataset) is not an input of pipeline 'train-model'",
        ],
        [TRAIN, '19', "Pipeline 'train-model' requires input 'dataset_uri' (String), which is not given"],
      ]);
    } finally {
      await fs.rename(repo.path(`${dir}/dataset`), repo.path(`${dir}/dataset_uri`));
    }
  });

  test('a v2 value of the wrong type is refused', async () => {
    const r = await runPipeline({ pipeline: PREDICT, parameters: 'batch_size: lots', 'api-version': 'v2beta1' });
    expect(r.code).toBe(1);
    expect(emu.log.calls).toBe(0);
    expect(errors(r)[0]).toMatchObject({
      props: { file: PREDICT, line: '38' },
      message: expect.stringContaining("'batch_size' is an integer input; 'lots' is not a whole number"),
    });
  });

  test('an Argo workflow with parameters over v2beta1 is refused (KFP would drop the parameters)', async () => {
    const r = await runPipeline({ pipeline: TRAIN, 'api-version': 'v2beta1' });
    expect(r.code).toBe(1);
    expect(emu.log.calls).toBe(0);
    expect(errors(r)[0]).toMatchObject({
      props: { file: TRAIN },
      message: expect.stringContaining('set api-version to v1beta1'),
    });
  });

  test('bad inputs name the input and the expected form', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ pipeline: 'nope.yaml' }, /Input 'pipeline': 'nope\.yaml' does not exist/],
      [{ pipeline: TRAIN, parameters: '[1, 2]' }, /Input 'parameters' must be a mapping/],
      [{ pipeline: TRAIN, timeout: '2 hours' }, /Input 'timeout' must be a duration/],
      [{ pipeline: TRAIN, experiment: '' }, /Input required and not supplied: experiment/],
    ];
    for (const [inputs, message] of cases) {
      const r = await runPipeline(inputs);
      expect([inputs, r.code]).toEqual([inputs, 1]);
      expect(errors(r)[0]?.message).toMatch(message);
    }
    expect(emu.log.calls).toBe(0);
  });

  test('an experiment that does not exist is not created; the error suggests the near name', async () => {
    const r = await runPipeline({ pipeline: TRAIN, experiment: 'issue-classifier-trainin' });
    expect(r.code).toBe(1);
    expect(errors(r)[0]?.message).toMatch(
      /Experiment 'issue-classifier-trainin' does not exist in namespace 'team-ml'\. Did you mean 'issue-classifier-training'\?/,
    );
    expect(emu.state.runs.size).toBe(0);
    expect(emu.log.writes).toBe(0);
  });
});

describe('kfp-gitops run-pipeline (the CLI, same code path)', () => {
  test('flags mirror the inputs; outputs are printed', async () => {
    const r = await spawnCli(
      [
        'run-pipeline',
        '--pipeline',
        TRAIN,
        '--parameters',
        'epochs: 3',
        '--experiment',
        'issue-classifier-training',
        '--kfp-host',
        emu.url,
        '--namespace',
        'team-ml',
        '--poll-interval',
        '0.05s',
      ],
      { cwd: repo.dir, env: { KFP_GITOPS_NOW: ENV.KFP_GITOPS_NOW } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const run = onlyRun();
    expect(run.pipeline).toMatchObject({ parameters: expect.arrayContaining([{ name: 'epochs', value: '3' }]) });
    expect(r.stdout).toContain(`run-id=${run.id}`);
    expect(r.stdout).toContain('state=SUCCEEDED');
    expect(r.stdout).toContain('## ✅ Run MANUAL::train-model__2026-11-22T14-00-00Z SUCCEEDED');
  });
});
