import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { git } from '../lib/git.js';
import { runCli } from '../cli/run.js';

/** examples/ of this checkout: two levels up from src/demo/ and from dist/cli/. */
export function examplesDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../examples');
}

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);

function step(n: number, title: string, explain: string): void {
  process.stdout.write(`\n${bold(`━━ Step ${n}: ${title}`)}\n${explain}\n\n`);
}

async function cli(args: string[]): Promise<number> {
  process.stdout.write(`$ kfp-gitops ${args.map((a) => (/[\s*]/.test(a) ? `'${a}'` : a)).join(' ')}\n`);
  // The demo shows the terminal form of every action; drop the Actions env so nothing is written there.
  const env = { ...process.env, GITHUB_OUTPUT: '', GITHUB_STEP_SUMMARY: '', GITHUB_WORKSPACE: '' };
  const code = await runCli(args, env);
  process.stdout.write(`→ exit code ${code}\n`);
  return code;
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

/** `kfp-gitops demo`: the whole story over examples/, explained as it goes. Returns the exit code. */
export async function runDemo(_argv: string[]): Promise<number> {
  const repo = await makeDemoRepo();
  const failures: string[] = [];
  const expect = (what: string, code: number, wanted: number) => {
    if (code !== wanted) failures.push(`${what}: exit ${code}, expected ${wanted}`);
  };
  process.stdout.write(`${bold('kfp-gitops demo')}: a GitOps repo copied from examples/ into ${repo}\n`);

  step(1, 'check-rendered on a fresh repo', 'Every render script runs twice; the rendered YAML equals the committed one (the compile timestamp is ignored).');
  expect('check-rendered (fresh)', await cli(['check-rendered', '--working-directory', repo, '--render-scripts', 'pipelines/*/render_pipeline.sh']), 0);

  step(2, 'check-rendered after editing a pipeline without re-rendering', 'A pull request that changes pipeline source but not RENDERED_PIPELINE/ fails the check, with a diff and the fix.');
  const template = path.join(repo, 'pipelines/train-model/pipeline.template.yaml');
  await fs.writeFile(template, (await fs.readFile(template, 'utf8')).replace('python:3.11-slim', 'python:3.12-slim'));
  await git(repo, ['-c', 'user.name=demo', '-c', 'user.email=demo@example.com', 'commit', '-q', '-am', 'Bump the training image, forget to render']);
  expect('check-rendered (stale)', await cli(['check-rendered', '--working-directory', repo, '--render-scripts', 'pipelines/*/render_pipeline.sh']), 1);
  await git(repo, ['checkout', '-q', '--', '.']);
  await git(repo, ['clean', '-qfd']);

  process.stdout.write(`\n${bold('Demo finished.')} The GitOps repo it used is ${repo}.\n`);
  if (failures.length) {
    process.stderr.write(`The demo did not go as expected:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}
