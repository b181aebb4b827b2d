import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { createGitHub } from '../../src/lib/github.js';
import { startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { startMlflowDouble } from '../support/mlflow-double.js';
import { TempRepo } from '../support/git-repo.js';
import { type ActionRun, spawnAction } from '../support/run-action.js';
import { describeWithShared, repoRoot } from '../support/paths.js';

/**
 * Issue 11, "Secrets and trust boundaries", end to end through the actions: a committed symlink,
 * an upstream echoing credentials, child processes, and names that would move API calls elsewhere.
 * Each run carries real secrets as inputs and checks they appear nowhere GitHub would show them.
 */

const KFP_TOKEN = 'kfp-secret-token-4f1c2a9e';
const GH_TOKEN = 'ghs_trust_boundary_token';
const MLFLOW_TOKEN = 'mlflow-secret-token-0a1b2c';

let emu: KfpEmulator;
let double: GitHubDouble;
let tmp: string;
const repos: TempRepo[] = [];

beforeAll(async () => {
  emu = await startKfpEmulator({ auth: { tokens: [KFP_TOKEN] } });
  double = await startGitHubDouble({ tokens: [GH_TOKEN] });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-trust-'));
});
afterAll(async () => {
  await emu.close();
  await double.close();
  await fs.rm(tmp, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
  expect(double.violations).toEqual([]);
  double.reset();
});

async function examplesRepo(): Promise<TempRepo> {
  const repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  repos.push(repo);
  return repo;
}

/** A pull request in the double and the env of a pull_request run for it. */
async function pullRequest(full: string): Promise<{ number: number; env: Record<string, string> }> {
  const [owner, repo] = full.split('/') as [string, string];
  double.createRepo(full, { files: { 'README.md': 'x\n' } });
  double.commitFiles(full, { branch: 'change', files: { 'x.txt': 'x\n' } });
  const gh = await createGitHub({ token: GH_TOKEN, apiUrl: double.url });
  const { data: pr } = await gh.rest.pulls.create({ owner, repo, head: 'change', base: 'main', title: 'Change' });
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
      GITHUB_REPOSITORY: full,
      GITHUB_API_URL: double.url,
    },
  };
}

/** Every place a secret must never appear: the log (but the runner's own add-mask command), outputs, summary, comments. */
function expectNoSecret(r: ActionRun, secrets: string[], comments: string[] = []): void {
  const log = (r.stdout + r.stderr).split('\n').filter((l) => !l.startsWith('::add-mask::'));
  for (const s of secrets) {
    expect(log.filter((l) => l.includes(s))).toEqual([]);
    expect(Object.entries(r.outputs).filter(([, v]) => v.includes(s))).toEqual([]);
    expect(r.summary).not.toContain(s);
    expect(comments.filter((c) => c.includes(s))).toEqual([]);
  }
}

