import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { git } from '../lib/git.js';
import { runCli } from '../cli/run.js';
import { startKfpEmulator } from '../kfp/emulator/server.js';
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
  await git(repo, ['-c', 'user.name=demo', '-c', 'user.email=demo@example.com', 'commit', '-q', '-m', 'GitOps repo from examples/']);
  return repo;
}

interface Step {
  title: string;
  explain: string;
  args: string[];
  expectExit: number;
}

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
  const failures: string[] = [];
  let n = 0;

  const run = async (step: Step) => {
    n++;
    const slug = `${String(n).padStart(2, '0')}-${step.args[0]}`;
    const summary = path.join(out, `${slug}.summary.md`);
    const outputs = path.join(out, `${slug}.outputs.txt`);
    say(`\n${bold(`━━ ${n}. ${step.title}`)}\n${step.explain}`);
    say(dim(`$ kfp-gitops ${step.args.map((a) => (/[\s*]/.test(a) ? `'${a}'` : a)).join(' ')}`));
    const env = { ...process.env, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: outputs, GITHUB_WORKSPACE: repo, GITHUB_ACTIONS: '' };
    await fs.writeFile(summary, '');
    await fs.writeFile(outputs, '');
    const code = await withCwd(repo, () => runCli(step.args, env, { quiet: !verbose }));
    const ok = code === step.expectExit;
    say(`${ok ? '✔' : '✘'} exit ${code}${step.expectExit ? ' (a failing check, as intended)' : ''} · job summary: ${summary} · outputs: ${outputs}`);
    if (!ok) failures.push(`${step.title}: exit ${code}, expected ${step.expectExit}`);
  };
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
      explain: 'Every render script runs twice (determinism); rendered YAML is compared with git as data, ignoring the compile timestamp.',
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
      explain: "deployKF's experiments.yaml / recurring_runs.yaml, every pipeline and parameter resolved; never contacts KFP.",
      args: ['check-reconcile-configs', '--config-folders', 'schedules/*'],
      expectExit: 0,
    });

    await run({ title: 'plan: what would change in KFP', explain: 'One listing of experiments and one of recurring runs; nothing is written.', args: ['plan', '--config-folders', 'schedules/*', ...kfp], expectExit: 0 });
    await run({ title: 'apply: make KFP match git', explain: 'Experiments are created; each schedule gets its first version GIT::<name>__<UTC time>, created paused, then enabled.', args: ['apply', '--config-folders', 'schedules/*', ...kfp], expectExit: 0 });
    say(`  KFP now has:\n${versions()}`);
    const writesBefore = emu.log.writes;
    await run({ title: 'apply again: idempotent', explain: 'Nothing changed in git, so nothing is written.', args: ['apply', '--config-folders', 'schedules/*', ...kfp], expectExit: 0 });
    say(`  write calls made by the second apply: ${emu.log.writes - writesBefore}`);

    const schedules = path.join(repo, 'schedules/team-ml/recurring_runs.yaml');
    await fs.writeFile(schedules, (await fs.readFile(schedules, 'utf8')).replace('cron: "0 30 2 * * *"', 'cron: "0 45 3 * * *"'));
    await commit(repo, 'Train at 03:45 UTC');
    await run({ title: 'a changed schedule, planned', explain: 'KFP cannot update a recurring run: the plan replaces it with a new version and shows the field diff.', args: ['plan', '--config-folders', 'schedules/*', ...kfp], expectExit: 0 });
    await run({ title: 'a changed schedule, applied', explain: 'New version created paused → previous one paused → new one enabled; never two enabled at once.', args: ['apply', '--config-folders', 'schedules/*', ...kfp], expectExit: 0 });
    say(`  KFP now has:\n${versions()}`);

    const nightly = [...emu.state.jobs.values()].filter((j) => j.enabled && parseVersionName(j.name)?.schedule === 'train-nightly');
    for (const j of nightly) emu.state.setJobEnabled(j.id, false);
    say(`\n${dim('(Someone pauses train-nightly in the KFP UI…)')}`);
    await run({ title: 'drift correction', explain: 'The scheduled reconcile notices the paused schedule and enables it again.', args: ['apply', '--config-folders', 'schedules/*', ...kfp], expectExit: 0 });

    await run({
      title: 'run-pipeline: a manual retrain ("Run workflow")',
      explain: 'The rendered pipeline is submitted as a one-off run with a parameter override, and the step waits for it to finish.',
      args: ['run-pipeline', '--pipeline', 'pipelines/train-model/RENDERED_PIPELINE', '--experiment', 'issue-classifier-training', '--namespace', 'team-ml', '--parameters', '{"epochs": "30"}', '--poll-interval', '1s', ...kfp],
      expectExit: 0,
    });

    await run({
      title: 'quality-gate: is the candidate model good enough to promote?',
      explain: 'Metrics vs thresholds and vs the champion, per label; a table in the job summary (and a sticky PR comment in a pull request).',
      args: ['quality-gate', '--metrics', 'quality/metrics.json', '--baseline', 'quality/baseline.json', '--thresholds', 'quality/thresholds.yaml', '--no-comment'],
      expectExit: 0,
    });
    const metricsFile = path.join(repo, 'quality/metrics.json');
    const degraded = JSON.parse(await fs.readFile(metricsFile, 'utf8'));
    degraded.accuracy = 0.81;
    await fs.writeFile(path.join(repo, 'quality/degraded-metrics.json'), JSON.stringify(degraded, null, 2));
    await run({
      title: 'quality-gate on a worse model',
      explain: 'Accuracy below the floor: the required check fails and the model PR cannot merge.',
      args: ['quality-gate', '--metrics', 'quality/degraded-metrics.json', '--baseline', 'quality/baseline.json', '--thresholds', 'quality/thresholds.yaml', '--no-comment'],
      expectExit: 1,
    });
  } finally {
    await emu.close();
  }

  say(`\n${bold('Demo finished.')}`);
  say(`  GitOps repository: ${repo}`);
  say(`  Job summaries and outputs of every step: ${out}/`);
  say(`  KFP emulator state after the demo: ${path.join(out, 'kfp-emulator-state.json')}`);
  say(`  Run it yourself: npx kfp-gitops kfp-emulator --port 8888, then npx kfp-gitops plan --config-folders 'schedules/*' --kfp-host http://127.0.0.1:8888/pipeline`);
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
