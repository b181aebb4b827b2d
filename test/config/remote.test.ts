import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { describeWithShared } from '../support/paths.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { loadDesiredState } from '../../src/config/load.js';
import { gitHubFiles } from '../../src/config/github-files.js';
import type { DesiredState } from '../../src/config/types.js';
import {
  CUSTOM_MESSAGE,
  DEPLOYKF_EXPERIMENTS,
  DEPLOYKF_RECURRING_RUNS,
  DEPLOYKF_REF,
  DEPLOYKF_REPO,
  DEPLOYKF_WORKFLOW,
  PARAM_PATH,
  WORKFLOW_PATH,
} from './deploykf-fixture.js';

const TOKEN = 'ghs_test_token';
let double: GitHubDouble;
const repos: TempRepo[] = [];

async function check(files: Record<string, string>, token: string | undefined = TOKEN): Promise<DesiredState> {
  const repo = await TempRepo.create(files);
  repos.push(repo);
  return loadDesiredState(['team-1'], { root: repo.dir, github: () => gitHubFiles({ token, apiUrl: double.url }) });
}

const errors = (s: DesiredState) => s.diagnostics.filter((d) => d.severity !== 'warning');

describeWithShared('GitHub pipeline sources, read through the GitHub API double', () => {
  beforeAll(async () => {
    double = await startGitHubDouble({ tokens: [TOKEN] });
    double.createRepo(DEPLOYKF_REPO, { files: { [WORKFLOW_PATH]: DEPLOYKF_WORKFLOW, [PARAM_PATH]: CUSTOM_MESSAGE } });
    // deployKF's example pins a commit of its own history; here a ref of that name points at ours.
    double.setBranch(DEPLOYKF_REPO, DEPLOYKF_REF, 'main');
    double.createRepo('acme/private-pipelines', {
      files: { 'w.yaml': DEPLOYKF_WORKFLOW },
      private: true,
      readers: ['someone-else'],
    });
  });
  afterAll(async () => {
    await double?.close();
    await Promise.all(repos.map((r) => r.remove()));
  });
  beforeEach(() => {
    double.requests.length = 0;
  });

  test("deployKF's config folder, unchanged, passes: ref resolved to a SHA, files fetched at that SHA", async () => {
    const state = await check({
      'team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS,
      'team-1/recurring_runs.yaml': DEPLOYKF_RECURRING_RUNS,
    });
    expect(state.diagnostics).toEqual([]);
    const job = state.namespaces[0]!.jobs[0]!;
    const sha = double.branchSha(DEPLOYKF_REPO, 'main')!;
    expect(job.pipeline!.source).toEqual({
      type: 'github',
      owner: 'deployKF',
      repo: 'kubeflow-pipelines-gitops',
      ref: DEPLOYKF_REF,
      sha,
      path: WORKFLOW_PATH,
    });
    expect(job.pipeline).toMatchObject({ kind: 'v1', name: 'example-pipeline-1', text: DEPLOYKF_WORKFLOW });
    expect(job.parameters).toEqual({ custom_message: CUSTOM_MESSAGE });
    expect(job).toMatchObject({
      name: 'example-pipeline-1',
      keepHistory: 5,
      trigger: { type: 'cron', cron: '0 0 0 * * *' },
    });
    expect(job.description).toBeUndefined();
    expect(job.serviceAccount).toBeUndefined();
    const contents = double.requests.filter((r) => r.route?.endsWith('/contents/{path}'));
    expect(contents.map((r) => r.query.ref)).toEqual([sha, sha]); // pinned: read at the SHA, not the ref
    expect(double.violations).toEqual([]);
  });

  test('each (repo, SHA, path) is fetched once and each ref resolved once, however many entries use them', async () => {
    const entries = [1, 2, 3]
      .map((n) =>
        DEPLOYKF_RECURRING_RUNS.replace('recurring_runs:\n', '').replace(
          /name: "example-pipeline-1"\n(\s+description)/,
          `name: "job-${n}"\n$1`,
        ),
      )
      .join('');
    const state = await check({
      'team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS,
      'team-1/recurring_runs.yaml': `recurring_runs:\n${entries}`,
    });
    expect(errors(state)).toEqual([]);
    expect(state.namespaces[0]!.jobs.map((j) => j.name)).toEqual(['job-1', 'job-2', 'job-3']);
    expect(double.requests.filter((r) => r.route?.endsWith('/commits/{ref}'))).toHaveLength(1);
    expect(
      double.requests
        .filter((r) => r.route?.endsWith('/contents/{path}'))
        .map((r) => decodeURIComponent(r.path))
        .sort(),
    ).toEqual(
      [`/repos/${DEPLOYKF_REPO}/contents/${PARAM_PATH}`, `/repos/${DEPLOYKF_REPO}/contents/${WORKFLOW_PATH}`].sort(),
    );
    expect(double.violations).toEqual([]);
  });

  test('valueFrom with its own ref reads there; a parameter missing in GitHub is located at its file_path', async () => {
    double.commitFiles(DEPLOYKF_REPO, { branch: 'params-v2', files: { 'params/msg': 'from another branch' } });
    const runs = DEPLOYKF_RECURRING_RUNS.replace(
      `file_path: "${PARAM_PATH}"`,
      'file_path: "params/msg"\n          git_reference: params-v2',
    );
    const ok = await check({ 'team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS, 'team-1/recurring_runs.yaml': runs });
    expect(errors(ok)).toEqual([]);
    expect(ok.namespaces[0]!.jobs[0]!.parameters.custom_message).toBe('from another branch');
    const missing = await check({
      'team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS,
      'team-1/recurring_runs.yaml': DEPLOYKF_RECURRING_RUNS.replace(
        `file_path: "${PARAM_PATH}"`,
        'file_path: "params/nope"',
      ),
    });
    expect(errors(missing).map((e) => [e.location?.line, e.message])).toEqual([
      [
        11,
        expect.stringMatching(
          /^Parameter 'custom_message': 'params\/nope' does not exist in deployKF\/kubeflow-pipelines-gitops at f73d515dfa7cff8e04b6bad3551d9db8a8d589f1 \([0-9a-f]{7}\)\.$/,
        ),
      ],
    ]);
    expect(double.violations).toEqual([]);
  });

  test('an unknown ref is reported at git_reference; a missing file at file_path', async () => {
    const badRef = await check({
      'team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS,
      'team-1/recurring_runs.yaml': DEPLOYKF_RECURRING_RUNS.replace(DEPLOYKF_REF, 'no-such-branch'),
    });
    const [e] = errors(badRef);
    expect(e).toMatchObject({
      message:
        "Pipeline file: git_reference 'no-such-branch' is not a branch, tag or commit of deployKF/kubeflow-pipelines-gitops.",
      location: { file: 'team-1/recurring_runs.yaml', line: 5, column: 22 },
    });
    expect(e!.fix).toMatch(/correct git_reference/);
    const badPath = await check({
      'team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS,
      'team-1/recurring_runs.yaml': DEPLOYKF_RECURRING_RUNS.replace(WORKFLOW_PATH, 'nope/workflow.yaml'),
    });
    expect(errors(badPath)[0]).toMatchObject({
      message: expect.stringContaining("'nope/workflow.yaml' does not exist in deployKF/kubeflow-pipelines-gitops"),
      location: { line: 6 },
    });
    expect(double.violations).toEqual([]);
  });

  test('an invalid remote pipeline is reported at the entry that names it, with its line there', async () => {
    double.commitFiles(DEPLOYKF_REPO, {
      branch: 'broken',
      files: { [WORKFLOW_PATH]: DEPLOYKF_WORKFLOW.replace('kind: Workflow', 'kind: CronWorkflow') },
    });
    const state = await check({
      'team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS,
      'team-1/recurring_runs.yaml': DEPLOYKF_RECURRING_RUNS.replace(DEPLOYKF_REF, 'broken'),
    });
    expect(errors(state).map((e) => [e.location?.line, e.message])).toEqual([
      [
        6,
        expect.stringMatching(
          /^deployKF\/kubeflow-pipelines-gitops@[0-9a-f]{7}:step-1--render-pipelines\/example_pipeline_1\/RENDERED_PIPELINE\/workflow.yaml is not a valid KFP pipeline \(line 2\): kind is "CronWorkflow", not 'Workflow'\.$/,
        ),
      ],
    ]);
  });

  test('without a token a public repository is read unauthenticated; a private one says a token is needed', async () => {
    const state = await check(
      { 'team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS, 'team-1/recurring_runs.yaml': DEPLOYKF_RECURRING_RUNS },
      '',
    );
    expect(errors(state)).toEqual([]);
    expect(state.namespaces[0]!.jobs[0]!.parameters).toEqual({ custom_message: CUSTOM_MESSAGE });
    expect(double.requests.every((r) => r.token === undefined)).toBe(true);
    const runs = DEPLOYKF_RECURRING_RUNS.replace('"deployKF"', '"acme"')
      .replace('"kubeflow-pipelines-gitops"', '"private-pipelines"')
      .replace(`"${WORKFLOW_PATH}"`, '"w.yaml"')
      .replace(/ {4}pipeline_parameters:\n(.*\n){3}/, '');
    const [hidden] = errors(
      await check({ 'team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS, 'team-1/recurring_runs.yaml': runs }, ''),
    );
    expect(hidden!.fix).toMatch(/^no token was given, so only public repositories can be read/);
    double.failNext({
      method: 'GET',
      route: '/repos/{owner}/{repo}/commits/{ref}',
      status: 403,
      message: 'API rate limit exceeded for 127.0.0.1.',
    });
    const [limited] = errors(
      await check(
        { 'team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS, 'team-1/recurring_runs.yaml': DEPLOYKF_RECURRING_RUNS },
        '',
      ),
    );
    expect(limited!.message).toMatch(/HTTP 403.*API rate limit exceeded/);
    expect(limited!.fix).toMatch(/^GitHub limits requests without a token to 60 an hour: give a token/);
    expect(double.violations).toEqual([]);
  });

  test('a private repository the token cannot see: a clear error, nothing crashes', async () => {
    const runs = DEPLOYKF_RECURRING_RUNS.replace('"deployKF"', '"acme"')
      .replace('"kubeflow-pipelines-gitops"', '"private-pipelines"')
      .replace(`"${WORKFLOW_PATH}"`, '"w.yaml"')
      .replace(/ {4}pipeline_parameters:\n(.*\n){3}/, '');
    const hidden = await check({ 'team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS, 'team-1/recurring_runs.yaml': runs });
    const [e] = errors(hidden);
    expect(e!.message).toMatch(/Resolving git_reference '.*' in acme\/private-pipelines failed \(HTTP 404/);
    expect(e!.fix).toMatch(/private repository also answers 404/);
    expect(e!.location?.line).toBe(5);
    expect(double.violations).toEqual([]);
  });
});
