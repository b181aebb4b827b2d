import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { git } from '../lib/git.js';
import { now } from '../lib/clock.js';
import { runCli } from '../cli/run.js';
import { startKfpEmulator } from '../kfp/emulator/server.js';
import { fireRecurringRun } from '../kfp/emulator/pipelines.js';
import { filesAtHead } from '../github/emulator/seed.js';
import { startGitHubEmulator } from '../github/emulator/server.js';
import { parseVersionName } from '../reconcile/identity.js';

/** examples/ of this checkout: two levels up from src/demo/ and from dist/cli/. */
export function examplesDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples');
}

const tty = process.stdout.isTTY;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const say = (s = '') => process.stdout.write(`${s}\n`);

async function commit(repo: string, message: string): Promise<void> {
  await git(repo, ['-c', 'user.name=demo', '-c', 'user.email=demo@example.com', 'commit', '-q', '-am', message]);
}

/** Copy examples/ into a fresh git repository, as a user's GitOps repo would be. */
export async function makeDemoRepo(): Promise<string> {
  const repo = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-demo-'));
  await fs.cp(examplesDir(), repo, { recursive: true });
  await git(repo, ['init', '-q', '-b', 'main']);
  await git(repo, ['add', '-A']);
  await git(repo, [
    '-c',
    'user.name=demo',
    '-c',
    'user.email=demo@example.com',
    'commit',
    '-q',
    '-m',
    'GitOps repo from examples/',
  ]);
  return repo;
}

interface Step {
  title: string;
  explain: string;
  args: string[];
  expectExit: number;
  /** Extra environment, e.g. a pull_request event for the quality gate. */
  env?: Record<string, string>;
}

/** What a step wrote to GITHUB_OUTPUT (`name<<delimiter` blocks, as the CLI host writes them). */
export function readOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const end = lines.indexOf(m[2]!, i + 1);
    out[m[1]!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return out;
}

const GITOPS_REPO = 'demo/gitops';
const REGISTRY = 'models/trained-models.json';

/**
 * `kfp-gitops demo`: the whole story over examples/ on the built-in KFP emulator, explained as it
 * goes. Each step runs a real CLI command (the same code as the action); its job summary and
 * outputs are written to files whose paths are printed. Returns 0 when every step went as expected.
 */
