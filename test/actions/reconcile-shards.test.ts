import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { createGitHub } from '../../src/lib/github.js';
import { startGitHubDouble, type GitHubDouble } from '../support/github-double/index.js';
import { TempRepo } from '../support/git-repo.js';
import { runInProcess } from '../support/in-process.js';
import { repoRoot } from '../support/paths.js';

/**
 * reconcile-shards over real parts: the list step over a git checkout, push-reconcile run once per shard
 * (its plan-file), and the gather step posting ONE comment on the GitHub double, the same document one
 * push-reconcile over every folder writes. The workflow around it: test/workflows-run/reconcile-sharded.e2e.test.ts.
 */
const TEAMS = ['team-a', 'team-b', 'team-c'];
const example = (file: string) => fs.readFileSync(path.join(repoRoot, 'examples/schedules/team-ml', file), 'utf8');
const REPO = 'acme/platform';

let emu: KfpEmulator;
let double: GitHubDouble;
let repo: TempRepo;
let prEnv: Record<string, string>;
let pr: number;

beforeAll(async () => {
  // team-b's identity may only read: its writes are refused.
  emu = await startKfpEmulator({
    auth: {
      identities: {
        'kfp-tok-3f9a': {
          user: 'ci@example.com',
          namespaces: { 'team-a': 'edit', 'team-b': 'view', 'team-c': 'edit' },
        },
      },
    },
  });
  double = await startGitHubDouble();
  double.createRepo(REPO, { files: { 'README.md': 'x\n' } });
  double.commitFiles(REPO, { branch: 'feature', files: { 'x.txt': 'x\n' } });
  const gh = await createGitHub({ token: 'seed', apiUrl: double.url });
  pr = (await gh.rest.pulls.create({ owner: 'acme', repo: 'platform', head: 'feature', base: 'main', title: 't' })).data
    .number;
  const files = Object.fromEntries(
    TEAMS.flatMap((t) => [
      [`schedules/${t}/experiments.yaml`, example('experiments.yaml')],
      [`schedules/${t}/recurring_runs.yaml`, example('recurring_runs.yaml')],
    ]),
  );
  repo = await TempRepo.create(files, { copyFrom: path.join(repoRoot, 'examples') });
  await repo.commit('three teams');
  const event = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-gitops-event-')), 'event.json');
  fs.writeFileSync(event, JSON.stringify({ number: pr, pull_request: { number: pr } }));
  prEnv = {
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: event,
    GITHUB_REPOSITORY: REPO,
    GITHUB_API_URL: double.url,
    GITHUB_SHA: 'abc123def4567890',
  };
});
afterAll(async () => {
  await emu.close();
  await double.close();
  await repo.remove();
});

const shards = (inputs: Record<string, string>) =>
  runInProcess('reconcile-shards', { step: 'list', ...inputs }, { workspace: repo.dir });
const reconcile = (folders: string, mode: string, planFile?: string, comment = 'false') =>
  runInProcess(
    'push-reconcile',
    {
      'config-folders': folders,
      'kfp-host': emu.url,
      'kfp-token': 'kfp-tok-3f9a',
      mode,
      comment,
      'github-token': 'ghs_t',
      'kfp-retry-budget': '5s',
      ...(planFile ? { 'plan-file': planFile } : {}),
    },
    { workspace: repo.dir, env: prEnv },
  );
const gather = (inputs: Record<string, string>) =>
  runInProcess(
    'reconcile-shards',
    { step: 'gather', 'github-token': 'ghs_t', ...inputs },
    { workspace: repo.dir, env: prEnv },
  );

describe('list', () => {
  test('the folders push-reconcile would reconcile, cut into shards of shard-size', async () => {
    const one = await shards({ 'config-folders': 'schedules/team-[a-c]', 'shard-size': '1' });
    expect(one.code).toBe(0);
    expect(JSON.parse(one.outputs.shards!)).toEqual([
      { index: 1, folders: 'schedules/team-a', namespaces: 'team-a' },
      { index: 2, folders: 'schedules/team-b', namespaces: 'team-b' },
      { index: 3, folders: 'schedules/team-c', namespaces: 'team-c' },
    ]);
    const two = await shards({ 'config-folders': 'schedules/team-c\nschedules/team-[ab]', 'shard-size': '2' });
    expect(JSON.parse(two.outputs.shards!)).toEqual([
      { index: 1, folders: 'schedules/team-c\nschedules/team-a', namespaces: 'team-c team-a' },
      { index: 2, folders: 'schedules/team-b', namespaces: 'team-b' },
    ]);
    expect(two.outputs.count).toBe('2');
    const all = await shards({ 'config-folders': 'schedules/team-[a-c]', 'shard-size': '0' });
    expect(JSON.parse(all.outputs.shards!)).toEqual([
      { index: 1, folders: 'schedules/team-a\nschedules/team-b\nschedules/team-c', namespaces: 'team-a team-b team-c' },
    ]);
    const mapped = await shards({
      'config-folders': 'schedules/team-a\nschedules/team-b',
      'namespace-map': 'schedules/team-b=ml-prod',
      'shard-size': '1',
    });
    expect(JSON.parse(mapped.outputs.shards!).map((s: { namespaces: string }) => s.namespaces)).toEqual([
      'team-a',
      'ml-prod',
    ]);
  });

  test("push-reconcile's folder and namespace rules: a glob matching nothing, one namespace for many folders", async () => {
    const none = await shards({ 'config-folders': 'schedules/nope-*' });
    expect(none.code).toBe(1);
    expect(none.everything).toContain("the glob 'schedules/nope-*' matches no folder");
    const single = await shards({ 'config-folders': 'schedules/team-[a-c]', namespace: 'x' });
    expect(single.code).toBe(1);
    expect(single.everything).toContain("Input 'namespace' names one namespace but config-folders matched 3 folders");
    const size = await shards({ 'config-folders': 'schedules/team-a', 'shard-size': '-1' });
    expect(size.everything).toContain("Input 'shard-size' must be a whole number ≥ 0");
  });
});

