import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { spawnAction } from '../support/run-action.js';
import { describeWithShared, repoRoot } from '../support/paths.js';
import { createGitHub } from '../../src/lib/github.js';

const FULL = 'acme/label-bot';
const [owner, name] = FULL.split('/') as [string, string];
const TOKEN = 'ghs_quality_gate_test_token';
const MARKER = '<!-- kfp-gitops:quality-gate -->';

let double: GitHubDouble;
let tmp: string;
const repos: TempRepo[] = [];

beforeAll(async () => {
  double = await startGitHubDouble({ tokens: [TOKEN] });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-gate-'));
});
afterAll(async () => {
  await double.close();
  await fs.rm(tmp, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
  double.reset();
});

async function exampleRepo(): Promise<TempRepo> {
  const dir = path.join(repoRoot, 'examples/quality');
  const files: Record<string, string> = {};
  for (const f of await fs.readdir(dir)) files[`quality/${f}`] = await fs.readFile(path.join(dir, f), 'utf8');
  const repo = await TempRepo.create(files);
  repos.push(repo);
  return repo;
}

/** A pull request in the double, and the env a pull_request run of the workflow has. */
async function pullRequest(): Promise<{ number: number; env: Record<string, string> }> {
  double.createRepo(FULL, { files: { 'README.md': '# label bot\n' } });
  double.commitFiles(FULL, {
    branch: 'auto-update-model',
    files: { 'serving/model.yaml': 'storageUri: gs://models/label-bot/v8\n' },
  });
  const gh = await createGitHub({ token: TOKEN, apiUrl: double.url });
  const { data: pr } = await gh.rest.pulls.create({
    owner,
    repo: name,
    head: 'auto-update-model',
    base: 'main',
    title: 'Update the label bot model',
  });
  await gh.rest.issues.createComment({
    owner,
    repo: name,
    issue_number: pr.number,
    body: 'Merging once the gate is green.',
  });
  const eventPath = path.join(tmp, `event-${pr.number}.json`);
  await fs.writeFile(
    eventPath,
    JSON.stringify({ action: 'synchronize', number: pr.number, pull_request: { number: pr.number } }),
  );
  return {
    number: pr.number,
    env: {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: FULL,
      GITHUB_API_URL: double.url,
    },
  };
}

const INPUTS = {
  metrics: 'metrics.json',
  baseline: 'baseline.json',
  thresholds: 'thresholds.yaml',
  'working-directory': 'quality',
  token: TOKEN,
};

describeWithShared('quality-gate sticky PR comment, against the GitHub API double', () => {
  test('created once, then updated in place; an unchanged report writes nothing', async () => {
    const repo = await exampleRepo();
    const pr = await pullRequest();
    const writesBefore = double.writes().length;

    const first = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir, env: pr.env });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('PR comment created:');
    let comments = double.comments(FULL, pr.number);
    expect(comments.map((c) => c.body.startsWith(MARKER))).toEqual([false, true]); // the human's comment is left alone
    const ours = comments[1]!;
    expect(ours.body).toBe(`${MARKER}\n${first.outputs.report}`);
    expect(ours.body).toContain('⚠️ Quality gate passed: 47 of 50 checks passed');

    const metrics = JSON.parse(await repo.read('quality/metrics.json'));
    metrics.precision['area-katib'] = 0.42;
    await repo.write({ 'quality/metrics.json': JSON.stringify(metrics) });
    const second = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir, env: pr.env });
    expect(second.code).toBe(1); // the comment is still posted before the step fails
    expect(second.stdout).toContain('PR comment updated:');
    comments = double.comments(FULL, pr.number);
    expect(comments).toHaveLength(2);
    expect(comments[1]!.id).toBe(ours.id);
    expect(comments[1]!.body).toContain('❌ Quality gate failed: 1 of 50 checks failed (precision.area-katib)');
    expect(comments[1]!.body.indexOf('`precision.area-katib`')).toBeLessThan(comments[1]!.body.indexOf('`accuracy`')); // failures first

    const writesAfterUpdate = double.writes().length;
    expect(writesAfterUpdate - writesBefore).toBe(2); // one POST, one PATCH
    const third = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir, env: pr.env });
    expect(third.stdout).toContain('PR comment unchanged:');
    expect(double.writes()).toHaveLength(writesAfterUpdate);
    expect(double.violations).toEqual([]);
  });

  test('a gate that can no longer be evaluated replaces an earlier "passed" comment with what to fix', async () => {
    const repo = await exampleRepo();
    const pr = await pullRequest();
    const good = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir, env: pr.env });
    expect(good.code).toBe(0);
    const before = double.comments(FULL, pr.number)[1]!;
    expect(before.body).toContain('Quality gate passed');

    const text = await repo.read('quality/thresholds.yaml');
    await repo.write({
      'quality/thresholds.yaml': text
        .replace('"recall.area-*": {min: 0.30}', '"recall.area-*": {mni: 0.30}')
        .replace('max: 50', 'max: fifty'),
    });
    const broken = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir, env: pr.env });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('PR comment updated:');
    const comments = double.comments(FULL, pr.number);
    expect(comments).toHaveLength(2);
    expect(comments[1]!.id).toBe(before.id);
    expect(comments[1]!.body).toBe(`${MARKER}\n${broken.outputs.report}`);
    expect(comments[1]!.body).not.toContain('passed');
    expect(comments[1]!.body).toContain('### ❌ Quality gate: not evaluated');
    expect(comments[1]!.body).toMatch(
      /^- quality\/thresholds\.yaml:\d+:\d+: 'max' must be a finite number \(got "fifty"\)\. Fix: write a number, e\.g\. `max: 50`\.$/m,
    );
    expect(comments[1]!.body).toMatch(
      /^- quality\/thresholds\.yaml:\d+:\d+: Unknown key 'mni' in the rule for 'recall\.area-\\\*'\. Did you mean 'min'\?/m,
    );
    expect(double.violations).toEqual([]);
  });

  test('two gates with different titles keep one comment each', async () => {
    const repo = await exampleRepo();
    const pr = await pullRequest();
    await spawnAction('quality-gate', INPUTS, { workspace: repo.dir, env: pr.env });
    await spawnAction('quality-gate', { ...INPUTS, title: 'Canary gate' }, { workspace: repo.dir, env: pr.env });
    await spawnAction('quality-gate', { ...INPUTS, title: 'Canary gate' }, { workspace: repo.dir, env: pr.env });
    const bodies = double.comments(FULL, pr.number).map((c) => c.body.split('\n')[0]);
    expect(bodies).toEqual(['Merging once the gate is green.', MARKER, '<!-- kfp-gitops:quality-gate:canary-gate -->']);
    expect(double.comments(FULL, pr.number)[2]!.body).toContain('### ⚠️ Canary gate passed');
    expect(double.violations).toEqual([]);
  });

  test('outside a pull request: no comment and no GitHub request', async () => {
    const repo = await exampleRepo();
    double.createRepo(FULL);
    const r = await spawnAction('quality-gate', INPUTS, {
      workspace: repo.dir,
      env: { GITHUB_EVENT_NAME: 'push', GITHUB_REPOSITORY: FULL, GITHUB_API_URL: double.url },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Not a pull request run: no PR comment');
    expect(double.requests).toEqual([]);
  });

  test('a token that may not comment: a warning with the fix; the verdict stands', async () => {
    const repo = await exampleRepo();
    const pr = await pullRequest();
    double.failNext({
      method: 'POST',
      route: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      status: 403,
      message: 'Resource not accessible by integration',
    });
    const r = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir, env: pr.env });
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('true');
    const w = r.annotations.find((a) => a.kind === 'warning' && a.message.startsWith('The report was not posted'));
    expect(w?.message).toContain('HTTP 403');
    expect(w?.message).toContain('pull-requests: write');
    expect(r.stdout).not.toMatch(new RegExp(`(?<!add-mask::)${TOKEN}`)); // masked, never logged
  });
});
