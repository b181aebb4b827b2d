import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { describeWithShared, repoRoot } from '../support/paths.js';
import { spawnAction } from '../support/run-action.js';
import { createGitHub } from '../../src/lib/github.js';
import { armAutoMerge } from '../../src/models/auto-merge.js';

// Auto-merge of the model PR (issue 17.3): GraphQL enablePullRequestAutoMerge, as
// peter-evans/enable-pull-request-automerge (src/main.ts, enableAutoMerge) and `gh pr merge --auto`
// (cli/cli pkg/cmd/pr/merge/http.go, enableAutoMerge) send it. The double checks the operation and its
// answer against GitHub's public schema (../shared/github-api/schema.graphql).

const REPO = 'acme/serving';
const FILE = 'serving/churn-model.yaml';
const EXAMPLE = fs.readFileSync(path.join(repoRoot, 'examples/serving/churn-model.yaml'), 'utf8');
const model = (day: string) => ({
  id: `churn-${day}`,
  uri: `gs://example-models/churn/${day}T04-00-00Z`,
  created: `${day}T04:00:00Z`,
});
const M1 = model('2026-01-10');
const M2 = model('2026-01-17');
const M3 = model('2026-01-24');

let gh: GitHubDouble;
let workspace: TempRepo;
beforeAll(async () => {
  gh = await startGitHubDouble({ login: 'model-promoter[bot]', now: () => new Date('2026-01-25T00:00:00Z') });
  workspace = await TempRepo.create({ 'models/trained.json': '' });
});
afterAll(async () => {
  await gh?.close();
  await workspace?.remove();
});
beforeEach(() => gh.reset());
afterEach(() => expect(gh.violations).toEqual([]));

async function trained(...models: object[]): Promise<void> {
  await workspace.write({ 'models/trained.json': JSON.stringify({ models }, null, 2) });
}

function run(inputs: Record<string, string> = {}) {
  return spawnAction(
    'open-model-pr',
    {
      'model-source': 'file:models/trained.json',
      'config-file': FILE,
      'config-key': 'spec.predictor.model.storageUri',
      document: 'InferenceService/churn-model',
      token: 'app-token',
      'auto-merge': 'squash',
      ...inputs,
    },
    {
      workspace: workspace.dir,
      env: { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: REPO, KFP_GITOPS_NOW: '2026-01-25T00:00:00Z' },
    },
  );
}

const graphqlCalls = () => gh.requests.filter((r) => r.route === '/graphql');

