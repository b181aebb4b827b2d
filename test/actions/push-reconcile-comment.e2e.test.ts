import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { TempRepo } from '../support/git-repo.js';
import { spawnAction } from '../support/run-action.js';
import { describeWithShared, repoRoot } from '../support/paths.js';

let emu: KfpEmulator;
let double: GitHubDouble;
let repo: TempRepo;
let tmp: string;

beforeAll(async () => {
  emu = await startKfpEmulator();
  double = await startGitHubDouble();
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-event-'));
});
afterAll(async () => {
  await emu.close();
  await double.close();
  await repo.remove();
  await fs.rm(tmp, { recursive: true, force: true });
});

describeWithShared('push-reconcile in a pull request (GitHub API double)', () => {
  test('mode plan posts ONE sticky plan comment, updates it in place, and writes nothing to KFP', async () => {
    double.createRepo('acme/schedules', { files: { 'README.md': 'schedules\n' } });
    await double.commitFiles('acme/schedules', { branch: 'change', files: { 'x.txt': 'x\n' } });
    const gh = await (await import('../../src/lib/github.js')).createGitHub({ token: 't', apiUrl: double.url });
    const { data: pr } = await gh.rest.pulls.create({
      owner: 'acme',
      repo: 'schedules',
      head: 'change',
      base: 'main',
      title: 'Change schedules',
    });
    const eventPath = path.join(tmp, 'event.json');
    await fs.writeFile(
      eventPath,
      JSON.stringify({ action: 'synchronize', number: pr.number, pull_request: { number: pr.number } }),
    );
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: 'acme/schedules',
      GITHUB_API_URL: double.url,
    };
    const plan = () =>
      spawnAction(
        'push-reconcile',
        { 'config-folders': 'schedules/*', 'kfp-host': emu.url, mode: 'plan', 'github-token': 'ghs_secret_token' },
        { workspace: repo.dir, env },
      );

    const first = await plan();
    expect(first.code).toBe(0);
    expect(emu.log.writes).toBe(0);
    let comments = double.comments('acme/schedules', pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('<!-- kfp-gitops:plan:team-ml -->');
    expect(comments[0]!.body).toContain('7 write(s) planned');
    // The token appears only in the runner's masking command, never in a log line.
    const leaks = first.stdout.split('\n').filter((l) => l.includes('ghs_secret_token'));
    expect(leaks.length).toBeGreaterThan(0);
    expect(leaks.filter((l) => l !== '::add-mask::ghs_secret_token')).toEqual([]);

    // The same plan a second later: the comment is not rewritten (version names are shown as at apply time).
    await new Promise((r) => setTimeout(r, 1100));
    const writes = double.writes().length;
    expect((await plan()).code).toBe(0);
    expect(double.writes().length).toBe(writes);

    // After an apply the plan changes: the same comment is updated in place.
    expect(
      (
        await spawnAction(
          'push-reconcile',
          { 'config-folders': 'schedules/*', 'kfp-host': emu.url, mode: 'apply', comment: 'false' },
          { workspace: repo.dir },
        )
      ).code,
    ).toBe(0);
    expect((await plan()).code).toBe(0);
    comments = double.comments('acme/schedules', pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('no changes');
    expect(double.violations).toEqual([]);
  });
});
