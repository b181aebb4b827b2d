import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { git } from '../../src/lib/git.js';
import { startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { TempRepo } from '../support/git-repo.js';
import { repoRoot } from '../support/paths.js';
import { runWorkflow, type RunWorkflowOptions } from '../support/workflow-runner/runner.js';
import { mutatedWorkflows, openPullRequest, results } from './helpers.js';

/**
 * reconcile.yml with shard-size, run end to end by the workflow test executor: the shards job lists three
 * namespace folders, a matrix job reconciles each, and the gather job puts their plans (artifacts) in ONE
 * sticky comment on the GitHub double; a shard whose KFP writes are refused fails the workflow, not the
 * other shards, whose applies happen.
 */
jest.setTimeout(300_000); // a few workflow runs, each starting several node processes
const REPO = 'acme/platform';
const TEAMS = ['team-a', 'team-b', 'team-c'];
const example = (file: string) => fs.readFileSync(path.join(repoRoot, 'examples/schedules/team-ml', file), 'utf8');

let emu: KfpEmulator;
let double: GitHubDouble;
let repo: TempRepo;
let pr: { number: number; payload: Record<string, unknown> };

beforeAll(async () => {
  // team-b's writes are refused: its identity may only read there.
  emu = await startKfpEmulator({
    auth: {
      identities: {
        'kfp-sa-token': {
          user: 'ci@example.com',
          namespaces: { 'team-a': 'edit', 'team-b': 'view', 'team-c': 'edit' },
        },
      },
    },
  });
  double = await startGitHubDouble();
  pr = await openPullRequest(double, REPO);
  repo = await TempRepo.create(
    Object.fromEntries(
      TEAMS.flatMap((t) => [
        [`schedules/${t}/experiments.yaml`, example('experiments.yaml')],
        [`schedules/${t}/recurring_runs.yaml`, example('recurring_runs.yaml')],
      ]),
    ),
    { copyFrom: path.join(repoRoot, 'examples') },
  );
  await repo.commit('three teams');
  await git(repo.dir, ['update-ref', `refs/pull/${pr.number}/merge`, 'HEAD']);
});
afterAll(async () => {
  await emu.close();
  await double.close();
  await repo.remove();
});

const CALLER = `
on: [pull_request, push]
permissions: {}
jobs:
  reconcile:
    permissions: {contents: read, pull-requests: write}
    uses: ./.github/workflows/reconcile.yml
    with:
      config-folders: schedules/team-[a-c]
      kfp-host: \${{ vars.KFP_HOST }}
      shard-size: 1
    secrets:
      KFP_TOKEN: \${{ secrets.KFP_TOKEN }}
`;
const sharded = (opts: Pick<RunWorkflowOptions, 'event' | 'ref'> & Partial<RunWorkflowOptions>) =>
  runWorkflow({
    workflow: 'platform.yml',
    content: CALLER,
    repository: { dir: repo.dir, fullName: REPO },
    vars: { KFP_HOST: emu.url },
    secrets: { KFP_TOKEN: 'kfp-sa-token' },
    env: { GITHUB_API_URL: double.url },
    ...opts,
  });
const enabledIn = () =>
  new Set(
    [...emu.state.jobs.values()]
      .filter((j) => j.enabled)
      .map((j) => [...emu.state.experiments.values()].find((e) => e.id === j.experimentId)!.namespace),
  );

describe('reconcile.yml with shard-size', () => {
  test('pull request: three plan shards gathered into ONE sticky comment; nothing written; gate green', async () => {
    const run = await sharded({ event: 'pull_request', ref: `refs/pull/${pr.number}/merge`, payload: pr.payload });
    expect(results(run)).toEqual({
      reconcile: 'success',
      'reconcile / plan': 'skipped',
      'reconcile / guard': 'skipped',
      'reconcile / apply': 'skipped',
      'reconcile / shards': 'success',
      'reconcile / plan shard 1: team-a': 'success',
      'reconcile / plan shard 2: team-b': 'success',
      'reconcile / plan shard 3: team-c': 'success',
      'reconcile / apply-shards': 'skipped',
      'reconcile / gather-plan': 'success',
      'reconcile / gather-apply': 'skipped',
      'reconcile / gate': 'success',
    });
    expect(run.warnings).toEqual([]);
    expect(emu.log.writes).toBe(0);
    const comments = double.comments(REPO, pr.number);
    expect(comments).toHaveLength(1);
    const body = comments[0]!.body;
    expect(body.startsWith('<!-- kfp-gitops:plan:team-a/team-b/team-c -->\n')).toBe(true);
    expect(body).toContain('21 write(s) planned');
    for (const t of TEAMS)
      expect(body).toMatch(new RegExp(`\\| \`${t}\` \\| 7 \\| .* \\| 📝 7 write\\(s\\) planned \\|`));
    expect(run.jobs.reconcile!.outputs).toMatchObject({ changes: '21', applied: 'false' });
    // Only the gather job may write to the pull request; each shard reads the repository only.
    expect(run.jobs['reconcile / gather-plan']!.permissions).toEqual({ 'pull-requests': 'write' });
    expect(run.jobs['reconcile / plan shard 2: team-b']!.permissions).toEqual({ contents: 'read' });
    expect(run.log).not.toContain('kfp-sa-token');
    // The next push to the pull request updates the same comment.
    await sharded({ event: 'pull_request', ref: `refs/pull/${pr.number}/merge`, payload: pr.payload });
    expect(double.comments(REPO, pr.number)).toHaveLength(1);
  });

  test('push: a failing shard fails the workflow, not the other shards; their applies happen', async () => {
    const run = await sharded({ event: 'push', ref: 'refs/heads/main' });
    expect(results(run)).toMatchObject({
      reconcile: 'failure',
      'reconcile / guard': 'success',
      'reconcile / shards': 'success',
      'reconcile / apply shard 1: team-a': 'success',
      'reconcile / apply shard 2: team-b': 'failure',
      'reconcile / apply shard 3: team-c': 'success',
      'reconcile / gather-apply': 'failure',
      'reconcile / gate': 'failure',
    });
    expect(enabledIn()).toEqual(new Set(['team-a', 'team-c']));
    // Each apply shard in its own concurrency group, in the kfp-apply environment.
    const shard3 = run.jobs['reconcile / apply shard 3: team-c']!;
    expect(shard3.concurrency).toEqual({ group: `kfp-gitops-apply-${emu.url}-team-c`, cancelInProgress: false });
    expect(shard3.environment).toBe('kfp-apply');
    const summary = run.jobs['reconcile / gather-apply']!.steps.map((s) => s.summary).join('');
    expect(summary).toMatch(/\| `team-a` \| 7 \| .* \| ✅ 7 write\(s\) applied \|/);
    expect(summary).toMatch(/\| `team-b` \| 7 \| .* \| ❌ \d+ step\(s\) failed \|/);
    expect(run.jobs.reconcile!.outputs.applied).toBe('false');
    expect(run.log).toContain('1 namespace(s) failed (team-b)');
  });
});

describe('the suite fails when the sharding in reconcile.yml is broken (a mutated temp copy)', () => {
  test('fail-fast left on: the failing shard cancels the others, whose applies never happen', async () => {
    await emu.close();
    emu = await startKfpEmulator({
      auth: {
        identities: {
          'kfp-sa-token': {
            user: 'ci@example.com',
            namespaces: { 'team-a': 'edit', 'team-b': 'view', 'team-c': 'edit' },
          },
        },
      },
    });
    const dir = await mutatedWorkflows('reconcile.yml', (text) => text.replace('fail-fast: false', 'fail-fast: true'));
    try {
      const run = await sharded({ event: 'push', ref: 'refs/heads/main', workflowsDir: dir });
      expect(results(run)['reconcile / apply shard 3: team-c']).toBe('cancelled');
      expect(enabledIn()).toEqual(new Set(['team-a']));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
