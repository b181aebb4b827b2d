import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import type { TempRepo } from '../support/git-repo.js';
import { repoRoot } from '../support/paths.js';
import { runWorkflow, type RunWorkflowOptions } from '../support/workflow-runner/runner.js';
import { errorsOf, examplesRepo, openPullRequest, results } from './helpers.js';

/**
 * model-quality-gate.yml on model pull requests and promote-model.yml on a schedule, called as a
 * repository calls them, end to end with their actions, the GitHub double and examples/ data.
 */
jest.setTimeout(180_000); // several workflow runs per test, each starting a few node processes
const NOW = '2026-01-25T00:00:00Z';
let double: GitHubDouble;
const repos: TempRepo[] = [];

beforeAll(async () => {
  double = await startGitHubDouble({ now: () => new Date(NOW) });
});
afterAll(async () => {
  await double.close();
  await Promise.all(repos.map((r) => r.remove()));
});
afterEach(() => expect(double.violations).toEqual([]));

async function repoWith(opts: Parameters<typeof examplesRepo>[0]): Promise<TempRepo> {
  const repo = await examplesRepo({ only: ['quality', 'serving', 'models'], ...opts });
  repos.push(repo);
  return repo;
}

const call = (
  content: string,
  opts: Partial<RunWorkflowOptions> & Pick<RunWorkflowOptions, 'event' | 'ref' | 'repository'>,
) =>
  runWorkflow({ workflow: 'caller.yml', content, env: { GITHUB_API_URL: double.url, KFP_GITOPS_NOW: NOW }, ...opts });

