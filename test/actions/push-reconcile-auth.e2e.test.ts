import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { TempRepo } from '../support/git-repo.js';
import { spawnAction } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';

/**
 * push-reconcile with the permissions KFP grants: each verb is a SubjectAccessReview
 * (backend/src/apiserver/resource/resource_manager.go IsAuthorized); Kubeflow's `view` role may only
 * get and list, so a plan works with it and an apply is refused at its first write.
 */
let emu: KfpEmulator;
let repo: TempRepo;

beforeAll(async () => {
  emu = await startKfpEmulator({
    auth: {
      identities: {
        'tok-editor': { user: 'ci@example.com', namespaces: { 'team-ml': 'edit' } },
        'tok-viewer': { user: 'pr-bot@example.com', namespaces: { 'team-ml': 'view' } },
      },
    },
  });
});
afterAll(async () => {
  await emu.close();
});
beforeEach(async () => {
  emu.state.jobs.clear();
  emu.state.experiments.clear();
  emu.log.clear();
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
});
afterEach(async () => {
  await repo.remove();
});

const reconcile = (mode: 'plan' | 'apply', token: string) =>
  spawnAction(
    'push-reconcile',
    { 'config-folders': 'schedules/*', 'kfp-host': emu.url, 'kfp-token': token, mode },
    { workspace: repo.dir, env: { GITHUB_SHA: 'abc123def4567890' } },
  );

describe('push-reconcile and KFP permissions', () => {
  test('a view-only token plans; its apply stops at the first write, naming the missing permission', async () => {
    expect((await reconcile('apply', 'tok-editor')).code).toBe(0);
    const file = 'schedules/team-ml/recurring_runs.yaml';
    await repo.write({ [file]: (await repo.read(file)).replace('cron: "0 30 2 * * *"', 'cron: "0 45 3 * * *"') });
    await repo.commit('change a cron');
    // Deleted behind its back: every schedule needs a create, so the apply has many writes to try.
    emu.state.jobs.clear();
    const jobsBefore = [...emu.state.jobs.values()].map((j) => `${j.name} ${j.enabled}`).sort();
    emu.log.clear();

    const plan = await reconcile('plan', 'tok-viewer');
    expect(plan.code).toBe(0);
    expect(Number(plan.outputs.changes)).toBeGreaterThan(3);

    emu.log.clear();
    const apply = await reconcile('apply', 'tok-viewer');
    expect(apply.code).toBe(1);
    expect(apply.outputs.applied).toBe('false');
    const attempts = emu.log.entries.filter((e) => e.method !== 'GET');
    expect(attempts.map((e) => [e.route, e.status])).toEqual([['POST /apis/v1beta1/jobs', 403]]);
    expect([...emu.state.jobs.values()].map((j) => `${j.name} ${j.enabled}`).sort()).toEqual(jobsBefore);
    expect(apply.stdout).toMatch(
      /the identity may not 'create' jobs in namespace 'team-ml'.*'view' role only allows get and list/,
    );
    expect(apply.stdout).toMatch(/No further write was tried in this namespace/);
    expect(apply.stdout).not.toMatch(/The next run converges/);
  });

  test('a wrong token says so', async () => {
    const r = await reconcile('plan', 'tok-expired');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /HTTP 401 — Unauthenticated: Failed to check authorization.*Check: authentication: the kfp-token/,
    );
    expect(
      r.stdout
        .split('\n')
        .filter((l) => !l.startsWith('::add-mask::'))
        .join('\n'),
    ).not.toContain('tok-expired');
  });
});
