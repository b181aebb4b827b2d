import path from 'node:path';
import { afterEach, expect, test } from '@jest/globals';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { TempRepo } from '../support/git-repo.js';
import { runInProcess } from '../support/in-process.js';
import { repoRoot } from '../support/paths.js';

let emu: KfpEmulator | undefined;
let repo: TempRepo | undefined;
afterEach(async () => {
  await emu?.close();
  await repo?.remove();
});

test('push-reconcile reads the time from the action context: KFP_GITOPS_NOW names the versions it plans', async () => {
  emu = await startKfpEmulator();
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  const plan = await runInProcess(
    'push-reconcile',
    { 'config-folders': 'schedules/team-ml', 'kfp-host': emu.url, mode: 'plan' },
    { workspace: repo.dir, env: { KFP_GITOPS_NOW: '2031-05-04T03:02:01Z' } },
  );
  expect(plan.code).toBe(0);
  const versions = [...plan.outputs.plan!.matchAll(/"version":"([^"]+)"/g)].map((m) => m[1]);
  expect(versions.length).toBeGreaterThan(0);
  for (const v of versions) expect(v).toMatch(/^GIT::.+__2031-05-04T03-02-01Z$/);
});

test('a KFP_GITOPS_NOW that is not a time stops the action before it reads the configs', async () => {
  emu = await startKfpEmulator();
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  const run = await runInProcess(
    'push-reconcile',
    { 'config-folders': 'schedules/team-ml', 'kfp-host': emu.url, mode: 'plan' },
    { workspace: repo.dir, env: { KFP_GITOPS_NOW: 'soon' } },
  );
  expect(run.code).toBe(1);
  expect(run.failure).toMatch(/KFP_GITOPS_NOW="soon" is not a time/);
  expect(emu.log.calls).toBe(0);
});
