import fs from 'node:fs/promises';
import path from 'node:path';
import { runProcess } from './proc.js';

export class GitError extends Error {}

/** Run git in `cwd` and return stdout; throws with git's message on failure. */
export async function git(cwd: string, args: string[]): Promise<string> {
  const r = await runProcess('git', args, { cwd });
  if (r.code !== 0) throw new GitError(`git ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

export async function repoRoot(cwd: string): Promise<string> {
  return (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
}

export interface StatusEntry {
  /** Repo-relative path (the new path for renames). */
  path: string;
  /** Two-letter porcelain code, e.g. ' M', '??', ' D'. */
  code: string;
}

/** Working-tree changes against HEAD, untracked files listed one by one. */
export async function status(root: string, pathspecs: string[] = []): Promise<StatusEntry[]> {
  const out = await git(root, [
    'status',
    '--porcelain=v1',
    '-z',
    '--untracked-files=all',
    '--no-renames',
    '--',
    ...pathspecs,
  ]);
  return out
    .split('\0')
    .filter(Boolean)
    .map((entry) => ({ code: entry.slice(0, 2), path: entry.slice(3) }));
}

/** The content of `path` at `rev`, or undefined when it does not exist there. */
export async function showFile(root: string, rev: string, path: string): Promise<string | undefined> {
  const r = await runProcess('git', ['show', `${rev}:${path}`], { cwd: root });
  return r.code === 0 ? r.stdout : undefined;
}

/** Put tracked files back to their HEAD content in the working tree. */
export async function restoreFromHead(root: string, paths: string[]): Promise<void> {
  if (paths.length > 0) await git(root, ['checkout', 'HEAD', '--', ...paths]);
}

/**
 * The commit checked out in `dir`: git's answer, else (no git in the image, e.g. node:alpine in pull
 * mode) git-sync's, whose worktree folder is named after the commit (its documented contract: the
 * basename of the link's target is the hash). '' when neither says.
 */
export async function checkedOutCommit(dir: string): Promise<string> {
  const sha = (await git(dir, ['rev-parse', 'HEAD']).catch(() => '')).trim();
  if (sha) return sha;
  const leaf = path.basename(await fs.realpath(dir).catch(() => dir));
  return /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(leaf) ? leaf : '';
}