describeWithShared('open-model-pr auto-merge against the GitHub API double', () => {
  test('armed on the new PR, left alone while armed, armed again after a person disarmed it and the branch was rebuilt', async () => {
    gh.createRepo(REPO, { files: { [FILE]: EXAMPLE }, allowAutoMerge: true });
    await trained(M1, M2);
    const r1 = await run();
    expect(r1.code).toBe(0);
    expect(r1.outputs).toMatchObject({ operation: 'created', 'auto-merge': 'armed', 'pull-request-number': '1' });
    expect(gh.pulls(REPO)[0]).toMatchObject({ state: 'open', autoMerge: 'SQUASH' });
    expect(r1.summary).toContain('Auto-merge (squash) is armed on #1');
    // One mutation, for this PR's node and head, with the method asked for.
    expect(graphqlCalls()).toHaveLength(1);
    const vars = (graphqlCalls()[0]!.body as { variables: Record<string, string> }).variables;
    expect(vars).toMatchObject({ mergeMethod: 'SQUASH', expectedHeadOid: gh.branchSha(REPO, 'auto-update-model') });
    expect(r1.annotations.filter((a) => a.kind === 'warning')).toEqual([]);

    // Same model, still armed: nothing is written, no mutation.
    const before = gh.writes().length;
    const r2 = await run();
    expect(r2.outputs).toMatchObject({ operation: 'none', 'auto-merge': 'armed' });
    expect(gh.writes().length).toBe(before);

    // A person disarms it in the UI; a newer model rebuilds the branch (force push) and the run re-arms it.
    gh.setAutoMerge(REPO, 1, undefined);
    await trained(M1, M2, M3);
    const r3 = await run();
    expect(r3.outputs).toMatchObject({ operation: 'updated', 'auto-merge': 'armed', 'pull-request-number': '1' });
    expect(gh.pulls(REPO)).toHaveLength(1);
    expect(gh.pulls(REPO)[0]).toMatchObject({
      state: 'open',
      autoMerge: 'SQUASH',
      headSha: r3.outputs['pull-request-head-sha'],
    });
    expect((graphqlCalls().at(-1)!.body as { variables: Record<string, string> }).variables.expectedHeadOid).toBe(
      r3.outputs['pull-request-head-sha'],
    );
  });

  test('a repository that does not allow auto-merge: a warning saying which setting, the PR stays open', async () => {
    gh.createRepo(REPO, { files: { [FILE]: EXAMPLE } });
    await trained(M1, M2);
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ operation: 'created', 'auto-merge': 'not-allowed' });
    const warnings = r.annotations.filter((a) => a.kind === 'warning').map((a) => a.message);
    expect(warnings.join('\n')).toMatch(
      /Auto-merge is not allowed in acme\/serving, so #1 stays open.*Allow auto-merge/,
    );
    expect(r.summary).toContain('Auto-merge is not allowed');
    expect(gh.pulls(REPO)[0]).toMatchObject({ state: 'open', merged: false });
    expect(gh.pulls(REPO)[0]!.autoMerge).toBeUndefined();

    // Once an admin allows it, the next run arms it without changing the PR.
    gh.setAllowAutoMerge(REPO, true);
    const r2 = await run({ 'auto-merge': 'rebase' });
    expect(r2.outputs).toMatchObject({ operation: 'none', 'auto-merge': 'armed' });
    expect(gh.pulls(REPO)[0]!.autoMerge).toBe('REBASE');
  });

  test('already merged: the next run says so, writes nothing and arms nothing', async () => {
    gh.createRepo(REPO, { files: { [FILE]: EXAMPLE }, allowAutoMerge: true });
    await trained(M1, M2);
    await run();
    // The required checks passed and GitHub merged it with the armed method.
    gh.mergePull(REPO, 1, { method: 'squash' });
    const writes = gh.writes().length;
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ operation: 'none', 'auto-merge': 'merged', 'pull-request-number': '' });
    expect(r.summary).toContain('[#1](https://github.com/acme/serving/pull/1) pinning it is merged');
    expect(gh.writes().length).toBe(writes);
  });

  test('merged between the run reading it and arming it: GitHub refuses, the PR state says merged', async () => {
    gh.createRepo(REPO, { files: { [FILE]: EXAMPLE }, allowAutoMerge: true });
    await trained(M1, M2);
    await run({ 'auto-merge': '' });
    const pr = gh.pulls(REPO)[0]!;
    const node = (await (await fetch(`${gh.url}/repos/${REPO}/pulls/1`)).json()) as { node_id: string };
    gh.mergePull(REPO, 1);
    const client = await createGitHub({ token: 't', apiUrl: gh.url });
    const a = await armAutoMerge(client, {
      repo: { owner: 'acme', repo: 'serving' },
      pr: { number: 1, url: 'u', open: true, nodeId: node.node_id },
      headSha: pr.headSha,
      method: 'merge',
      base: 'main',
    });
    expect(a).toMatchObject({ state: 'merged', warn: false });
    expect(graphqlCalls()).toHaveLength(1);
  });

  test('refused for another reason (a draft PR): a warning quoting GitHub, the PR stays open', async () => {
    gh.createRepo(REPO, { files: { [FILE]: EXAMPLE }, allowAutoMerge: true });
    await trained(M1, M2);
    const r = await run({ draft: 'true' });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ operation: 'created', 'auto-merge': 'refused' });
    expect(
      r.annotations
        .filter((a) => a.kind === 'warning')
        .map((a) => a.message)
        .join('\n'),
    ).toMatch(/GitHub refused to arm auto-merge on #1: .*draft state.*stays open/);
    expect(gh.pulls(REPO)[0]).toMatchObject({ state: 'open', draft: true });
  });

  test('the state a client reads back by GraphQL fits the schema', async () => {
    gh.createRepo(REPO, { files: { [FILE]: EXAMPLE }, allowAutoMerge: true });
    await trained(M1, M2);
    await run({ 'auto-merge': 'rebase' });
    const client = await createGitHub({ token: 't', apiUrl: gh.url });
    const q = await client.graphql<{
      repository: {
        autoMergeAllowed: boolean;
        pullRequest: { state: string; autoMergeRequest: { mergeMethod: string; enabledBy: { login: string } } };
      };
    }>(
      'query($owner: String!, $name: String!, $n: Int!) { repository(owner: $owner, name: $name) { autoMergeAllowed pullRequest(number: $n) { state headRefOid autoMergeRequest { mergeMethod enabledBy { login } } } } }',
      { owner: 'acme', name: 'serving', n: 1 },
    );
    expect(q.repository).toMatchObject({
      autoMergeAllowed: true,
      pullRequest: {
        state: 'OPEN',
        autoMergeRequest: { mergeMethod: 'REBASE', enabledBy: { login: 'model-promoter[bot]' } },
      },
    });
  });

  test('an operation outside the schema is a violation', async () => {
    gh.createRepo(REPO, { files: { [FILE]: EXAMPLE } });
    const client = await createGitHub({ token: 't', apiUrl: gh.url });
    await expect(
      client.graphql(
        'mutation { enablePullRequestAutoMerge(input: {pullRequestId: "x", mergeMethod: SQUISH}) { pullRequest { number } } }',
      ),
    ).rejects.toThrow();
    expect(gh.violations.map((v) => v.problem).join('\n')).toMatch(/mergeMethod.*SQUISH|SQUISH/);
    gh.violations.length = 0;
  });
});
