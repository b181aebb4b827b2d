import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { TempRepo } from '../support/git-repo.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { runInProcess } from '../support/in-process.js';
import { describeWithShared, repoRoot } from '../support/paths.js';

// pipelines.yaml entries whose file lives in another GitHub repository (the form recurring_runs.yaml's
// pipeline_source accepts), read through the contents API of the GitHub double with github-token:
// checked by check-reconcile-configs, registered by push-reconcile, a change on the remote branch uploads
// one version whose lineage names the remote commit.
const TOKEN = 'ghs_pipelines_source_token';
const REMOTE = 'acme/ml-pipelines';
const REMOTE_FILE = 'compiled/features/pipeline.yaml';
const NS = 'team-gh';
let double: GitHubDouble;
let emu: KfpEmulator;
let repo: TempRepo;
let ir: string;

const pipelinesYaml = (file = REMOTE_FILE, ref = 'main', extra = '') =>
  `pipelines:\n  - name: features\n    source:\n      github_owner: acme\n      github_repo: ml-pipelines\n      git_reference: ${ref}\n      file_path: ${file}\n${extra}`;

describeWithShared('pipelines.yaml with a GitHub source', () => {
  beforeAll(async () => {
    ir = await fs.readFile(
      path.join(repoRoot, 'examples/pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml'),
      'utf8',
    );
    double = await startGitHubDouble({ tokens: [TOKEN] });
    double.createRepo(REMOTE, { files: { [REMOTE_FILE]: ir }, private: true, readers: [TOKEN] });
    emu = await startKfpEmulator({ multiUser: false });
  });
  afterAll(async () => {
    await double?.close();
    await emu?.close();
  });
  beforeEach(async () => {
    repo = await TempRepo.create({
      [`schedules/${NS}/experiments.yaml`]: 'experiments: []\n',
      [`schedules/${NS}/recurring_runs.yaml`]: 'recurring_runs: []\n',
      [`schedules/${NS}/pipelines.yaml`]: pipelinesYaml(),
    });
  });
  afterEach(async () => {
    await repo.remove();
  });

  const check = () =>
    runInProcess(
      'check-reconcile-configs',
      { 'config-folders': `schedules/${NS}`, 'github-token': TOKEN, 'api-version': 'v2beta1' },
      { workspace: repo.dir, env: { GITHUB_API_URL: double.url } },
    );
  const reconcile = () =>
    runInProcess(
      'push-reconcile',
      {
        'config-folders': `schedules/${NS}`,
        'kfp-host': emu.url,
        'api-version': 'v2beta1',
        'github-token': TOKEN,
        mode: 'apply',
      },
      { workspace: repo.dir, env: { GITHUB_API_URL: double.url, GITHUB_SHA: 'abc123def4567890' } },
    );

  test('check-reconcile-configs reads it with the token and names the commit the ref resolved to', async () => {
    const sha = double.branchSha(REMOTE, 'main')!;
    const r = await check();
    expect(r.failure).toBeUndefined();
    expect(r.summary).toContain(`\`features\` from \`${REMOTE}@${sha.slice(0, 7)}:${REMOTE_FILE}\``);
    expect(r.everything).not.toContain(TOKEN);
    expect(double.requests.every((q) => q.token === TOKEN)).toBe(true);
    expect(double.violations).toEqual([]);
  });

  test('a missing remote file and an unknown ref are located at their keys; nothing is sent to KFP', async () => {
    await repo.write({ [`schedules/${NS}/pipelines.yaml`]: pipelinesYaml('compiled/featurs/pipeline.yaml') });
    const missing = await check();
    expect(missing.code).not.toBe(0);
    expect(missing.annotations).toContainEqual(
      expect.objectContaining({ file: `schedules/${NS}/pipelines.yaml`, line: 7, kind: 'error' }),
    );
    expect(missing.everything).toMatch(/'compiled\/featurs\/pipeline\.yaml' does not exist in acme\/ml-pipelines/);
    await repo.write({ [`schedules/${NS}/pipelines.yaml`]: pipelinesYaml(REMOTE_FILE, 'no-such-branch') });
    emu.log.clear();
    const badRef = await reconcile();
    expect(badRef.code).not.toBe(0);
    expect(badRef.annotations).toContainEqual(
      expect.objectContaining({ file: `schedules/${NS}/pipelines.yaml`, line: 6, kind: 'error' }),
    );
    expect(emu.log.entries).toHaveLength(0);
  });

  test('push-reconcile registers it, writes nothing the second time, and uploads one version per remote change', async () => {
    const first = await reconcile();
    expect(first.failure).toBeUndefined();
    const pipeline = [...emu.state.pipelines.values()].find((p) => p.name === 'features')!;
    const versions = () => [...emu.state.versions.values()].filter((v) => v.pipelineId === pipeline.id);
    const sha = double.branchSha(REMOTE, 'main')!;
    expect(versions()).toHaveLength(1);
    expect(versions()[0]!.description).toContain(`commit abc123def456 · ${REMOTE}@${sha.slice(0, 7)}:${REMOTE_FILE}`);
    expect(versions()[0]!.manifest).toBe(ir);

    const writes = emu.log.writes;
    expect((await reconcile()).failure).toBeUndefined();
    expect(emu.log.writes).toBe(writes);

    const next = double.commitFiles(REMOTE, {
      files: { [REMOTE_FILE]: ir.replace(/image: python:[^\n]+/, 'image: python:3.13-slim') },
    });
    const third = await reconcile();
    expect(third.failure).toBeUndefined();
    expect(emu.log.writes).toBe(writes + 1);
    expect(versions()).toHaveLength(2);
    expect(versions().some((v) => v.description.includes(`${REMOTE}@${next.slice(0, 7)}`))).toBe(true);
    expect(third.everything).not.toContain(TOKEN);
    expect(double.violations).toEqual([]);
  });

  test('check-reconcile-configs says what shared: true means, single-user KFP included', async () => {
    await repo.write({ [`schedules/${NS}/pipelines.yaml`]: pipelinesYaml(REMOTE_FILE, 'main', '    shared: true\n') });
    const r = await check();
    expect(r.failure).toBeUndefined();
    expect(r.summary).toContain('`features` (shared) from');
    expect(r.log).toMatch(/on single-user KFP every pipeline is shared, so `shared: true` changes nothing there/);
  });
});
