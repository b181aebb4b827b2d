import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { TempRepo } from '../support/git-repo.js';
import { runInProcess } from '../support/in-process.js';
import { repoRoot } from '../support/paths.js';

// `shared: true` in pipelines.yaml, against the emulator's pipeline service over real HTTP, multi-user:
// - backend/src/apiserver/server/pipeline_server.go createPipeline: ReplaceNamespace, so a pipeline created
//   without a namespace is shared; canAccessPipeline: reading a shared pipeline needs no permission, writing
//   it is authorized against KFP's own namespace (GetPodNamespace, `kubeflow`).
// - pipeline_server.go listPipelines: a listing without a namespace answers the shared pipelines.
// - pipeline_upload_server.go uploadPipelineVersion / canUploadVersionedPipeline: a version of a shared
//   pipeline is uploaded under the pipeline's (empty) namespace.
const FILE = 'pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml';
const USER = 'ci@example.com';
let emu: KfpEmulator;
let repo: TempRepo;
/** Namespaces the CI identity may write (Kubeflow profile access). */
const access: Record<string, string[]> = {};

beforeAll(async () => {
  emu = await startKfpEmulator({ auth: { userHeader: 'kubeflow-userid', access } });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  for (const m of [emu.state.jobs, emu.state.experiments, emu.state.pipelines, emu.state.versions]) m.clear();
  emu.log.clear();
  access[USER] = ['team-a', 'team-b', 'kubeflow'];
  repo = await TempRepo.create(
    {
      ...folder('team-a', [
        { name: 'features', shared: true },
        { name: 'train', shared: false },
      ]),
      ...folder('team-b', []),
    },
    { copyFrom: path.join(repoRoot, 'examples') },
  );
});
afterEach(async () => {
  await repo.remove();
});

function folder(ns: string, pipelines: { name: string; shared: boolean; keep?: number }[]): Record<string, string> {
  return {
    [`schedules/${ns}/experiments.yaml`]: 'experiments: []\n',
    [`schedules/${ns}/recurring_runs.yaml`]: 'recurring_runs: []\n',
    [`schedules/${ns}/pipelines.yaml`]: `pipelines:${pipelines.length ? '' : ' []'}\n${pipelines
      .map(
        (p) =>
          `  - name: ${p.name}\n    source: {path: ${FILE}}\n    keep_versions: ${p.keep ?? 5}\n${p.shared ? '    shared: true\n' : ''}`,
      )
      .join('')}`,
  };
}

const reconcile = (folders = 'schedules/team-a', mode: 'plan' | 'apply' = 'apply') =>
  runInProcess(
    'push-reconcile',
    {
      'config-folders': folders,
      'kfp-host': emu.url,
      'api-version': 'v2beta1',
      'kfp-user-header': `kubeflow-userid: ${USER}`,
      mode,
    },
    { workspace: repo.dir, env: { GITHUB_SHA: 'abc123def4567890' } },
  );

const pipeline = (name: string) => [...emu.state.pipelines.values()].find((p) => p.name === name);
const versionsOf = (name: string) =>
  [...emu.state.versions.values()]
    .filter((v) => v.pipelineId === pipeline(name)?.id)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());

async function changePipeline(image: string): Promise<void> {
  const text = await repo.read(FILE);
  await repo.write({ [FILE]: text.replace(/image: python:[^\n]+/, `image: ${image}`) });
  await repo.commit(`image ${image}`);
}

