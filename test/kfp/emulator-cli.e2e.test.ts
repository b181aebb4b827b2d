import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, describe } from '@jest/globals';
import { entryArgs, spawnCli } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';
import { irPipeline } from './pipeline-text.js';

describe('kfp-gitops kfp-emulator (the CLI)', () => {
  test('prints its URL, answers as KFP, saves its state, stops cleanly on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-emu-cli-'));
    const stateFile = path.join(dir, 'state.json');
    const child = spawn(
      process.execPath,
      [...entryArgs('cli'), 'kfp-emulator', '--port', '0', '--state-file', stateFile, '--kfp-version', '2.15.0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
      child.stdout.on('data', () => {
        const m = /listening at (http:\/\/127\.0\.0\.1:\d+\/pipeline)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const health = await fetch(`${url}/apis/v2beta1/healthz`);
    // healthz as KFP's main.go writes it, with the release given by --kfp-version.
    expect(await health.json()).toEqual({
      commit_sha: 'unknown',
      tag_name: '2.15.0',
      multi_user: true,
      pipeline_store: 'database',
    });
    expect(out).toMatch(/as KFP 2\.15\.0/);
    const created = await fetch(`${url}/apis/v1beta1/experiments`, {
      method: 'POST',
      body: JSON.stringify({
        name: 'demo',
        resource_references: [{ key: { type: 'NAMESPACE', id: 'kubeflow-user' }, relationship: 'OWNER' }],
      }),
    });
    expect(created.status).toBe(200);
    const unknown = await fetch(`${url}/apis/v1beta1/experiments`, {
      method: 'POST',
      body: JSON.stringify({ name: 'x', namespace: 'v2-field-in-v1' }),
    });
    expect([unknown.status, ((await unknown.json()) as { message: string }).message]).toEqual([
      400,
      'proto: unknown field "namespace"',
    ]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped after 3 API calls/);
    expect(JSON.parse(fs.readFileSync(stateFile, 'utf8')).experiments.map((e: any) => e.name)).toEqual(['demo']);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('--auth FILE: tokens with view/edit roles per namespace, as KFP authorizes them; a bad file is refused', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-emu-auth-'));
    const authFile = path.join(dir, 'auth.yaml');
    fs.writeFileSync(
      authFile,
      'tokens:\n  tok-a: {user: alice@example.com, namespaces: {team-1: edit, team-2: view}}\n',
    );
    const child = spawn(process.execPath, [...entryArgs('cli'), 'kfp-emulator', '--port', '0', '--auth', authFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
      child.stdout.on('data', () => {
        const m = /listening at (http:\/\/127\.0\.0\.1:\d+)\/pipeline/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const post = (ns: string, token?: string) =>
      fetch(`${url}/apis/v2beta1/experiments`, {
        method: 'POST',
        headers: token ? { authorization: `Bearer ${token}` } : {},
        body: JSON.stringify({ display_name: 'e', namespace: ns }),
      });
    // At the root, as the in-cluster ml-pipeline service.
    expect((await post('team-1', 'tok-a')).status).toBe(200);
    expect((await post('team-2', 'tok-a')).status).toBe(403);
    expect((await post('team-1')).status).toBe(401);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    fs.writeFileSync(authFile, 'tokens:\n  tok-a: {user: alice, namespaces: {team-1: owner}}\n');
    const bad = await spawnCli(['kfp-emulator', '--port', '0', '--auth', authFile], { cwd: repoRoot });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /auth.yaml:2:\d+: Role 'owner' of user 'alice' in namespace 'team-1' is not view or edit/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('--fail-runs / --hang-runs / --default-service-account, for the KFP SDK run locally; a bad regex is refused', async () => {
    const child = spawn(
      process.execPath,
      [
        ...entryArgs('cli'),
        'kfp-emulator',
        '--port',
        '0',
        '--single-user',
        '--fail-runs',
        '^broken-',
        '--hang-runs',
        '^slow-',
        '--default-service-account',
        'default-editor',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
      child.stdout.on('data', () => {
        const m = /listening at (http:\/\/127\.0\.0\.1:\d+\/pipeline)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const form = new FormData();
    form.append('uploadfile', new Blob([irPipeline()]), 'p.yaml');
    const pipeline = (await (
      await fetch(`${url}/apis/v2beta1/pipelines/upload?name=p`, { method: 'POST', body: form })
    ).json()) as { pipeline_id: string };
    const runIds: Record<string, string> = {};
    for (const name of ['ok-1', 'broken-1', 'slow-1']) {
      const res = await fetch(`${url}/apis/v2beta1/runs`, {
        method: 'POST',
        body: JSON.stringify({ display_name: name, pipeline_version_reference: { pipeline_id: pipeline.pipeline_id } }),
      });
      const run = (await res.json()) as { run_id: string; service_account: string };
      expect(run.service_account).toBe('default-editor');
      runIds[name] = run.run_id;
    }
    const stateOf = async (id: string) =>
      ((await (await fetch(`${url}/apis/v2beta1/runs/${id}`)).json()) as { state: string }).state;
    // Runs end about 1.5 s after they start (the default simulated clock).
    await new Promise((r) => setTimeout(r, 2500));
    expect([
      await stateOf(runIds['ok-1']!),
      await stateOf(runIds['broken-1']!),
      await stateOf(runIds['slow-1']!),
    ]).toEqual(['SUCCEEDED', 'FAILED', 'RUNNING']);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const bad = await spawnCli(['kfp-emulator', '--port', '0', '--fail-runs', '('], { cwd: repoRoot });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--fail-runs must be a regular expression/);
  });

  test('--faults FILE: seeded faults from the start; a bad file is refused with its line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-emu-faults-'));
    const faultsFile = path.join(dir, 'faults.yaml');
    fs.writeFileSync(
      faultsFile,
      'seed: 5\nrules:\n  - {fault: 503, rate: 1, route: GET /apis/v2beta1/healthz, retry-after: 2}\n',
    );
    const child = spawn(
      process.execPath,
      [...entryArgs('cli'), 'kfp-emulator', '--port', '0', '--faults', faultsFile],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
      child.stdout.on('data', () => {
        const m = /listening at (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    const res = await fetch(`${url}/apis/v2beta1/healthz`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    expect((await fetch(`${url}/apis/v2beta1/experiments?namespace=ns`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    fs.writeFileSync(faultsFile, 'rules:\n  - {fault: 503}\n');
    const bad = await spawnCli(['kfp-emulator', '--port', '0', '--faults', faultsFile], { cwd: repoRoot });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/faults.yaml:2:\d+: `rate` of rule 1 must be a number from 0 to 1/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('--help documents the flags; a bad flag exits 2', async () => {
    const help = await spawnCli(['kfp-emulator', '--help'], { cwd: repoRoot });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--state-file FILE/);
    expect(help.stdout).toMatch(/--auth FILE .*view: get and list/s);
    expect(help.stdout).toMatch(/--kfp-version X.Y.Z/);
    expect(help.stdout).toMatch(/--faults FILE .*seed: 42.*retry-after: 1/s);
    expect(help.stdout).toMatch(/--fail-runs REGEX .*--hang-runs REGEX .*--default-service-account NAME/s);
    const bad = await spawnCli(['kfp-emulator', '--prot', '1'], { cwd: repoRoot });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown argument '--prot'/);
  });
});
