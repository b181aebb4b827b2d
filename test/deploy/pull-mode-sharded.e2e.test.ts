import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { TempRepo } from '../support/git-repo.js';
import { type K8sObject, kustomize } from '../support/kustomize.js';
import { repoRoot } from '../support/paths.js';
import { runPod } from './pod-runner.js';

/**
 * deploy/kubernetes/overlays/sharded without a cluster: each shard's CronJob runs its exact command line
 * (pod-runner.ts) against the KFP emulator from a git-sync-like clone. Each shard applies only its own
 * namespaces, and a shard whose KFP writes are refused fails alone: the other shard's apply happens.
 */
const TOKEN = 'sa-token-shards-0a1b2c3d';
let objects: K8sObject[];
let emu: KfpEmulator;
let configRepo: TempRepo;
const example = (file: string) => fs.readFileSync(path.join(repoRoot, 'examples/schedules/team-ml', file), 'utf8');

beforeAll(async () => {
  ({ objects } = await kustomize(path.join(repoRoot, 'deploy/kubernetes/overlays/sharded')));
  // Shard 1 (team-[a-m]*) holds team-a and team-ml; shard 2 (team-[n-z]*) holds team-x, where the
  // service account may only read.
  emu = await startKfpEmulator({
    auth: {
      identities: {
        [TOKEN]: {
          user: 'system:serviceaccount:kfp-gitops:kfp-gitops',
          namespaces: { 'team-a': 'edit', 'team-ml': 'edit', 'team-x': 'view' },
        },
      },
    },
  });
  configRepo = await TempRepo.create(
    Object.fromEntries(
      ['team-a', 'team-x'].flatMap((t) => [
        [`schedules/${t}/experiments.yaml`, example('experiments.yaml')],
        [`schedules/${t}/recurring_runs.yaml`, example('recurring_runs.yaml')],
      ]),
    ),
    { copyFrom: path.join(repoRoot, 'examples') },
  );
  await configRepo.commit('three teams');
});
afterAll(async () => {
  await emu?.close();
  await configRepo?.remove();
});

const shard = (n: number) => {
  const cron = objects.find((o) => o.kind === 'CronJob' && o.metadata.name === `kfp-gitops-apply-shard-${n}`)!;
  const tokenVolume = cron.spec.jobTemplate.spec.template.spec.volumes.find((v: any) => v.projected).name;
  return runPod(
    cron,
    objects.filter((o) => o.kind === 'ConfigMap'),
    {
      settings: { CONFIG_REPO: `file://${configRepo.dir}`, KFP_HOST: emu.url },
      volumes: { [tokenVolume]: { token: TOKEN } },
      env: { KFP_GITOPS_NOW: '2026-02-01T00:00:00Z' },
    },
  );
};
const enabledIn = () =>
  new Set(
    [...emu.state.jobs.values()]
      .filter((j) => j.enabled)
      .map((j) => [...emu.state.experiments.values()].find((e) => e.id === j.experimentId)!.namespace),
  );

test('one CronJob per shard: each applies its own namespaces; a failing shard does not stop the other', async () => {
  const two = await shard(2);
  expect(two.argv).toContain('--config-folders=schedules/team-[n-z]*');
  expect(two.code).toBe(1);
  expect(two.stdout + two.stderr).toMatch(/team-x/);
  const one = await shard(1);
  expect(one.argv).toContain('--config-folders=schedules/team-[a-m]*');
  expect(one.code).toBe(0);
  expect(enabledIn()).toEqual(new Set(['team-a', 'team-ml']));
  // The next run of shard 1 has nothing to do; shard 2's namespaces were never touched by it.
  const again = await shard(1);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/changes=0/);
});
