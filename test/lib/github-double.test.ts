import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { describeWithShared } from '../support/paths.js';
import { TempRepo } from '../support/git-repo.js';
import { git } from '../../src/lib/git.js';
import {
  createGitHub,
  describeGitHubError,
  parseRepo,
  permissionFor,
  pullRequestFromEvent,
  repoFromEnv,
  type GitHub,
} from '../../src/lib/github.js';
import { UserError } from '../../src/lib/errors.js';
import type { Host } from '../../src/lib/host.js';

const owner = 'acme';
const repo = 'models';
const FULL = `${owner}/${repo}`;
const FILES = {
  'README.md': '# models\n',
  'deploy/model.yaml': 'model: v1\n',
  'deploy/nested/params.json': '{"a":1}\n',
};

let double: GitHubDouble;
let gh: GitHub;

beforeAll(async () => {
  double = await startGitHubDouble();
  gh = await createGitHub({ token: 'ghs_test', apiUrl: double.url });
});
afterAll(() => double.close());
afterEach(() => {
  const violations = [...double.violations];
  double.reset();
  // Every exchange in these tests must fit GitHub's published description.
  if (double.contractChecked) expect(violations).toEqual([]);
});

/** The error a client call rejects with (fails the test when it resolves). */
async function failure(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { status: number; message: string };
  }
  throw new Error('expected the call to fail');
}

const decode = (data: unknown) => Buffer.from((data as { content: string }).content, 'base64').toString('utf8');

/** blob → tree (on top of the parent's tree) → commit; returns the commit SHA. */
async function commitViaApi(parent: string, files: Record<string, string | null>, message = 'change'): Promise<string> {
  const { data: parentCommit } = await gh.rest.git.getCommit({ owner, repo, commit_sha: parent });
  const tree = await Promise.all(
    Object.entries(files).map(async ([p, content]) =>
      content === null
        ? { path: p, mode: '100644' as const, type: 'blob' as const, sha: null }
        : {
            path: p,
            mode: '100644' as const,
            type: 'blob' as const,
            sha: (
              await gh.rest.git.createBlob({
                owner,
                repo,
                content: Buffer.from(content).toString('base64'),
                encoding: 'base64',
              })
            ).data.sha,
          },
    ),
  );
  const { data: t } = await gh.rest.git.createTree({ owner, repo, base_tree: parentCommit.tree.sha, tree });
  const { data: c } = await gh.rest.git.createCommit({ owner, repo, message, tree: t.sha, parents: [parent] });
  return c.sha;
}

