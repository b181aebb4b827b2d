import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { enabledCounts as countEnabled, versionsOf } from '../support/schedule-versions.js';
import { TempRepo } from '../support/git-repo.js';
import { spawnAction, spawnCli } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';

let emu: KfpEmulator;
let repo: TempRepo;
/** The most versions of one schedule enabled at once, checked after every API call. */
let maxEnabled: Map<string, number>;

beforeAll(async () => {
  emu = await startKfpEmulator();
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  for (const id of [...emu.state.jobs.keys()]) emu.state.jobs.delete(id);
  for (const id of [...emu.state.experiments.keys()]) emu.state.experiments.delete(id);
  emu.log.clear();
  emu.faults.clear();
  maxEnabled = new Map();
  emu.log.onEntry = () => {
    for (const [schedule, n] of enabledCounts()) maxEnabled.set(schedule, Math.max(n, maxEnabled.get(schedule) ?? 0));
  };
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
});
afterEach(async () => {
  await repo.remove();
});

const versions = (schedule: string) => versionsOf(emu, schedule);
const enabledCounts = () => countEnabled(emu);

const reconcile = (mode: 'plan' | 'apply', extra: Record<string, string> = {}) =>
  spawnAction(
    'push-reconcile',
    { 'config-folders': 'schedules/*', 'kfp-host': emu.url, mode, ...extra },
    { workspace: repo.dir, env: { GITHUB_SHA: 'abc123def4567890' } },
  );

async function editSchedules(from: string | RegExp, to: string) {
  const file = 'schedules/team-ml/recurring_runs.yaml';
  const text = await repo.read(file);
  expect(text).toMatch(from);
  await repo.write({ [file]: text.replace(from, to) });
  await repo.commit(`edit: ${to}`);
}