export async function runDemo(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const repo = await makeDemoRepo();
  // Outside the repository, so the files it writes never look like uncommitted changes.
  const out = `${repo}-output`;
  await fs.mkdir(out, { recursive: true });
  const emu = await startKfpEmulator({ stateFile: path.join(out, 'kfp-emulator-state.json') });
  // The GitHub side of the story: the same repository on a GitHub API emulator (auto-merge allowed).
  const github = await startGitHubEmulator({ login: 'model-promoter[bot]' });
  const seed = await filesAtHead(repo);
  github.createRepo(GITOPS_REPO, { files: seed.files, defaultBranch: seed.branch, allowAutoMerge: true });
  const failures: string[] = [];
  let n = 0;

  const run = async (step: Step): Promise<Record<string, string>> => {
    n++;
    const slug = `${String(n).padStart(2, '0')}-${step.args[0]}`;
    const summary = path.join(out, `${slug}.summary.md`);
    const outputs = path.join(out, `${slug}.outputs.txt`);
    say(`\n${bold(`━━ ${n}. ${step.title}`)}\n${step.explain}`);
    say(dim(`$ kfp-gitops ${step.args.map((a) => (/[\s*]/.test(a) ? `'${a}'` : a)).join(' ')}`));
    const env = {
      ...process.env,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: outputs,
      GITHUB_WORKSPACE: repo,
      GITHUB_ACTIONS: '',
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: GITOPS_REPO,
      ...step.env,
    };
    await fs.writeFile(summary, '');
    await fs.writeFile(outputs, '');
    const code = await withCwd(repo, () => runCli(step.args, env, { quiet: !verbose }));
    const ok = code === step.expectExit;
    say(
      `${ok ? '✔' : '✘'} exit ${code}${step.expectExit ? ' (a failing check, as intended)' : ''} · job summary: ${summary} · outputs: ${outputs}`,
    );
    if (!ok) failures.push(`${step.title}: exit ${code}, expected ${step.expectExit}`);
    return readOutputs(await fs.readFile(outputs, 'utf8'));
  };
  const expectOutputs = (title: string, got: Record<string, string>, want: Record<string, string>) => {
    const wrong = Object.entries(want).filter(([k, v]) => got[k] !== v);
    for (const [k, v] of wrong) failures.push(`${title}: output ${k}=${got[k] ?? ''}, expected ${v}`);
    say(
      `  outputs: ${Object.keys(want)
        .map((k) => `${k}=${got[k] ?? ''}`)
        .join(' · ')}`,
    );
  };
  const prApi = (number: string) => `${github.url}/repos/${GITOPS_REPO}/pulls/${number}`;
  const showPr = (number: string) => {
    const pr = github.pulls(GITOPS_REPO).find((p) => String(p.number) === number);
    if (!pr) return;
    say(
      `  PR #${pr.number} "${pr.title}" (${pr.state}${pr.merged ? ', merged' : ''}${pr.autoMerge ? `, auto-merge ${pr.autoMerge.toLowerCase()} armed` : ''}): ${prApi(number)}`,
    );
    say(`  its comments: ${github.url}/repos/${GITOPS_REPO}/issues/${number}/comments`);
  };
  /** The training job's last step: register the model it produced (a pointer appended to the registry). */
  const register = async (model: { id: string; uri: string; created: string; runId?: string }) => {
    const file = path.join(repo, REGISTRY);
    const registry = JSON.parse(await fs.readFile(file, 'utf8')) as { models: object[] };
    registry.models.push(model);
    await fs.writeFile(file, `${JSON.stringify(registry, null, 2)}\n`);
    say(dim(`  (the training run registered ${model.id} → ${model.uri} in ${REGISTRY})`));
  };
  const promote = [
    'open-model-pr',
    '--model-source',
    `file:${REGISTRY}`,
    '--config-file',
    'serving/churn-model.yaml',
    '--config-key',
    'spec.predictor.model.storageUri',
    '--document',
    'InferenceService/churn-model',
    '--token',
    'demo-token',
    '--labels',
    'model-update',
    '--auto-merge',
    'squash',
  ];
  const kfp = ['--kfp-host', emu.url];
  const versions = () =>
    [...emu.state.jobs.values()]
      .filter((j) => parseVersionName(j.name))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((j) => `    ${j.enabled ? '▶' : '⏸'} ${j.name}`)
      .join('\n');

  try {
    say(`${bold('kfp-gitops demo')}: examples/ copied into the git repository ${repo}`);
    say(`A KFP API emulator (v1beta1 + v2beta1) is serving at ${emu.url}; every step below talks to it over HTTP.`);

    await run({
      title: 'check-rendered: are the committed pipelines what their render scripts produce?',
      explain:
        'Every render script runs twice (determinism); rendered YAML is compared with git as data, ignoring the compile timestamp.',
      args: ['check-rendered', '--render-scripts', 'pipelines/*/render_pipeline.sh'],
      expectExit: 0,
    });

    const template = path.join(repo, 'pipelines/train-model/pipeline.template.yaml');
    await fs.writeFile(template, (await fs.readFile(template, 'utf8')).replace('python:3.11-slim', 'python:3.12-slim'));
    await commit(repo, 'Bump the training image but forget to re-render');
    await run({
      title: 'check-rendered on a pull request that forgot to re-render',
      explain: 'The check fails with an annotation on the stale file, a diff, and the command that fixes it.',
      args: ['check-rendered', '--render-scripts', 'pipelines/*/render_pipeline.sh', '--no-check-determinism'],
      expectExit: 1,
    });
    await git(repo, ['checkout', '-q', '--', '.']);
    await git(repo, ['reset', '-q', '--hard', 'HEAD~1']);

    await run({
      title: 'check-reconcile-configs: validate the schedules before anything touches a cluster',
      explain:
        "deployKF's experiments.yaml / recurring_runs.yaml, every pipeline and parameter resolved; never contacts KFP.",
      args: ['check-reconcile-configs', '--config-folders', 'schedules/*'],
      expectExit: 0,
    });

    await run({
      title: 'plan: what would change in KFP',
      explain: 'One listing of experiments and one of recurring runs; nothing is written.',
      args: ['plan', '--config-folders', 'schedules/*', ...kfp],
      expectExit: 0,
    });
    await run({
      title: 'apply: make KFP match git',
      explain:
        'Experiments are created; each schedule gets its first version GIT::<name>__<UTC time>, created paused, then enabled.',
      args: ['apply', '--config-folders', 'schedules/*', ...kfp],
      expectExit: 0,
    });
    say(`  KFP now has:\n${versions()}`);
    const writesBefore = emu.log.writes;
    await run({
      title: 'apply again: idempotent',
      explain: 'Nothing changed in git, so nothing is written.',
      args: ['apply', '--config-folders', 'schedules/*', ...kfp],
      expectExit: 0,
    });
    say(`  write calls made by the second apply: ${emu.log.writes - writesBefore}`);

    const schedules = path.join(repo, 'schedules/team-ml/recurring_runs.yaml');
    await fs.writeFile(
      schedules,
      (await fs.readFile(schedules, 'utf8')).replace('cron: "0 30 2 * * *"', 'cron: "0 45 3 * * *"'),
    );
    await commit(repo, 'Train at 03:45 UTC');
    await run({
      title: 'a changed schedule, planned',
      explain: 'KFP cannot update a recurring run: the plan replaces it with a new version and shows the field diff.',
      args: ['plan', '--config-folders', 'schedules/*', ...kfp],
      expectExit: 0,
    });
    await run({
      title: 'a changed schedule, applied',
      explain: 'New version created paused → previous one paused → new one enabled; never two enabled at once.',
      args: ['apply', '--config-folders', 'schedules/*', ...kfp],
      expectExit: 0,
    });
    say(`  KFP now has:\n${versions()}`);

    const nightly = [...emu.state.jobs.values()].filter(
      (j) => j.enabled && parseVersionName(j.name)?.schedule === 'train-nightly',
    );
    for (const j of nightly) emu.state.setJobEnabled(j.id, false);
    say(`\n${dim('(Someone pauses train-nightly in the KFP UI…)')}`);
    await run({
      title: 'drift correction',
      explain: 'The scheduled reconcile notices the paused schedule and enables it again.',
      args: ['apply', '--config-folders', 'schedules/*', ...kfp],
      expectExit: 0,
    });

    const recurring = path.join(repo, 'schedules/team-ml/recurring_runs.yaml');
    await fs.writeFile(
      recurring,
      (await fs.readFile(recurring, 'utf8'))
        .replace('keep_history: 3', 'keep_history: 0')
        .replace('cron: "0 45 3 * * *"', 'cron: "0 15 4 * * *"'),
    );
    await commit(repo, 'Train at 04:15 UTC and keep no old versions');
    await run({
      title: 'keep_history: old versions pruned',
      explain:
        'keep_history: 0 and a new time — the new version is enabled, the previous one paused, and every older version beyond keep_history is deleted.',
      args: ['apply', '--config-folders', 'schedules/*', ...kfp],
      expectExit: 0,
    });
    say(`  KFP now has:\n${versions()}`);

    const text = await fs.readFile(recurring, 'utf8');
    const hourly = text.indexOf('\n  # Hourly batch scoring');
    await fs.writeFile(recurring, text.slice(0, hourly + 1) + text.slice(text.indexOf('\n  # A full retrain') + 1));
    await commit(repo, 'Stop hourly batch scoring');
    const orphanWrites = emu.log.writes;
    await run({
      title: 'an orphaned schedule, reported',
      explain:
        "score-hourly was removed from git: with prune 'none' (the default) it is reported as an orphan and left alone; prune: disable or delete acts on it.",
      args: ['apply', '--config-folders', 'schedules/*', ...kfp],
      expectExit: 0,
    });
    say(`  write calls made for the orphan: ${emu.log.writes - orphanWrites}`);

    say(
      `\n${bold('Model promotion')}: a GitHub API emulator is serving ${GITOPS_REPO} at ${github.url} (the same files as the git repository).`,
    );
    const freshness = await run({
      title: 'model-freshness: is the newest model too old?',
      explain: `The registry ${REGISTRY} lists the trained models; the newest usable one is older than max-age, so a retrain is due.`,
      args: ['model-freshness', '--model-source', `file:${REGISTRY}`, '--max-age', '7d'],
      expectExit: 0,
    });
    expectOutputs('model-freshness', freshness, { 'needs-retrain': 'true', reason: 'too-old' });

    const trainedRun = await run({
      title: 'run-pipeline: the retrain',
      explain:
        'needs-retrain is true, so the training pipeline runs once (with a parameter override) and the step waits for it to finish.',
      args: [
        'run-pipeline',
        '--pipeline',
        'pipelines/train-model/RENDERED_PIPELINE',
        '--experiment',
        'issue-classifier-training',
        '--namespace',
        'team-ml',
        '--parameters',
        '{"epochs": "30"}',
        '--poll-interval',
        '1s',
        ...kfp,
      ],
      expectExit: 0,
    });
    expectOutputs('run-pipeline', trainedRun, { state: 'SUCCEEDED' });
    const day = now(process.env); // the actions' clock: KFP_GITOPS_NOW pins it here too
    const stamp = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');
    const first = {
      id: `churn-${trainedRun['run-id']?.slice(0, 8)}`,
      uri: `gs://example-models/churn/${stamp(day).replace(/:/g, '-')}`,
      created: stamp(day),
      runId: trainedRun['run-id'] ?? '',
    };
    await register(first);

    const opened = await run({
      title: 'open-model-pr: ONE pull request pinning the new model',
      explain:
        'The storageUri in serving/churn-model.yaml is edited in place (comments and layout kept) on the branch auto-update-model, through the GitHub API; auto-merge (squash) is armed.',
      args: promote,
      expectExit: 0,
    });
    expectOutputs('open-model-pr', opened, {
      operation: 'created',
      'pull-request-number': '1',
      'latest-model': first.uri,
      'auto-merge': 'armed',
    });
    const pinnedLine = (github.readFile(GITOPS_REPO, 'auto-update-model', 'serving/churn-model.yaml') ?? '')
      .split('\n')
      .find((l) => l.includes('storageUri: gs://example-models/churn/2'));
    say(`  the PR's edit: ${pinnedLine?.trim()}`);
    showPr('1');

    const event = path.join(out, 'pull_request-event.json');
    await fs.writeFile(event, JSON.stringify({ number: 1, pull_request: { number: 1 } }));
    // The model PR's required check, as its workflow runs it on each push.
    const gateOnPr = {
      args: [
        'quality-gate',
        '--metrics',
        'quality/metrics.json',
        '--baseline',
        'quality/baseline.json',
        '--thresholds',
        'quality/thresholds.yaml',
        '--token',
        'demo-token',
      ],
      expectExit: 0,
      env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: event },
    };
    const gate = await run({
      title: 'quality-gate on the model PR: a sticky report',
      explain:
        'The required check of the model PR: metrics vs thresholds and the champion; the report is posted as ONE comment, updated in place on every run.',
      ...gateOnPr,
    });
    expectOutputs('quality-gate', gate, { passed: 'true' });
    say(`  comments on PR #1: ${github.comments(GITOPS_REPO, 1).length}`);
    showPr('1');

    const metricsFile = path.join(repo, 'quality/metrics.json');
    const degraded = JSON.parse(await fs.readFile(metricsFile, 'utf8'));
    degraded.accuracy = 0.81;
    await fs.writeFile(path.join(repo, 'quality/degraded-metrics.json'), JSON.stringify(degraded, null, 2));
    await run({
      title: 'quality-gate on a worse model',
      explain:
        'Accuracy below the floor: the required check fails and the model PR cannot merge (shown without commenting).',
      args: [
        'quality-gate',
        '--metrics',
        'quality/degraded-metrics.json',
        '--baseline',
        'quality/baseline.json',
        '--thresholds',
        'quality/thresholds.yaml',
        '--no-comment',
      ],
      expectExit: 1,
    });

    const later = new Date(day.getTime() + 60_000);
    const second = {
      id: 'churn-nightly',
      uri: `gs://example-models/churn/${stamp(later).replace(/:/g, '-')}`,
      created: stamp(later),
    };
    say(dim('\n(The nightly schedule trains again before anyone merged…)'));
    await register(second);
    const updated = await run({
      title: 'open-model-pr: a newer model updates the same PR',
      explain:
        'The branch is rebuilt from main with the newer pin and force-pushed; still one PR, auto-merge still armed.',
      args: promote,
      expectExit: 0,
    });
    expectOutputs('open-model-pr (newer model)', updated, {
      operation: 'updated',
      'pull-request-number': '1',
      'latest-model': second.uri,
      'auto-merge': 'armed',
    });
    say(`  open pull requests: ${github.pulls(GITOPS_REPO).filter((p) => p.state === 'open').length}`);
    const regate = await run({
      title: 'quality-gate on the updated PR: the same comment, kept up to date',
      explain:
        'The check runs again for the new head; the sticky report is updated in place (or left alone when unchanged), never posted twice.',
      ...gateOnPr,
    });
    expectOutputs('quality-gate (updated PR)', regate, { passed: 'true' });
    say(`  comments on PR #1: ${github.comments(GITOPS_REPO, 1).length}`);
    showPr('1');

    say(dim('\n(The required check passed: GitHub merges the PR, as auto-merge asked…)'));
    github.mergePull(GITOPS_REPO, 1, { method: 'squash' });
    showPr('1');
    const writesBeforePromote = github.writes().length;
    const after = await run({
      title: 'open-model-pr after the merge: nothing to do',
      explain: 'main pins the newest model now: no PR is opened or closed, nothing is written.',
      args: promote,
      expectExit: 0,
    });
    expectOutputs('open-model-pr (after merge)', after, {
      operation: 'none',
      'current-model': second.uri,
      'auto-merge': 'merged',
    });
    say(`  write calls to GitHub made by this run: ${github.writes().length - writesBeforePromote}`);
    await fs.writeFile(
      path.join(out, 'github-emulator-state.json'),
      JSON.stringify(
        {
          url: github.url,
          repository: GITOPS_REPO,
          pulls: github.pulls(GITOPS_REPO),
          comments: github.comments(GITOPS_REPO, 1),
          main: github.readFile(GITOPS_REPO, seed.branch, 'serving/churn-model.yaml'),
        },
        null,
        2,
      ),
    );

    // Registered pipelines (KFP v2beta1): pipelines.yaml beside the schedules, which run them by name.
    say(
      `\n${bold('Registered pipelines')}: registered/team-scoring holds pipelines.yaml beside schedules that run its pipeline by name (KFP v2beta1).`,
    );
    const registered = ['--config-folders', 'registered/*', '--api-version', 'v2beta1', ...kfp];
    const versionName = (id: string) => emu.state.versions.get(id)?.name ?? id;
    const scoring = () =>
      [...emu.state.jobs.values()]
        .filter((j) => j.namespace === 'team-scoring' && parseVersionName(j.name))
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((j) => {
          const p = j.pipeline;
          const runs =
            p.kind !== 'version'
              ? 'inline'
              : p.versionId
                ? `version ${versionName(p.versionId)}`
                : 'the newest version at each run';
          return `    ${j.enabled ? '▶' : '⏸'} ${j.name} → ${runs}`;
        })
        .join('\n');
    await run({
      title: 'registered pipelines: a pipeline and the schedules that run it by name',
      explain:
        'registered/team-scoring/pipelines.yaml registers batch-predict and uploads its first version; score-hourly runs it with version: latest, score-weekly-audit with version: current (pinned).',
      args: ['apply', ...registered],
      expectExit: 0,
    });
    say(`  KFP now has:\n${scoring()}`);
    const pipelineFile = path.join(repo, 'pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml');
    await fs.writeFile(
      pipelineFile,
      (await fs.readFile(pipelineFile, 'utf8')).replace('image: python:3.11-slim', 'image: python:3.12-slim'),
    );
    await commit(repo, 'batch-predict on Python 3.12');
    // KFP orders versions by their creation time, in seconds.
    await new Promise((r) => setTimeout(r, 1000));
    const hourlyJobs = () =>
      [...emu.state.jobs.values()].filter((j) => j.namespace === 'team-scoring' && j.name.includes('score-hourly'));
    const hourlyBefore = hourlyJobs().map((j) => j.id);
    const uploadWrites = emu.log.writes;
    await run({
      title: 'a pipeline change: one version uploaded, the latest schedule follows it untouched',
      explain:
        'The plan shows what changed inside the pipeline (an image); one version is uploaded. score-hourly is not touched: KFP runs the new version at its next run. score-weekly-audit (current) moves to it: new schedule version created paused → old paused → new enabled.',
      args: ['apply', ...registered],
      expectExit: 0,
    });
    say(`  write calls: ${emu.log.writes - uploadWrites} · KFP now has:\n${scoring()}`);
    const untouched = JSON.stringify(hourlyJobs().map((j) => j.id)) === JSON.stringify(hourlyBefore);
    const next = fireRecurringRun(emu.state, hourlyBefore[0]!);
    const ran = next.pipeline.kind === 'version' ? versionName(next.pipeline.versionId ?? '') : 'inline';
    const newest = [...emu.state.versions.values()].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
    say(`  score-hourly ${untouched ? 'untouched' : 'CHANGED'}; its next run (started by KFP's scheduler) runs ${ran}`);
    if (!untouched || ran !== newest?.name)
      failures.push('registered pipelines: the latest schedule was touched or did not run the new version');
  } finally {
    await emu.close();
    await github.close();
  }

  say(`\n${bold('Demo finished.')}`);
  say(`  GitOps repository: ${repo}`);
  say(`  Job summaries and outputs of every step: ${out}/`);
  say(`  KFP emulator state after the demo: ${path.join(out, 'kfp-emulator-state.json')}`);
  say(
    `  GitHub emulator state (pull requests, comments, the pinned file on main): ${path.join(out, 'github-emulator-state.json')}`,
  );
  say(
    `  Run it yourself: npx kfp-gitops kfp-emulator --port 8888, then npx kfp-gitops plan --config-folders 'schedules/*' --kfp-host http://127.0.0.1:8888/pipeline`,
  );
  say(
    `  …and the GitHub side: npx kfp-gitops github-emulator --port 3000 --repo acme/gitops=. --allow-auto-merge, then GITHUB_API_URL=http://127.0.0.1:3000 npx kfp-gitops open-model-pr --repository acme/gitops --token x …`,
  );
  if (failures.length) {
    process.stderr.write(`The demo did not go as expected:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

async function withCwd<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const before = process.cwd();
  process.chdir(dir);
  try {
    return await fn();
  } finally {
    process.chdir(before);
  }
}
