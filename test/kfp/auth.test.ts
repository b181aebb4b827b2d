import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createKfpClient } from '../../src/kfp/client.js';
import { kfpOptionsFromInputs, kfpInputSpecs } from '../../src/kfp/inputs.js';
import { parseInputs } from '../../src/lib/inputs.js';
import { cliHost } from '../../src/lib/cli-host.js';
import { testCertificate } from '../support/tls.js';
import { API_VERSIONS } from '../../src/kfp/types.js';
import { type Harness, checkAndCloseHarnessesAfterEach, harness, recordingHost } from './helpers.js';

let h: Harness | undefined;
checkAndCloseHarnessesAfterEach();

describe.each(API_VERSIONS)('auth modes against the emulator (%s)', (version) => {
  test('bearer token: accepted, masked; a wrong one gets 401 with the auth hint', async () => {
    const host = recordingHost();
    h = await harness(version, { auth: { tokens: ['sa-token-123'] } }, { token: 'sa-token-123' }, host);
    expect(await h.client.listExperiments('ns')).toEqual([]);
    expect(host.secrets).toContain('sa-token-123');
    const bad = createKfpClient({ host: h.emu.url, apiVersion: version, token: 'expired' });
    await expect(bad.listExperiments('ns')).rejects.toThrow(/HTTP 401 .*Check: authentication: the kfp-token/);
    bad.close();
  });

  test('raw cookie header', async () => {
    h = await harness(
      version,
      { auth: { cookies: ['oauth2_proxy_kubeflow=abc'] } },
      { cookie: 'other=1; oauth2_proxy_kubeflow=abc' },
    );
    expect(await h.client.listExperiments('ns')).toEqual([]);
  });

  test.each([false, true])(
    'Dex login with username/password (connector chooser: %s); session cookie masked',
    async (chooser) => {
      const host = recordingHost();
      h = await harness(
        version,
        { auth: { dex: { users: { 'user@example.com': '12341234' }, chooser } } },
        { username: 'user@example.com', password: '12341234' },
        host,
      );
      await h.client.createExperiment({ name: 'e', namespace: 'ns' });
      expect((await h.client.listExperiments('ns')).map((e) => e.name)).toEqual(['e']);
      expect(host.secrets).toContain('12341234');
      expect(host.secrets.some((s) => s.startsWith('oauth2_proxy_kubeflow='))).toBe(true);
      expect(host.debugs.join('\n')).not.toMatch(/12341234|oauth2_proxy_kubeflow=/);
    },
  );

  test('Dex login with a wrong password fails clearly and sends no API call', async () => {
    h = await harness(
      version,
      { auth: { dex: { users: { 'user@example.com': 'right' } } } },
      { username: 'user@example.com', password: 'wrong' },
    );
    await expect(h.client.listExperiments('ns')).rejects.toThrow(
      /Dex login failed: Dex did not accept the credentials of 'user@example.com'.*Fix: check kfp-username and kfp-password/,
    );
    expect(h.emu.log.calls).toBe(0);
  });

  test('no credentials behind the Dex gateway: the redirect is explained', async () => {
    h = await harness(version, { auth: { dex: { users: { a: 'b' } } } });
    await expect(h.client.listExperiments('ns')).rejects.toThrow(
      /HTTP 302.*Check: authentication: KFP redirected to \/dex\/auth/,
    );
  });

  test('user header for multi-user installs: namespaces the user may not use get 403 with the namespace hint', async () => {
    h = await harness(
      version,
      { auth: { userHeader: 'kubeflow-userid', access: { 'me@example.com': ['team-a'] } } },
      { userHeader: { name: 'kubeflow-userid', value: 'me@example.com' } },
    );
    await h.client.createExperiment({ name: 'e', namespace: 'team-a' });
    await expect(h.client.listExperiments('team-b')).rejects.toThrow(
      /HTTP 403 .*User 'me@example.com' is not authorized .*Namespace:team-b,Verb:list.*Check: permissions: the identity may not 'list' experiments in namespace 'team-b'/,
    );
    const anonymous = createKfpClient({ host: h.emu.url, apiVersion: version });
    await expect(anonymous.listExperiments('team-a')).rejects.toThrow(/HTTP 401/);
    anonymous.close();
  });
});