describe('repositories and contents', () => {
  test('contents at the default branch, a branch and a SHA; directory listing; the repository object', async () => {
    const { sha: first } = double.createRepo(FULL, { files: FILES });
    const second = double.commitFiles(FULL, { branch: 'feature', files: { 'deploy/model.yaml': 'model: v2\n' } });

    const atMain = await gh.rest.repos.getContent({ owner, repo, path: 'deploy/model.yaml' });
    expect(decode(atMain.data)).toBe('model: v1\n');
    expect(atMain.data).toMatchObject({
      type: 'file',
      encoding: 'base64',
      path: 'deploy/model.yaml',
      name: 'model.yaml',
      size: 10,
    });
    expect(
      decode((await gh.rest.repos.getContent({ owner, repo, path: 'deploy/model.yaml', ref: 'feature' })).data),
    ).toBe('model: v2\n');
    expect(decode((await gh.rest.repos.getContent({ owner, repo, path: 'deploy/model.yaml', ref: first! })).data)).toBe(
      'model: v1\n',
    );
    expect(
      decode(
        (await gh.rest.repos.getContent({ owner, repo, path: 'deploy/model.yaml', ref: second.slice(0, 7) })).data,
      ),
    ).toBe('model: v2\n');

    const root = (await gh.rest.repos.getContent({ owner, repo, path: '' })).data as { path: string }[];
    expect(root.map((e) => e.path)).toEqual(['README.md', 'deploy']);
    const dir = (await gh.rest.repos.getContent({ owner, repo, path: 'deploy' })).data as {
      name: string;
      type: string;
    }[];
    expect(dir.map((e) => [e.name, e.type])).toEqual([
      ['model.yaml', 'file'],
      ['nested', 'dir'],
    ]);

    const raw = await gh.rest.repos.getContent({
      owner,
      repo,
      path: 'deploy/nested/params.json',
      mediaType: { format: 'raw' },
    });
    expect(String(raw.data)).toBe('{"a":1}\n');

    // Over 1 MB the JSON leaves the content out; the raw media type still returns it.
    const big = `${'y'.repeat(1023)}\n`.repeat(1025);
    double.commitFiles(FULL, { files: { 'big.txt': big } });
    expect((await gh.rest.repos.getContent({ owner, repo, path: 'big.txt' })).data).toMatchObject({
      encoding: 'none',
      content: '',
      size: big.length,
    });
    expect(
      String((await gh.rest.repos.getContent({ owner, repo, path: 'big.txt', mediaType: { format: 'raw' } })).data),
    ).toBe(big);

    const { data: r } = await gh.rest.repos.get({ owner, repo });
    expect(r).toMatchObject({
      full_name: FULL,
      default_branch: 'main',
      private: false,
      html_url: `https://github.com/${FULL}`,
    });
    expect(double.readFile(FULL, 'feature', 'deploy/model.yaml')).toBe('model: v2\n');
    expect(double.branches(FULL).sort()).toEqual(['feature', 'main']);
  });

  test("404 with GitHub's body for unknown repos, refs and paths, and 409 for an empty repository", async () => {
    double.createRepo(FULL, { files: FILES });
    double.createRepo('acme/empty', { files: {} });

    const missingPath = await failure(gh.rest.repos.getContent({ owner, repo, path: 'nope.yaml' }));
    expect(missingPath.status).toBe(404);
    expect(missingPath.message).toContain('Not Found');
    expect(
      (await failure(gh.rest.repos.getContent({ owner, repo, path: 'README.md', ref: 'no-such-branch' }))).status,
    ).toBe(404);
    expect((await failure(gh.rest.repos.get({ owner, repo: 'unknown' }))).status).toBe(404);
    expect((await failure(gh.rest.git.getRef({ owner, repo, ref: 'heads/nope' }))).status).toBe(404);

    const empty = await failure(gh.rest.repos.getContent({ owner, repo: 'empty', path: 'README.md' }));
    expect(empty.status).toBe(409);
    expect(empty.message).toContain('Git Repository is empty.');
  });

  test('a private repository is invisible (404) to a token that cannot read it', async () => {
    double.createRepo('acme/secret', { private: true, readers: ['ghs_reader'] });
    expect((await failure(gh.rest.repos.get({ owner, repo: 'secret' }))).status).toBe(404);
    const reader = await createGitHub({ token: 'ghs_reader', apiUrl: double.url });
    expect((await reader.rest.repos.get({ owner, repo: 'secret' })).data.private).toBe(true);
  });

  test('commits/{ref} resolves a branch, a tag-like ref and a SHA, listing the changed files', async () => {
    const { sha: first } = double.createRepo(FULL, { files: FILES });
    const second = double.commitFiles(FULL, {
      files: { 'deploy/model.yaml': 'model: v2\n', 'README.md': null },
      message: 'bump',
    });
    const { data } = await gh.rest.repos.getCommit({ owner, repo, ref: 'main' });
    expect(data.sha).toBe(second);
    expect(data.parents.map((p) => p.sha)).toEqual([first]);
    expect(data.commit.message).toBe('bump');
    expect(data.files?.map((f) => [f.filename, f.status])).toEqual([
      ['README.md', 'removed'],
      ['deploy/model.yaml', 'modified'],
    ]);
    expect((await gh.rest.repos.getCommit({ owner, repo, ref: first! })).data.sha).toBe(first);
    expect((await gh.rest.repos.getBranch({ owner, repo, branch: 'main' })).data.commit.sha).toBe(second);
    expect((await failure(gh.rest.repos.getCommit({ owner, repo, ref: 'nope' }))).status).toBe(422);
  });

  test('the contents API creates and deletes files as commits on a branch', async () => {
    double.createRepo(FULL, { files: FILES });
    const created = await gh.rest.repos.createOrUpdateFileContents({
      owner,
      repo,
      path: 'new/file.txt',
      message: 'add',
      content: Buffer.from('hi\n').toString('base64'),
    });
    expect(created.status).toBe(201);
    const sha = created.data.content!.sha!;
    const conflict = await failure(
      gh.rest.repos.createOrUpdateFileContents({
        owner,
        repo,
        path: 'new/file.txt',
        message: 'again',
        content: 'eA==',
        sha: 'f'.repeat(40),
      }),
    );
    expect(conflict.status).toBe(409);
    await gh.rest.repos.deleteFile({ owner, repo, path: 'new/file.txt', message: 'rm', sha });
    expect(double.readFile(FULL, 'main', 'new/file.txt')).toBeUndefined();
    expect(double.commit(FULL, double.branchSha(FULL, 'main')!).message).toBe('rm');
  });
});

