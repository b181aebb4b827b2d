import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { versionsOf } from '../support/schedule-versions.js';
import { TempRepo } from '../support/git-repo.js';
import { spawnAction } from '../support/run-action.js';
import { describeWithShared, repoRoot, sharedDir } from '../support/paths.js';

let emu: KfpEmulator | undefined;
let repo: TempRepo | undefined;
afterEach(async () => {
  await emu?.close();
  await repo?.remove();
  emu = undefined;
  repo = undefined;
});

/** One v2 schedule (batch-predict of examples/) in folder `team-ml`; keep_history 0 deletes the replaced version. */
const scoring = (pipeline: string, batchSize: string) => `recurring_runs:
  - pipeline_source:
      path: ${pipeline}
    pipeline_parameters:
      - name: model_uri
        value: gs://models/m
      - name: batch_size
        value: "${batchSize}"
    keep_history: 0
    job:
      enabled: true
      name: score-hourly
      experiment: issue-classifier-scoring
      max_concurrency: 1
      trigger:
        catchup: false
        interval_seconds: 3600
`;
const BATCH = 'pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml';

async function scoringRepo(pipeline = BATCH, files: Record<string, string> = {}): Promise<TempRepo> {
  const r = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  await r.write({ 'schedules/team-ml/recurring_runs.yaml': scoring(pipeline, '128'), ...files });
  await r.commit('only scoring');
  return r;
}

const reconcile = (mode: 'plan' | 'apply', extra: Record<string, string> = {}) =>
  spawnAction(
    'push-reconcile',
    {
      'config-folders': 'schedules/*',
      'kfp-host': emu!.url,
      'api-version': 'v2beta1',
      mode,
      comment: 'false',
      ...extra,
    },
    { workspace: repo!.dir },
  );

describe('push-reconcile behaves as the KFP release it talks to', () => {
  // resource/resource_manager.go DeleteJob: propagation_policy=ORPHAN keeps running runs only since 2.16.0 (#12573).
  test.each<[string, boolean]>([
    ['2.15.0', false],
    ['2.17.0', true],
  ])(
    'KFP %s: a delete keeps running runs = %s, the plan says so, healthz is read only when a delete is planned',
    async (kfpVersion, keeps) => {
      emu = await startKfpEmulator({ kfpVersion, runTiming: { pendingMs: 10, runningMs: 600_000 } });
      repo = await scoringRepo();
      const first = await reconcile('apply');
      expect([first.code, first.stderr]).toEqual([0, '']);
      const [v1] = versionsOf(emu, 'score-hourly');
      const running = emu.state.seedRun({
        name: 'scheduled',
        experimentId: v1!.experimentId,
        jobId: v1!.id,
        pipeline: v1!.pipeline,
      });

      await repo.write({ 'schedules/team-ml/recurring_runs.yaml': scoring(BATCH, '256') });
      await repo.commit('batch 256');
      emu.log.clear();
      const second = await reconcile('apply');
      expect([second.code, second.stderr]).toEqual([0, '']);
      expect(second.stdout.includes('KFP terminates its running runs')).toBe(!keeps);
      expect(emu.log.entries.filter((e) => e.path.endsWith('/healthz'))).toHaveLength(1);
      expect(emu.log.entries.filter((e) => e.method === 'DELETE').map((e) => e.query.propagation_policy)).toEqual([
        keeps ? 'ORPHAN' : undefined,
      ]);
      expect(emu.state.runState(running).state).toBe(keeps ? 'RUNNING' : 'CANCELED');

      // A no-op reconcile costs what it always did: one listing of experiments and one of recurring runs.
      emu.log.clear();
      const noop = await reconcile('apply');
      expect([noop.code, noop.outputs.changes, emu.log.calls]).toEqual([0, '0', 2]);
    },
  );

  test('an Argo pipeline with parameters through v2beta1 is a config error at check and plan time, before any call', async () => {
    emu = await startKfpEmulator();
    repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
    const check = await spawnAction(
      'check-reconcile-configs',
      { 'config-folders': 'schedules/*', 'api-version': 'v2beta1' },
      { workspace: repo.dir },
    );
    expect(check.code).toBe(1);
    expect(
      check.annotations.filter((a) => a.kind === 'error' && a.props.file).map((a) => `${a.props.file}:${a.message}`),
    ).toEqual([
      expect.stringMatching(
        /^schedules\/team-ml\/recurring_runs\.yaml:'train-model' is a KFP v1 \(Argo\) workflow with parameters/,
      ),
      expect.stringMatching(
        /^schedules\/team-ml\/recurring_runs\.yaml:'train-model' is a KFP v1 \(Argo\) workflow with parameters/,
      ),
    ]);
    const plan = await reconcile('plan');
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/nothing was sent to KFP/);
    expect(emu.log.calls).toBe(0);
  });
});

describeWithShared('push-reconcile sends the v2 platform spec from the pipeline file', () => {
  test('a file with platforms: reaches KFP whole, and the next run plans nothing', async () => {
    emu = await startKfpEmulator();
    const fixture = fs.readFileSync(
      path.join(sharedDir, 'kfp-pipelines', 'v2-ir', 'valid', 'critical__pipeline_with_secret_as_env.yaml'),
      'utf8',
    );
    const runs = `recurring_runs:
  - pipeline_source:
      path: pipelines/secret/pipeline.yaml
    job:
      enabled: true
      name: with-secret
      experiment: issue-classifier-scoring
      max_concurrency: 1
      trigger:
        catchup: false
        interval_seconds: 3600
`;
    repo = await scoringRepo(BATCH, { 'pipelines/secret/pipeline.yaml': fixture });
    await repo.write({ 'schedules/team-ml/recurring_runs.yaml': runs });
    await repo.commit('secret pipeline');
    const first = await reconcile('apply');
    expect([first.code, first.stderr]).toEqual([0, '']);
    const stored = versionsOf(emu, 'with-secret')[0]!.pipeline;
    expect(stored.kind === 'ir' && JSON.stringify(stored.platformSpec)).toMatch(/"secretAsEnv"/);
    const again = await reconcile('plan');
    expect([again.code, again.outputs.changes]).toEqual([0, '0']);
  });
});
