import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { TempRepo } from '../support/git-repo.js';
import { repoRoot } from '../support/paths.js';
import { spawnAction, spawnCli } from '../support/run-action.js';

/*
 * Bundle smoke tests. Every other test starts our entry points from src/ (entryArgs in
 * test/support/run-action.ts); these start what users run, the committed bundles in dist/: each action once
 * (far enough to load its lazily bundled main), the root dispatcher and the CLI. They do not build first: CI's
 * check-dist step (.ci/run, scripts/check-dist.mjs) fails whenever dist/ is not what `npm run build` makes of
 * src/, so there these bundles are the sources. Locally, after changing src/, run `npm run build` before this
 * file; KFP_GITOPS_TEST_BUNDLES=1 runs the whole suite on the bundles. A new action folder without a smoke test
 * here fails the first test.
 */

const NOW = '2026-01-25T00:00:00Z';
let emu: KfpEmulator;
let repo: TempRepo;
beforeAll(async () => {
  emu = await startKfpEmulator();
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  await repo.write({ 'models/none.json': '{"models": []}' });
  await repo.commit('no trained model');
});
afterAll(async () => {
  await emu.close();
  await repo.remove();
});

const bundle = (name: string, inputs: Record<string, string>, env: Record<string, string> = {}) =>
  spawnAction(name, inputs, { workspace: repo.dir, env: { KFP_GITOPS_NOW: NOW, ...env }, bundle: true });

/** One run of each action's bundle, far enough to load its main; keyed by the folder name in src/actions/. */
const smokeTests: Record<string, () => Promise<void>> = {
  'check-rendered': async () => {
    const r = await bundle('check-rendered', { 'render-scripts': 'pipelines/*/render_pipeline.sh' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ result: 'fresh', 'stale-files': '[]' });
  },
  'check-reconcile-configs': async () => {
    const r = await bundle('check-reconcile-configs', { 'config-folders': 'schedules/*' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ errors: '0', schedules: '3' });
  },
  'push-reconcile': async () => {
    const r = await bundle('push-reconcile', { 'config-folders': 'schedules/*', 'kfp-host': emu.url, mode: 'plan' });
    expect(r.code).toBe(0);
    expect(r.outputs.applied).toBe('false');
    expect(r.stdout).toContain('+ create train-nightly');
    expect(emu.log.writes).toBe(0);
  },
  'reconcile-shards': async () => {
    const r = await bundle('reconcile-shards', {
      step: 'list',
      'config-folders': 'schedules/*',
      'namespace-map': 'schedules/team-ml=ml-prod',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.count).toBe('1');
    expect(JSON.parse(r.outputs.shards!)).toEqual([{ index: 1, folders: 'schedules/team-ml', namespaces: 'ml-prod' }]);
  },
  'run-pipeline': async () => {
    emu.state.seedExperiment({ name: 'issue-classifier-training', namespace: 'team-ml' });
    const r = await bundle('run-pipeline', {
      'kfp-host': emu.url,
      namespace: 'team-ml',
      experiment: 'issue-classifier-training',
      pipeline: 'pipelines/train-model/RENDERED_PIPELINE/workflow.yaml',
      wait: 'false',
    });
    expect(r.code).toBe(0);
    expect(r.outputs['run-id']).toBe([...emu.state.runs.keys()][0]);
  },
  'model-freshness': async () => {
    const r = await bundle('model-freshness', { 'model-source': 'file:models/trained-models.json', 'max-age': '7d' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ 'needs-retrain': 'true', reason: 'too-old' });
  },
  'open-model-pr': async () => {
    const r = await bundle(
      'open-model-pr',
      {
        'model-source': 'file:models/none.json',
        'config-file': 'serving/churn-model.yaml',
        'config-key': 'spec.predictor.model.storageUri',
        document: 'InferenceService/churn-model',
        token: 'app-token',
      },
      // Nothing listens there: a request would fail the run.
      { GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_REPOSITORY: 'acme/serving' },
    );
    expect(r.code).toBe(0);
    expect(r.outputs.operation).toBe('none');
    expect(r.annotations.find((a) => a.kind === 'warning')?.message).toContain('nothing to propose');
  },
  'quality-gate': async () => {
    const r = await bundle('quality-gate', {
      metrics: 'metrics.json',
      baseline: 'baseline.json',
      thresholds: 'thresholds.yaml',
      'working-directory': 'quality',
      comment: 'false',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('true');
  },
};

const actionFolders = fs
  .readdirSync(path.join(repoRoot, 'src/actions'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe('the dist/ bundles run as the runner runs them', () => {
  test('every action has a smoke test here', () => {
    expect(Object.keys(smokeTests).sort()).toEqual([...actionFolders].sort());
  });

  test.each(Object.keys(smokeTests))('%s', (name) => smokeTests[name]!());

  test('the root dispatcher (command: check-reconcile-configs)', async () => {
    const r = await bundle('main', { command: 'check-reconcile-configs', 'config-folders': 'schedules/*' });
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ errors: '0', schedules: '3' });
  });

  test('the CLI (kfp-gitops plan)', async () => {
    const r = await spawnCli(['plan', '--config-folders', 'schedules/*', '--kfp-host', emu.url], {
      cwd: repo.dir,
      bundle: true,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ create train-nightly');
    expect(r.stdout).toMatch(/Plan: \d+ write call\(s\)\./);
  });
});
