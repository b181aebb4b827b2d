import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { type MlflowDouble, startMlflowDouble } from '../support/mlflow-double.js';
import { spawnAction, spawnCli } from '../support/run-action.js';

const NOW = '2026-01-25T00:00:00Z';
let repo: TempRepo;
let mlflow: MlflowDouble;
beforeAll(async () => {
  repo = await TempRepo.create({
    'models/trained.json': JSON.stringify({
      models: [
        { id: 'churn-0110', uri: 'gs://m/churn/0110', created: '2026-01-10T04:00:00Z' },
        { id: 'churn-0117', uri: 'gs://m/churn/0117', created: 1768622400, runId: 'r17' },
        { id: 'churn-0124', uri: 'gs://m/churn/0124', created: '2026-01-24T04:00:00Z', status: 'running' },
      ],
    }),
    'ci/runs-busy.sh': 'echo \'[{"status":"completed"},{"status":"in_progress","name":"train"}]\'\n',
    'ci/runs-idle.sh': 'echo \'[{"status":"completed"}]\'\n',
  });
  mlflow = await startMlflowDouble({ token: 'ml' });
  mlflow.addVersion('churn', {
    version: 9,
    created: Date.parse('2026-01-24T12:00:00Z'),
    source: 's3://m/churn/9',
    runId: 'run9',
  });
  mlflow.addVersion('churn', {
    version: 10,
    created: Date.parse('2026-01-24T20:00:00Z'),
    source: 's3://m/churn/10',
    status: 'PENDING_REGISTRATION',
  });
});
afterAll(async () => {
  await repo.remove();
  await mlflow.stop();
});

const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
  spawnAction('model-freshness', inputs, { workspace: repo.dir, env: { KFP_GITOPS_NOW: NOW, ...env } });

describe('model-freshness, run as the runner runs it', () => {
  test('a pointer list: the newest finished model is 7d 20h old → retrain past a 7d window', async () => {
    const r = await run({ 'model-source': 'file:models/trained.json', 'max-age': '7d' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({
      'needs-retrain': 'true',
      reason: 'too-old',
      'newest-model': JSON.stringify({
        id: 'churn-0117',
        uri: 'gs://m/churn/0117',
        created: '2026-01-17T04:00:00.000Z',
        runId: 'r17',
      }),
      'model-age-seconds': String(7 * 86400 + 20 * 3600),
    });
    expect(r.stdout).toContain("churn-0124 has status 'running'; skipped");
    expect(r.summary).toContain('Retrain needed');
    expect(r.summary).toContain('| age | 7d 20h |');
  });

  test('within the window: fresh', async () => {
    const r = await run({ 'model-source': 'file:models/trained.json', 'max-age': '8d' });
    expect(r.outputs).toMatchObject({ 'needs-retrain': 'false', reason: 'fresh' });
    expect(r.summary).toContain('Model is fresh');
  });

  test('training in flight (a command printing run states) suppresses the retrain; an idle one does not', async () => {
    const busy = await run({
      'model-source': 'file:models/trained.json',
      'max-age': '24h',
      'in-flight-check': 'command:bash ci/runs-busy.sh',
    });
    expect(busy.outputs).toMatchObject({ 'needs-retrain': 'false', reason: 'training-in-flight' });
    expect(busy.summary).toContain('| in flight | yes (1 active: in_progress) |');
    const idle = await run({
      'model-source': 'file:models/trained.json',
      'max-age': '24h',
      'in-flight-check': 'command:bash ci/runs-idle.sh',
    });
    expect(idle.outputs).toMatchObject({ 'needs-retrain': 'true', reason: 'too-old' });
  });

  test('no model yet (missing pointer file): retrain', async () => {
    const r = await run({ 'model-source': 'file:models/none.json', 'max-age': '24h' });
    expect(r.outputs).toEqual({
      'needs-retrain': 'true',
      reason: 'no-model',
      'newest-model': '',
      'model-age-seconds': '',
    });
    expect(r.stdout).toContain('models/none.json does not exist: no model yet');
  });

  test('MLflow registry: newest READY version, token masked', async () => {
    const r = await run({
      'model-source': 'mlflow:churn',
      'max-age': '24h',
      'mlflow-tracking-uri': mlflow.url,
      'mlflow-token': 'ml',
    });
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({
      'needs-retrain': 'false',
      reason: 'fresh',
      'model-age-seconds': String(12 * 3600),
    });
    expect(JSON.parse(r.outputs['newest-model']!)).toMatchObject({
      id: 'models:/churn/9',
      uri: 's3://m/churn/9',
      version: '9',
      runId: 'run9',
    });
    expect(r.stdout).toContain('::add-mask::ml');
    expect(mlflow.violations).toEqual([]);
  });

  test('a model from the future (clock skew) warns and counts as age 0', async () => {
    const r = await run(
      { 'model-source': 'mlflow:churn', 'max-age': '24h', 'mlflow-tracking-uri': mlflow.url, 'mlflow-token': 'ml' },
      { KFP_GITOPS_NOW: '2026-01-24T11:00:00Z' },
    );
    expect(r.outputs['model-age-seconds']).toBe('0');
    expect(r.annotations.find((a) => a.kind === 'warning')?.message).toContain('1h in the future');
  });

  test('bad inputs: a clear error each, exit 1', async () => {
    const badAge = await run({ 'model-source': 'file:models/trained.json', 'max-age': '24 hours' }); // a bare '24' is 24 seconds
    expect(badAge.code).toBe(1);
    expect(badAge.stdout).toContain("Input 'max-age' must be a duration such as 24h");
    const badSource = await run({ 'model-source': 'mlflw:churn', 'max-age': '1d' });
    expect(badSource.stdout).toContain("Did you mean 'mlflow'?");
    const failing = await run({ 'model-source': 'command:echo "gcloud: not logged in" >&2; exit 2', 'max-age': '1d' });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('exit code 2');
    expect(failing.stdout).toContain('gcloud: not logged in');
    const missing = await run({ 'model-source': 'file:models/trained.json' });
    expect(missing.stdout).toContain('Input required and not supplied: max-age');
  });
});

describe('kfp-gitops model-freshness (CLI)', () => {
  test('same decision from a terminal', async () => {
    const r = await spawnCli(['model-freshness', '--model-source', 'file:models/trained.json', '--max-age', '1w'], {
      cwd: repo.dir,
      env: { KFP_GITOPS_NOW: NOW },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('needs-retrain=true');
    expect(r.stdout).toContain('reason=too-old');
  });
});
