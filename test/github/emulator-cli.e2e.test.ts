import { spawn } from 'node:child_process';
import { describe, expect, test } from '@jest/globals';
import { createGitHub } from '../../src/lib/github.js';
import { git } from '../../src/lib/git.js';
import { TempRepo } from '../support/git-repo.js';
import { repoRoot } from '../support/paths.js';
import { entryArgs, spawnCli } from '../support/run-action.js';

describe('kfp-gitops github-emulator (the CLI)', () => {
  test('serves a repository seeded from a real git repository: same tree SHA as git, PRs through the real client', async () => {
    const local = await TempRepo.create({ 'serving/model.yaml': 'uri: s3://m/1\n', 'README.md': '# gitops\n' });
    const child = spawn(
      process.execPath,
      [...entryArgs('cli'), 'github-emulator', '--port', '0', '--repo', `acme/gitops=${local.dir}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
        child.stdout.on('data', () => {
          const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      expect(out).toContain('acme/gitops: 2 files');
      const gh = await createGitHub({ token: 't', apiUrl: url });
      const main = (await gh.rest.git.getRef({ owner: 'acme', repo: 'gitops', ref: 'heads/main' })).data.object.sha;
      const commit = (await gh.rest.git.getCommit({ owner: 'acme', repo: 'gitops', commit_sha: main })).data;
      // Git objects are hashed as git hashes them: the tree is the local repository's HEAD tree.
      expect(commit.tree.sha).toBe((await git(local.dir, ['rev-parse', 'HEAD^{tree}'])).trim());
      const file = (await gh.rest.repos.getContent({ owner: 'acme', repo: 'gitops', path: 'serving/model.yaml' }))
        .data as { content: string };
      expect(Buffer.from(file.content, 'base64').toString()).toBe('uri: s3://m/1\n');
      await gh.rest.git.createRef({ owner: 'acme', repo: 'gitops', ref: 'refs/heads/x', sha: main });
      const blob = await gh.rest.git.createBlob({ owner: 'acme', repo: 'gitops', content: 'uri: s3://m/2\n' });
      const tree = await gh.rest.git.createTree({
        owner: 'acme',
        repo: 'gitops',
        base_tree: commit.tree.sha,
        tree: [{ path: 'serving/model.yaml', mode: '100644', type: 'blob', sha: blob.data.sha }],
      });
      const c2 = await gh.rest.git.createCommit({
        owner: 'acme',
        repo: 'gitops',
        message: 'm2',
        tree: tree.data.sha,
        parents: [main],
      });
      await gh.rest.git.updateRef({ owner: 'acme', repo: 'gitops', ref: 'heads/x', sha: c2.data.sha });
      const pr = await gh.rest.pulls.create({ owner: 'acme', repo: 'gitops', head: 'x', base: 'main', title: 'm2' });
      expect(pr.data).toMatchObject({ number: 1, state: 'open', head: { sha: c2.data.sha } });
    } finally {
      child.kill('SIGTERM');
      await local.remove();
    }
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped after \d+ requests/);
  });

  test('--help documents the flags; a bad flag exits 2', async () => {
    const help = await spawnCli(['github-emulator', '--help'], { cwd: repoRoot });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--repo OWNER\/NAME\[=DIR\]/);
    const bad = await spawnCli(['github-emulator', '--prot', '1'], { cwd: repoRoot });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown argument '--prot'/);
  });
});
