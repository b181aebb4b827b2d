import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { type ActionRun, spawnAction, spawnCli } from '../support/run-action.js';
import { describeWithShared, repoRoot } from '../support/paths.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import {
  CUSTOM_MESSAGE,
  DEPLOYKF_EXPERIMENTS,
  DEPLOYKF_RECURRING_RUNS,
  DEPLOYKF_REF,
  DEPLOYKF_REPO,
  DEPLOYKF_WORKFLOW,
  PARAM_PATH,
  WORKFLOW_PATH,
} from '../config/deploykf-fixture.js';

const ACTION = 'check-reconcile-configs';
const FOLDERS = 'schedules/*';
const RUNS_FILE = 'schedules/team-ml/recurring_runs.yaml';
const repos: TempRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((r) => r.remove()));
});

async function examplesRepo(edit?: (runs: string) => string, files: Record<string, string> = {}): Promise<TempRepo> {
  const repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  repos.push(repo);
  if (edit) await repo.write({ [RUNS_FILE]: edit(await repo.read(RUNS_FILE)) });
  await repo.write(files);
  await repo.commit('edit');
  return repo;
}

/** The line (1-based) where `text` (which may span lines) starts in a file of the repo. */
async function lineOf(repo: TempRepo, file: string, text: string): Promise<number> {
  const content = await repo.read(file);
  const i = content.indexOf(text);
  if (i < 0) throw new Error(`'${text}' not in ${file}`);
  return content.slice(0, i).split('\n').length;
}

const errorAnnotations = (r: ActionRun) => r.annotations.filter((a) => a.kind === 'error' && a.props.file);

