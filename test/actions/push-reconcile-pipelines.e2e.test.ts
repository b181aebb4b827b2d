import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { createKfpClient } from '../../src/kfp/client.js';
import { TempRepo } from '../support/git-repo.js';
import { spawnAction } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';

// Registered pipelines through push-reconcile (issue 15), over real HTTP against the emulator's pipeline
// service (KFP's pipeline_server.go CreatePipeline, pipeline_upload_server.go UploadPipelineVersion,
// DeletePipelineVersion), from a real git repository.
const NS = 'team-pl';
const FILE = 'pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml';
let emu: KfpEmulator;
let repo: TempRepo;

beforeAll(async () => {
  emu = await startKfpEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  for (const m of [emu.state.jobs, emu.state.experiments, emu.state.pipelines, emu.state.versions]) m.clear();
  emu.log.clear();
  emu.faults.clear();
  repo = await TempRepo.create(
    {
      [`schedules/${NS}/experiments.yaml`]: 'experiments: []\n',
      [`schedules/${NS}/recurring_runs.yaml`]: 'recurring_runs: []\n',
      [`schedules/${NS}/pipelines.yaml`]: pipelinesYaml(['batch-predict']),
    },
    { copyFrom: path.join(repoRoot, 'examples') },
  );
});
afterEach(async () => {
  await repo.remove();
});

function pipelinesYaml(names: string[], keep = 2): string {
  return `pipelines:\n${names.map((n) => `  - name: ${n}\n    description: Scores issues\n    source: {path: ${FILE}}\n    keep_versions: ${keep}\n`).join('')}`;
}

const reconcile = (mode: 'plan' | 'apply' = 'apply') =>
  spawnAction(
    'push-reconcile',
    { 'config-folders': `schedules/${NS}`, 'kfp-host': emu.url, 'api-version': 'v2beta1', mode },
    { workspace: repo.dir, env: { GITHUB_SHA: 'abc123def4567890' } },
  );

const pipelineId = (name: string) => [...emu.state.pipelines.values()].find((p) => p.name === name)?.id;
const versionsOf = (name: string) =>
  [...emu.state.versions.values()]
    .filter((v) => v.pipelineId === pipelineId(name))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));

let imageTag = 0;
async function changePipeline(): Promise<void> {
  const text = await repo.read(FILE);
  const next = `python:3.12-slim-${++imageTag}`;
  await repo.write({ [FILE]: text.replace(/image: python:[^\n]+/, `image: ${next}`) });
  await repo.commit(`image ${next}`);
}