describe('model-quality-gate.yml on a model pull request', () => {
  const REPO = 'acme/label-bot';
  // The champion's metrics are the file on the default branch (git: baseline, which needs full history).
  const caller = `
name: model PR
on: [pull_request, push]
permissions: {}
jobs:
  quality:
    permissions: {contents: read, pull-requests: write}
    uses: ./.github/workflows/model-quality-gate.yml
    with:
      metrics: metrics.json
      thresholds: thresholds.yaml
      baseline: git:origin/main
      working-directory: quality
`;
  const metrics = async (change: (m: Record<string, any>) => void) => {
    const m = JSON.parse(await fs.readFile(path.join(repoRoot, 'examples/quality/metrics.json'), 'utf8'));
    change(m);
    return { 'quality/metrics.json': JSON.stringify(m, null, 2) };
  };

  test('a better model passes with one sticky comment; a worse push fails, the same comment says why; a push to main posts none', async () => {
    const pr = await openPullRequest(double, REPO);
    const better = await repoWith({
      pr: pr.number,
      change: await metrics((m) => {
        m.accuracy = 0.93;
      }),
    });
    const ok = await call(caller, {
      event: 'pull_request',
      ref: `refs/pull/${pr.number}/merge`,
      payload: pr.payload,
      repository: { dir: better.dir, fullName: REPO },
    });
    expect(results(ok)).toEqual({ quality: 'success', 'quality / quality': 'success' });
    expect(ok.jobs.quality!.outputs.passed).toBe('true');
    expect(JSON.parse(ok.jobs.quality!.outputs.results!)).toMatchObject({
      passed: true,
      counts: { fail: 0 },
      results: expect.arrayContaining([
        expect.objectContaining({ metric: 'accuracy', baseline: 0.912, candidate: 0.93 }),
      ]),
    });
    let comments = double.comments(REPO, pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('Quality gate passed');
    expect(ok.warnings).toEqual([]);

    const worse = await repoWith({
      pr: pr.number,
      change: await metrics((m) => {
        m.precision['area-katib'] = 0.42;
      }),
    });
    const bad = await call(caller, {
      event: 'pull_request',
      ref: `refs/pull/${pr.number}/merge`,
      payload: pr.payload,
      repository: { dir: worse.dir, fullName: REPO },
    });
    expect(results(bad)).toEqual({ quality: 'failure', 'quality / quality': 'failure' });
    expect(bad.jobs.quality!.outputs.passed).toBe('false'); // outputs of a failed job still reach the caller
    comments = double.comments(REPO, pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('Quality gate failed: 1 of 50 checks failed (precision.area-katib)');

    const writes = double.writes().length;
    const push = await call(caller, {
      event: 'push',
      ref: 'refs/heads/main',
      repository: { dir: better.dir, fullName: REPO },
    });
    expect(results(push)).toEqual({ quality: 'success', 'quality / quality': 'success' });
    expect(double.writes()).toHaveLength(writes);
  });

  test("a wrong input fails with quality-gate's own message", async () => {
    const repo = await repoWith({});
    const run = await call(
      caller.replace('working-directory: quality', 'working-directory: quality\n      missing-baseline: maybe'),
      { event: 'push', ref: 'refs/heads/main', repository: { dir: repo.dir, fullName: REPO } },
    );
    expect(results(run)).toEqual({ quality: 'failure', 'quality / quality': 'failure' });
    expect(errorsOf(run, 'quality / quality').join('\n')).toMatch(/missing-baseline.*maybe|maybe.*missing-baseline/s);
  });
});

describe('promote-model.yml on a schedule', () => {
  const REPO = 'acme/serving';
  const APP_TOKEN = 'ghs_app_installation_token_1';
  const caller = (withExtra = '') => `
name: promote
on:
  schedule: [{cron: '0 6 * * *'}]
permissions: {}
jobs:
  promote:
    permissions: {contents: write, pull-requests: write}
    uses: your-org/kfp-gitops/.github/workflows/promote-model.yml@v1
    with:
      model-source: file:models/trained-models.json
      config-file: serving/churn-model.yaml
      config-key: spec.predictor.model.storageUri
      document: InferenceService/churn-model
      thresholds: quality/thresholds.yaml
      metrics: quality/metrics.json
      baseline: quality/baseline.json${withExtra}
    secrets:
      MODEL_PR_TOKEN: \${{ secrets.MODEL_PR_TOKEN }}
`;
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await repoWith({});
    double.createRepo(REPO, { files: { 'serving/churn-model.yaml': await repo.read('serving/churn-model.yaml') } });
  });
  const promote = (opts: Partial<RunWorkflowOptions> = {}, extra = '') =>
    call(caller(extra), {
      event: 'schedule',
      ref: 'refs/heads/main',
      payload: { schedule: '0 6 * * *' },
      repository: { dir: repo.dir, fullName: REPO },
      ...opts,
    });

  test('with MODEL_PR_TOKEN: gate passes, ONE pull request opened with that token by a job without write permissions', async () => {
    const run = await promote({ secrets: { MODEL_PR_TOKEN: APP_TOKEN } });
    expect(results(run)).toEqual({
      promote: 'success',
      'promote / newest': 'success',
      'promote / quality': 'success',
      'promote / pr': 'success',
      'promote / pr-github-token': 'skipped',
      'promote / gate': 'success',
    });
    expect(run.jobs['promote / pr']!.permissions).toEqual({});
    expect(run.jobs['promote / pr']!.concurrency).toEqual({
      group: 'kfp-gitops-promote-auto-update-model',
      cancelInProgress: false,
    });
    const out = run.jobs.promote!.outputs;
    expect(JSON.parse(out['newest-model']!)).toMatchObject({ id: 'churn-2026-01-17' });
    expect(out).toMatchObject({
      passed: 'true',
      operation: 'created',
      'pull-request-url': 'https://github.com/acme/serving/pull/1',
    });
    const [pull] = double.pulls(REPO);
    expect(pull).toMatchObject({ number: 1, head: 'auto-update-model', state: 'open' });
    expect(pull!.body).toContain('Quality gate passed'); // the gate report is the PR body
    expect(
      double
        .writes()
        .filter((r) => r.path.startsWith(`/repos/${REPO}`))
        .every((r) => r.token === APP_TOKEN),
    ).toBe(true);
    expect(run.log).not.toContain(APP_TOKEN);
  });

  test('without MODEL_PR_TOKEN: only pr-github-token runs, with contents write, on the workflow token', async () => {
    const before = double.requests.length;
    const run = await promote({ secrets: {} });
    expect(results(run)).toMatchObject({
      'promote / pr': 'skipped',
      'promote / pr-github-token': 'success',
      'promote / gate': 'success',
    });
    expect(run.jobs['promote / pr-github-token']!.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    expect(run.jobs.promote!.outputs.operation).toBe('none'); // same model: the PR is already right
    const tokens = new Set(double.requests.slice(before).map((r) => r.token));
    expect([...tokens].every((t) => t?.startsWith('ghs_') && t !== APP_TOKEN)).toBe(true);
  });

  test("a failing gate stops before the PR; a wrong input fails with open-model-pr's own message", async () => {
    const writes = double.writes().length;
    const worse = await call(
      caller().replace('thresholds: quality/thresholds.yaml', "thresholds: 'accuracy: {min: 0.99}'"),
      {
        event: 'schedule',
        ref: 'refs/heads/main',
        repository: { dir: repo.dir, fullName: REPO },
        secrets: { MODEL_PR_TOKEN: APP_TOKEN },
      },
    );
    expect(results(worse)).toEqual({
      promote: 'failure',
      'promote / newest': 'success',
      'promote / quality': 'failure',
      'promote / pr': 'skipped',
      'promote / pr-github-token': 'skipped',
      'promote / gate': 'failure',
    });
    expect(worse.jobs.promote!.outputs).toMatchObject({ passed: 'false', operation: '', 'pull-request-url': '' });
    expect(double.writes()).toHaveLength(writes);
    const wrong = await promote({ secrets: { MODEL_PR_TOKEN: APP_TOKEN } }, '\n      pin: sha');
    expect(results(wrong)).toMatchObject({ 'promote / pr': 'failure', 'promote / gate': 'failure' });
    expect(errorsOf(wrong, 'promote / pr').join('\n')).toContain('pin');
  });
});
