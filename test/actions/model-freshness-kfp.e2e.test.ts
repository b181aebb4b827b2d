import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import type { ExperimentRecord, PipelineRecord } from '../../src/kfp/emulator/state.js';
import { expectContract, pipeline } from '../kfp/helpers.js';
import { TempRepo } from '../support/git-repo.js';
import { describeWithShared } from '../support/paths.js';
import { spawnAction, spawnCli } from '../support/run-action.js';

// The newest model is 2 days old: past a 24h window, so only training in flight holds the retrain back.
const NOW = '2026-01-25T00:00:00Z';
const TOKEN = 'kfp-s3cret-token';
let repo: TempRepo;
let emu: KfpEmulator;
let exp: ExperimentRecord;
let rec: PipelineRecord;

beforeAll(async () => {
  repo = await TempRepo.create({
    'models/latest.json': JSON.stringify({
      id: 'churn-0123',
      uri: 'gs://m/churn/0123',
      created: '2026-01-23T00:00:00Z',
    }),
  });
  // Runs stay pending for a minute and run for ten: the action sees the state the test set up.
  emu = await startKfpEmulator({ runTiming: { pendingMs: 60_000, runningMs: 600_000 }, auth: { tokens: [TOKEN] } });
  exp = emu.state.seedExperiment({ name: 'churn-training', namespace: 'team-ml' });
  rec = { kind: 'argo', manifest: JSON.stringify(pipeline('v1beta1')), parameters: [] };
});
afterAll(async () => {
  expectContract(emu);
  await emu.close();
  await repo.remove();
});
beforeEach(() => {
  emu.state.runs.clear();
  const yesterday = Date.now() - 86_400_000;
  emu.state.seedRun({
    name: 'train-0124',
    experimentId: exp.id,
    pipeline: rec,
    createdMs: yesterday,
    createdAt: new Date(yesterday),
  });
  emu.state.seedRun({
    name: 'train-0124-retry',
    experimentId: exp.id,
    pipeline: rec,
    outcome: 'FAILED',
    createdMs: yesterday,
    createdAt: new Date(yesterday),
  });
});

const inputs = (over: Record<string, string> = {}) => ({
  'model-source': 'file:models/latest.json',
  'max-age': '24h',
  'in-flight-check': 'kfp-experiment:churn-training',
  'kfp-host': emu.url,
  namespace: 'team-ml',
  'kfp-token': TOKEN,
  ...over,
});
const run = (over: Record<string, string> = {}) =>
  spawnAction('model-freshness', inputs(over), { workspace: repo.dir, env: { KFP_GITOPS_NOW: NOW } });
const seedRunning = (name: string, msAgo: number) =>
  emu.state.seedRun({
    name,
    experimentId: exp.id,
    pipeline: rec,
    createdMs: Date.now() - msAgo,
    createdAt: new Date(Date.now() - msAgo),
  });

describeWithShared('model-freshness in-flight-check kfp-experiment: (against the KFP emulator)', () => {
  test.each(['v1beta1', 'v2beta1'])('a training run in flight holds the retrain back (%s)', async (apiVersion) => {
    seedRunning('train-0125', 120_000);
    const r = await run({ 'api-version': apiVersion });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({
      'needs-retrain': 'false',
      reason: 'training-in-flight',
      'model-age-seconds': String(2 * 86400),
    });
    expect(r.summary).toContain(
      "| in flight | yes (1 active in KFP experiment 'churn-training': train-0125 running) |",
    );
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
    expect(r.stdout.split(`::add-mask::${TOKEN}`).join('')).not.toContain(TOKEN);
  });

  test('a queued (pending) run counts too', async () => {
    seedRunning('train-0125', 0);
    const r = await run({ 'api-version': 'v2beta1' });
    expect(r.outputs).toMatchObject({ 'needs-retrain': 'false', reason: 'training-in-flight' });
    expect(r.stdout).toContain('train-0125 pending');
  });

  test('every run finished (succeeded, failed, canceled): retrain', async () => {
    seedRunning('stopped', 120_000).canceledAt = new Date();
    for (const apiVersion of ['v1beta1', 'v2beta1']) {
      const r = await run({ 'api-version': apiVersion });
      expect([apiVersion, r.code, r.outputs['needs-retrain'], r.outputs.reason]).toEqual([
        apiVersion,
        0,
        'true',
        'too-old',
      ]);
      expect(r.summary).toContain(
        "| in flight | no (no run pending, running or paused in KFP experiment 'churn-training') |",
      );
    }
  });

  test('a fresh model never asks KFP', async () => {
    emu.log.clear();
    const r = await run({ 'max-age': '7d' });
    expect(r.outputs).toMatchObject({ 'needs-retrain': 'false', reason: 'fresh' });
    expect(emu.log.calls).toBe(0);
  });

  test('no kfp-host: a clear error before anything runs, exit 1', async () => {
    emu.log.clear();
    const r = await run({ 'kfp-host': '', 'max-age': '7d' });
    expect(r.code).toBe(1);
    expect(r.annotations.find((a) => a.kind === 'error')?.message).toContain(
      "in-flight-check 'kfp-experiment:churn-training' asks KFP, but kfp-host is not set. Fix: set kfp-host to the KFP API prefix",
    );
    expect(r.outputs['needs-retrain']).toBeUndefined();
    expect(emu.log.calls).toBe(0);
  });

  test('a misspelt experiment: error with a did-you-mean, no decision', async () => {
    const r = await run({ 'in-flight-check': 'kfp-experiment:churn-trainng' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "KFP experiment 'churn-trainng' does not exist in namespace 'team-ml'. Did you mean 'churn-training'?",
    );
    expect(r.outputs['needs-retrain']).toBeUndefined();
  });

  test('a wrong token: the KFP call, HTTP 401 and what to check', async () => {
    const r = await run({ 'kfp-token': 'expired' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/KFP ListExperiments .* failed: HTTP 401.*Check: authentication/);
  });
});

describeWithShared('kfp-gitops model-freshness --in-flight-check kfp-experiment: (CLI)', () => {
  test('flags mirror the inputs', async () => {
    seedRunning('train-0125', 120_000);
    const args = [
      'model-freshness',
      '--model-source',
      'file:models/latest.json',
      '--max-age',
      '24h',
      '--in-flight-check',
      'kfp-experiment:churn-training',
    ];
    const kfp = ['--kfp-host', emu.url, '--namespace', 'team-ml', '--kfp-token', TOKEN, '--api-version', 'v2beta1'];
    const busy = await spawnCli([...args, ...kfp], { cwd: repo.dir, env: { KFP_GITOPS_NOW: NOW } });
    expect(busy.code).toBe(0);
    expect(busy.stdout).toContain('needs-retrain=false');
    expect(busy.stdout).toContain('reason=training-in-flight');
    expect(busy.stdout + busy.stderr).not.toContain(TOKEN);
    const missing = await spawnCli(args, { cwd: repo.dir, env: { KFP_GITOPS_NOW: NOW } });
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).toContain('asks KFP, but kfp-host is not set');
  });
});
