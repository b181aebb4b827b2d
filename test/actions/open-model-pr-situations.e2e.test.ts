import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { describeWithShared, repoRoot } from '../support/paths.js';
import { spawnAction } from '../support/run-action.js';

/**
 * open-model-pr in every branch and PR situation, against the GitHub double over real git objects.
 * Each test names the peter-evans/create-pull-request integration test
 * (__test__/create-or-update-branch.int.test.ts) or doc it follows, adapted to one pinned file; the
 * situations create-pull-request has no answer for (rejections, lineage) cite issue 23's items.
 */

const REPO = 'acme/serving';
const FILE = 'serving/churn-model.yaml';
const BRANCH = 'auto-update-model';
const EXAMPLE = fs.readFileSync(path.join(repoRoot, 'examples/serving/churn-model.yaml'), 'utf8');
const V1 = 'gs://example-models/churn/2026-01-10T04-00-00Z';
const V2 = 'gs://example-models/churn/2026-01-17T04-00-00Z';
const V3 = 'gs://example-models/churn/2026-01-24T04-00-00Z';
const model = (uri: string, created: string) => ({ id: `churn-${created.slice(0, 10)}`, uri, created });
const M1 = model(V1, '2026-01-10T04:00:00Z');
const M2 = model(V2, '2026-01-17T04:00:00Z');
const M3 = model(V3, '2026-01-24T04:00:00Z');
const pinned = (uri: string) => EXAMPLE.replace(V1, uri);

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
beforeEach(() => {
  gh.reset();
  gh.createRepo(REPO, { files: { [FILE]: EXAMPLE, 'README.md': '# serving\n' } });
});
afterEach(() => {
  expect(gh.violations).toEqual([]);
});

async function trained(...models: object[]): Promise<void> {
  await workspace.write({ 'models/trained.json': JSON.stringify({ models }, null, 2) });
}

const INPUTS = {
  'model-source': 'file:models/trained.json',
  'config-file': FILE,
  'config-key': 'spec.predictor.model.storageUri',
  document: 'InferenceService/churn-model',
  token: 'app-token',
  labels: 'model-update',
  reviewers: 'alice',
};

function run(inputs: Record<string, string> = {}) {
  return spawnAction(
    'open-model-pr',
    { ...INPUTS, ...inputs },
    {
      workspace: workspace.dir,
      env: { GITHUB_API_URL: gh.url, GITHUB_REPOSITORY: REPO, KFP_GITOPS_NOW: '2026-01-25T00:00:00Z' },
    },
  );
}