describeWithShared('trust boundaries (actions, GitHub API double, KFP emulator)', () => {
  test('1. a committed symlink to /proc/self/environ is refused at the config line; no token reaches GitHub or KFP', async () => {
    const repo = await examplesRepo();
    const param = 'pipelines/train-model/RENDERED_PIPELINE/params/dataset_uri';
    await fs.rm(repo.path(param));
    await fs.symlink('/proc/self/environ', repo.path(param));
    await repo.commit('dataset_uri from the environment');
    const pr = await pullRequest('acme/schedules');

    const r = await spawnAction(
      'push-reconcile',
      {
        'config-folders': 'schedules/*',
        'kfp-host': emu.url,
        'kfp-token': KFP_TOKEN,
        mode: 'plan',
        'github-token': GH_TOKEN,
      },
      { workspace: repo.dir, env: pr.env },
    );
    expect(r.code).toBe(1);
    expect(r.annotations).toContainEqual({
      kind: 'error',
      props: expect.objectContaining({ file: 'schedules/team-ml/recurring_runs.yaml', line: '15' }),
      message: expect.stringMatching(
        /^Parameter 'dataset_uri': 'pipelines\/train-model\/RENDERED_PIPELINE\/params\/dataset_uri' leads outside the repository checkout through a symbolic link/,
      ),
    });
    expect(emu.log.writes).toBe(0);
    expectNoSecret(
      r,
      [KFP_TOKEN, GH_TOKEN],
      double.comments('acme/schedules', pr.number).map((c) => c.body),
    );
  });

  test('1. a linked folder leading out is refused; a link that stays inside is followed', async () => {
    const repo = await examplesRepo();
    const outside = await fs.mkdtemp(path.join(tmp, 'outside-'));
    await fs.writeFile(path.join(outside, 'model_uri'), 'gs://elsewhere/model\n');
    const params = 'pipelines/batch-predict/RENDERED_PIPELINE/params';
    await fs.rm(repo.path(params), { recursive: true });
    await fs.symlink(outside, repo.path(params));
    await repo.commit('params from outside');
    const check = () =>
      spawnAction('check-reconcile-configs', { 'config-folders': 'schedules/*' }, { workspace: repo.dir });

    const refused = await check();
    expect(refused.code).toBe(1);
    expect(
      refused.annotations.filter((a) => a.props.file).map((a) => `${a.props.file}:${a.props.line} ${a.message}`),
    ).toEqual([
      expect.stringMatching(
        /^schedules\/team-ml\/recurring_runs.yaml:37 Parameter 'model_uri': '.*params\/model_uri' leads outside the repository checkout through a symbolic link/,
      ),
    ]);

    await fs.rm(repo.path(params));
    await fs.mkdir(repo.path(params));
    await fs.symlink('../../../train-model/RENDERED_PIPELINE/params/dataset_uri', repo.path(`${params}/model_uri`));
    await repo.commit('a link inside the repository');
    expect((await check()).code).toBe(0);
  });

  test('1. working-directory must be a folder inside the checkout, after symlinks', async () => {
    const repo = await examplesRepo();
    const outside = await fs.mkdtemp(path.join(tmp, 'workdir-'));
    await fs.cp(repo.path('quality'), outside, { recursive: true });
    await fs.symlink(outside, repo.path('linked-quality'));
    const gate = (wd: string) =>
      spawnAction(
        'quality-gate',
        { metrics: 'metrics.json', thresholds: 'thresholds.yaml', comment: 'false', 'working-directory': wd },
        { workspace: repo.dir },
      );
    for (const wd of ['..', '/', outside, 'linked-quality']) {
      const r = await gate(wd);
      expect([wd, r.code]).toEqual([wd, 1]);
      expect(r.stdout).toMatch(
        /Input 'working-directory': '.*' (is outside the repository checkout|leads outside the repository checkout through a symbolic link)/,
      );
    }
    expect((await gate('quality')).code).toBe(0);
    // A file input leading out through a link is refused the same way.
    await fs.symlink('/proc/self/environ', repo.path('quality/env.json'));
    const metrics = await spawnAction(
      'quality-gate',
      { metrics: 'env.json', thresholds: 'thresholds.yaml', comment: 'false', 'working-directory': 'quality' },
      { workspace: repo.dir },
    );
    expect(metrics.code).toBe(1);
    expect(metrics.stdout).toContain(
      "Input 'metrics': 'env.json' leads outside the repository checkout through a symbolic link",
    );
  });

  test('2. an MLflow 401 echoing the Authorization header leaks the token into no output, summary or comment', async () => {
    const mlflow = await startMlflowDouble({ token: 'the-right-token', echoAuthorization: true });
    try {
      const repo = await examplesRepo();
      const pr = await pullRequest('acme/label-bot');
      const inputs = {
        metrics: 'mlflow:4f1c2a9e0b7d4c3e8a6b5d2f1e0c9b8a',
        thresholds: 'thresholds.yaml',
        'working-directory': 'quality',
        token: GH_TOKEN,
      };
      const bearer = await spawnAction(
        'quality-gate',
        { ...inputs, 'mlflow-token': MLFLOW_TOKEN },
        { workspace: repo.dir, env: { ...pr.env, MLFLOW_TRACKING_URI: mlflow.url } },
      );
      expect(bearer.code).toBe(1);
      expect(mlflow.requests.map((q) => q.authorization)).toEqual([`Bearer ${MLFLOW_TOKEN}`]); // the echo did happen
      expect(bearer.outputs.results).toContain("Authorization: Bearer ***'");
      const comments = () => double.comments('acme/label-bot', pr.number).map((c) => c.body);
      expect(comments().join('\n')).toContain('Authorization: Bearer ***');
      expectNoSecret(bearer, [MLFLOW_TOKEN, GH_TOKEN], comments());

      // Basic auth from the MLflow environment variables: the base64 credentials are redacted too.
      const basic = Buffer.from('ci-bot:basic-secret-pw').toString('base64');
      const r = await spawnAction('quality-gate', inputs, {
        workspace: repo.dir,
        env: {
          ...pr.env,
          MLFLOW_TRACKING_URI: mlflow.url,
          MLFLOW_TRACKING_USERNAME: 'ci-bot',
          MLFLOW_TRACKING_PASSWORD: 'basic-secret-pw',
        },
      });
      expect(r.code).toBe(1);
      expect(mlflow.requests.at(-1)!.authorization).toBe(`Basic ${basic}`);
      expectNoSecret(r, [basic, 'basic-secret-pw', GH_TOKEN], comments());
    } finally {
      await mlflow.stop();
    }
  });

  test('4. a command: model source runs without the action inputs and the runner tokens', async () => {
    const repo = await examplesRepo();
    const runner = {
      ACTIONS_RUNTIME_TOKEN: 'runtime-token-x',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc-token-x',
      ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc.example',
      ACTIONS_CACHE_URL: 'https://cache.example',
      ACTIONS_RESULTS_URL: 'https://results.example',
      TEAM_VAR: 'kept',
    };
    const r = await spawnAction(
      'model-freshness',
      { 'model-source': "command:env > child-env.txt; echo '[]'", 'max-age': '1d', 'mlflow-token': MLFLOW_TOKEN },
      { workspace: repo.dir, env: runner },
    );
    expect(r.code).toBe(0);
    const seen = await repo.read('child-env.txt');
    expect(seen).not.toMatch(/INPUT_|ACTIONS_|runtime-token-x|oidc-token-x|mlflow-secret-token/);
    expect(seen).toContain('TEAM_VAR=kept');
    expect(seen).toContain(`GITHUB_WORKSPACE=${repo.dir}`);
  });

  test('6. github_owner ".." in a config is refused at its line, before any GitHub call', async () => {
    const repo = await examplesRepo();
    const file = 'schedules/team-ml/recurring_runs.yaml';
    await repo.write({
      [file]: (await repo.read(file)).replace(
        '  - pipeline_source:\n      path: pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml\n',
        '  - pipeline_source:\n      github_owner: ".."\n      github_repo: pipelines\n      git_reference: main\n      file_path: p.yaml\n',
      ),
    });
    const r = await spawnAction(
      'check-reconcile-configs',
      { 'config-folders': 'schedules/*', 'github-token': GH_TOKEN },
      { workspace: repo.dir, env: { GITHUB_API_URL: double.url } },
    );
    expect(r.code).toBe(1);
    expect(r.annotations.map((a) => `${a.props.file}:${a.props.line} ${a.message}`)).toContain(
      `${file}:33 Pipeline file: github_owner '..' is not a GitHub user or organization name (letters, digits and '-', not starting with '-', at most 39 characters). Fix: give the user or organization as in github.com/<owner>.`,
    );
    expect(double.requests).toEqual([]);
  });

  test('6. open-model-pr refuses a branch that is not a plain branch name, before any GitHub call', async () => {
    const repo = await examplesRepo();
    double.createRepo('acme/serving', { files: { 'model.yaml': 'storageUri: gs://m/1\n' } });
    const before = double.requests.length;
    for (const branch of ['refs/heads/main', 'x; touch /tmp/pwned', 'a..b', '-f']) {
      const r = await spawnAction(
        'open-model-pr',
        {
          model: 'gs://m/2',
          'config-file': 'model.yaml',
          'config-key': 'storageUri',
          repository: 'acme/serving',
          branch,
          token: GH_TOKEN,
        },
        { workspace: repo.dir, env: { GITHUB_API_URL: double.url } },
      );
      expect([branch, r.code]).toEqual([branch, 1]);
      expect(r.stdout).toContain(`Input 'branch': '${branch}' is`);
    }
    expect(double.requests.length).toBe(before);
  });
});
