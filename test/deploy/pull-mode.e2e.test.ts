import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { git } from '../../src/lib/git.js';
import { TempRepo } from '../support/git-repo.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { type K8sObject, kustomize } from '../support/kustomize.js';
import { describeWithShared, repoRoot } from '../support/paths.js';
import { type PodOptions, podOf, runPod } from './pod-runner.js';

/**
 * Pull mode without a cluster: each CronJob of deploy/kubernetes/overlays/all-reconcilers (and the
 * Argo CD PostSync Job) runs its exact command line (see pod-runner.ts) against the KFP emulator,
 * from a fresh git-sync-like clone of a config repository, with the projected token file rotated
 * between runs. A second run writes nothing.
 */
const deployDir = path.join(repoRoot, 'deploy/kubernetes');
const TOKEN_1 = 'sa-token-first-9f8e7d6c5b4a';
const TOKEN_2 = 'sa-token-rotated-1a2b3c4d5e6f';

let objects: K8sObject[];
let postSync: K8sObject[];
let emu: KfpEmulator;
let configRepo: TempRepo;
/** The tokens KFP accepts right now (the emulator reads this list on every request). */
const accepted: string[] = [TOKEN_1];

const workload = (name: string) =>
  objects.find((o) => (o.kind === 'CronJob' || o.kind === 'Job') && o.metadata.name === name)!;
const configMaps = () => objects.filter((o) => o.kind === 'ConfigMap');

/** What a user's overlay sets; the rest comes from the manifests. */
const settings = () => ({
  CONFIG_REPO: `file://${configRepo.dir}`,
  KFP_HOST: emu.url,
  MODEL_SOURCE: 'file:models/trained-models.json',
  TRAINING_EXPERIMENT: 'issue-classifier-training',
  TRAINING_PIPELINE: 'pipelines/train-model/RENDERED_PIPELINE/workflow.yaml',
  MODEL_PR_REPOSITORY: 'acme/serving',
});

function run(name: string, token: string | undefined, opts: PodOptions = {}) {
  const pod = podOf(workload(name));
  const tokenVolume = pod.volumes.find((v: any) => v.projected)?.name;
  return runPod(workload(name), configMaps(), {
    settings: settings(),
    volumes: tokenVolume && token !== undefined ? { [tokenVolume]: { token } } : {},
    ...opts,
    env: { KFP_GITOPS_NOW: '2026-02-01T00:00:00Z', ...opts.env },
  });
}

const output = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

beforeAll(async () => {
  await fs.access(path.join(repoRoot, 'dist/cli/index.js'));
  ({ objects } = await kustomize(path.join(deployDir, 'overlays/all-reconcilers')));
  postSync = (await kustomize(path.join(deployDir, 'overlays/argocd-postsync'))).objects;
  // Training stays in flight for the whole test (the retrain CronJob's second run must see it).
  emu = await startKfpEmulator({ auth: { tokens: accepted }, runTiming: { pendingMs: 600_000 } });
  configRepo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
});
afterAll(async () => {
  await emu?.close();
  await configRepo?.remove();
});