describe('push-reconcile: shared pipelines (multi-user KFP)', () => {
  test('a shared pipeline is created without a namespace beside the namespace one; a second apply writes nothing', async () => {
    const first = await reconcile();
    expect(first.failure).toBeUndefined();
    expect(first.summary).toContain('create shared pipeline');
    expect(pipeline('features')?.namespace).toBe('');
    expect(pipeline('train')?.namespace).toBe('team-a');
    expect(versionsOf('features')).toHaveLength(1);

    emu.log.clear();
    const second = await reconcile();
    expect(second.failure).toBeUndefined();
    expect(emu.log.writes).toBe(0);
    // The namespace's pipelines, the shared ones, and one version listing per declared pipeline.
    const lists = emu.log.entries.filter((e) => e.route === 'GET /apis/v2beta1/pipelines');
    expect(lists.map((e) => e.query.namespace ?? '').sort()).toEqual(['', 'team-a']);

    await changePipeline('python:3.13-slim');
    emu.log.clear();
    const third = await reconcile();
    expect(third.failure).toBeUndefined();
    expect(emu.log.writes).toBe(2); // one version for each of the two pipelines the file feeds
    expect(versionsOf('features')).toHaveLength(2);
  });

  test("without permission in KFP's own namespace the shared pipeline is refused, naming that namespace", async () => {
    access[USER] = ['team-a'];
    const r = await reconcile();
    expect(r.code).not.toBe(0);
    expect(pipeline('features')).toBeUndefined();
    // A refused permission stops the namespace's later writes (as for schedules); nothing half-registered.
    expect(emu.log.writes).toBe(0);
    expect(r.everything).toMatch(
      /pipeline features: create-pipeline failed: .*may not 'create' pipelines in namespace 'kubeflow'/,
    );
  });

  // pipeline_upload_server.go canUploadVersionedPipeline skips authorization when the pipeline's namespace is
  // empty, while pipeline_server.go deletePipelineVersion (canAccessPipelineVersion) checks KFP's own namespace.
  test("without permission in KFP's own namespace a version is still uploaded to a shared pipeline, but not pruned", async () => {
    await repo.write(folder('team-a', [{ name: 'features', shared: true, keep: 0 }]));
    await repo.commit('keep 0');
    expect((await reconcile()).failure).toBeUndefined();
    const first = versionsOf('features')[0]!;
    first.createdAt = new Date(first.createdAt.getTime() - 60_000);
    access[USER] = ['team-a'];
    await changePipeline('python:3.13-slim');
    const r = await reconcile();
    expect(r.code).not.toBe(0);
    expect(versionsOf('features')).toHaveLength(2);
    expect(r.everything).toMatch(/delete-version failed: .*may not 'delete' pipelines in namespace 'kubeflow'/);
  });

  test('pruning a shared pipeline keeps a version a schedule of another namespace in the same run uses', async () => {
    await repo.write(folder('team-a', [{ name: 'features', shared: true, keep: 0 }]));
    await repo.commit('keep 0');
    expect((await reconcile()).failure).toBeUndefined();
    const first = versionsOf('features')[0]!;
    first.createdAt = new Date(first.createdAt.getTime() - 60_000); // older than what comes next
    const exp = emu.state.seedExperiment({ name: 'b', namespace: 'team-b' });
    emu.state.seedJob({
      name: 'uses-features',
      experimentId: exp.id,
      pipeline: { kind: 'version', pipelineId: pipeline('features')!.id, versionId: first.id, parameters: {} },
    });
    await changePipeline('python:3.13-slim');
    const r = await reconcile('schedules/team-a\nschedules/team-b');
    expect(r.failure).toBeUndefined();
    // keep_versions: 0 would delete the first version; team-b's schedule runs it.
    expect(versionsOf('features').map((v) => v.id)).toContain(first.id);
    expect(versionsOf('features')).toHaveLength(2);
  });

  test('a shared pipeline that left git is reported by the namespace that declared it only', async () => {
    expect((await reconcile()).failure).toBeUndefined();
    // team-a keeps another shared pipeline (so it lists the shared ones); team-b lists them too.
    await repo.write({
      ...folder('team-a', [{ name: 'train', shared: true }]),
      ...folder('team-b', [{ name: 'other', shared: true }]),
    });
    await repo.commit('features left git');
    const r = await reconcile('schedules/team-a\nschedules/team-b', 'plan');
    expect(r.failure).toBeUndefined();
    const plan = JSON.parse(r.outputs.plan!) as {
      namespace: string;
      pipelines: { pipeline: string; kind: string }[];
    }[];
    const orphans = plan.map((p) => [
      p.namespace,
      p.pipelines.filter((c) => c.kind === 'orphan').map((c) => c.pipeline),
    ]);
    expect(orphans).toEqual([
      ['team-a', ['features']],
      ['team-b', []],
    ]);
    expect(pipeline('features')).toBeDefined();
  });

  test('the same shared pipeline in two folders is a config error at the second; nothing is sent', async () => {
    await repo.write(folder('team-b', [{ name: 'Features', shared: true }]));
    await repo.commit('twice');
    const r = await reconcile('schedules/team-a\nschedules/team-b');
    expect(r.code).not.toBe(0);
    const e = r.annotations.find((a) => /Shared pipeline 'Features' is also declared at/.test(a.message));
    expect(e?.file).toBe('schedules/team-b/pipelines.yaml');
    expect(e?.message).toContain('schedules/team-a/pipelines.yaml:2');
    expect(emu.log.entries).toHaveLength(0);
  });
  // A schedule's kfp_pipeline not declared in its folder: KFP's namespace first, then the shared pipelines
  // (pipeline_server.go listPipelines without a namespace answers the shared ones).
  test('a schedule runs a shared pipeline registered elsewhere, looked up by name after its namespace', async () => {
    expect((await reconcile()).failure).toBeUndefined(); // team-a registers the shared 'features'
    await repo.write({
      'schedules/team-b/experiments.yaml': 'experiments:\n  - name: b\n',
      'schedules/team-b/recurring_runs.yaml': `recurring_runs:
  - pipeline_source: {kfp_pipeline: features}
    pipeline_parameters: [{name: model_uri, value: gs://m}, {name: batch_size, value: "8"}]
    job: {name: uses-features, enabled: true, experiment: b, max_concurrency: 1, trigger: {interval_seconds: 3600, catchup: false}}
`,
    });
    await repo.commit('team-b runs the shared pipeline');
    const r = await reconcile('schedules/team-b');
    expect(r.failure).toBeUndefined();
    const jobs = [...emu.state.jobs.values()].filter((j) => j.name.startsWith('GIT::uses-features__'));
    expect(jobs.map((j) => [j.namespace, j.pipeline])).toEqual([
      [
        'team-b',
        expect.objectContaining({ pipelineId: pipeline('features')!.id, versionId: versionsOf('features')[0]!.id }),
      ],
    ]);
    expect(pipeline('features')?.namespace).toBe('');
  });
});

