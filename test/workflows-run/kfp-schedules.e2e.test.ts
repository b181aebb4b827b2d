import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { git } from '../../src/lib/git.js';
import { startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import type { TempRepo } from '../support/git-repo.js';
import { runWorkflow, type RunWorkflowOptions, type WorkflowRun } from '../support/workflow-runner/runner.js';
import { errorsOf, examplesRepo, mutatedWorkflows, openPullRequest, results, TEMPLATES } from './helpers.js';

/**
 * The schedules starter template (workflows-templates/kfp-schedules.yml) run end to end with
 * check-reconcile-configs.yml and reconcile.yml, their actions (see entryArgs), the KFP emulator and the
 * GitHub double: the events a schedules repository sees, in the order they happen.
 */
jest.setTimeout(180_000); // several workflow runs per test, each starting a few node processes
const REPO = 'acme/schedules';
const KFP_TOKEN = 'kfp-sa-token-0123456789';

let emu: KfpEmulator;
let double: GitHubDouble;
let repo: TempRepo;
let pr: { number: number; payload: Record<string, unknown> };

beforeAll(async () => {
  emu = await startKfpEmulator({ auth: { tokens: [KFP_TOKEN] } });
  double = await startGitHubDouble();
  pr = await openPullRequest(double, REPO);
  repo = await examplesRepo({ pr: pr.number, only: ['schedules', 'pipelines'] });
});
afterAll(async () => {
  await emu.close();
  await double.close();
  await repo.remove();
});

const template = (opts: Partial<RunWorkflowOptions> & Pick<RunWorkflowOptions, 'event' | 'ref'>) =>
  runWorkflow({
    workflow: path.join(TEMPLATES, 'kfp-schedules.yml'),
    repository: { dir: repo.dir, fullName: REPO },
    vars: { KFP_HOST: emu.url },
    secrets: { KFP_TOKEN },
    env: { GITHUB_API_URL: double.url },
    ...opts,
  });
const comments = () => double.comments(REPO, pr.number);
/** reconcile.yml's sharded jobs, skipped without shard-size (test/workflows-run/reconcile-sharded.e2e.test.ts runs them). */
const SHARD_JOBS_SKIPPED = {
  'reconcile / shards': 'skipped',
  'reconcile / plan-shards': 'skipped',
  'reconcile / apply-shards': 'skipped',
  'reconcile / gather-plan': 'skipped',
  'reconcile / gather-apply': 'skipped',
};

/**
 * What a pull request run must do; returns the problems (empty when right), so that the mutation tests
 * below can show that a broken reconcile.yml makes it fail.
 */
async function pullRequestProblems(workflowsDir?: string): Promise<{ run: WorkflowRun; problems: string[] }> {
  const writes = emu.log.writes;
  const before = comments().length;
  const run = await template({
    event: 'pull_request',
    ref: `refs/pull/${pr.number}/merge`,
    payload: pr.payload,
    workflowsDir,
  });
  const problems: string[] = [];
  const want = {
    configs: 'success',
    'configs / configs': 'success',
    reconcile: 'success',
    'reconcile / plan': 'success',
    'reconcile / guard': 'skipped',
    'reconcile / apply': 'skipped',
    ...SHARD_JOBS_SKIPPED,
    'reconcile / gate': 'success',
  };
  if (JSON.stringify(results(run)) !== JSON.stringify(want)) problems.push(`jobs: ${JSON.stringify(results(run))}`);
  if (emu.log.writes !== writes) problems.push(`${emu.log.writes - writes} KFP write(s) on a pull request`);
  if (comments().length !== Math.max(before, 1))
    problems.push(`${comments().length} PR comment(s), expected one sticky comment`);
  const out = run.jobs.reconcile!.outputs;
  if (out.changes !== '7' || out.applied !== 'false' || !out.plan?.startsWith('['))
    problems.push(`reconcile outputs: ${JSON.stringify({ ...out, plan: out.plan?.slice(0, 20) })}`);
  if (run.jobs.configs!.outputs.errors !== '0')
    problems.push(`configs outputs: ${JSON.stringify(run.jobs.configs!.outputs)}`);
  return { run, problems };
}

describe('kfp-schedules.yml, event by event', () => {
  test('pull request: configs checked, plan posted as ONE sticky comment, nothing applied, gate green', async () => {
    const { run, problems } = await pullRequestProblems();
    expect(problems).toEqual([]);
    expect(run.warnings).toEqual([]);
    expect(comments()[0]!.body).toContain('<!-- kfp-gitops:plan:team-ml -->');
    expect(run.jobs.configs!.outputs.schedules).toMatch(/^[1-9]\d*$/);
    expect(JSON.parse(run.jobs.reconcile!.outputs.plan!)).toEqual(expect.anything());
    // Only the plan job can write to the pull request; the KFP token never reaches the log.
    expect(run.jobs['reconcile / plan']!.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(run.log).not.toContain(KFP_TOKEN);
    // A second push to the PR updates the same comment.
    expect((await pullRequestProblems()).problems).toEqual([]);
  });

  test('pull request breaking a schedule: configs fails at file:line, the plan fails too, gate red, nothing applied', async () => {
    const file = 'schedules/team-ml/recurring_runs.yaml';
    const broken = await examplesRepo({
      pr: pr.number,
      only: ['schedules', 'pipelines'],
      change: { [file]: (await repo.read(file)).replace('cron: "0 30 2 * * *"', 'cron: "0 30 25 * * *"') },
    });
    try {
      const writes = emu.log.writes;
      const run = await template({
        event: 'pull_request',
        ref: `refs/pull/${pr.number}/merge`,
        payload: pr.payload,
        repository: { dir: broken.dir, fullName: REPO },
      });
      expect(results(run)).toMatchObject({
        'configs / configs': 'failure',
        'reconcile / plan': 'failure',
        'reconcile / apply': 'skipped',
        'reconcile / gate': 'failure',
      });
      expect(Number(run.jobs.configs!.outputs.errors)).toBeGreaterThanOrEqual(1);
      const annotations = run.jobs['configs / configs']!.steps.flatMap((s) => s.annotations).filter(
        (a) => a.kind === 'error',
      );
      expect(annotations.map((a) => a.props.file)).toContain(file);
      expect(emu.log.writes).toBe(writes);
    } finally {
      await broken.remove();
    }
  });

  test('workflow_dispatch mode=apply from a feature branch is refused: guard fails, nothing applied, gate red', async () => {
    const writes = emu.log.writes;
    const run = await template({ event: 'workflow_dispatch', ref: 'refs/heads/feature', inputs: { mode: 'apply' } });
    expect(results(run)).toEqual({
      configs: 'skipped',
      reconcile: 'failure',
      'reconcile / plan': 'skipped',
      'reconcile / guard': 'failure',
      'reconcile / apply': 'skipped',
      ...SHARD_JOBS_SKIPPED,
      'reconcile / gate': 'failure',
    });
    expect(errorsOf(run, 'reconcile / guard')).toEqual([
      'Apply refused: refs/heads/feature is not the default branch (main) nor in apply-branches. Apply from the default branch, or add the branch to the apply-branches input.',
    ]);
    expect(emu.log.writes).toBe(writes);
    expect(run.jobs.reconcile!.outputs.applied).toBe('false');
  });

  test('push to the default branch: applied in the kfp-apply environment, no comment, applied=true', async () => {
    const before = comments().length;
    const run = await template({
      event: 'push',
      ref: 'refs/heads/main',
      payload: { before: '0'.repeat(40), after: 'x', pusher: { name: 'octocat' } },
    });
    expect(results(run)).toEqual({
      configs: 'skipped',
      reconcile: 'success',
      'reconcile / plan': 'skipped',
      'reconcile / guard': 'success',
      'reconcile / apply': 'success',
      ...SHARD_JOBS_SKIPPED,
      'reconcile / gate': 'success',
    });
    expect(run.jobs['reconcile / apply']!.environment).toBe('kfp-apply');
    expect(run.jobs['reconcile / apply']!.permissions).toEqual({ contents: 'read' });
    expect(run.jobs['reconcile / apply']!.concurrency).toEqual({
      group: `kfp-gitops-apply-${emu.url}`,
      cancelInProgress: false,
    });
    expect(run.jobs.reconcile!.outputs).toMatchObject({ changes: '7', applied: 'true' });
    expect(emu.log.writes).toBeGreaterThanOrEqual(7);
    expect(comments()).toHaveLength(before);
  });

  test('nightly schedule: applies again, finds nothing to change', async () => {
    const writes = emu.log.writes;
    const run = await template({ event: 'schedule', ref: 'refs/heads/main', payload: { schedule: '23 3 * * *' } });
    expect(results(run)['reconcile / apply']).toBe('success');
    expect(run.jobs.reconcile!.outputs).toMatchObject({ changes: '0', applied: 'true' });
    expect(emu.log.writes).toBe(writes);
  });

  test('apply-branches lets a release branch apply, in the given environment, with its secrets', async () => {
    await git(repo.dir, ['branch', '-f', 'release/1', 'main']);
    const caller = `
on: workflow_dispatch
permissions: {}
jobs:
  reconcile:
    permissions: {contents: read, pull-requests: write}
    uses: ./.github/workflows/reconcile.yml
    with:
      config-folders: schedules/*
      kfp-host: \${{ vars.KFP_HOST }}
      apply-branches: |
        hotfix
        release/*
      environment: production
    secrets:
      KFP_TOKEN: \${{ secrets.KFP_TOKEN }}
`;
    const dispatch = (ref: string, environments: RunWorkflowOptions['environments']) =>
      template({
        workflow: 'schedules.yml',
        content: caller,
        event: 'workflow_dispatch',
        ref,
        secrets: { KFP_TOKEN: 'a-repository-secret' },
        environments,
      });
    // The environment's own KFP_TOKEN replaces the caller's (wrong) one: the apply can only succeed with it.
    const run = await dispatch('refs/heads/release/1', { production: { secrets: { KFP_TOKEN } } });
    expect(results(run)).toMatchObject({
      'reconcile / guard': 'success',
      'reconcile / apply': 'success',
      'reconcile / gate': 'success',
    });
    expect(run.jobs['reconcile / apply']!.environment).toBe('production');
    // A deployment branch rule on the environment refuses the branch on GitHub's side as well.
    const ruled = await dispatch('refs/heads/release/1', {
      production: { secrets: { KFP_TOKEN }, branches: ['main'] },
    });
    expect(results(ruled)).toMatchObject({ 'reconcile / apply': 'failure', 'reconcile / gate': 'failure' });
    expect(ruled.jobs['reconcile / apply']!.error).toBe(
      'Branch "release/1" is not allowed to deploy to production due to environment protection rules.',
    );
  });

  test('workflow_dispatch mode=plan on main: plans, posts no comment (no pull request)', async () => {
    const before = comments().length;
    const run = await template({ event: 'workflow_dispatch', ref: 'refs/heads/main', inputs: { mode: 'plan' } });
    expect(results(run)).toMatchObject({
      'reconcile / plan': 'success',
      'reconcile / apply': 'skipped',
      'reconcile / gate': 'success',
    });
    expect(run.jobs.reconcile!.outputs.changes).toBe('0');
    expect(comments()).toHaveLength(before);
  });

  test("a missing KFP secret and an unset KFP_HOST variable fail with the action's own message", async () => {
    const noSecret = await template({ event: 'push', ref: 'refs/heads/main', secrets: {} });
    expect(results(noSecret)).toMatchObject({ 'reconcile / apply': 'failure', 'reconcile / gate': 'failure' });
    expect(noSecret.log).toMatch(/401|Unauthorized|credentials/i);
    const noHost = await template({ event: 'push', ref: 'refs/heads/main', vars: {} });
    expect(results(noHost)).toMatchObject({ 'reconcile / apply': 'failure', 'reconcile / gate': 'failure' });
    expect(errorsOf(noHost, 'reconcile / apply').join('\n')).toContain('kfp-host');
  });
});

describe('the suite fails when reconcile.yml is broken (mutations of a temp copy)', () => {
  // Every mode expression: the plan, guard and apply conditions and the step's mode input, and the sharded
  // jobs' (plan-shards, apply-shards and gather-plan conditions, the shard step's and gather step's mode).
  const MODE = "inputs.mode || (startsWith(github.event_name, 'pull_request') && 'plan' || 'apply')";
  let dirs: string[] = [];
  beforeAll(async () => {
    // A fresh KFP, as for the first pull request above.
    await emu.close();
    emu = await startKfpEmulator({ auth: { tokens: [KFP_TOKEN] } });
  });
  afterAll(async () => {
    await Promise.all(dirs.map((d) => fs.rm(d, { recursive: true, force: true })));
    dirs = [];
  });

  test("swapping 'plan' and 'apply' in the mode expressions: a pull request applies to KFP", async () => {
    const dir = await mutatedWorkflows('reconcile.yml', (text) => {
      const lines = text.split('\n');
      const swapped = lines.map((l) =>
        l.includes(MODE) ? l.replace(/'plan'|'apply'/g, (m) => (m === "'plan'" ? "'apply'" : "'plan'")) : l,
      );
      expect(swapped.filter((l, i) => l !== lines[i]).length).toBe(9);
      return swapped.join('\n');
    });
    dirs.push(dir);
    const { problems } = await pullRequestProblems(dir);
    expect(problems).toEqual(expect.arrayContaining([expect.stringMatching(/^\d+ KFP write\(s\) on a pull request$/)]));
  });

  test('a broken output chain (plan job output read from a step output that does not exist)', async () => {
    const dir = await mutatedWorkflows('reconcile.yml', (text) =>
      text.replace('changes: ${{ steps.reconcile.outputs.changes }}', 'changes: ${{ steps.reconcile.outputs.change }}'),
    );
    dirs.push(dir);
    const { problems } = await pullRequestProblems(dir);
    expect(problems).toEqual([expect.stringMatching(/^reconcile outputs: .*"changes":""/)]);
  });
});