/** A person acting through the API (the double answers every token). */
async function asPerson(method: string, route: string, body?: unknown): Promise<void> {
  const r = await fetch(`${gh.url}/repos/${REPO}${route}`, {
    method,
    headers: { authorization: 'token human', 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  expect(r.ok).toBe(true);
}
const closeAsPerson = (n: number) => asPerson('PATCH', `/pulls/${n}`, { state: 'closed' });
const pulls = () => gh.pulls(REPO);
const openPulls = () => pulls().filter((p) => p.state === 'open');
const writes = () => gh.writes().length;
const pinCommit = (uri: string, message = 'pin by hand') =>
  gh.commitFiles(REPO, { files: { [FILE]: pinned(uri) }, message });

/** The invariant: the PR branch is exactly one commit, the edit, on top of the current base head. */
function expectOneCommitOnBase(uri: string): void {
  const head = gh.commit(REPO, gh.branchSha(REPO, BRANCH)!);
  expect(head.parents).toEqual([gh.branchSha(REPO, 'main')]);
  expect(gh.files(REPO, BRANCH)).toEqual({ ...gh.files(REPO, 'main'), [FILE]: pinned(uri) });
}

describeWithShared('open-model-pr: branch and PR situations (create-pull-request parity)', () => {
  test('nothing newer than the pin: no branch, no PR, nothing written', async () => {
    // create-or-update-branch.int.test.ts: "tests no changes resulting in no new branch being created"
    await trained(M1);
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({
      operation: 'none',
      'pull-request-number': '',
      'pull-request-head-sha': '',
      'pull-request-branch': BRANCH,
    });
    expect(gh.branches(REPO)).toEqual(['main']);
    expect(gh.writes()).toEqual([]);
  });

  test('base force-pushed to a new commit with the same files: the branch is rebuilt on the new head', async () => {
    // "tests create, force push of base branch, and update with identical changes": the branch is reset
    // onto the rewritten base, never left on the orphaned commit (issue 23, item 1).
    await trained(M1, M2);
    expect((await run()).outputs.operation).toBe('created');
    const orphaned = gh.branchSha(REPO, 'main')!;
    const rewritten = gh.amendBranch(REPO, 'main', 'Initial commit, reworded');
    expect(gh.commit(REPO, rewritten).tree).toBe(gh.commit(REPO, orphaned).tree);
    const r = await run();
    expect(r.outputs).toMatchObject({
      operation: 'updated',
      'pull-request-number': '1',
      'pull-request-head-sha': gh.branchSha(REPO, BRANCH),
    });
    expectOneCommitOnBase(V2);
    expect(gh.commit(REPO, gh.branchSha(REPO, BRANCH)!).parents).not.toContain(orphaned);
    const mark = writes();
    expect((await run()).outputs.operation).toBe('none');
    expect(writes()).toBe(mark);
  });

  test('base pins an intermediate model by hand: the PR is rebuilt on it and reports the new current pin', async () => {
    // "tests create, commit with partial changes on the base, and update"
    await trained(M1, M2, M3);
    await run();
    pinCommit(V2);
    const r = await run();
    expect(r.outputs).toMatchObject({
      operation: 'updated',
      'pull-request-number': '1',
      'current-model': V2,
      'latest-model': V3,
    });
    expectOneCommitOnBase(V3);
    expect(pulls()[0]!.body).toContain(`| current | \`${V2}\` | 2026-01-17T04:00:00.000Z |`);
  });

  test('squash merge: nothing proposed while base pins it; a newer model opens a new PR on the squash commit', async () => {
    // "tests create, squash merge, and update with identical changes"
    await trained(M1, M2);
    await run();
    const squash = gh.mergePull(REPO, 1, { squash: true });
    expect(gh.commit(REPO, squash).parents).toHaveLength(1);
    const mark = writes();
    expect((await run()).outputs).toMatchObject({ operation: 'none', 'pull-request-number': '' });
    expect(writes()).toBe(mark);
    await trained(M1, M2, M3);
    const r = await run();
    expect(r.outputs).toMatchObject({ operation: 'created', 'pull-request-number': '2', 'current-model': V2 });
    expectOneCommitOnBase(V3);
  });

  test('a crash between the push and the PR: the next run opens the PR on the pushed branch without pushing again', async () => {
    // src/create-pull-request.ts: the branch is pushed first, then createOrUpdatePullRequest; a re-run finds
    // the branch "not-updated" and still creates the PR.
    await trained(M1, M2);
    gh.failNext({ method: 'POST', route: '/repos/{owner}/{repo}/pulls', status: 502, message: 'Server Error' });
    expect((await run()).code).toBe(1);
    expect(pulls()).toEqual([]);
    const mark = gh.writes().length;
    const r = await run();
    expect(r.outputs).toMatchObject({ operation: 'created', 'pull-request-number': '1' });
    expect(
      gh
        .writes()
        .slice(mark)
        .map((q) => `${q.method} ${q.route}`),
    ).toEqual([
      'POST /repos/{owner}/{repo}/pulls',
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
    ]);
    expectOneCommitOnBase(V2);
  });

  test('a commit pushed to the PR branch by hand is overwritten: the branch is one commit again', async () => {
    // docs/common-issues.md "Disable force updates to existing PR branches": rebuilt and force-pushed by design.
    await trained(M1, M2);
    await run();
    gh.commitFiles(REPO, { branch: BRANCH, files: { 'notes.txt': 'by hand\n' } });
    expect((await run()).outputs).toMatchObject({ operation: 'updated', 'pull-request-number': '1' });
    expectOneCommitOnBase(V2);
  });

  test('model withdrawn: the action closes its own PR; when the model is newest again it is proposed again', async () => {
    // "tests create and then an update with no changes" (the branch has nothing left: create-pull-request
    // lets GitHub close the PR). That close is the action's, not a person's rejection (issue 23, item 2).
    await trained(M1, M2);
    await run();
    await trained(M1);
    const closed = await run();
    expect(closed.outputs).toMatchObject({ operation: 'closed', 'pull-request-number': '1' });
    expect(pulls()[0]!.state).toBe('closed');
    await trained(M1, M2);
    const again = await run();
    expect(again.outputs).toMatchObject({ operation: 'created', 'pull-request-number': '2' });
    expect(openPulls().map((p) => p.number)).toEqual([2]);
    expectOneCommitOnBase(V2);
  });

  test('pin set by hand then reverted by hand: the PR the action closed is proposed again', async () => {
    // "tests create, commits on the base, and update with identical changes to the base" (issue 23, item 2)
    await trained(M1, M2, M3);
    await run();
    pinCommit(V3);
    expect((await run()).outputs.operation).toBe('closed');
    expect(gh.comments(REPO, 1).map((c) => c.body)).toEqual([
      expect.stringContaining(`\`main\` already pins \`${V3}\``),
    ]);
    pinCommit(V1, 'Revert "pin by hand"');
    const r = await run();
    expect(r.outputs).toMatchObject({ operation: 'created', 'pull-request-number': '2', 'current-model': V1 });
    expectOneCommitOnBase(V3);
  });

  test('a person\'s close holds for that model across unrelated base commits and "Delete branch"; reconsider takes it back', async () => {
    // Issue 23, item 3. create-pull-request would open a new PR here (docs/concepts-guidelines.md: the branch
    // is rebuilt from the base on every run); a promotion bot must not re-propose a rejected model.
    await trained(M1, M2);
    await run();
    await closeAsPerson(1);
    let mark = writes();
    gh.commitFiles(REPO, { files: { 'README.md': '# serving v2\n' } });
    const afterCommit = await run();
    expect(afterCommit.outputs).toMatchObject({ operation: 'none', 'pull-request-number': '' });
    expect(afterCommit.stdout).toContain('PR #1 proposing');
    expect(afterCommit.stdout).toContain('was closed without merging by a person');
    expect(writes()).toBe(mark);
    await asPerson('DELETE', `/git/refs/heads/${BRANCH}`);
    mark = writes();
    expect((await run()).outputs.operation).toBe('none');
    expect(writes()).toBe(mark);
    expect(pulls()).toHaveLength(1);

    // A label on the closed PR takes the rejection back.
    await asPerson('POST', '/issues/1/labels', { labels: ['reconsider'] });
    const reconsidered = await run();
    expect(reconsidered.outputs).toMatchObject({ operation: 'created', 'pull-request-number': '2' });
    expectOneCommitOnBase(V2);

    // Rejected again; the input takes it back too.
    await closeAsPerson(2);
    expect((await run()).outputs.operation).toBe('none');
    expect((await run({ 'reconsider-rejected': 'true' })).outputs).toMatchObject({
      operation: 'created',
      'pull-request-number': '3',
    });

    // A newer model is not affected by the rejection of an older one.
    await closeAsPerson(3);
    await trained(M1, M2, M3);
    expect((await run()).outputs).toMatchObject({
      operation: 'created',
      'pull-request-number': '4',
      'latest-model': V3,
    });
  });

  test('merged, then reverted on main: the model counts as rejected until a newer one exists', async () => {
    // Issue 23, item 5 (a merge commit, as GitHub's "Create a merge commit" writes it).
    await trained(M1, M2);
    await run();
    gh.mergePull(REPO, 1);
    expect((await run()).outputs.operation).toBe('none');
    pinCommit(V1, 'Revert "Update model to churn-2026-01-17"');
    const mark = writes();
    const r = await run();
    expect(r.outputs).toMatchObject({ operation: 'none', 'pull-request-number': '', 'current-model': V1 });
    expect(r.stdout).toContain('was merged and then reverted');
    expect(writes()).toBe(mark);
    await trained(M1, M2, M3);
    expect((await run()).outputs).toMatchObject({
      operation: 'created',
      'pull-request-number': '2',
      'latest-model': V3,
    });
  });

  test('lineage: commit trailers and the PR body record id, URI and creation time', async () => {
    // Issue 23, item 5: what later runs read back.
    await trained(M1, M2);
    await run();
    const message = gh.commit(REPO, gh.branchSha(REPO, BRANCH)!).message;
    expect(message).toMatch(
      /\n\nModel-Id: churn-2026-01-17\nModel-Uri: gs:\/\/example-models\/churn\/2026-01-17T04-00-00Z\nModel-Created: 2026-01-17T04:00:00.000Z\n$/,
    );
    expect(pulls()[0]!.body!.split('\n')[0]).toBe(
      `<!-- kfp-gitops:open-model-pr {"id":"churn-2026-01-17","uri":"${V2}","created":"2026-01-17T04:00:00.000Z"} -->`,
    );
  });

  test('a late run with an older model never rewinds the open PR; a withdrawn model is replaced', async () => {
    // Issue 23, item 5. create-pull-request has no notion of order: its last run wins.
    await trained(M1, M2, M3);
    await run();
    const mark = writes();
    const late = await run({ 'model-source': '', model: JSON.stringify(M2) });
    expect(late.outputs).toMatchObject({ operation: 'none', 'pull-request-number': '1', 'latest-model': V2 });
    expect(late.stdout).toContain("newer than this run's model churn-2026-01-17");
    expect(late.stdout).toContain('not rewound');
    expect(writes()).toBe(mark);
    expect(gh.readFile(REPO, BRANCH, FILE)).toBe(pinned(V3));
    // Not even a late run carrying the pinned model closes it.
    const stale = await run({ 'model-source': '', model: JSON.stringify(M1) });
    expect(stale.outputs).toMatchObject({ operation: 'none', 'pull-request-number': '1', 'current-model': V1 });
    expect(openPulls().map((p) => p.number)).toEqual([1]);
    expect(writes()).toBe(mark);
    // The registry no longer lists M3: the PR now proposes M2.
    await trained(M1, M2);
    expect((await run()).outputs).toMatchObject({
      operation: 'updated',
      'pull-request-number': '1',
      'latest-model': V2,
    });
    expectOneCommitOnBase(V2);
  });

  test('downgrade: an older model than the merged one is not proposed unless allow-downgrade', async () => {
    // Issue 23, item 5: the pinned model's time comes from the merged PR's lineage when the source lost it.
    await trained(M1, M3);
    await run();
    gh.mergePull(REPO, 1);
    await trained(M1, M2); // M3 withdrawn from the registry; M2 is the newest it lists
    const mark = writes();
    const r = await run();
    expect(r.outputs).toMatchObject({ operation: 'none', 'current-model': V3, 'latest-model': V2 });
    expect(r.stdout).toContain('is older and is not proposed (set allow-downgrade: true');
    expect(r.stdout).toContain('recorded by merged PR #1');
    expect(writes()).toBe(mark);
    const allowed = await run({ 'allow-downgrade': 'true' });
    expect(allowed.outputs).toMatchObject({ operation: 'created', 'pull-request-number': '2' });
    expect(pulls()[1]!.body).toContain('This is a downgrade');
  });

  test("downgrade: the pinned model's time from the trailer of the commit that pinned it", async () => {
    pinCommit(
      V3,
      `Pin churn by the release tool\n\nModel-Id: churn-2026-01-24\nModel-Uri: ${V3}\nModel-Created: 2026-01-24T04:00:00Z\n`,
    );
    gh.commitFiles(REPO, { files: { 'README.md': '# serving v2\n' } });
    const r = await run({ 'model-source': '', model: JSON.stringify(M2) });
    expect(r.outputs).toMatchObject({ operation: 'none', 'pull-request-number': '' });
    expect(r.stdout).toMatch(/\(trailer of commit [0-9a-f]{7}\)/);
    expect(gh.writes()).toEqual([]);
  });

  test('a pin the action cannot date: the PR body says it cannot tell whether this is an upgrade', async () => {
    pinCommit('gs://example-models/churn/hand-picked');
    await trained(M1, M2);
    const r = await run();
    expect(r.outputs).toMatchObject({ operation: 'created', 'current-model': 'gs://example-models/churn/hand-picked' });
    expect(pulls()[0]!.body).toContain('Cannot tell whether this is an upgrade');
    // A model given without a creation time cannot be dated either.
    gh.reset();
    gh.createRepo(REPO, { files: { [FILE]: EXAMPLE } });
    await run({ 'model-source': '', model: V3 });
    expect(pulls()[0]!.body).toContain("the proposed model's creation time is unknown");
  });

  test('reviewers: a transient 422 right after creating the PR is retried with backoff', async () => {
    // peter-evans/create-pull-request#4356 (fixing #4321): src/github-helper.ts createOrUpdatePullRequest
    // wraps post-creation calls in utils.retryWithBackoff for "Could not resolve to a node".
    await trained(M1, M2);
    const route = '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers';
    gh.failNextNodeNotResolved(route);
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('retry 1/2');
    expect(gh.requests.filter((q) => q.route === route).map((q) => q.status)).toEqual([422, 201]);
    expect(pulls()[0]).toMatchObject({ reviewers: ['alice'], labels: ['model-update'] });
  });

  test('reviewers and labels are idempotent on every run: what a failed run left out is added later', async () => {
    // Issue 23, item 4: before, later runs reported none and never requested the reviewers.
    await trained(M1, M2);
    const route = '/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers';
    gh.failNextNodeNotResolved(route, { times: 3 });
    const failed = await run();
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('the next run adds the reviewers and labels still missing');
    expect(pulls()[0]).toMatchObject({ state: 'open', reviewers: [], labels: [] });
    // The failed run took back the body's claim that alice was requested, so the next run requests her.
    expect(pulls()[0]!.body).not.toContain('reviewers-requested');
    const next = await run();
    expect(next.code).toBe(0);
    expect(next.outputs.operation).toBe('updated');
    expect(pulls()[0]).toMatchObject({ reviewers: ['alice'], labels: ['model-update'] });
    expect(pulls()[0]!.body!.split('\n')[1]).toBe('<!-- kfp-gitops:open-model-pr reviewers-requested ["alice"] -->');
    const mark = writes();
    await run();
    expect(writes()).toBe(mark); // nothing missing: nothing written
  });

  test('a reviewer no longer requested (reviewed, or removed by a person) is not requested again for the same model', async () => {
    // create-pull-request requests them on every run; a promotion bot on a schedule would nag approvers.
    await trained(M1, M2);
    await run();
    await asPerson('DELETE', '/pulls/1/requested_reviewers', { reviewers: ['alice'] });
    const mark = writes();
    gh.commitFiles(REPO, { files: { 'README.md': '# serving v2\n' } }); // the branch is rebuilt, same model
    expect((await run()).outputs.operation).toBe('updated');
    expect(
      gh
        .writes()
        .slice(mark)
        .map((q) => q.route),
    ).not.toContain('/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers');
    expect(pulls()[0]!.reviewers).toEqual([]);
    // A newer model is a new proposal: reviewers are requested again.
    await trained(M1, M2, M3);
    expect((await run()).outputs.operation).toBe('updated');
    expect(pulls()[0]!.reviewers).toEqual(['alice']);
  });

  test.each([2, 3])('%i concurrent runs leave exactly one PR, one commit on the base head', async (n) => {
    // docs/common-issues.md and src/github-helper.ts createOrUpdate: "A pull request already exists" is
    // adopted and updated; the ref is created or force-moved to the same commit.
    await trained(M1, M2);
    const results = await Promise.all(Array.from({ length: n }, () => run()));
    expect(results.map((r) => r.code)).toEqual(Array(n).fill(0));
    expect(results.filter((r) => r.outputs.operation === 'created')).toHaveLength(1);
    expect(pulls()).toHaveLength(1);
    expect(new Set(results.map((r) => r.outputs['pull-request-number']))).toEqual(new Set(['1']));
    expect(pulls()[0]).toMatchObject({ reviewers: ['alice'], labels: ['model-update'] });
    expectOneCommitOnBase(V2);
  });
});