describe('the Git Database API', () => {
  test("blob → tree → commit → ref, with SHAs identical to git's own", async () => {
    const { sha: base } = double.createRepo(FULL, { files: FILES });
    const head = await commitViaApi(base!, {
      'deploy/model.yaml': 'model: v2\n',
      'deploy/nested/deeper/new.txt': 'x\n',
      'README.md': null,
    });
    const { data: ref } = await gh.rest.git.createRef({ owner, repo, ref: 'refs/heads/bump', sha: head });
    expect(ref).toMatchObject({ ref: 'refs/heads/bump', object: { sha: head, type: 'commit' } });
    expect(double.files(FULL, 'bump')).toEqual({
      'deploy/model.yaml': 'model: v2\n',
      'deploy/nested/deeper/new.txt': 'x\n',
      'deploy/nested/params.json': '{"a":1}\n',
    });
    expect((await gh.rest.git.getRef({ owner, repo, ref: 'heads/bump' })).data.object.sha).toBe(head);

    // The same files committed by real git give the same tree SHA, and the same blob SHA.
    const local = await TempRepo.create(double.files(FULL, 'bump'));
    try {
      const { data: commit } = await gh.rest.git.getCommit({ owner, repo, commit_sha: head });
      expect(commit.tree.sha).toBe((await git(local.dir, ['rev-parse', 'HEAD^{tree}'])).trim());
      const { data: tree } = await gh.rest.git.getTree({ owner, repo, tree_sha: commit.tree.sha, recursive: 'true' });
      const blob = tree.tree.find((e) => e.path === 'deploy/model.yaml')!;
      expect(blob.sha).toBe((await git(local.dir, ['rev-parse', 'HEAD:deploy/model.yaml'])).trim());
      expect(tree.tree.map((e) => e.path)).toContain('deploy/nested/deeper');
    } finally {
      await local.remove();
    }
  });

  test('a ref update must be a fast forward unless forced; bad SHAs and duplicate refs are 422', async () => {
    const { sha: base } = double.createRepo(FULL, { files: FILES });
    const one = await commitViaApi(base!, { 'a.txt': '1\n' });
    await gh.rest.git.createRef({ owner, repo, ref: 'refs/heads/work', sha: one });
    const two = await commitViaApi(one, { 'a.txt': '2\n' });
    await gh.rest.git.updateRef({ owner, repo, ref: 'heads/work', sha: two }); // fast forward
    const sideways = await commitViaApi(base!, { 'a.txt': 'other\n' });

    const nonFf = await failure(gh.rest.git.updateRef({ owner, repo, ref: 'heads/work', sha: sideways }));
    expect(nonFf.status).toBe(422);
    expect(nonFf.message).toContain('Update is not a fast forward');
    expect(double.branchSha(FULL, 'work')).toBe(two);

    await gh.rest.git.updateRef({ owner, repo, ref: 'heads/work', sha: sideways, force: true });
    expect(double.readFile(FULL, 'work', 'a.txt')).toBe('other\n');

    expect((await failure(gh.rest.git.createRef({ owner, repo, ref: 'refs/heads/work', sha: two }))).message).toContain(
      'Reference already exists',
    );
    expect(
      (await failure(gh.rest.git.updateRef({ owner, repo, ref: 'heads/work', sha: 'a'.repeat(40), force: true })))
        .status,
    ).toBe(422);
    await gh.rest.git.deleteRef({ owner, repo, ref: 'heads/work' });
    expect(double.branchSha(FULL, 'work')).toBeUndefined();
  });
});

