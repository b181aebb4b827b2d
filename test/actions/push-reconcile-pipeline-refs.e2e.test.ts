import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { fireRecurringRun } from '../../src/kfp/emulator/pipelines.js';
import { createKfpClient } from '../../src/kfp/client.js';
import { TempRepo } from '../support/git-repo.js';
import { spawnAction } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';

// Schedules that run a registered pipeline (issue 15: pipeline_source.kfp_pipeline), through push-reconcile
// over real HTTP against the emulator, from a real git repository. KFP's side: resource_manager.go CreateJob
// leaves a reference without a version unpinned from 2.5 (#11542), and CreateRun →
// fetchPipelineVersionFromPipelineSpec → GetLatestPipelineVersion runs the newest version when the
// ScheduledWorkflow controller starts a run of it.
const NS = 'team-ref';
const FILE = 'pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml';
const DIR = `schedules/${NS}`;

function schedule(name: string, version: string | undefined, pipeline = 'batch-predict'): string {
  return `  - pipeline_source: {kfp_pipeline: ${pipeline}${version ? `, version: ${version}` : ''}}
    pipeline_parameters:
      - {name: model_uri, value: gs://models/m1}
      - {name: batch_size, value: "32"}
    job:
      name: ${name}
      enabled: true
      experiment: scoring
      max_concurrency: 1
      trigger: {interval_seconds: 3600, catchup: false}
`;
}

const pipelinesYaml = (keep = 1) =>
  `pipelines:\n  - name: batch-predict\n    source: {path: ${FILE}}\n    keep_versions: ${keep}\n`;

let emu: KfpEmulator;
let repo: TempRepo;

async function startEmulator(kfpVersion?: string): Promise<void> {
  emu = await startKfpEmulator(kfpVersion ? { kfpVersion } : {});
}
beforeAll(() => startEmulator());
afterAll(() => emu.close());
beforeEach(async () => {
  for (const m of [emu.state.jobs, emu.state.experiments, emu.state.pipelines, emu.state.versions, emu.state.runs])
    m.clear();
  emu.log.clear();
  emu.faults.clear();
  repo = await TempRepo.create(
    {
      [`${DIR}/experiments.yaml`]: 'experiments:\n  - name: scoring\n',
      [`${DIR}/recurring_runs.yaml`]: `recurring_runs:\n${schedule('pinned', undefined)}${schedule('follows', 'latest')}`,
      [`${DIR}/pipelines.yaml`]: pipelinesYaml(),
    },
    { copyFrom: path.join(repoRoot, 'examples') },
  );
});
afterEach(() => repo.remove());

const reconcile = (mode: 'plan' | 'apply' = 'apply') =>
  spawnAction(
    'push-reconcile',
    { 'config-folders': DIR, 'kfp-host': emu.url, 'api-version': 'v2beta1', mode },
    { workspace: repo.dir, env: { GITHUB_SHA: 'abc123def4567890' } },
  );

const pipelineId = (name = 'batch-predict') => [...emu.state.pipelines.values()].find((p) => p.name === name)?.id;
const versions = () =>
  [...emu.state.versions.values()]
    .filter((v) => v.pipelineId === pipelineId())
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
/** Every version of a schedule, oldest first, with what it runs. */
const jobsOf = (schedule: string) =>
  [...emu.state.jobs.values()]
    .filter((j) => j.name.startsWith(`GIT::${schedule}__`))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((j) => ({
      id: j.id,
      enabled: j.enabled,
      version: j.pipeline.kind === 'version' ? (j.pipeline.versionId ?? 'newest') : 'inline',
    }));

let imageTag = 0;
async function changePipeline(): Promise<void> {
  // A new second: KFP orders versions by created_at, in seconds.
  await new Promise((r) => setTimeout(r, 1000));
  const text = await repo.read(FILE);
  await repo.write({ [FILE]: text.replace(/image: python:[^\n]+/, `image: python:3.12-slim-${++imageTag}`) });
  await repo.commit(`image ${imageTag}`);
}

