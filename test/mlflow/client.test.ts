import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { MlflowClient, getRunMetrics, mlflowOptions } from '../../src/mlflow/client.js';
import { UserError } from '../../src/lib/errors.js';
import { type MlflowDouble, startMlflowDouble } from '../support/mlflow-double.js';

let mlflow: MlflowDouble;
beforeAll(async () => {
  mlflow = await startMlflowDouble({ token: 's3cret' });
  for (let v = 1; v <= 12; v++)
    mlflow.addVersion('churn', { version: v, created: 1767225600000 + v * 3600_000, runId: `run${v}` });
  mlflow.setStatus('churn', 12, 'PENDING_REGISTRATION').setAlias('churn', 'champion', 9);
  mlflow.addRun('run9', { metrics: { accuracy: 0.91, 'precision.area-jupyter': 0.5, loss: NaN } });
});
afterAll(() => mlflow.stop());

const client = () => new MlflowClient({ trackingUri: `${mlflow.url}/`, token: 's3cret' });

describe('MlflowClient over HTTP against the MLflow double', () => {
  test('searchModelVersions pages highest version first with a bearer token', async () => {
    const first = await client().searchModelVersions('churn', { maxResults: 5 });
    expect(first.versions.map((v) => v.version)).toEqual(['12', '11', '10', '9', '8']);
    expect(first.nextPageToken).toBeTruthy();
    const second = await client().searchModelVersions('churn', { maxResults: 5, pageToken: first.nextPageToken });
    expect(second.versions.map((v) => v.version)).toEqual(['7', '6', '5', '4', '3']);
    const req = mlflow.requests.find((r) => r.path.endsWith('model-versions/search'))!;
    expect(req.query).toMatchObject({ filter: "name='churn'", order_by: 'version_number DESC', max_results: '5' });
    expect(req.authorization).toBe('Bearer s3cret');
    expect(mlflow.violations).toEqual([]);
  });

  test('an unknown model is an empty list (MLflow omits empty fields)', async () => {
    expect(await client().searchModelVersions('nope')).toEqual({ versions: [], nextPageToken: undefined });
  });

  test('versionByAlias and getRunMetrics (NaN arrives as a string and stays NaN)', async () => {
    expect((await client().versionByAlias('churn', 'champion')).version).toBe('9');
    const metrics = await getRunMetrics({ trackingUri: mlflow.url, token: 's3cret' }, 'run9');
    expect(metrics.accuracy).toBe(0.91);
    expect(metrics['precision.area-jupyter']).toBe(0.5);
    expect(Number.isNaN(metrics.loss)).toBe(true);
  });

  test('errors carry MLflow error codes and a fix', async () => {
    await expect(client().versionByAlias('churn', 'prod')).rejects.toThrow(
      /HTTP 404 RESOURCE_DOES_NOT_EXIST.*alias prod not found.*Fix: check the model name/,
    );
    await expect(client().getRun('missing')).rejects.toThrow(/Run with id=missing not found/);
    const noAuth = new MlflowClient({ trackingUri: mlflow.url });
    await expect(noAuth.searchModelVersions('churn')).rejects.toThrow(/HTTP 401.*Fix: check mlflow-token/);
  });

  test('bad and unreachable URIs are user errors', async () => {
    expect(() => new MlflowClient({ trackingUri: 'databricks' })).toThrow(UserError);
    const closed = await startMlflowDouble();
    await closed.stop();
    await expect(new MlflowClient({ trackingUri: closed.url }).searchModelVersions('x')).rejects.toThrow(
      /Cannot reach the MLflow tracking server.*ECONNREFUSED/,
    );
  });

  test('options fall back to the MLflow environment variables', () => {
    expect(mlflowOptions({}, { MLFLOW_TRACKING_URI: 'http://m', MLFLOW_TRACKING_TOKEN: 't' })).toMatchObject({
      trackingUri: 'http://m',
      token: 't',
    });
    expect(
      mlflowOptions(
        { trackingUri: 'http://x', token: 'a' },
        { MLFLOW_TRACKING_URI: 'http://m', MLFLOW_TRACKING_TOKEN: 't' },
      ),
    ).toMatchObject({ trackingUri: 'http://x', token: 'a' });
    expect(() => mlflowOptions({}, {})).toThrow(/mlflow-tracking-uri/);
  });
});