describe('check-reconcile-configs, run as the runner runs it', () => {
  test('the example folder passes: outputs, one table per folder with words and the next 3 UTC fire times', async () => {
    const repo = await examplesRepo();
    const before = Date.now();
    const r = await spawnAction(ACTION, { 'config-folders': FOLDERS }, { workspace: repo.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ errors: '0', schedules: '3' });
    expect(r.annotations).toEqual([]);
    expect(r.summary).toContain('## ✅ Schedule configs are valid: 3 schedule(s) in 1 folder(s)');
    expect(r.summary).toContain('### `team-ml` (`schedules/team-ml`)');
    expect(r.summary).toContain(
      '| schedule | experiment | pipeline | trigger | next runs (UTC) | enabled | keep_history |',
    );
    const row = r.summary.split('\n').find((l) => l.startsWith('| `train-nightly`'))!;
    expect(row).toContain('At 02:30 (`0 30 2 * * *`)');
    const nextRuns = row.split(' | ')[4]!; // schedule | experiment | pipeline | trigger | next runs | …
    const times = [...nextRuns.matchAll(/(\d{4}-\d\d-\d\d) (\d\d:\d\d) UTC/g)];
    expect(times.map((m) => m[2])).toEqual(['02:30', '02:30', '02:30']);
    const days = times.map((m) => Date.parse(`${m[1]}T${m[2]}:00Z`));
    expect(days[0]).toBeGreaterThan(before);
    expect(days[0]! - before).toBeLessThanOrEqual(86_400_000);
    expect([days[1]! - days[0]!, days[2]! - days[1]!]).toEqual([86_400_000, 86_400_000]);
    expect(r.summary).toMatch(
      /\| `score-hourly` \|.*\| Every 1 h \| every 1 h after each new version is created \| yes \| newest \+ 5 \|/,
    );
    expect(r.summary).toMatch(/\| `train-weekly-full` \|.*\| — \(disabled\) \| no \| newest only \|/);
  });

  test.each([
    [
      'an invalid cron',
      (s: string) => s.replace('cron: "0 30 2 * * *"', 'cron: "0 30 2 * * MON-FUN"'),
      'cron: "0 30 2 * * MON-FUN"',
      /Invalid cron '0 30 2 \* \* MON-FUN': KFP refuses it in the day-of-week field \(robfig\/cron: Failed to parse int from FUN: strconv\.Atoi: parsing "FUN": invalid syntax\)\. Fix: write 'second minute hour/,
    ],
    [
      'an unknown key',
      (s: string) => s.replace('keep_history: 3', 'keep_histroy: 3'),
      'keep_histroy: 3',
      /Unknown key 'keep_histroy' in recurring_runs\[0\]\. Did you mean 'keep_history'\? Fix: remove or rename it/,
    ],
    [
      'a missing pipeline file',
      (s: string) =>
        s.replace('batch-predict/RENDERED_PIPELINE/pipeline.yaml', 'batch-predict/RENDERED_PIPELINE/pipeline.yml'),
      'pipeline.yml',
      /does not exist in the repository\. Fix: did you mean 'pipelines\/batch-predict\/RENDERED_PIPELINE\/pipeline\.yaml'\?/,
    ],
    [
      'a required input not given',
      (s: string) =>
        s.replace(
          '      - name: model_uri\n        valueFrom:\n          path: pipelines/batch-predict/RENDERED_PIPELINE/params/model_uri\n',
          '',
        ),
      'pipeline_parameters:\n      - name: batch_size',
      /pipeline 'batch-predict' requires 'model_uri', which is not given\. Fix: add \{name: model_uri, value: …\}/,
    ],
    [
      'a missing valueFrom file',
      (s: string) => s.replace('params/dataset_uri', 'params/dataset'),
      'params/dataset\n',
      /Parameter 'dataset_uri': 'pipelines\/train-model\/RENDERED_PIPELINE\/params\/dataset' does not exist in the repository\. Fix: correct the path/,
    ],
    [
      'a duplicate job name',
      (s: string) => s.replace('name: score-hourly', 'name: train-nightly'),
      'name: train-nightly\n      description: ~',
      /Duplicate job name 'train-nightly' \(also at line \d+\)\. Fix: give each recurring run its own job\.name/,
    ],
    [
      'an unknown experiment',
      (s: string) => s.replace('experiment: issue-classifier-scoring', 'experiment: issue-classifier-scorin'),
      'experiment: issue-classifier-scorin\n',
      /Experiment 'issue-classifier-scorin' is not declared .* Did you mean 'issue-classifier-scoring'\? Fix:/,
    ],
    [
      'max_concurrency over 10',
      (s: string) => s.replace('max_concurrency: 2', 'max_concurrency: 20'),
      'max_concurrency: 20',
      /max_concurrency must be <= 10, not 20\. Fix: How many runs/,
    ],
    [
      'start_date after end_date',
      (s: string) =>
        s.replace(
          'end_date: "2027-12-31T23:59:59Z"',
          'end_date: "2025-12-31T23:59:59Z"\n        start_date: 2026-01-01',
        ),
      'end_date: "2025-12-31T23:59:59Z"',
      /is not before end_date .* Fix: move end_date after start_date/,
    ],
    [
      'a YAML syntax error',
      (s: string) => s.replace('name: score-hourly', 'name: "score-hourly'),
      'name: "score-hourly',
      /YAML syntax error: .* Fix: correct the YAML syntax/,
    ],
  ])('%s fails with exit 1 and a file:line:col annotation that names the fix', async (_name, edit, marker, message) => {
    const repo = await examplesRepo(edit);
    const r = await spawnAction(ACTION, { 'config-folders': FOLDERS }, { workspace: repo.dir });
    expect(r.code).toBe(1);
    const errs = errorAnnotations(r);
    expect(errs.length).toBeGreaterThanOrEqual(1);
    const [first] = errs;
    expect(first!.message).toMatch(message);
    const file = marker.includes('pipeline.yml') || marker.includes('params/dataset') ? RUNS_FILE : first!.props.file!;
    expect(first!.props.file).toBe(file);
    expect(Number(first!.props.line)).toBe(await lineOf(repo, file, marker));
    expect(Number(first!.props.col)).toBeGreaterThanOrEqual(1);
    expect(r.outputs.errors).toBe(String(errs.length));
    expect(Number(r.outputs.schedules)).toBeLessThan(3);
    expect(r.summary).toContain('## ❌ Schedule configs:');
    expect(r.summary).toContain('### Problems');
  });

  test('an invalid pipeline file is annotated in that file', async () => {
    const repo = await examplesRepo(undefined, {
      'pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml': (
        await (await examplesRepo()).read('pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml')
      ).replace('pipelineInfo:\n  name: batch-predict', 'pipelineInfo:\n  name: ""'),
    });
    const r = await spawnAction(ACTION, { 'config-folders': FOLDERS }, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(errorAnnotations(r).map((a) => [a.props.file, a.props.line, a.message])).toEqual([
      [
        'pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml',
        '17',
        expect.stringMatching(/pipelineInfo\.name is missing or empty.* Fix: give the pipeline a name/),
      ],
    ]);
    expect(r.outputs).toEqual({ errors: '1', schedules: '2' });
  });

  test('warnings are warning annotations and do not fail the check', async () => {
    const repo = await examplesRepo((s) => s.replace('cron: "0 30 2 * * *"', 'cron: "30 2 * * *"'));
    const r = await spawnAction(ACTION, { 'config-folders': FOLDERS }, { workspace: repo.dir });
    expect(r.code).toBe(0);
    const warnings = r.annotations.filter((a) => a.kind === 'warning');
    expect(warnings.map((w) => [w.props.file, Number(w.props.line)])).toEqual([
      [RUNS_FILE, await lineOf(repo, RUNS_FILE, 'cron: "30 2 * * *"')],
    ]);
    expect(warnings[0]!.message).toMatch(/KFP reads the first field as seconds/);
    expect(r.outputs).toEqual({ errors: '0', schedules: '3' });
  });

  test('all errors across folders are collected; past 10, annotations stop and the log and summary list the rest', async () => {
    const bad = (n: number) =>
      `recurring_runs:\n${Array.from({ length: n }, (_, i) => `  - {pipeline_source: {path: nope-${i}.yaml}, job: {enabled: true, name: j${i}, experiment: e, max_concurrency: 1, trigger: {catchup: false, cron: "@daily"}}}\n`).join('')}`;
    const repo = await examplesRepo(undefined, {
      'schedules/team-a/experiments.yaml': 'experiments: [{name: e}]\n',
      'schedules/team-a/recurring_runs.yaml': bad(7),
      'schedules/team-b/experiments.yaml': 'experiments: [{name: e}]\n',
      'schedules/team-b/recurring_runs.yaml': bad(6),
    });
    const r = await spawnAction(ACTION, { 'config-folders': FOLDERS }, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(r.outputs).toEqual({ errors: '13', schedules: '3' });
    expect(errorAnnotations(r)).toHaveLength(10);
    expect(r.stdout).toContain('3 more problem(s) are listed in the log and the job summary.');
    expect(r.stdout).toContain(
      "error: schedules/team-b/recurring_runs.yaml:7:30: Pipeline file: 'nope-5.yaml' does not exist",
    );
    expect(r.summary.match(/nope-\d\.yaml/g)).toHaveLength(13);
  });

  test('a missing folder and a glob that matches nothing are errors; a missing input fails first', async () => {
    const repo = await examplesRepo();
    const r = await spawnAction(ACTION, { 'config-folders': 'schedules/nope\nconfigs/*' }, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("config-folders: the folder 'schedules/nope' does not exist");
    expect(r.stdout).toContain("config-folders: the glob 'configs/*' matches no folder");
    expect(r.outputs).toEqual({ errors: '2', schedules: '0' });
    const none = await spawnAction(ACTION, {}, { workspace: repo.dir });
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('::error::Input required and not supplied: config-folders');
  });

  test('working-directory: folders relative to it, paths in configs relative to the repository root', async () => {
    const repo = await examplesRepo();
    const r = await spawnAction(
      ACTION,
      { 'config-folders': 'team-ml', 'working-directory': 'schedules' },
      { workspace: repo.dir },
    );
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ errors: '0', schedules: '3' });
  });
});

describe('kfp-gitops check-reconcile-configs (CLI)', () => {
  test('same results from a terminal, flags mirroring inputs', async () => {
    const repo = await examplesRepo();
    const ok = await spawnCli([ACTION, '--config-folders', FOLDERS], { cwd: repo.dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('errors=0');
    expect(ok.stdout).toContain('schedules=3');
    expect(ok.stdout).toContain('| `train-nightly` |');
    await repo.write({ [RUNS_FILE]: (await repo.read(RUNS_FILE)).replace('cron: "@weekly"', 'cron: "@weeky"') });
    const bad = await spawnCli([ACTION, '--config-folders', FOLDERS], { cwd: repo.dir });
    expect(bad.code).toBe(1);
    const line = await lineOf(repo, RUNS_FILE, 'cron: "@weeky"');
    expect(bad.stderr).toContain(
      `${RUNS_FILE}:${line}:15: error: Invalid cron '@weeky': KFP refuses it (robfig/cron: Unrecognized descriptor: @weeky)`,
    );
    expect(bad.stdout).toContain('errors=1');
  });

  test('an unknown flag suggests the right one', async () => {
    const r = await spawnCli([ACTION, '--config-folder', 'x'], { cwd: repoRoot });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Did you mean 'config-folders'?");
  });
});

describeWithShared("deployKF's config folder, unchanged, with its pipeline in GitHub (the API double)", () => {
  let double: GitHubDouble;
  const TOKEN = 'ghs_e2e_token_value';
  beforeAll(async () => {
    double = await startGitHubDouble({ tokens: [TOKEN] });
    double.createRepo(DEPLOYKF_REPO, { files: { [WORKFLOW_PATH]: DEPLOYKF_WORKFLOW, [PARAM_PATH]: CUSTOM_MESSAGE } });
    double.setBranch(DEPLOYKF_REPO, DEPLOYKF_REF, 'main');
  });
  afterAll(async () => {
    await double?.close();
  });

  async function deployKfRepo(): Promise<TempRepo> {
    const repo = await TempRepo.create({
      'step-3--schedule-pipelines/team-1/experiments.yaml': DEPLOYKF_EXPERIMENTS,
      'step-3--schedule-pipelines/team-1/recurring_runs.yaml': DEPLOYKF_RECURRING_RUNS,
    });
    repos.push(repo);
    return repo;
  }

  test('the action passes, reading through GITHUB_API_URL with the token, which is never printed', async () => {
    const repo = await deployKfRepo();
    const r = await spawnAction(
      ACTION,
      { 'config-folders': 'step-3--schedule-pipelines/team-1', 'github-token': TOKEN },
      { workspace: repo.dir, env: { GITHUB_API_URL: double.url } },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ errors: '0', schedules: '1' });
    expect(r.summary).toMatch(
      /example-pipeline-1 \(KFP v1\)<br>`deployKF\/kubeflow-pipelines-gitops@[0-9a-f]{7}:step-1/,
    );
    const printed = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')); // the runner's masking command
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(printed.join('\n') + r.summary).not.toContain(TOKEN);
    expect(double.requests.length).toBeGreaterThan(0);
    expect(double.requests.every((q) => q.token === TOKEN)).toBe(true);
    expect(double.violations).toEqual([]);
  });

  test('the CLI takes GITHUB_TOKEN when no flag is given', async () => {
    const repo = await deployKfRepo();
    const r = await spawnCli([ACTION, '--config-folders', 'step-3--schedule-pipelines/team-1'], {
      cwd: repo.dir,
      env: { GITHUB_API_URL: double.url, GITHUB_TOKEN: TOKEN },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('schedules=1');
    const denied = await spawnCli(
      [ACTION, '--config-folders', 'step-3--schedule-pipelines/team-1', '--github-token', 'wrong-token'],
      { cwd: repo.dir, env: { GITHUB_API_URL: double.url } },
    );
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(
      /step-3--schedule-pipelines\/team-1\/recurring_runs.yaml:5:22: error: .*HTTP 401.* Fix: the token is invalid or expired/,
    );
    expect(denied.stderr + denied.stdout).not.toContain('wrong-token');
    expect(double.violations).toEqual([]);
  });
});