describe('pull requests', () => {
  async function branchWithChange(branch: string, content = 'model: v2\n'): Promise<string> {
    const sha = await commitViaApi(double.branchSha(FULL, 'main')!, { 'deploy/model.yaml': content });
    await gh.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha });
    return sha;
  }

  test("open, find by head, update, close and reopen; GitHub's full objects", async () => {
    double.createRepo(FULL, { files: FILES });
    const headSha = await branchWithChange('model-update');
    const { data: pr } = await gh.rest.pulls.create({
      owner,
      repo,
      head: 'model-update',
      base: 'main',
      title: 'Deploy v2',
      body: 'body',
      draft: true,
    });
    expect(pr).toMatchObject({
      number: 1,
      state: 'open',
      draft: true,
      merged: false,
      title: 'Deploy v2',
      html_url: `https://github.com/${FULL}/pull/1`,
    });
    expect(pr.head).toMatchObject({
      ref: 'model-update',
      sha: headSha,
      label: 'acme:model-update',
      repo: { full_name: FULL },
    });
    expect(pr.base.ref).toBe('main');
    expect(pr.changed_files).toBe(1);
    expect(pr.user.login).toBe('github-actions[bot]');

    const byHead = await gh.rest.pulls.list({ owner, repo, state: 'open', head: 'acme:model-update', base: 'main' });
    expect(byHead.data.map((p) => p.number)).toEqual([1]);
    expect((await gh.rest.pulls.list({ owner, repo, head: 'acme:other' })).data).toEqual([]);
    expect((await gh.rest.pulls.list({ owner, repo, base: 'release' })).data).toEqual([]);

    await gh.rest.pulls.update({ owner, repo, pull_number: 1, title: 'Deploy v3', body: 'new body' });
    expect(double.pulls(FULL)[0]).toMatchObject({ title: 'Deploy v3', body: 'new body', state: 'open' });

    // An open PR follows its branch.
    const moved = await commitViaApi(headSha, { 'deploy/model.yaml': 'model: v3\n' });
    await gh.rest.git.updateRef({ owner, repo, ref: 'heads/model-update', sha: moved });
    expect((await gh.rest.pulls.get({ owner, repo, pull_number: 1 })).data.head.sha).toBe(moved);

    await gh.rest.pulls.update({ owner, repo, pull_number: 1, state: 'closed' });
    expect((await gh.rest.pulls.list({ owner, repo })).data).toEqual([]);
    expect((await gh.rest.pulls.list({ owner, repo, state: 'closed' })).data[0]!.closed_at).not.toBeNull();
    await gh.rest.pulls.update({ owner, repo, pull_number: 1, state: 'open' });
    expect(double.pulls(FULL)[0]!.state).toBe('open');
  });

  test('422s: a second open PR for the same head, no commits between base and head, an unknown base', async () => {
    double.createRepo(FULL, { files: FILES });
    await branchWithChange('bump');
    await gh.rest.pulls.create({ owner, repo, head: 'bump', base: 'main', title: 'one' });
    const dup = await failure(gh.rest.pulls.create({ owner, repo, head: 'acme:bump', base: 'main', title: 'two' }));
    expect(dup.status).toBe(422);
    expect(dup.message).toContain('A pull request already exists for acme:bump.');

    await gh.rest.git.createRef({ owner, repo, ref: 'refs/heads/same', sha: double.branchSha(FULL, 'main')! });
    const none = await failure(gh.rest.pulls.create({ owner, repo, head: 'same', base: 'main', title: 'empty' }));
    expect(none.status).toBe(422);
    expect(none.message).toContain('No commits between main and same');

    expect((await failure(gh.rest.pulls.create({ owner, repo, head: 'bump', base: 'nope', title: 'x' }))).status).toBe(
      422,
    );
    expect(double.pulls(FULL)).toHaveLength(1);

    // Deleting the head branch closes the PR, and it cannot be reopened.
    await gh.rest.git.deleteRef({ owner, repo, ref: 'heads/bump' });
    expect(double.pulls(FULL)[0]!.state).toBe('closed');
    expect((await failure(gh.rest.pulls.update({ owner, repo, pull_number: 1, state: 'open' }))).message).toContain(
      'The head branch has been deleted.',
    );
  });

  test('labels, requested reviewers and a merge', async () => {
    double.createRepo(FULL, { files: FILES });
    await branchWithChange('bump');
    const { data: pr } = await gh.rest.pulls.create({ owner, repo, head: 'bump', base: 'main', title: 'x' });
    await gh.rest.issues.addLabels({ owner, repo, issue_number: pr.number, labels: ['model', 'automated'] });
    await gh.rest.issues.addLabels({ owner, repo, issue_number: pr.number, labels: ['model'] }); // additive, no duplicates
    expect(
      (await gh.rest.issues.listLabelsOnIssue({ owner, repo, issue_number: pr.number })).data.map((l) => l.name),
    ).toEqual(['model', 'automated']);
    await gh.rest.issues.setLabels({ owner, repo, issue_number: pr.number, labels: ['only'] });
    expect(double.pulls(FULL)[0]!.labels).toEqual(['only']);

    await gh.rest.pulls.requestReviewers({
      owner,
      repo,
      pull_number: pr.number,
      reviewers: ['alice', 'bob'],
      team_reviewers: ['ml'],
    });
    const { data: requested } = await gh.rest.pulls.listRequestedReviewers({ owner, repo, pull_number: pr.number });
    expect(requested.users.map((u) => u.login)).toEqual(['alice', 'bob']);
    expect(requested.teams.map((t) => t.slug)).toEqual(['ml']);
    await gh.rest.pulls.removeRequestedReviewers({ owner, repo, pull_number: pr.number, reviewers: ['bob'] });
    expect(double.pulls(FULL)[0]!.reviewers).toEqual(['alice']);
    const self = await failure(
      gh.rest.pulls.requestReviewers({ owner, repo, pull_number: pr.number, reviewers: ['github-actions[bot]'] }),
    );
    expect(self.message).toContain('Review cannot be requested from pull request author.');

    const merge = double.mergePull(FULL, pr.number);
    const { data: merged } = await gh.rest.pulls.get({ owner, repo, pull_number: pr.number });
    expect(merged).toMatchObject({ merged: true, state: 'closed', merge_commit_sha: merge });
    expect(double.readFile(FULL, 'main', 'deploy/model.yaml')).toBe('model: v2\n');
  });
});