describe('push-reconcile over real HTTP against the KFP emulator', () => {
  test('first apply creates experiments and versions; the second writes nothing', async () => {
    const first = await reconcile('apply');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.outputs.applied).toBe('true');
    expect(Number(first.outputs.changes)).toBe(emu.log.writes);
    expect([...emu.state.experiments.values()].map((e) => `${e.namespace}/${e.name}`).sort()).toEqual([
      'team-ml/issue-classifier-scoring',
      'team-ml/issue-classifier-training',
    ]);
    expect(versions('train-nightly').map((j) => j.enabled)).toEqual([true]);
    expect(versions('train-weekly-full').map((j) => j.enabled)).toEqual([false]);
    // Lineage: the commit and the config line, in the description suffix.
    expect(versions('train-nightly')[0]!.description).toMatch(
      /\[kfp-gitops: commit abc123def456 · schedules\/team-ml\/recurring_runs\.yaml:\d+\]$/,
    );
    expect(first.summary).toContain('+ create');

    emu.log.clear();
    const second = await reconcile('apply');
    expect(second.code).toBe(0);
    expect(second.outputs.changes).toBe('0');
    expect(emu.log.writes).toBe(0);
    expect(emu.log.calls).toBe(2); // one listing of experiments, one of recurring runs
    expect(second.summary).toContain('no changes');
  });

  test('a cron edit creates exactly one new version and leaves exactly one enabled', async () => {
    await reconcile('apply');
    await editSchedules('cron: "0 30 2 * * *"', 'cron: "0 45 3 * * *"');
    emu.log.clear();
    maxEnabled.clear();
    const r = await reconcile('apply');
    expect(r.code).toBe(0);
    const v = versions('train-nightly');
    expect(v).toHaveLength(2);
    expect(v.map((j) => j.enabled)).toEqual([false, true]);
    expect(v[1]!.trigger.cron?.cron).toBe('0 45 3 * * *');
    expect(emu.log.counts()).toMatchObject({
      'POST /apis/v1beta1/jobs': 1,
      'POST /apis/v1beta1/jobs/{id}/disable': 1,
      'POST /apis/v1beta1/jobs/{id}/enable': 1,
    });
    expect(maxEnabled.get('train-nightly')).toBe(1); // never two at once
    expect(r.stdout).toContain('trigger: cron "0 30 2 * * *" → cron "0 45 3 * * *"');
  });

  test('keep_history prunes the oldest versions first and never the newest', async () => {
    await reconcile('apply');
    for (const cron of ['0 0 1 * * *', '0 0 2 * * *', '0 0 3 * * *', '0 0 4 * * *']) {
      await new Promise((r) => setTimeout(r, 1000)); // version names have one-second resolution
      await editSchedules(/cron: "[^"]+"\n\n {2}# Hourly/, `cron: "${cron}"\n\n  # Hourly`);
      expect((await reconcile('apply')).code).toBe(0);
    }
    const v = versions('train-nightly');
    expect(v).toHaveLength(4); // keep_history: 3 older + the newest
    expect(v.map((j) => j.trigger.cron?.cron)).toEqual(['0 0 1 * * *', '0 0 2 * * *', '0 0 3 * * *', '0 0 4 * * *']);
    expect(v.map((j) => j.enabled)).toEqual([false, false, false, true]);
  }, 90_000);

  test('plan mode writes nothing and prints the plan', async () => {
    const r = await reconcile('plan');
    expect(r.code).toBe(0);
    expect(emu.log.writes).toBe(0);
    expect(r.outputs.applied).toBe('false');
    expect(Number(r.outputs.changes)).toBeGreaterThan(0);
    expect(
      JSON.parse(r.outputs.plan!)[0].changes.map((c: { schedule: string; kind: string }) => `${c.kind} ${c.schedule}`),
    ).toEqual(['create train-nightly', 'create score-hourly', 'create train-weekly-full']);
    expect(r.stdout).toContain('+ create train-nightly');
  });

  test('a config with one error changes nothing on the cluster', async () => {
    await editSchedules('max_concurrency: 2', 'max_concurrency: 20');
    const r = await reconcile('apply');
    expect(r.code).toBe(1);
    expect(emu.log.calls).toBe(0);
    const err = r.annotations.find(
      (a) => a.kind === 'error' && a.props.file === 'schedules/team-ml/recurring_runs.yaml',
    );
    expect(err?.props.line).toBeDefined();
    expect(r.outputs.applied).toBe('false');
  });

  test('drift outside git is corrected: a paused version is enabled, an extra enabled one disabled', async () => {
    await reconcile('apply');
    const [nightly] = versions('train-nightly');
    emu.state.setJobEnabled(nightly!.id, false);
    const [weekly] = versions('train-weekly-full');
    emu.state.setJobEnabled(weekly!.id, true);
    emu.log.clear();
    const r = await reconcile('apply');
    expect(r.code).toBe(0);
    expect(emu.log.counts()).toEqual({
      'GET /apis/v1beta1/experiments': 1,
      'GET /apis/v1beta1/jobs': 1,
      'POST /apis/v1beta1/jobs/{id}/enable': 1,
      'POST /apis/v1beta1/jobs/{id}/disable': 1,
    });
    expect(versions('train-nightly')[0]!.enabled).toBe(true);
    expect(versions('train-weekly-full')[0]!.enabled).toBe(false);
  });

  test('a failure mid-apply keeps the running version, exits 1, and the next run converges', async () => {
    await reconcile('apply');
    await editSchedules('cron: "0 30 2 * * *"', 'cron: "0 45 3 * * *"');
    emu.faults.add({ route: 'POST /apis/v1beta1/jobs/{id}/enable', nth: 1, times: 1, kind: { status: 400 } });
    const failed = await reconcile('apply');
    expect(failed.code).toBe(1);
    expect(versions('train-nightly').filter((j) => j.enabled)).toHaveLength(1); // the previous one, re-enabled
    expect(failed.stdout).toContain('re-enabled the previous version');
    emu.faults.clear();
    expect((await reconcile('apply')).code).toBe(0);
    emu.log.clear();
    expect((await reconcile('plan')).outputs.changes).toBe('0');
  });

  test('kfp-gitops plan / apply from a terminal', async () => {
    const plan = await spawnCli(['plan', '--config-folders', 'schedules/*', '--kfp-host', emu.url], {
      cwd: repo.dir,
    });
    // The namespace is empty in KFP (a first apply, or a typo): said once, before everything is planned as new.
    expect(plan.stderr).toMatch(
      /^warning: Namespace 'team-ml' has no experiments and no recurring runs in KFP at all[^\n]*\n$/,
    );
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('Plan: 7 write call(s).');
    expect(emu.log.writes).toBe(0);
    const apply = await spawnCli(['apply', '--config-folders', 'schedules/*', '--kfp-host', emu.url], {
      cwd: repo.dir,
    });
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('changes=7');
    expect(emu.log.writes).toBe(7);
  });
});