describe('push-reconcile: shared pipelines on single-user KFP', () => {
  let single: KfpEmulator;
  beforeAll(async () => {
    single = await startKfpEmulator({ multiUser: false });
  });
  afterAll(async () => {
    await single.close();
  });

  test("every pipeline is namespace-less: entries converge, no folder reports another folder's pipelines, a second apply writes nothing", async () => {
    await repo.write(folder('team-b', [{ name: 'other', shared: false }]));
    await repo.commit('team-b has one');
    const run = () =>
      runInProcess(
        'push-reconcile',
        {
          'config-folders': 'schedules/team-a\nschedules/team-b',
          'kfp-host': single.url,
          'api-version': 'v2beta1',
          mode: 'apply',
        },
        { workspace: repo.dir, env: { GITHUB_SHA: 'abc123def4567890' } },
      );
    expect((await run()).failure).toBeUndefined();
    expect([...single.state.pipelines.values()].map((p) => [p.name, p.namespace]).sort()).toEqual([
      ['features', ''],
      ['other', ''],
      ['train', ''],
    ]);
    const writes = single.log.writes;
    const again = await run();
    expect(again.failure).toBeUndefined();
    expect(again.summary).not.toMatch(/orphan|no longer in pipelines/);
    expect(single.log.writes).toBe(writes);
  });
});

// validation/namespace.go ValidateNamespaceRequired (REQUIRE_NAMESPACE_FOR_PIPELINES): pipeline_server.go
// createPipeline and listPipelines, and pipeline_upload_server.go, refuse an empty namespace.
describe('push-reconcile: shared pipelines where KFP requires a namespace for pipelines', () => {
  let strict: KfpEmulator;
  beforeAll(async () => {
    strict = await startKfpEmulator({ requireNamespaceForPipelines: true });
  });
  afterAll(async () => {
    await strict.close();
  });

  test("a folder declaring a shared pipeline is not reconciled, with KFP's reason; a folder without one is", async () => {
    await repo.write(folder('team-b', [{ name: 'other', shared: false }]));
    await repo.commit('team-b has one');
    const r = await runInProcess(
      'push-reconcile',
      {
        'config-folders': 'schedules/team-a\nschedules/team-b',
        'kfp-host': strict.url,
        'api-version': 'v2beta1',
        mode: 'apply',
      },
      { workspace: repo.dir, env: { GITHUB_SHA: 'abc123def4567890' } },
    );
    expect(r.code).not.toBe(0);
    expect(r.everything).toMatch(
      /team-a: cannot observe the namespace: .*Namespace is required for pipeline operations/,
    );
    expect([...strict.state.pipelines.values()].map((p) => [p.name, p.namespace])).toEqual([['other', 'team-b']]);
  });
});