describe('issue comments', () => {
  test('pages of at most 100 with Link headers, and create / update / delete', async () => {
    double.createRepo(FULL, { files: FILES });
    double.commitFiles(FULL, { branch: 'b', files: { 'x.txt': 'x' } });
    const { data: pr } = await gh.rest.pulls.create({ owner, repo, head: 'b', base: 'main', title: 't' });
    for (let i = 1; i <= 105; i++)
      await gh.rest.issues.createComment({ owner, repo, issue_number: pr.number, body: `comment ${i}` });

    const first = await gh.rest.issues.listComments({ owner, repo, issue_number: pr.number, per_page: 100 });
    expect(first.data).toHaveLength(100);
    expect(first.headers.link).toContain('rel="next"');
    expect(first.headers.link).toContain(
      `${double.url}/repos/${FULL}/issues/1/comments?per_page=100&page=2>; rel="next"`,
    );
    const second = await gh.rest.issues.listComments({ owner, repo, issue_number: pr.number, per_page: 100, page: 2 });
    expect(second.data.map((c) => c.body)).toEqual([
      'comment 101',
      'comment 102',
      'comment 103',
      'comment 104',
      'comment 105',
    ]);
    expect(second.headers.link).toContain('rel="prev"');
    expect(second.headers.link).not.toContain('rel="next"');
    const all = await gh.paginate(gh.rest.issues.listComments, { owner, repo, issue_number: pr.number, per_page: 30 });
    expect(all.map((c) => c.body)).toEqual(Array.from({ length: 105 }, (_, i) => `comment ${i + 1}`));

    const target = all[3]!;
    await gh.rest.issues.updateComment({ owner, repo, comment_id: target.id, body: 'edited' });
    expect((await gh.rest.issues.getComment({ owner, repo, comment_id: target.id })).data.body).toBe('edited');
    await gh.rest.issues.deleteComment({ owner, repo, comment_id: target.id });
    expect(double.comments(FULL, pr.number)).toHaveLength(104);
    expect((await failure(gh.rest.issues.getComment({ owner, repo, comment_id: target.id }))).status).toBe(404);

    const tooLong = await failure(
      gh.rest.issues.createComment({ owner, repo, issue_number: pr.number, body: 'x'.repeat(65537) }),
    );
    expect(tooLong.status).toBe(422);
    expect(tooLong.message).toContain('body is too long (maximum is 65536 characters)');
    expect((await failure(gh.rest.issues.createComment({ owner, repo, issue_number: 99, body: 'x' }))).status).toBe(
      404,
    );
  });
});