describe('TLS', () => {
  let dir = '';
  let tls: { key: Buffer; cert: Buffer; dir: string } | undefined;
  beforeAll(async () => {
    tls = await testCertificate();
    if (tls) dir = tls.dir;
    else process.stderr.write('skipping TLS tests: openssl could not make a test certificate\n');
  });
  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an unknown CA fails with the TLS hint; kfp-ca-file fixes it; skip-verify works and warns', async () => {
    if (!tls) return;
    h = await harness('v2beta1', { tls }, { retry: { retries: 0 } });
    await expect(h.client.healthz()).rejects.toThrow(/TLS failed.*Check: TLS: set kfp-ca-file/);
    const withCa = createKfpClient({ host: h.emu.url, apiVersion: 'v2beta1', caFile: path.join(dir, 'cert.pem') });
    expect(await withCa.healthz()).toEqual({ multiUser: true, version: '2.17.0' });
    withCa.close();
    const host = recordingHost();
    const insecure = createKfpClient({ host: h.emu.url, apiVersion: 'v2beta1', skipTlsVerify: true }, host);
    expect(await insecure.healthz()).toEqual({ multiUser: true, version: '2.17.0' });
    expect(host.warnings.join()).toMatch(/kfp-skip-tls-verify is on/);
    insecure.close();
    expect(() =>
      createKfpClient({ host: h!.emu.url, apiVersion: 'v2beta1', caFile: path.join(dir, 'missing.pem') }),
    ).toThrow(/kfp-ca-file .*cannot be read/);
  });
});

test('https:// to a server that speaks plain HTTP says to use http://, not to set a CA', async () => {
  h = await harness('v1beta1');
  const client = createKfpClient({
    host: h.emu.url.replace('http://', 'https://'),
    apiVersion: 'v1beta1',
    retry: { retries: 0 },
  });
  const err = await client.healthz().catch((e: Error) => e);
  client.close();
  expect(String(err)).toMatch(
    /TLS failed: .*wrong version number[^\n]*\. Check: kfp-host: the server does not speak TLS on that port; use http:\/\//,
  );
});

describe('kfpOptionsFromInputs', () => {
  const spec = { name: 't', title: 't', description: 't', inputs: kfpInputSpecs, outputs: {} };
  const read = (values: Record<string, string>) => {
    const host = cliHost({ inputs: new Map(Object.entries(values)), stdout: process.stdout, stderr: process.stderr });
    return kfpOptionsFromInputs(parseInputs(spec, host, process.cwd()));
  };

  test('maps every shared input', () => {
    expect(
      read({
        'kfp-host': 'https://kf.example.com/pipeline',
        'api-version': 'v2beta1',
        namespace: 'team',
        'kfp-token': 't',
        'kfp-user-header': 'kubeflow-userid: me@example.com',
        'kfp-ca-file': 'ca.pem',
        'kfp-timeout-seconds': '12',
        'kfp-retry-budget': '1m30s',
      }),
    ).toEqual({
      host: 'https://kf.example.com/pipeline',
      apiVersion: 'v2beta1',
      namespace: 'team',
      token: 't',
      cookie: undefined,
      username: undefined,
      password: undefined,
      userHeader: { name: 'kubeflow-userid', value: 'me@example.com' },
      caFile: 'ca.pem',
      skipTlsVerify: false,
      timeoutMs: 12000,
      retry: { budgetMs: 90_000 },
    });
  });

  test('bad combinations are user errors naming the inputs', () => {
    expect(() => read({})).toThrow(/Input required and not supplied: kfp-host/);
    expect(() => read({ 'kfp-host': 'h', 'kfp-username': 'u' })).toThrow(
      /'kfp-username' and 'kfp-password' go together/,
    );
    expect(() => read({ 'kfp-host': 'h', 'kfp-username': 'u', 'kfp-password': 'p', 'kfp-cookie': 'c' })).toThrow(
      /both give a session/,
    );
    expect(() => read({ 'kfp-host': 'h', 'api-version': 'v3' })).toThrow(
      /api-version' must be one of v1beta1 \| v2beta1/,
    );
    expect(() => read({ 'kfp-host': 'h', 'kfp-user-header': 'no colon' })).toThrow(/must be 'name: value'/);
    expect(() => createKfpClient({ host: 'ftp://x', apiVersion: 'v1beta1' })).toThrow(
      /kfp-host 'ftp:\/\/x' is not an http\(s\) URL/,
    );
  });
});