describe('the apply CronJob', () => {
  test('the manifest is what runs: git-sync one-time at the configured ref, the pinned CLI, the token file', () => {
    const pod = podOf(workload('kfp-gitops-apply'));
    expect(pod.initContainers[0].args).toEqual([
      '--repo=$(CONFIG_REPO)',
      '--ref=$(CONFIG_REF)',
      '--root=/git/root',
      '--link=config',
      '--depth=1',
      '--one-time',
    ]);
    expect(pod.containers[0].workingDir).toBe('/git/root/config');
    expect(pod.containers[0].command).toEqual(['npx', '--yes', 'kfp-gitops@1.0.0']);
  });

  test('two runs with the token rotated in between: the first converges KFP, the second writes nothing', async () => {
    accepted.splice(0, accepted.length, TOKEN_1);
    const first = await run('kfp-gitops-apply', TOKEN_1);
    expect(first.code).toBe(0);
    expect(first.argv.slice(2)).toEqual([
      'apply',
      '--config-folders=schedules/team-ml',
      `--kfp-host=${emu.url}`,
      '--api-version=v1beta1',
      `--kfp-token-file=${first.volumeDirs['kfp-token']}/token`,
    ]);
    const writes = emu.log.writes;
    expect(writes).toBeGreaterThan(0);
    expect(emu.state.experimentByName('issue-classifier-training', 'team-ml')).toBeDefined();
    // The image has no git: the commit in each version's lineage comes from git-sync's worktree name.
    const head = (await git(configRepo.dir, ['rev-parse', 'HEAD'])).trim();
    const descriptions = [...emu.state.jobs.values()].map((j) => j.description);
    expect(descriptions.length).toBeGreaterThan(0);
    for (const d of descriptions)
      expect(d).toMatch(
        new RegExp(`\\[kfp-gitops: commit ${head.slice(0, 12)} · schedules/team-ml/recurring_runs\\.yaml:\\d+\\]`),
      );

    // The kubelet rotates the projected token; the old one no longer works.
    accepted.splice(0, accepted.length, TOKEN_2);
    const calls = emu.log.calls;
    const second = await run('kfp-gitops-apply', TOKEN_2);
    expect(second.code).toBe(0);
    expect(emu.log.calls).toBeGreaterThan(calls);
    expect(emu.log.entries.filter((e) => e.status === 401)).toEqual([]);
    expect(emu.log.writes).toBe(writes);
    expect(second.stdout).toMatch(/changes=0/);
    for (const r of [first, second]) {
      expect(output(r)).not.toContain(TOKEN_1);
      expect(output(r)).not.toContain(TOKEN_2);
    }
  });

  test('the old token is refused once rotated, and the run says what to check (token never printed)', async () => {
    const writes = emu.log.writes;
    const r = await run('kfp-gitops-apply', TOKEN_1);
    expect(r.code).not.toBe(0);
    expect(output(r)).toMatch(/HTTP 401.*kfp-token-file \(expired\? audience pipelines\.kubeflow\.org\?\)/);
    expect(output(r)).not.toContain(TOKEN_1);
    expect(emu.log.writes).toBe(writes);
  });

  test('no token file at the path: a clear error naming it, and nothing sent to KFP', async () => {
    const calls = emu.log.calls;
    const r = await run('kfp-gitops-apply', undefined);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(
        `kfp-token-file '${r.volumeDirs['kfp-token']}/token' cannot be read \\(ENOENT\\)\\. Fix: mount the token there \\(in Kubernetes, a projected serviceAccountToken volume with audience pipelines\\.kubeflow\\.org\\)`,
      ),
    );
    expect(emu.log.calls).toBe(calls);
  });

  test('the Argo CD PostSync Job runs the same apply: nothing left to write', async () => {
    const writes = emu.log.writes;
    const job = postSync.find((o) => o.kind === 'Job')!;
    const r = await runPod(
      job,
      postSync.filter((o) => o.kind === 'ConfigMap'),
      { settings: settings(), volumes: { 'kfp-token': { token: TOKEN_2 } } },
    );
    expect(output(r)).toMatch(/changes=0/);
    expect(r.code).toBe(0);
    expect(emu.log.writes).toBe(writes);
  });
});

describe('the retrain CronJob (model-freshness → run-pipeline)', () => {
  test('a too-old model starts ONE training run; the next run sees it in flight and writes nothing', async () => {
    accepted.splice(0, accepted.length, TOKEN_2);
    const writes = emu.log.writes;
    const first = await run('kfp-gitops-retrain', TOKEN_2);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/needs-retrain=true/);
    expect(
      emu.log.entries
        .filter((e) => e.write)
        .slice(-1)
        .map((e) => e.route),
    ).toEqual(['POST /apis/v1beta1/runs']);
    expect(emu.log.writes).toBe(writes + 1);

    const second = await run('kfp-gitops-retrain', TOKEN_2);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/reason=training-in-flight/);
    expect(emu.log.writes).toBe(writes + 1);
    for (const r of [first, second]) expect(output(r)).not.toContain(TOKEN_2);
  });
});

describeWithShared('the model PR CronJob (open-model-pr) against the GitHub API double', () => {
  let gh: GitHubDouble;
  beforeAll(async () => {
    gh = await startGitHubDouble({ login: 'model-promoter[bot]', tokens: ['app-token-xyz'] });
    gh.createRepo('acme/serving', {
      files: {
        'serving/churn-model.yaml': await fs.readFile(path.join(repoRoot, 'examples/serving/churn-model.yaml'), 'utf8'),
      },
    });
  });
  afterAll(async () => {
    expect(gh.violations).toEqual([]);
    await gh?.close();
  });

  test('opens ONE PR pinning the newest model; the next run writes nothing; the token from the Secret is never printed', async () => {
    const opts = { secrets: { 'kfp-gitops-github/token': 'app-token-xyz' }, env: { GITHUB_API_URL: gh.url } };
    const first = await run('kfp-gitops-model-pr', undefined, opts);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/operation=created/);
    expect(gh.pulls('acme/serving')).toHaveLength(1);
    const writes = gh.writes().length;
    const second = await run('kfp-gitops-model-pr', undefined, opts);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/operation=none/);
    expect(gh.writes()).toHaveLength(writes);
    for (const r of [first, second]) expect(output(r)).not.toContain('app-token-xyz');
  });
});
