import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { git } from '../../src/lib/git.js';
import { createGitHub } from '../../src/lib/github.js';
import type { GitHubDouble } from '../support/github-double/index.js';
import { TempRepo } from '../support/git-repo.js';
import { repoRoot } from '../support/paths.js';
import type { Result, WorkflowRun } from '../support/workflow-runner/runner.js';

/** Shared set-up for the tests that run our reusable workflows and starter templates end to end. */

export const TEMPLATES = path.join(repoRoot, 'workflows-templates');
export const WORKFLOWS = path.join(repoRoot, '.github/workflows');

/** Job check name → result, for one readable assertion per run. */
export const results = (run: WorkflowRun): Record<string, Result> =>
  Object.fromEntries(Object.values(run.jobs).map((j) => [j.name, j.result]));

/**
 * A copy of examples/ as a git repository (main), with a `feature` branch changing `change` files and the
 * merge ref GitHub creates for pull request `pr` (refs/pull/<pr>/merge).
 */
export async function examplesRepo(
  opts: { change?: Record<string, string>; pr?: number; only?: string[] } = {},
): Promise<TempRepo> {
  const repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  if (opts.only) {
    for (const entry of await fs.readdir(repo.dir))
      if (entry !== '.git' && !opts.only.includes(entry)) await fs.rm(repo.path(entry), { recursive: true });
    await repo.commit('keep only what the test needs');
  }
  await git(repo.dir, ['checkout', '-q', '-b', 'feature']);
  await repo.write(opts.change ?? { 'CHANGE.md': 'a change\n' });
  await repo.commit('a change on a branch');
  await git(repo.dir, ['checkout', '-q', 'main']);
  if (opts.pr) await git(repo.dir, ['update-ref', `refs/pull/${opts.pr}/merge`, 'feature']);
  return repo;
}

/** An open pull request from `feature` in the GitHub double; returns its number and a realistic payload. */
export async function openPullRequest(
  double: GitHubDouble,
  fullName: string,
): Promise<{ number: number; payload: Record<string, unknown> }> {
  double.createRepo(fullName, { files: { 'README.md': 'repo\n' } });
  double.commitFiles(fullName, { branch: 'feature', files: { 'CHANGE.md': 'a change\n' } });
  const [owner, repo] = fullName.split('/') as [string, string];
  const gh = await createGitHub({ token: 'seed', apiUrl: double.url });
  const { data: pr } = await gh.rest.pulls.create({ owner, repo, head: 'feature', base: 'main', title: 'A change' });
  const payload = {
    action: 'synchronize',
    number: pr.number,
    pull_request: {
      number: pr.number,
      head: { ref: 'feature', sha: pr.head.sha },
      base: { ref: 'main' },
      html_url: pr.html_url,
    },
  };
  return { number: pr.number, payload };
}

/** A temp copy of .github/workflows with one file changed (the mutation tests). */
export async function mutatedWorkflows(file: string, mutate: (text: string) => string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-mutant-'));
  await fs.cp(WORKFLOWS, dir, { recursive: true });
  const text = await fs.readFile(path.join(dir, file), 'utf8');
  const mutated = mutate(text);
  if (mutated === text) throw new Error(`the mutation changed nothing in ${file}`);
  await fs.writeFile(path.join(dir, file), mutated);
  return dir;
}

/** The lines that log a step's output, for messages the actions print. */
export const errorsOf = (run: WorkflowRun, job: string): string[] =>
  run.jobs[job]?.steps.flatMap((s) => s.annotations.filter((a) => a.kind === 'error').map((a) => a.message)) ?? [];
