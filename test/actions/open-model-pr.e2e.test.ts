import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { type MlflowDouble, startMlflowDouble } from '../support/mlflow-double.js';
import { describeWithShared, repoRoot } from '../support/paths.js';
import { spawnAction, spawnCli } from '../support/run-action.js';

const REPO = 'acme/serving';
const FILE = 'serving/churn-model.yaml';
const EXAMPLE = fs.readFileSync(path.join(repoRoot, 'examples/serving/churn-model.yaml'), 'utf8');
const V1 = 'gs://example-models/churn/2026-01-10T04-00-00Z';
const V2 = 'gs://example-models/churn/2026-01-17T04-00-00Z';
const V3 = 'gs://example-models/churn/2026-01-24T04-00-00Z';
const model = (uri: string, created: string) => ({ id: `churn-${created.slice(0, 10)}`, uri, created });
const M1 = model(V1, '2026-01-10T04:00:00Z');
const M2 = model(V2, '2026-01-17T04:00:00Z');
const M3 = model(V3, '2026-01-24T04:00:00Z');

let gh: GitHubDouble;
let workspace: TempRepo;
beforeAll(async () => {
  // A bot login, as a GitHub App token acts; the default-token case sets github-actions[bot].
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
  labels: 'model-update, automated',
  reviewers: 'alice',
};

function run(inputs: Record<string, string> = {}, env: Record<string, string> = {}, api = gh.url) {
  return spawnAction(
    'open-model-pr',
    { ...INPUTS, ...inputs },
    {
      workspace: workspace.dir,
      env: { GITHUB_API_URL: api, GITHUB_REPOSITORY: REPO, KFP_GITOPS_NOW: '2026-01-25T00:00:00Z', ...env },
    },
  );
}

const pulls = () => gh.pulls(REPO);
const writeRoutes = (from = 0) =>
  gh
    .writes()
    .slice(from)
    .map((r) => `${r.method} ${r.route}`);

describeWithShared('open-model-pr against the GitHub API double', () => {
  test('the lifecycle: created → updated for a newer model → nothing for the same model → closed when base catches up', async () => {
    // create-pull-request __test__/create-or-update-branch.int.test.ts: "tests create and update with a tracked
    // file change", "tests create and update with identical changes" (not-updated: nothing pushed), "tests create,
    // commits on the base, and update with identical changes to the base" (no diff left: the PR is closed).
    // 1. First PR: exactly blob → tree → commit → ref, then the PR, labels and reviewers.
    await trained(M1, M2);
    const baseSha = gh.branchSha(REPO, 'main')!;
    const r1 = await run();
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    // create-pull-request's output names too (pull-request-operation/-head-sha/-branch).
    expect(r1.outputs).toEqual({
      operation: 'created',
      'pull-request-operation': 'created',
      'pull-request-number': '1',
      'pull-request-url': 'https://github.com/acme/serving/pull/1',
      'pull-request-head-sha': gh.branchSha(REPO, 'auto-update-model'),
      'pull-request-branch': 'auto-update-model',
      'current-model': V1,
      'latest-model': V2,
    });
    expect(writeRoutes()).toEqual([
      'POST /repos/{owner}/{repo}/git/blobs',
      'POST /repos/{owner}/{repo}/git/trees',
      'POST /repos/{owner}/{repo}/git/commits',
      'POST /repos/{owner}/{repo}/git/refs',
      'POST /repos/{owner}/{repo}/pulls',
      'POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers',
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
    ]);
    // The edited file differs from base in the value only, byte for byte; the commit sits on base.
    expect(gh.readFile(REPO, 'auto-update-model', FILE)).toBe(EXAMPLE.replace(V1, V2));
    expect(gh.files(REPO, 'auto-update-model')).toEqual({
      [FILE]: EXAMPLE.replace(V1, V2),
      'README.md': '# serving\n',
    });
    const head = gh.commit(REPO, gh.branchSha(REPO, 'auto-update-model')!);
    expect(head.parents).toEqual([baseSha]);
    expect(head.message).toContain(`${FILE}: ${V1} → ${V2}`);
    expect(pulls()).toMatchObject([
      {
        number: 1,
        state: 'open',
        head: 'auto-update-model',
        base: 'main',
        title: 'Update model to churn-2026-01-17',
        labels: ['model-update', 'automated'],
        reviewers: ['alice'],
        draft: false,
      },
    ]);
    expect(pulls()[0]!.body).toContain(`| proposed | \`${V2}\` | 2026-01-17T04:00:00.000Z |`);
    expect(r1.summary).toContain('[#1](https://github.com/acme/serving/pull/1)');
    expect(r1.summary).toMatch(
      /\| latest \| `gs:\/\/example-models\/churn\/2026-01-17T04-00-00Z` \| `churn-2026-01-17` \| 7d 20h \|/,
    );
    expect(r1.summary).toMatch(
      /\| current \(`main`\) \| `gs:\/\/example-models\/churn\/2026-01-10T04-00-00Z` \| `churn-2026-01-10` \| 14d 20h \|/,
    );
    expect(r1.annotations.filter((a) => a.kind !== 'notice')).toEqual([]);

    // 2. A newer model: the same PR, branch rebuilt from base with the new value, title and body updated.
    await trained(M1, M2, M3);
    let mark = gh.writes().length;
    const r2 = await run();
    expect(r2.outputs).toMatchObject({
      operation: 'updated',
      'pull-request-number': '1',
      'current-model': V1,
      'latest-model': V3,
    });
    expect(writeRoutes(mark)).toEqual([
      'POST /repos/{owner}/{repo}/git/blobs',
      'POST /repos/{owner}/{repo}/git/trees',
      'POST /repos/{owner}/{repo}/git/commits',
      'PATCH /repos/{owner}/{repo}/git/refs/{ref}',
      'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
    ]);
    expect(gh.readFile(REPO, 'auto-update-model', FILE)).toBe(EXAMPLE.replace(V1, V3));
    expect(gh.commit(REPO, gh.branchSha(REPO, 'auto-update-model')!).parents).toEqual([baseSha]);
    expect(pulls()).toHaveLength(1);
    expect(pulls()[0]).toMatchObject({
      title: 'Update model to churn-2026-01-24',
      labels: ['model-update', 'automated'],
      reviewers: ['alice'],
    });
    expect(pulls()[0]!.body).toContain(V3);
    expect(pulls()[0]!.body).not.toContain(V2);

    // 3. The same model again: no write at all (no push, no PR edit → no CI churn).
    mark = gh.writes().length;
    const r3 = await run();
    expect(r3.code).toBe(0);
    expect(r3.outputs).toMatchObject({
      operation: 'none',
      'pull-request-number': '1',
      'pull-request-url': 'https://github.com/acme/serving/pull/1',
    });
    expect(gh.writes().length).toBe(mark);
    expect(r3.stdout).toContain('already proposes');

    // 4. Base catches up (the PR merged elsewhere or pinned by hand): PR closed with a comment.
    gh.commitFiles(REPO, { files: { [FILE]: EXAMPLE.replace(V1, V3) }, message: 'pin by hand' });
    const r4 = await run();
    expect(r4.outputs).toMatchObject({
      operation: 'closed',
      'pull-request-operation': 'closed',
      'pull-request-number': '1',
      'pull-request-url': 'https://github.com/acme/serving/pull/1',
      'pull-request-head-sha': gh.branchSha(REPO, 'auto-update-model'),
      'current-model': V3,
      'latest-model': V3,
    });
    expect(pulls()[0]!.state).toBe('closed');
    expect(gh.comments(REPO, 1).map((c) => c.body)).toEqual([expect.stringContaining(`already pins \`${V3}\``)]);
    expect(r4.summary).toContain('Closed the redundant model PR');

    // 5. And once more: nothing to do, nothing written.
    mark = gh.writes().length;
    expect((await run()).outputs.operation).toBe('none');
    expect(gh.writes().length).toBe(mark);
  });

  test('base moved on with an unrelated change: the branch is rebuilt on the new base head', async () => {
    // create-or-update-branch.int.test.ts: "tests create and update with commits on the base inbetween"
    await trained(M1, M2);
    expect((await run()).outputs.operation).toBe('created');
    const newBase = gh.commitFiles(REPO, { files: { 'README.md': '# serving v2\n' } });
    const r = await run();
    expect(r.outputs.operation).toBe('updated');
    expect(gh.commit(REPO, gh.branchSha(REPO, 'auto-update-model')!).parents).toEqual([newBase]);
    expect(gh.files(REPO, 'auto-update-model')).toEqual({
      [FILE]: EXAMPLE.replace(V1, V2),
      'README.md': '# serving v2\n',
    });
  });

  test('a PR closed by a human is not reopened for the same model; a newer model opens a new one', async () => {
    // Differs from create-pull-request on purpose (issue 23, item 3); see open-model-pr-situations.e2e.test.ts.
    await trained(M1, M2);
    await run();
    await fetch(`${gh.url}/repos/${REPO}/pulls/1`, {
      method: 'PATCH',
      headers: { authorization: 'token human', 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'closed' }),
    });
    const mark = gh.writes().length;
    const again = await run();
    expect(again.outputs).toMatchObject({ operation: 'none', 'pull-request-number': '' });
    expect(again.stdout).toContain('was closed without merging');
    expect(gh.writes().length).toBe(mark);
    await trained(M1, M2, M3);
    const newer = await run();
    expect(newer.outputs).toMatchObject({ operation: 'created', 'pull-request-number': '2' });
  });

  test('422 "already exists" race: a concurrent run opens the PR first; this run adopts and updates it', async () => {
    // create-pull-request src/github-helper.ts createOrUpdate: ERROR_PR_ALREADY_EXISTS → find the PR and update it.
    await trained(M1, M2);
    // A proxy in front of the double that, on the first POST /pulls, lets a "concurrent run" create
    // the same PR (with a different body) just before forwarding ours.
    let raced = false;
    const proxy = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = chunks.length ? Buffer.concat(chunks).toString() : undefined;
      const headers = {
        authorization: req.headers.authorization ?? '',
        'content-type': 'application/json',
        accept: req.headers.accept ?? '*/*',
      };
      if (!raced && req.method === 'POST' && /\/pulls$/.test(req.url ?? '')) {
        raced = true;
        const theirs = { ...JSON.parse(body!), body: 'opened by the concurrent run' };
        await fetch(gh.url + req.url, { method: 'POST', headers, body: JSON.stringify(theirs) });
      }
      const r = await fetch(gh.url + req.url, { method: req.method, headers, body });
      res
        .writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' })
        .end(Buffer.from(await r.arrayBuffer()));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const r = await run({}, {}, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('was opened concurrently; updating it instead');
      expect(r.outputs).toMatchObject({ operation: 'updated', 'pull-request-number': '1' });
      expect(
        gh.requests
          .filter((q) => q.method === 'POST' && q.route === '/repos/{owner}/{repo}/pulls')
          .map((q) => q.status),
      ).toEqual([201, 422]);
      expect(pulls()).toHaveLength(1);
      expect(pulls()[0]!.body).toContain(V2); // ours, not the concurrent run's body
      expect(pulls()[0]!.labels).toEqual(['model-update', 'automated']);
    } finally {
      proxy.close();
    }
  });

  test('marker locator, MLflow source, pin=uri; draft; the default GITHUB_TOKEN gets a loud warning', async () => {
    const mlflow: MlflowDouble = await startMlflowDouble({ token: 'ml' });
    try {
      gh.reset();
      const doubleWithDefaultToken = await startGitHubDouble({ now: () => new Date('2026-01-25T00:00:00Z') }); // acts as github-actions[bot]
      try {
        doubleWithDefaultToken.createRepo(REPO, { files: { [FILE]: EXAMPLE } });
        mlflow.addVersion('churn', { version: 9, created: Date.parse('2026-01-17T04:00:00Z'), source: V2 });
        mlflow.addVersion('churn', {
          version: 10,
          created: Date.parse('2026-01-24T04:00:00Z'),
          source: V3,
          status: 'PENDING_REGISTRATION',
        });
        const r = await spawnAction(
          'open-model-pr',
          {
            'model-source': 'mlflow:churn',
            'mlflow-tracking-uri': mlflow.url,
            'mlflow-token': 'ml',
            'config-file': FILE,
            marker: 'kpt-set: ${model}',
            draft: 'true',
            token: 'ghs_default',
          },
          {
            workspace: workspace.dir,
            env: { GITHUB_API_URL: doubleWithDefaultToken.url, GITHUB_REPOSITORY: REPO, GITHUB_TOKEN: 'ghs_default' },
          },
        );
        expect(r.code).toBe(0);
        expect(r.outputs).toMatchObject({ operation: 'created', 'latest-model': V2, 'current-model': V1 });
        expect(doubleWithDefaultToken.readFile(REPO, 'auto-update-model', FILE)).toBe(EXAMPLE.replace(V1, V2));
        expect(doubleWithDefaultToken.pulls(REPO)[0]).toMatchObject({
          draft: true,
          title: 'Update model to models:/churn/9',
          user: 'github-actions[bot]',
        });
        const warnings = r.annotations.filter((a) => a.kind === 'warning');
        expect(warnings).toHaveLength(1);
        expect(warnings[0]!.message).toContain('default GITHUB_TOKEN');
        expect(r.stdout).toContain('version 10 is PENDING_REGISTRATION');
        const leaks = r.stdout.split('\n').filter((l) => l.includes('ghs_default') && !l.startsWith('::add-mask::'));
        expect(leaks).toEqual([]);
        expect(doubleWithDefaultToken.violations).toEqual([]);
        expect(mlflow.violations).toEqual([]);
      } finally {
        await doubleWithDefaultToken.close();
      }
    } finally {
      await mlflow.stop();
      gh.createRepo(REPO, { files: { [FILE]: EXAMPLE } });
    }
  });

  test('"Actions is not permitted to create pull requests": a clear fix, exit 1', async () => {
    // create-pull-request README: "you must explicitly allow GitHub Actions to create pull requests".
    await trained(M1, M2);
    gh.failNext({
      method: 'POST',
      route: '/repos/{owner}/{repo}/pulls',
      status: 403,
      message: 'GitHub Actions is not permitted to create or approve pull requests.',
    });
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Allow GitHub Actions to create and approve pull requests');
  });

  test('a locator matching nothing: error at the file and line with a fix, and nothing written', async () => {
    await trained(M1, M2);
    const r = await run({ 'config-key': 'spec.predictor.model.storageURI' });
    expect(r.code).toBe(1);
    const err = r.annotations.find((a) => a.kind === 'error')!;
    expect(err.props).toMatchObject({ file: FILE, line: '14' });
    expect(err.message).toContain("Did you mean 'storageUri'?");
    expect(gh.writes()).toEqual([]);
    const both = await run({ document: '' });
    expect(both.code).toBe(1);
    expect(both.annotations.filter((a) => a.kind === 'error').map((a) => a.props.line)).toEqual(['18', '32']);
    expect(gh.writes()).toEqual([]);
  });

  test('no trained model yet: nothing proposed, a warning, outputs set', async () => {
    await workspace.write({ 'models/trained.json': '{"models": []}' });
    const r = await run();
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({
      operation: 'none',
      'pull-request-operation': 'none',
      'pull-request-number': '',
      'pull-request-url': '',
      'pull-request-head-sha': '',
      'pull-request-branch': 'auto-update-model',
      'current-model': '',
      'latest-model': '',
    });
    expect(r.annotations.find((a) => a.kind === 'warning')?.message).toContain('nothing to propose');
    expect(gh.requests).toEqual([]);
  });

  test('input mistakes are reported before any request', async () => {
    const r = await run({ marker: 'kpt-set' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Give exactly one of config-key and marker (got both)');
    const m = await run({ model: 'gs://x' });
    expect(m.stdout).toContain('Give exactly one of model-source and model (got both)');
    expect(gh.requests).toEqual([]);
  });
});

describeWithShared('kfp-gitops open-model-pr (CLI)', () => {
  test('flags mirror the inputs; a model JSON from model-freshness is accepted', async () => {
    const r = await spawnCli(
      [
        'open-model-pr',
        '--model',
        JSON.stringify(M3),
        '--config-file',
        FILE,
        '--config-key',
        'spec.predictor.model.storageUri',
        '--document',
        'InferenceService/churn-model',
        '--token',
        'pat',
        '--repository',
        REPO,
        '--branch',
        'promote/churn',
        '--title',
        'Promote churn',
      ],
      { cwd: workspace.dir, env: { GITHUB_API_URL: gh.url } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('operation=created');
    expect(r.stdout).toContain('pull-request-url=https://github.com/acme/serving/pull/1');
    expect(gh.readFile(REPO, 'promote/churn', FILE)).toBe(EXAMPLE.replace(V1, V3));
    expect(pulls()[0]).toMatchObject({ title: 'Promote churn', head: 'promote/churn' });
  });
});