describe('schedules that run a registered pipeline', () => {
  test('first apply registers the pipeline, then schedules pinned (current) and unpinned (latest); second apply writes nothing', async () => {
    const first = await reconcile();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const [v1] = versions();
    expect(versions()).toHaveLength(1);
    expect(jobsOf('pinned')).toEqual([{ id: expect.any(String), enabled: true, version: v1!.id }]);
    expect(jobsOf('follows')).toEqual([{ id: expect.any(String), enabled: true, version: 'newest' }]);
    // Parameters typed by the declared pipeline's inputs, as the SDK sends them.
    const job = [...emu.state.jobs.values()][0]!;
    expect(job.pipeline.kind === 'version' && job.pipeline.parameters).toEqual({
      model_uri: 'gs://models/m1',
      batch_size: 32,
    });

    emu.log.clear();
    const second = await reconcile();
    expect(second.code).toBe(0);
    expect(second.outputs.changes).toBe('0');
    expect(emu.log.writes).toBe(0);
  });

  test('a changed pipeline uploads one version, swaps the current schedule to it, and leaves the latest one untouched', async () => {
    await reconcile();
    const [v1] = versions();
    const pinnedBefore = jobsOf('pinned');
    const follows = jobsOf('follows');
    await changePipeline();
    const plan = await reconcile('plan');
    expect(plan.stdout).toMatch(/pipeline_version: batch-predict@abc123d-\S+ → batch-predict@abc123d-/);
    emu.log.clear();
    const r = await reconcile();
    expect(r.code).toBe(0);
    const [, v2] = versions();
    expect(versions()).toHaveLength(2);
    // upload, create paused, disable old, enable new: never two enabled at once
    expect(emu.log.writes).toBe(4);
    const pinned = jobsOf('pinned');
    expect(pinned).toEqual([
      { id: pinnedBefore[0]!.id, enabled: false, version: v1!.id },
      { id: expect.any(String), enabled: true, version: v2!.id },
    ]);
    expect(jobsOf('follows')).toEqual(follows);
    // A run the scheduler starts now from the untouched `latest` schedule runs the new version.
    const run = fireRecurringRun(emu.state, follows[0]!.id);
    const client = createKfpClient({ host: emu.url, apiVersion: 'v2beta1', namespace: NS });
    const seen = await client.getRun(run.id);
    client.close();
    expect(seen.recurringRunId).toBe(follows[0]!.id);
    expect(emu.state.runs.get(run.id)!.pipeline).toMatchObject({ kind: 'version', versionId: v2!.id });

    emu.log.clear();
    expect((await reconcile()).outputs.changes).toBe('0');
  });

  test('keep_versions never prunes a version a schedule runs', async () => {
    await repo.write({ [`${DIR}/pipelines.yaml`]: pipelinesYaml(0) });
    await repo.commit('keep 0');
    await reconcile();
    const [v1] = versions();
    await changePipeline();
    expect((await reconcile()).code).toBe(0);
    // v1 is kept: the paused previous version of 'pinned' still runs it (keep_history keeps it).
    expect(versions().map((v) => v.id)).toContain(v1!.id);
    await changePipeline();
    expect((await reconcile()).code).toBe(0);
    const ids = new Set(versions().map((v) => v.id));
    for (const j of emu.state.jobs.values())
      if (j.pipeline.kind === 'version' && j.pipeline.versionId) expect(ids.has(j.pipeline.versionId)).toBe(true);
  });

  test('a failed upload leaves every schedule on its version; the next run converges', async () => {
    await reconcile();
    const before = { pinned: jobsOf('pinned'), follows: jobsOf('follows') };
    await changePipeline();
    emu.faults.add({ route: 'POST /apis/v2beta1/pipelines/upload_version', nth: 1, times: 1, kind: { status: 500 } });
    const failed = await reconcile();
    expect(failed.code).toBe(1);
    expect(failed.stderr + failed.stdout).toMatch(/was not uploaded: the schedule keeps its version/);
    expect({ pinned: jobsOf('pinned'), follows: jobsOf('follows') }).toEqual(before);
    emu.faults.clear();
    expect((await reconcile()).code).toBe(0);
    const latest = versions().at(-1)!;
    expect(jobsOf('pinned').filter((j) => j.enabled)).toEqual([expect.objectContaining({ version: latest.id })]);
    expect(jobsOf('follows')).toEqual(before.follows);
    expect((await reconcile('plan')).outputs.changes).toBe('0');
  });

  test('a pipeline not declared in git is looked up by name and never uploaded; a missing one is an error naming it', async () => {
    // Registered outside git (e.g. KFP's Kubernetes-native API through Argo CD).
    const client = createKfpClient({ host: emu.url, apiVersion: 'v2beta1', namespace: NS });
    const p = await client.createPipeline({ name: 'argo-managed', description: '', namespace: NS });
    const text = await repo.read(FILE);
    const v = await client.uploadPipelineVersion({
      pipelineId: p.id,
      name: 'v1',
      description: '',
      filename: 'p.yaml',
      content: text,
    });
    await fs.rm(path.join(repo.dir, DIR, 'pipelines.yaml'));
    await repo.write({
      [`${DIR}/recurring_runs.yaml`]: `recurring_runs:\n${schedule('ext', 'current', 'argo-managed')}${schedule('gone', undefined, 'not-there')}`,
    });
    await repo.commit('external');
    emu.log.clear();
    const bad = await reconcile();
    expect(bad.code).toBe(1);
    expect(bad.stderr + bad.stdout).toMatch(
      /Schedule 'gone' .*runs pipeline 'not-there', which is not declared in pipelines\.yaml and not registered in KFP namespace 'team-ref'/,
    );
    expect(emu.log.writes).toBe(0);

    await repo.write({
      [`${DIR}/recurring_runs.yaml`]: `recurring_runs:\n${schedule('ext', 'current', 'argo-managed')}`,
    });
    await repo.commit('only ext');
    expect((await reconcile()).code).toBe(0);
    expect(jobsOf('ext')).toEqual([{ id: expect.any(String), enabled: true, version: v.id }]);
    // Argo CD publishes a new version: the pinned schedule moves to it, nothing is uploaded.
    await new Promise((r) => setTimeout(r, 1000));
    const v2 = await client.uploadPipelineVersion({
      pipelineId: p.id,
      name: 'v2',
      description: '',
      filename: 'p.yaml',
      content: text,
    });
    client.close();
    emu.log.clear();
    expect((await reconcile()).code).toBe(0);
    expect(emu.log.calls).toBeGreaterThan(0);
    expect(versions()).toHaveLength(0);
    expect(jobsOf('ext').map((j) => [j.enabled, j.version])).toEqual([
      [false, v.id],
      [true, v2.id],
    ]);
  });
});

