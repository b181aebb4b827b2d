import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { type MlflowDouble, startMlflowDouble } from '../support/mlflow-double.js';
import { spawnAction } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';
import { flattenMetrics } from '../../src/gate/metrics.js';

const TOKEN = 'mlflow-test-token';
const CANDIDATE_RUN = '4f1c2a9e0b7d4c3e8a6b5d2f1e0c9b8a';
const CHAMPION_RUN = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

let mlflow: MlflowDouble;
let repo: TempRepo;

/** The example's metrics as MLflow holds them: one flat key per metric. */
async function exampleMetrics(file: string): Promise<Record<string, number>> {
  const data = JSON.parse(await fs.readFile(path.join(repoRoot, 'examples/quality', file), 'utf8'));
  return Object.fromEntries(flattenMetrics(data)) as Record<string, number>;
}

beforeAll(async () => {
  mlflow = await startMlflowDouble({ token: TOKEN });
  mlflow.addRun(CANDIDATE_RUN, { metrics: await exampleMetrics('metrics.json') });
  mlflow.addRun(CHAMPION_RUN, { metrics: await exampleMetrics('baseline.json') });
  mlflow
    .addVersion('label-bot', { version: 7, created: 1767225600000, runId: CHAMPION_RUN })
    .setAlias('label-bot', 'champion', 7);
  mlflow
    .addVersion('label-bot', { version: 8, created: 1767312000000, source: 's3://models/label-bot/8' })
    .setAlias('label-bot', 'imported', 8); // no run
  repo = await TempRepo.create({
    'thresholds.yaml': await fs.readFile(path.join(repoRoot, 'examples/quality/thresholds.yaml'), 'utf8'),
  });
});
afterAll(async () => {
  await mlflow.stop();
  await repo.remove();
});
afterEach(() => {
  expect(mlflow.violations).toEqual([]);
});

const env = () => ({ MLFLOW_TRACKING_URI: mlflow.url });

describe('quality-gate with mlflow: sources, against the MLflow double', () => {
  test('candidate run vs the champion alias: same verdict as the files', async () => {
    const r = await spawnAction(
      'quality-gate',
      {
        metrics: `mlflow:${CANDIDATE_RUN}`,
        baseline: 'mlflow:models:/label-bot@champion',
        thresholds: 'thresholds.yaml',
        comment: 'false',
        'mlflow-token': TOKEN,
      },
      { workspace: repo.dir, env: env() },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.outputs.results!).counts).toEqual({ fail: 0, warn: 2, skip: 1, pass: 47 });
    expect(r.summary).toContain(`**Candidate:** MLflow run \`${CANDIDATE_RUN}\``);
    expect(r.summary).toContain(`**Baseline:** \`models:/label-bot@champion\` (version 7, run \`${CHAMPION_RUN}\`)`);
    expect(mlflow.requests.every((q) => q.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
  });

  test('no champion alias yet: a missing baseline, not an error', async () => {
    const r = await spawnAction(
      'quality-gate',
      {
        metrics: `mlflow:${CANDIDATE_RUN}`,
        baseline: 'mlflow:models:/label-bot@production',
        thresholds: 'thresholds.yaml',
        comment: 'false',
        'mlflow-token': TOKEN,
        'missing-baseline': 'fail',
      },
      { workspace: repo.dir, env: env() },
    );
    expect(r.code).toBe(1); // missing-baseline: fail turns the change checks into failures
    expect(r.summary).toContain(
      '**Baseline:** no `models:/label-bot@production` in MLflow — change checks fail (`missing-baseline: fail`)',
    );
    expect(
      r.annotations
        .filter((a) => a.kind === 'error' && a.props.file === 'thresholds.yaml')
        .map((a) => a.message.split(' ')[0]),
    ).toEqual(["'accuracy'", "'f1_score'", "'latency_ms'", 'Rule']);
  });

  test('an alias on a version registered without a run: an error saying why', async () => {
    const r = await spawnAction(
      'quality-gate',
      {
        metrics: `mlflow:${CANDIDATE_RUN}`,
        baseline: 'mlflow:models:/label-bot@imported',
        thresholds: 'thresholds.yaml',
        comment: 'false',
        'mlflow-token': TOKEN,
      },
      { workspace: repo.dir, env: env() },
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'MLflow models:/label-bot@imported (version 8) was registered without a run, so it has no metrics.',
    );
  });

  test('an unknown run and a missing tracking URI are clear errors', async () => {
    const unknown = await spawnAction(
      'quality-gate',
      { metrics: 'mlflow:feedc0ffee', thresholds: 'thresholds.yaml', comment: 'false', 'mlflow-token': TOKEN },
      { workspace: repo.dir, env: env() },
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toContain('RESOURCE_DOES_NOT_EXIST');
    expect(unknown.stdout).toContain('check the model name, alias or run id');
    const noUri = await spawnAction(
      'quality-gate',
      { metrics: `mlflow:${CANDIDATE_RUN}`, thresholds: 'thresholds.yaml', comment: 'false' },
      { workspace: repo.dir },
    );
    expect(noUri.stdout).toContain('No MLflow tracking server given. Fix: set the mlflow-tracking-uri input');
  });
});