describe('checks, statuses and workflows', () => {
  test('check runs are created and completed; annotations accumulate; statuses and dispatches are recorded', async () => {
    const { sha } = double.createRepo(FULL, { files: FILES });
    const { data: run } = await gh.rest.checks.create({
      owner,
      repo,
      name: 'quality-gate',
      head_sha: sha!,
      status: 'in_progress',
    });
    const annotation = {
      path: 'metrics.json',
      start_line: 3,
      end_line: 3,
      annotation_level: 'failure' as const,
      message: 'recall below 0.8',
    };
    await gh.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      output: { title: 'Gate', summary: 's', annotations: [annotation] },
    });
    const { data: done } = await gh.rest.checks.update({
      owner,
      repo,
      check_run_id: run.id,
      conclusion: 'failure',
      output: { title: 'Gate', summary: 'failed', annotations: [annotation] },
    });
    expect(done).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      name: 'quality-gate',
      head_sha: sha,
      output: { annotations_count: 2, summary: 'failed' },
    });
    expect(double.checkRuns(FULL)[0]!.output.annotations).toHaveLength(2);
    const fiftyOne = Array.from({ length: 51 }, () => annotation);
    expect(
      (
        await failure(
          gh.rest.checks.update({
            owner,
            repo,
            check_run_id: run.id,
            output: { title: 'x', summary: 'y', annotations: fiftyOne },
          }),
        )
      ).status,
    ).toBe(422);
    if (double.contractChecked) {
      // More than 50 annotations per request breaks the description's maxItems: a client bug the contract reports.
      expect(double.violations.map((v) => v.problem)).toEqual([
        'request body/output/annotations: must NOT have more than 50 items',
      ]);
      double.violations.length = 0;
    }

    await gh.rest.repos.createCommitStatus({
      owner,
      repo,
      sha: sha!,
      state: 'pending',
      context: 'kfp-gitops/reconcile',
      description: 'planning',
    });
    expect(double.statuses(FULL)).toMatchObject([{ sha, state: 'pending', context: 'kfp-gitops/reconcile' }]);

    await gh.rest.actions.createWorkflowDispatch({
      owner,
      repo,
      workflow_id: 'train.yml',
      ref: 'main',
      inputs: { model: 'm' },
    });
    expect(double.dispatches(FULL)).toMatchObject([{ workflowId: 'train.yml', ref: 'main', inputs: { model: 'm' } }]);
    double.addWorkflowRun(FULL, {
      workflowId: 'train.yml',
      event: 'schedule',
      status: 'in_progress',
      conclusion: null,
    });
    const { data: runs } = await gh.rest.actions.listWorkflowRunsForRepo({
      owner,
      repo,
      branch: 'main',
      status: 'in_progress',
    });
    expect(runs.total_count).toBe(1);
    expect(runs.workflow_runs[0]).toMatchObject({
      event: 'schedule',
      status: 'in_progress',
      head_sha: sha,
      path: '.github/workflows/train.yml',
    });
    expect(
      (await gh.rest.actions.listWorkflowRunsForRepo({ owner, repo, event: 'workflow_dispatch' })).data
        .workflow_runs[0]!.status,
    ).toBe('queued');
  });
});