describe('latest on a KFP before 2.5', () => {
  beforeAll(async () => {
    await emu.close();
    await startEmulator('2.4.1');
  });
  afterAll(async () => {
    await emu.close();
    await startEmulator();
  });

  test('says so and pins the current version instead, moving it on a change', async () => {
    const r = await reconcile();
    expect(r.code).toBe(0);
    expect(r.annotations.find((a) => a.kind === 'warning')?.message).toMatch(
      /'follows' asks for version: latest, but KFP 2\.4\.1 runs .* only from 2\.5\.0/,
    );
    expect(r.summary).toContain('only from 2.5.0');
    const [v1] = versions();
    expect(jobsOf('follows')).toEqual([{ id: expect.any(String), enabled: true, version: v1!.id }]);
    await changePipeline();
    expect((await reconcile()).code).toBe(0);
    const [, v2] = versions();
    expect(jobsOf('follows').map((j) => [j.enabled, j.version])).toEqual([
      [false, v1!.id],
      [true, v2!.id],
    ]);
  });
});

describe('over v1beta1 (KFP v1 jobs reference a pipeline version: resource_references PIPELINE_VERSION)', () => {
  test('a pipeline registered outside git is run by its version; latest is said and planned as current', async () => {
    const client = createKfpClient({ host: emu.url, apiVersion: 'v2beta1', namespace: NS });
    const p = await client.createPipeline({ name: 'argo-managed', description: '', namespace: NS });
    const content = await repo.read(FILE);
    const upload = (name: string) =>
      client.uploadPipelineVersion({ pipelineId: p.id, name, description: '', filename: 'p.yaml', content });
    const v = await upload('v1');
    await fs.rm(path.join(repo.dir, DIR, 'pipelines.yaml'));
    await repo.write({
      [`${DIR}/recurring_runs.yaml`]: `recurring_runs:\n${schedule('ext', 'latest', 'argo-managed')}`,
    });
    await repo.commit('external, v1beta1');
    const v1beta1 = () =>
      spawnAction(
        'push-reconcile',
        { 'config-folders': DIR, 'kfp-host': emu.url, 'api-version': 'v1beta1', mode: 'apply' },
        { workspace: repo.dir, env: { GITHUB_SHA: 'abc123def4567890' } },
      );
    const first = await v1beta1();
    expect(first.code).toBe(0);
    expect(first.annotations.find((a) => a.kind === 'warning')?.message).toMatch(
      /'ext' asks for version: latest, but .* only from 2\.5\.0 on the v2beta1 API/,
    );
    expect(jobsOf('ext')).toEqual([{ id: expect.any(String), enabled: true, version: v.id }]);
    emu.log.clear();
    const again = await v1beta1();
    expect(again.code).toBe(0);
    expect(emu.log.writes).toBe(0);
    // A new version published outside git: the schedule moves to it, with the usual sequence.
    await new Promise((r) => setTimeout(r, 1000));
    const v2 = await upload('v2');
    client.close();
    expect((await v1beta1()).code).toBe(0);
    expect(jobsOf('ext').map((j) => [j.enabled, j.version])).toEqual([
      [false, v.id],
      [true, v2.id],
    ]);
  });
});
