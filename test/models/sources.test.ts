import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { listModels, parseModelSource, type ModelSourceContext } from '../../src/models/sources/index.js';
import { TempRepo } from '../support/git-repo.js';
import { type MlflowDouble, startMlflowDouble } from '../support/mlflow-double.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');

let mlflow: MlflowDouble;
let repo: TempRepo;
beforeAll(async () => {
  mlflow = await startMlflowDouble({ token: 'tok' });
  // 11 versions so "10" vs "9" ordering matters; 11 is still registering, 10 failed.
  for (let v = 1; v <= 11; v++)
    mlflow.addVersion('churn', { version: v, created: T0 + v * DAY, runId: `r${v}`, source: `s3://models/churn/${v}` });
  mlflow
    .setStatus('churn', 11, 'PENDING_REGISTRATION')
    .setStatus('churn', 10, 'FAILED_REGISTRATION')
    .setAlias('churn', 'champion', 7)
    .setAlias('churn', 'next', 11);
  mlflow.addVersion('gitlab', { version: 1, created: T0 / 1000, source: 's3://gl/1' });
  mlflow.addVersion('v3', {
    version: 1,
    created: T0,
    source: 'models:/m-abc123',
    downloadUri: 'mlflow-artifacts:/5/models/m-abc123/artifacts',
  });
  repo = await TempRepo.create({
    'models/latest.json': JSON.stringify({ id: 'm2', uri: 'gs://b/m2', created: '2026-01-05T00:00:00Z' }),
    'models/list.yaml':
      '# written by train.py\nmodels:\n  - {id: m1, uri: gs://b/m1, created: 1767225600}\n  - {id: m2, uri: gs://b/m2, created: 1767571200000}\n',
  });
});
afterAll(async () => {
  await mlflow.stop();
  await repo.remove();
});

function ctx(env: NodeJS.ProcessEnv = {}): ModelSourceContext & { logs: string[] } {
  const logs: string[] = [];
  return {
    workspace: repo.dir,
    env: { PATH: process.env.PATH, ...env },
    mlflow: { trackingUri: mlflow.url, token: 'tok' },
    log: (m) => logs.push(m),
    logs,
  };
}

describe('parseModelSource', () => {
  test('the three kinds', () => {
    expect(parseModelSource('mlflow:churn')).toEqual({ kind: 'mlflow', name: 'churn' });
    expect(parseModelSource('mlflow:churn@champion')).toEqual({ kind: 'mlflow', name: 'churn', alias: 'champion' });
    expect(parseModelSource('file:models/latest.json')).toEqual({ kind: 'file', location: 'models/latest.json' });
    expect(parseModelSource('command: gcloud x --format=json')).toEqual({
      kind: 'command',
      command: 'gcloud x --format=json',
    });
  });
  test('typos and missing parts are explained', () => {
    expect(() => parseModelSource('mlfow:churn')).toThrow(/Did you mean 'mlflow'\?/);
    expect(() => parseModelSource('churn')).toThrow(/Fix: use one of mlflow:/);
    expect(() => parseModelSource('file:')).toThrow(/missing what follows 'file:'/);
    expect(() => parseModelSource('mlflow:churn@')).toThrow(/empty alias/);
  });
});

describe('mlflow source', () => {
  test('newest READY version by number; newer unfinished ones are noted, not used', async () => {
    const r = await listModels(parseModelSource('mlflow:churn'), ctx());
    expect(r.models[0]).toEqual({
      id: 'models:/churn/9',
      uri: 's3://models/churn/9',
      created: new Date(T0 + 9 * DAY),
      version: '9',
      runId: 'r9',
    });
    expect(r.notes).toEqual([
      'version 11 is PENDING_REGISTRATION; skipped (only READY versions are used)',
      'version 10 is FAILED_REGISTRATION; skipped (only READY versions are used)',
    ]);
    expect(mlflow.violations).toEqual([]);
  });
  test('an alias resolves to its version; an alias on an unfinished version is an error', async () => {
    const r = await listModels(parseModelSource('mlflow:churn@champion'), ctx());
    expect(r.models.map((m) => m.id)).toEqual(['models:/churn/7']);
    await expect(listModels(parseModelSource('mlflow:churn@next'), ctx())).rejects.toThrow(
      /points at version 11, whose status is PENDING_REGISTRATION/,
    );
  });
  test('epoch seconds (GitLab) are normalised; MLflow 3 models:/ sources resolve to the download URI', async () => {
    expect((await listModels(parseModelSource('mlflow:gitlab'), ctx())).models[0]!.created).toEqual(new Date(T0));
    expect((await listModels(parseModelSource('mlflow:v3'), ctx())).models[0]!.uri).toBe(
      'mlflow-artifacts:/5/models/m-abc123/artifacts',
    );
  });
  test('no versions: no model; the tracking URI can come from the environment', async () => {
    const c = { ...ctx({ MLFLOW_TRACKING_URI: mlflow.url, MLFLOW_TRACKING_TOKEN: 'tok' }), mlflow: {} };
    expect((await listModels(parseModelSource('mlflow:unknown'), c)).models).toEqual([]);
  });
});

describe('file source', () => {
  test('a pointer file and a YAML list in the checkout', async () => {
    expect((await listModels(parseModelSource('file:models/latest.json'), ctx())).models.map((m) => m.uri)).toEqual([
      'gs://b/m2',
    ]);
    expect((await listModels(parseModelSource('file:models/list.yaml'), ctx())).models.map((m) => m.id)).toEqual([
      'm2',
      'm1',
    ]);
  });
  test('a missing file means no model yet, and says so', async () => {
    const r = await listModels(parseModelSource('file:models/none.json'), ctx());
    expect(r).toMatchObject({ models: [], notes: ['models/none.json does not exist: no model yet'] });
  });
  test('over https (a pre-signed URL); 404 is no model; gs:// gets a command hint', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/latest.json') res.end(JSON.stringify({ id: 'h1', uri: 'gs://b/h1', created: T0 }));
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await listModels(parseModelSource(`file:${base}/latest.json`), ctx())).models[0]!.id).toBe('h1');
      expect((await listModels(parseModelSource(`file:${base}/gone.json`), ctx())).models).toEqual([]);
    } finally {
      server.close();
    }
    await expect(listModels(parseModelSource('file:gs://bucket/latest.json'), ctx())).rejects.toThrow(
      /command:gcloud storage cat gs:\/\/bucket\/latest.json/,
    );
  });
});

describe('command source', () => {
  test('runs with bash from the workspace and parses its JSON', async () => {
    const r = await listModels(parseModelSource('command:cat models/latest.json | tr -d "\\n"'), ctx());
    expect(r.models[0]!.id).toBe('m2');
    expect(r.origin).toContain('command');
  });
  test('a failing command shows its exit code and the tail of its output', async () => {
    await expect(
      listModels(parseModelSource('command:echo "listing models"; echo "ERROR: permission denied" >&2; exit 7'), ctx()),
    ).rejects.toThrow(/exit code 7[\s\S]*ERROR: permission denied/);
  });
  test('output that is not a model list is located in the output', async () => {
    await expect(listModels(parseModelSource('command:echo "[{\\"id\\": 1}]"'), ctx())).rejects.toThrow(
      /output of `echo/,
    );
  });
});