test('a multi-user KFP asked without a namespace says to set namespace', async () => {
  const { hintFor } = await import('../../src/kfp/http.js');
  const body = JSON.stringify({
    code: 3,
    message:
      'Invalid input error: Failed to list jobs: in multi-user mode, a namespace (or an experiment) must be specified',
  });
  expect(hintFor(400, body, { call: 'ListJobs' } as never)).toContain('set the namespace input');
  expect(
    hintFor(400, JSON.stringify({ message: 'max_concurrency must be 1..10' }), { call: 'CreateJob' } as never),
  ).toContain('the values sent');
});

describe('kfp-token-file (a projected service-account token the kubelet rotates)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-token-file-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('read for every request: a rotated token is used at once and masked; a vanished file is a clear error', async () => {
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'token-one\n');
    const accepted = ['token-one'];
    const host = recordingHost();
    h = await harness('v2beta1', { auth: { tokens: accepted } }, { tokenFile: file }, host);
    expect(await h.client.listExperiments('ns')).toEqual([]);
    // The kubelet swaps the file; the old token stops working (expired).
    fs.writeFileSync(file, 'token-two');
    accepted.splice(0, 1, 'token-two');
    expect(await h.client.listExperiments('ns')).toEqual([]);
    expect(host.secrets).toEqual(['token-one', 'token-two']);
    fs.rmSync(file);
    await expect(h.client.listExperiments('ns')).rejects.toThrow(
      new RegExp(`kfp-token-file '${file}' cannot be read \\(ENOENT\\)\\. Fix: mount the token there`),
    );
    expect(h.emu.log.entries.map((e) => e.status)).toEqual([200, 200]);
  });

  const spec = { name: 't', title: 't', description: 't', inputs: kfpInputSpecs, outputs: {} };
  const read = (values: Record<string, string>) =>
    kfpOptionsFromInputs(parseInputs(spec, cliHost({ inputs: new Map(Object.entries(values)) }), process.cwd()));

  test('inputs: checked before any work, exclusive with kfp-token; the token itself is never an option value', () => {
    const file = path.join(dir, 'sa-token');
    fs.writeFileSync(file, 'secret-sa-token');
    const opts = read({ 'kfp-host': 'h', 'kfp-token-file': file });
    expect(opts.tokenFile).toBe(file);
    expect(JSON.stringify(opts)).not.toContain('secret-sa-token');
    expect(() => read({ 'kfp-host': 'h', 'kfp-token-file': file, 'kfp-token': 't' })).toThrow(
      /Inputs 'kfp-token' and 'kfp-token-file' both give a bearer token\. Fix: keep one/,
    );
    expect(() => read({ 'kfp-host': 'h', 'kfp-token-file': path.join(dir, 'nope') })).toThrow(
      /kfp-token-file '.*nope' cannot be read \(ENOENT\)\. Fix: .*serviceAccountToken volume with audience pipelines\.kubeflow\.org/,
    );
    fs.writeFileSync(path.join(dir, 'empty'), '\n');
    expect(() => read({ 'kfp-host': 'h', 'kfp-token-file': path.join(dir, 'empty') })).toThrow(
      /kfp-token-file '.*empty' is empty\. Fix:/,
    );
    expect(() => read({ 'kfp-host': 'h', 'kfp-token-file': dir })).toThrow(/cannot be read \(EISDIR\)/);
  });
});