describe('recording and fault injection', () => {
  test('requests are recorded with their route, query, body and token; writes() keeps the non-GETs', async () => {
    double.createRepo(FULL, { files: FILES });
    await gh.rest.repos.getContent({ owner, repo, path: 'README.md', ref: 'main' });
    await gh.rest.git.createBlob({ owner, repo, content: 'x' });
    expect(double.requests).toEqual([
      {
        method: 'GET',
        path: `/repos/${FULL}/contents/README.md`,
        route: '/repos/{owner}/{repo}/contents/{path}',
        query: { ref: 'main' },
        status: 200,
        token: 'ghs_test',
      },
      {
        method: 'POST',
        path: `/repos/${FULL}/git/blobs`,
        route: '/repos/{owner}/{repo}/git/blobs',
        query: {},
        body: { content: 'x' },
        status: 201,
        token: 'ghs_test',
      },
    ]);
    expect(double.writes().map((r) => r.route)).toEqual(['/repos/{owner}/{repo}/git/blobs']);
  });

  test("failNext answers with GitHub's error body for the next matching calls only", async () => {
    double.createRepo(FULL, { files: FILES });
    double.commitFiles(FULL, { branch: 'b', files: { 'x.txt': 'x' } });
    double.failNext({
      method: 'POST',
      route: '/repos/{owner}/{repo}/pulls',
      status: 403,
      message: 'GitHub Actions is not permitted to create or approve pull requests.',
    });
    const blocked = await failure(gh.rest.pulls.create({ owner, repo, head: 'b', base: 'main', title: 't' }));
    expect(blocked.status).toBe(403);
    const described = describeGitHubError(blocked, 'Creating the pull request');
    expect(described).toBeInstanceOf(UserError);
    expect(described.message).toContain(
      'Creating the pull request failed (HTTP 403 on POST /repos/acme/models/pulls): GitHub Actions is not permitted',
    );
    expect(described.message).toContain('Allow GitHub Actions to create and approve pull requests');

    double.failNext({ method: 'GET', route: '/repos/{owner}/{repo}', status: 500, message: 'Server Error', times: 2 });
    expect((await failure(gh.rest.repos.get({ owner, repo }))).status).toBe(500);
    expect((await failure(gh.rest.repos.get({ owner, repo }))).status).toBe(500);
    expect((await gh.rest.repos.get({ owner, repo })).status).toBe(200);

    double.failNext({
      method: 'POST',
      route: '/repos/{owner}/{repo}/pulls',
      status: 422,
      message: 'Validation Failed',
      errors: [{ resource: 'PullRequest', code: 'custom', message: 'A pull request already exists for acme:b.' }],
    });
    const dup = await failure(gh.rest.pulls.create({ owner, repo, head: 'b', base: 'main', title: 't' }));
    expect(dup.message).toContain('A pull request already exists for acme:b.');
    expect(describeGitHubError(dup, 'Creating the pull request').message).toContain(
      '(A pull request already exists for acme:b.)',
    );
    expect((await gh.rest.pulls.create({ owner, repo, head: 'b', base: 'main', title: 't' })).status).toBe(201);
  });

  test('a double with tokens answers 401 Bad credentials to others', async () => {
    const strict = await startGitHubDouble({ tokens: ['good'] });
    try {
      strict.createRepo(FULL);
      const bad = await createGitHub({ token: 'bad', apiUrl: strict.url });
      const err = await failure(bad.rest.repos.get({ owner, repo }));
      expect(err.status).toBe(401);
      expect(describeGitHubError(err, 'Reading the repository').message).toContain('the token is invalid or expired');
      const good = await createGitHub({ token: 'good', apiUrl: strict.url });
      expect((await good.rest.repos.get({ owner, repo })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describeWithShared('the OpenAPI contract', () => {
  test('a body of the wrong type is answered 422 and recorded as a violation', async () => {
    double.createRepo(FULL, { files: FILES });
    double.commitFiles(FULL, { branch: 'b', files: { 'x.txt': 'x' } });
    await gh.rest.pulls.create({ owner, repo, head: 'b', base: 'main', title: 't' });
    // A client bug the types would catch; sent anyway, as a loosely typed caller could.
    const wrong = { owner, repo, issue_number: 1, body: 42 } as unknown as {
      owner: string;
      repo: string;
      issue_number: number;
      body: string;
    };
    const err = await failure(gh.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', wrong));
    expect(err.status).toBe(422);
    expect(double.violations).toEqual([
      expect.objectContaining({
        method: 'POST',
        route: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
        problem: 'request body/body: must be string',
      }),
    ]);
    expect(double.comments(FULL, 1)).toEqual([]);
    double.violations.length = 0;
  });

  test('a route or method GitHub does not describe gets 404 and a violation; so does an unknown query parameter', async () => {
    double.createRepo(FULL, { files: FILES });
    expect(
      (await failure(gh.request('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: 1 })))
        .status,
    ).toBe(404);
    expect((await failure(gh.request('PUT /repos/{owner}/{repo}/pulls', { owner, repo }))).status).toBe(404);
    await gh.request('GET /repos/{owner}/{repo}/pulls', { owner, repo, labels: 'x', state: 'opened' as 'open' });
    expect(double.violations.map((v) => v.problem)).toEqual([
      'no route in the OpenAPI description matches GET /repos/acme/models/issues/1',
      'PUT is not described for /repos/{owner}/{repo}/pulls',
      "query parameter 'labels' is not declared for GET /repos/{owner}/{repo}/pulls",
      "query parameter 'state' must be one of open, closed, all (got 'opened')",
    ]);
    double.violations.length = 0;
  });

  test('with checking off the double still serves, records no violations, and says so', async () => {
    const plain = await startGitHubDouble({ spec: null });
    try {
      expect(plain.contractChecked).toBe(false);
      expect(double.contractChecked).toBe(true);
      plain.createRepo(FULL);
      const client = await createGitHub({ token: 't', apiUrl: plain.url });
      expect((await client.rest.repos.get({ owner, repo })).status).toBe(200);
      await failure(
        client.request('GET /repos/{owner}/{repo}/issues/{issue_number}', { owner, repo, issue_number: 1 }),
      );
      expect(plain.violations).toEqual([]);
    } finally {
      await plain.close();
    }
  });
});

describe('src/lib/github.ts', () => {
  test('createGitHub masks the token and takes GITHUB_API_URL when no apiUrl is given', async () => {
    const secrets: string[] = [];
    const host = {
      setSecret: (s: string) => secrets.push(s),
      debug: () => {},
      warning: () => {},
      error: () => {},
    } as unknown as Host;
    double.createRepo(FULL);
    const saved = process.env.GITHUB_API_URL;
    process.env.GITHUB_API_URL = double.url;
    try {
      const client = await createGitHub({ token: 'ghs_masked', host });
      expect((await client.rest.repos.get({ owner, repo })).data.full_name).toBe(FULL);
    } finally {
      if (saved === undefined) delete process.env.GITHUB_API_URL;
      else process.env.GITHUB_API_URL = saved;
    }
    expect(secrets).toEqual(['ghs_masked']);
    expect(double.requests[0]!.token).toBe('ghs_masked');
    await expect(createGitHub({ token: '' })).rejects.toThrow('No GitHub token was given');
  });

  test('parseRepo and repoFromEnv', () => {
    expect(parseRepo('kubeflow/pipelines')).toEqual({ owner: 'kubeflow', repo: 'pipelines' });
    expect(parseRepo(' acme/my.repo.git ')).toEqual({ owner: 'acme', repo: 'my.repo' });
    expect(() => parseRepo('https://github.com/acme/x', 'config-repository')).toThrow(
      "'config-repository' must be a repository as owner/name",
    );
    expect(() => parseRepo('acme')).toThrow(UserError);
    expect(repoFromEnv({ GITHUB_REPOSITORY: 'acme/models' })).toEqual({ owner: 'acme', repo: 'models' });
    expect(repoFromEnv({})).toBeUndefined();
  });

  test('pullRequestFromEvent reads the event payload only for pull_request events', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-event-'));
    try {
      const file = path.join(dir, 'event.json');
      await fs.writeFile(file, JSON.stringify({ number: 7, pull_request: { number: 7 } }));
      expect(pullRequestFromEvent({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: file })).toBe(7);
      expect(pullRequestFromEvent({ GITHUB_EVENT_NAME: 'pull_request_target', GITHUB_EVENT_PATH: file })).toBe(7);
      expect(
        pullRequestFromEvent({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: path.join(dir, 'absent.json') }),
      ).toBeUndefined();
      expect(() =>
        pullRequestFromEvent({ GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: path.join(dir, 'absent.json') }),
      ).toThrow(UserError);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  test('describeGitHubError names the permission a 403 needs and explains 404 and 422', async () => {
    double.createRepo(FULL, { files: FILES });
    double.failNext({
      method: 'POST',
      route: '/repos/{owner}/{repo}/issues/{issue_number}/comments',
      status: 403,
      message: 'Resource not accessible by integration',
    });
    double.commitFiles(FULL, { branch: 'b', files: { 'x.txt': 'x' } });
    await gh.rest.pulls.create({ owner, repo, head: 'b', base: 'main', title: 't' });
    const forbidden = describeGitHubError(
      await failure(gh.rest.issues.createComment({ owner, repo, issue_number: 1, body: 'x' })),
      'Commenting',
    );
    expect(forbidden.message).toContain('Resource not accessible by integration');
    expect(forbidden.message).toContain('permissions: { pull-requests: write }');
    expect(forbidden.diagnostics[0]!.fix).toContain('read-only GITHUB_TOKEN');

    const missing = describeGitHubError(
      await failure(gh.rest.repos.getContent({ owner, repo, path: 'x.yaml' })),
      'Reading x.yaml',
    );
    expect(missing.message).toContain('HTTP 404');
    expect(missing.message).toContain('private repository also answers 404');

    const invalid = describeGitHubError(
      await failure(gh.rest.pulls.create({ owner, repo, head: 'b', base: 'nope', title: 't' })),
      'Opening the PR',
    );
    expect(invalid.message).toContain('(base: invalid)');

    // GitHub not yet resolving a PR created a moment ago (create-pull-request#4321): a transient 422 with its own fix.
    double.failNextNodeNotResolved('/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers');
    const unresolved = await failure(
      gh.rest.pulls.requestReviewers({ owner, repo, pull_number: 1, reviewers: ['alice'] }),
    );
    expect(unresolved.message).toContain('Validation Failed: "Could not resolve to a node with the global id of');
    expect(describeGitHubError(unresolved, 'Requesting reviewers').diagnostics[0]!.fix).toContain(
      're-run the job (the PR exists; the next run adds the reviewers and labels still missing)',
    );
    expect((await gh.rest.pulls.requestReviewers({ owner, repo, pull_number: 1, reviewers: ['alice'] })).status).toBe(
      201,
    );

    expect(permissionFor('GET', `${double.url}/repos/a/b/contents/x`)).toBe('contents: read');
    expect(permissionFor('PATCH', `${double.url}/repos/a/b/git/refs/heads/x`)).toBe('contents: write');
    expect(permissionFor('POST', `${double.url}/repos/a/b/check-runs`)).toBe('checks: write');
    expect(permissionFor('POST', `${double.url}/repos/a/b/statuses/abc`)).toBe('statuses: write');
    expect(permissionFor('POST', `${double.url}/repos/a/b/actions/workflows/x/dispatches`)).toBe('actions: write');
    expect(describeGitHubError(new Error('connect ECONNREFUSED'), 'Reading').message).toContain('ECONNREFUSED');
  });
});
