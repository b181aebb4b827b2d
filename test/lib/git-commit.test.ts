import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { checkedOutCommit, git } from '../../src/lib/git.js';
import { TempRepo } from '../support/git-repo.js';

const made: string[] = [];
afterAll(async () => {
  for (const d of made) await fs.rm(d, { recursive: true, force: true });
});

test('a git checkout: HEAD', async () => {
  const repo = await TempRepo.create({ 'a.txt': 'a' });
  made.push(repo.dir);
  expect(await checkedOutCommit(repo.dir)).toBe((await git(repo.dir, ['rev-parse', 'HEAD'])).trim());
});

test("without git's answer: git-sync's worktree named after the commit, reached through its link", async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-sync-'));
  made.push(root);
  const sha = '0123456789abcdef0123456789abcdef01234567';
  await fs.mkdir(path.join(root, '.worktrees', sha), { recursive: true });
  await fs.symlink(path.join('.worktrees', sha), path.join(root, 'config'));
  expect(await checkedOutCommit(path.join(root, 'config'))).toBe(sha);
  await fs.mkdir(path.join(root, 'plain'));
  expect(await checkedOutCommit(path.join(root, 'plain'))).toBe('');
  expect(await checkedOutCommit(path.join(root, 'missing'))).toBe('');
});