describe('push-reconcile registers pipelines from pipelines.yaml', () => {
  test('first apply registers the pipeline and a version with lineage; the second writes nothing', async () => {
    const first = await reconcile();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.summary).toContain('create pipeline');
    const v = versionsOf('batch-predict');
    expect(v).toHaveLength(1);
    expect(v[0]!.name).toMatch(/^abc123d-\d{8}T\d{6}Z$/);
    expect(v[0]!.description).toMatch(
      /^sha256:[0-9a-f]{16}\n\n\[kfp-gitops: commit abc123def456 · pipelines\/batch-predict\/RENDERED_PIPELINE\/pipeline\.yaml\]$/,
    );
    expect(Number(first.outputs.changes)).toBe(emu.log.writes);

    emu.log.clear();
    const second = await reconcile();
    expect(second.code).toBe(0);
    expect(second.outputs.changes).toBe('0');
    expect(emu.log.writes).toBe(0);
    // experiments, recurring runs, pipelines, and the versions of the one declared pipeline
    expect(emu.log.calls).toBe(4);
  });

  test('a changed pipeline uploads exactly one version, and the plan says what changed inside it', async () => {
    await reconcile();
    await changePipeline();
    const plan = await reconcile('plan');
    expect(plan.stdout).toMatch(/image of comp-predict: python:3\.11-slim → python:3\.12-slim-\d+/);
    expect(plan.summary).toContain('image of comp-predict');
    emu.log.clear();
    const r = await reconcile();
    expect(r.code).toBe(0);
    expect(emu.log.writes).toBe(1);
    expect(versionsOf('batch-predict')).toHaveLength(2);
  });

  test('keep_versions prunes oldest first but never a version a recurring run uses', async () => {
    await repo.write({ [`schedules/${NS}/pipelines.yaml`]: pipelinesYaml(['batch-predict'], 1) });
    await repo.commit('keep 1');
    await reconcile();
    const oldest = versionsOf('batch-predict')[0]!;
    // A schedule made outside git pins the first version.
    const client = createKfpClient({ host: emu.url, apiVersion: 'v2beta1', namespace: NS });
    const exp = await client.createExperiment({ name: 'pinned', namespace: NS });
    await client.createRecurringRun({
      name: 'pinned',
      experimentId: exp.id,
      enabled: false,
      maxConcurrency: 1,
      catchup: false,
      trigger: { periodic: { intervalSeconds: 3600 } },
      parameters: {},
      pipelineVersion: { pipelineId: pipelineId('batch-predict')!, versionId: oldest.id },
    });
    client.close();
    for (let i = 0; i < 3; i++) {
      await changePipeline();
      await new Promise((r) => setTimeout(r, 1000)); // a new second: KFP orders versions by created_at
      const r = await reconcile();
      expect(r.code).toBe(0);
    }
    const names = versionsOf('batch-predict').map((v) => v.id);
    // newest + 1 older kept, plus the pinned first one
    expect(names).toHaveLength(3);
    expect(names[0]).toBe(oldest.id);
  });

  test('a failed upload prunes nothing, exits 1, and the next run converges', async () => {
    await repo.write({ [`schedules/${NS}/pipelines.yaml`]: pipelinesYaml(['batch-predict'], 0) });
    await repo.commit('keep 0');
    await reconcile();
    const before = versionsOf('batch-predict').map((v) => v.id);
    await changePipeline();
    emu.faults.add({ route: 'POST /apis/v2beta1/pipelines/upload_version', nth: 1, times: 1, kind: { status: 500 } });
    const failed = await reconcile();
    expect(failed.code).toBe(1);
    expect(failed.stderr + failed.stdout).toMatch(/upload version/);
    expect(versionsOf('batch-predict').map((v) => v.id)).toEqual(before);
    emu.faults.clear();
    expect((await reconcile()).code).toBe(0);
    const after = versionsOf('batch-predict');
    expect(after).toHaveLength(1);
    expect(after[0]!.id).not.toBe(before[0]);
    emu.log.clear();
    expect((await reconcile('plan')).outputs.changes).toBe('0');
  });

  test('a pipeline removed from git is reported and left in KFP', async () => {
    await repo.write({ [`schedules/${NS}/pipelines.yaml`]: pipelinesYaml(['batch-predict', 'batch-predict-copy']) });
    await repo.commit('two');
    await reconcile();
    expect(pipelineId('batch-predict-copy')).toBeDefined();
    await repo.write({ [`schedules/${NS}/pipelines.yaml`]: pipelinesYaml(['batch-predict']) });
    await repo.commit('one');
    emu.log.clear();
    const r = await reconcile();
    expect(r.code).toBe(0);
    expect(emu.log.writes).toBe(0);
    expect(r.stdout).toMatch(/\? not in git pipeline batch-predict-copy/);
    expect(r.summary).toContain('batch-predict-copy');
    expect(pipelineId('batch-predict-copy')).toBeDefined();
  });
});

describe('check-reconcile-configs checks pipelines.yaml without KFP', () => {
  test('a missing source and a typo are annotated at file:line; a valid file passes', async () => {
    const file = `schedules/${NS}/pipelines.yaml`;
    const check = () =>
      spawnAction(
        'check-reconcile-configs',
        { 'config-folders': `schedules/${NS}`, 'api-version': 'v2beta1' },
        { workspace: repo.dir },
      );
    const ok = await check();
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const v1 = await spawnAction(
      'check-reconcile-configs',
      { 'config-folders': `schedules/${NS}`, 'api-version': 'v1beta1' },
      { workspace: repo.dir },
    );
    expect(v1.code).toBe(1);
    expect(v1.annotations.find((a) => a.kind === 'error' && a.props.file === file)?.message).toMatch(
      /needs KFP's v2beta1 API/,
    );
    await repo.write({
      [file]:
        'pipelines:\n  - name: a\n    source: {path: nowhere.yaml}\n  - name: b\n    keep_version: 1\n    source: {path: pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml}\n',
    });
    await repo.commit('broken');
    const bad = await check();
    expect(bad.code).toBe(1);
    const at = bad.annotations
      .filter((a) => a.kind === 'error' && a.props.file === file)
      .map((a) => `${a.props.line} ${a.message}`);
    expect(at.find((a) => a.startsWith('3 '))).toMatch(/nowhere\.yaml/);
    expect(at.find((a) => a.startsWith('5 '))).toMatch(/Unknown key 'keep_version'/);
  });
});