describe('gather', () => {
  test('plan: three shards, ONE sticky comment equal to what one job over every folder posts; nothing written', async () => {
    const list = JSON.parse(
      (await shards({ 'config-folders': 'schedules/team-[a-c]', 'shard-size': '1' })).outputs.shards!,
    );
    for (const s of list) expect((await reconcile(s.folders, 'plan', `plans/shard-${s.index}.json`)).code).toBe(0);
    // One job over every folder posts its comment (a key joining namespaces with commas was refused)...
    const before = double.comments(REPO, pr).length;
    const single = await reconcile('schedules/team-[a-c]', 'plan', undefined, 'true');
    expect(single.annotations.filter((a) => /not posted/.test(a.message))).toEqual([]);
    expect(double.comments(REPO, pr)).toHaveLength(before + 1);
    // ...and the gathered shards keep that same comment, with the same document.
    const run = await gather({ plans: 'plans/*.json', shards: JSON.stringify(list), mode: 'plan' });
    expect(run.code).toBe(0);
    expect(run.summary).toBe(single.summary);
    expect(run.outputs).toMatchObject({ changes: '21', applied: 'false' });
    expect(
      JSON.parse(run.outputs.plan!)
        .map((p: { namespace: string }) => p.namespace)
        .sort(),
    ).toEqual(TEAMS);
    const comments = double.comments(REPO, pr);
    expect(comments).toHaveLength(before + 1);
    const body = comments.at(-1)!.body;
    expect(body.startsWith('<!-- kfp-gitops:plan:team-a/team-b/team-c -->\n')).toBe(true);
    expect(body).toContain('| namespace | writes | changed | unchanged | status |');
    expect(emu.log.writes).toBe(0);
    // Gathered again: the same comment, not a second one.
    expect((await gather({ plans: 'plans/*.json', shards: JSON.stringify(list), mode: 'plan' })).code).toBe(0);
    expect(double.comments(REPO, pr)).toHaveLength(before + 1);

    // A shard that wrote no plan fails the gather, by name, and the comment says so.
    fs.rmSync(repo.path('plans/shard-2.json'));
    const missing = await gather({ plans: 'plans/*.json', shards: JSON.stringify(list), mode: 'plan' });
    expect(missing.code).toBe(1);
    expect(missing.failure).toContain('1 namespace(s) failed (team-b)');
    expect(missing.annotations.map((a) => a.message)).toContain(
      "team-b: shard 2 reported no plan: its job failed before planning (e.g. invalid configs); see that job's log.",
    );
    expect(double.comments(REPO, pr).at(-1)!.body).toContain('❌ shard 2 reported no plan');
    fs.rmSync(repo.path('plans'), { recursive: true });
  });

  test('apply: a failing shard fails the gather; the other shards applied; the report names it', async () => {
    const list = JSON.parse(
      (await shards({ 'config-folders': 'schedules/team-[a-c]', 'shard-size': '1' })).outputs.shards!,
    );
    const codes = [];
    for (const s of list) codes.push((await reconcile(s.folders, 'apply', `plans/shard-${s.index}.json`)).code);
    expect(codes).toEqual([0, 1, 0]);
    const before = double.comments(REPO, pr).length;
    const run = await gather({ plans: 'plans/*.json', shards: JSON.stringify(list), mode: 'apply' });
    expect(run.code).toBe(1);
    expect(run.outputs.applied).toBe('false');
    expect(run.failure).toContain('1 namespace(s) failed (team-b)');
    expect(run.summary).toMatch(/\| `team-a` \| 7 \| .* \| ✅ 7 write\(s\) applied \|/);
    expect(run.summary).toMatch(/\| `team-b` \| 7 \| .* \| ❌ \d+ step\(s\) failed \|/);
    expect(run.summary).toContain('#### Failures in `team-b`');
    // Apply mode posts no comment.
    expect(double.comments(REPO, pr)).toHaveLength(before);
    // The next plan over the applied shards has nothing to do there.
    const again = await reconcile('schedules/team-a\nschedules/team-c', 'plan');
    expect(again.outputs.changes).toBe('0');
  });

  test('a file that is not a plan file, or outside the checkout, is refused by name', async () => {
    await repo.write({ 'plans/bad.json': '{"plans": []}' });
    const bad = await gather({ plans: 'plans/bad.json', mode: 'plan' });
    expect(bad.code).toBe(1);
    expect(bad.everything).toContain('plans/bad.json is not a kfp-gitops plan file');
    const outside = await gather({ plans: '../elsewhere.json', mode: 'plan' });
    expect(outside.everything).toContain("Input 'plans': '");
    expect(outside.everything).toContain('is outside the repository checkout');
    const none = await gather({ plans: 'nothing/*.json', mode: 'plan' });
    expect(none.everything).toContain('No plan file matches plans (nothing/*.json)');
  });
});
