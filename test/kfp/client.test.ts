import { expect, test } from '@jest/globals';
import { KfpApiError } from '../../src/kfp/http.js';
import { API_VERSIONS, type RecurringRunInput } from '../../src/kfp/types.js';
import { describeWithShared } from '../support/paths.js';
import { type Harness, checkAndCloseHarnessesAfterEach, harness, pipeline } from './helpers.js';

let h: Harness | undefined;
checkAndCloseHarnessesAfterEach();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithShared.each(API_VERSIONS)('KFP client over HTTP against the emulator (%s)', (version) => {
  const params = version === 'v1beta1' ? { param1: 'hi', param2: 'there' } : { param1: 'hi', param2: 'there' };
  const job = (experimentId: string, over: Partial<RecurringRunInput> = {}): RecurringRunInput => ({
    name: 'GIT::nightly__2024-01-01T00-00-00Z',
    description: 'from git',
    experimentId,
    enabled: false,
    maxConcurrency: 2,
    serviceAccount: 'default-editor',
    catchup: false,
    trigger: { cron: { expression: '0 0 2 * * *', start: new Date('2024-01-01T00:00:00Z') } },
    parameters: params,
    pipeline: pipeline(version),
    ...over,
  });

  test('experiments: create, find by name, archive/unarchive, list every page', async () => {
    h = await harness(version);
    const { client } = h;
    expect(await client.healthz()).toEqual({ multiUser: true, version: '2.17.0' });
    const exp = await client.createExperiment({ name: 'team', description: 'd', namespace: 'ns1' });
    expect(exp).toMatchObject({ name: 'team', description: 'd', namespace: 'ns1', archived: false });
    expect(exp.createdAt).toBeInstanceOf(Date);
    await client.createExperiment({ name: 'other-ns', namespace: 'ns2' });
    expect((await client.findExperiment('team', 'ns1'))?.id).toBe(exp.id);
    expect(await client.findExperiment('team', 'ns2')).toBeUndefined();
    await client.archiveExperiment(exp.id);
    expect((await client.getExperiment(exp.id)).archived).toBe(true);
    await client.unarchiveExperiment(exp.id);
    expect((await client.getExperiment(exp.id)).archived).toBe(false);
    for (let i = 0; i < 11; i++) await client.createExperiment({ name: `e${i}`, namespace: 'ns1' });
    h.emu.log.clear();
    const all = await client.listExperiments('ns1', { pageSize: 5 });
    expect(all.map((e) => e.name).sort()).toEqual(['team', ...Array.from({ length: 11 }, (_, i) => `e${i}`)].sort());
    expect(h.emu.log.calls).toBe(3); // 12 experiments in pages of 5
    await expect(client.createExperiment({ name: 'team', namespace: 'ns1' })).rejects.toThrow(
      /CreateExperiment.*HTTP 409.*already exists/,
    );
    // KFP's unique index ignores case and accents (storage/experiment_store.go; MySQL utf8mb4_0900_ai_ci).
    await expect(client.createExperiment({ name: 'TÉAM', namespace: 'ns1' })).rejects.toThrow(
      /HTTP 409.*Check: .*ignoring case and accents/,
    );
    expect((await client.findExperiment('TÉAM', 'ns1'))?.name).toBe('team');
  });

  test('recurring runs: create (real pipeline), read back normalised, enable/disable, delete', async () => {
    h = await harness(version);
    const { client } = h;
    const exp = await client.createExperiment({ name: 'exp', namespace: 'ns1' });
    const created = await client.createRecurringRun(job(exp.id));
    const got = await client.getRecurringRun(created.id);
    expect(got).toEqual(created);
    expect(got).toMatchObject({
      name: 'GIT::nightly__2024-01-01T00-00-00Z',
      description: 'from git',
      experimentId: exp.id,
      namespace: 'ns1',
      enabled: false,
      maxConcurrency: 2,
      serviceAccount: 'default-editor',
      catchup: false,
      trigger: { cron: { expression: '0 0 2 * * *', start: new Date('2024-01-01T00:00:00Z') } },
      parameters: params,
      pipeline: pipeline(version),
    });
    // The wire omitted `enabled` (false) and sent max_concurrency as a string; the client restored both.
    const wire = h.emu.log.entries.find((e) => e.route.startsWith('GET') && e.route.includes('{'))!
      .responseBody as Record<string, unknown>;
    expect(wire.enabled).toBeUndefined();
    expect(wire.max_concurrency).toBe('2');

    await client.enableRecurringRun(created.id);
    expect((await client.getRecurringRun(created.id)).enabled).toBe(true);
    await client.disableRecurringRun(created.id);
    expect((await client.getRecurringRun(created.id)).enabled).toBe(false);

    const periodic = await client.createRecurringRun(
      job(exp.id, { name: 'p', enabled: true, catchup: true, trigger: { periodic: { intervalSeconds: 3600 } } }),
    );
    expect(periodic).toMatchObject({ enabled: true, catchup: true, trigger: { periodic: { intervalSeconds: 3600 } } });

    await client.deleteRecurringRun(created.id);
    await expect(client.getRecurringRun(created.id)).rejects.toThrow(/HTTP 404/);
  });

  test("listing a namespace follows next_page_token across KFP's 200 cap", async () => {
    h = await harness(version);
    const { client, emu } = h;
    const exp = await client.createExperiment({ name: 'exp', namespace: 'ns1' });
    const other = await client.createExperiment({ name: 'exp', namespace: 'ns2' });
    const p = emu.state.jobs.size;
    // Jobs as each version creates them (a v2 read of a workflow given to v1 costs one more v1 listing).
    const rec =
      version === 'v1beta1'
        ? { kind: 'argo' as const, manifest: JSON.stringify(pipeline('v1beta1')), parameters: [] }
        : { kind: 'ir' as const, spec: pipeline('v2beta1'), parameters: {} };
    for (let i = 0; i < 450; i++) emu.state.seedJob({ name: `j${i}`, experimentId: exp.id, pipeline: rec });
    emu.state.seedJob({ name: 'elsewhere', experimentId: other.id, pipeline: rec });
    emu.log.clear();
    const all = await client.listRecurringRuns({ namespace: 'ns1' }, { pageSize: 1000 });
    expect(p).toBe(0);
    expect(new Set(all.map((j) => j.name)).size).toBe(450);
    expect(all.every((j) => j.namespace === 'ns1')).toBe(true);
    expect(emu.log.calls).toBe(3); // 200 + 200 + 50
    expect(emu.log.entries.map((e) => e.query.page_size)).toEqual(['200', '200', '200']);
    const byExp = await client.listRecurringRuns({ experimentId: other.id });
    expect(byExp.map((j) => j.name)).toEqual(['elsewhere']);
    const filtered = await client.listRecurringRuns(
      { namespace: 'ns1' },
      { filter: [{ key: 'name', op: 'IN', value: ['j1', 'j22', 'nope'] }] },
    );
    expect(filtered.map((j) => j.name).sort()).toEqual(['j1', 'j22']);
  });

  test('runs: PENDING → RUNNING → SUCCEEDED, and FAILED when injected', async () => {
    h = await harness(version, { runTiming: { pendingMs: 150, runningMs: 300 } });
    const { client, emu } = h;
    const exp = await client.createExperiment({ name: 'exp', namespace: 'ns1' });
    const run = await client.createRun({
      name: 'once',
      experimentId: exp.id,
      parameters: params,
      pipeline: pipeline(version),
    });
    expect(run.state).toBe('PENDING');
    expect(run.parameters).toEqual(params);
    const seen = new Set<string>();
    for (let i = 0; i < 40 && !['SUCCEEDED', 'FAILED'].includes([...seen].pop() ?? ''); i++) {
      seen.add((await client.getRun(run.id)).state);
      await sleep(25);
    }
    expect([...seen]).toEqual(['PENDING', 'RUNNING', 'SUCCEEDED']);
    expect((await client.getRun(run.id)).finishedAt).toBeInstanceOf(Date);
    emu.state.runOutcome = 'FAILED';
    const bad = await client.createRun({
      name: 'bad',
      experimentId: exp.id,
      parameters: params,
      pipeline: pipeline(version),
    });
    await sleep(500);
    const done = await client.getRun(bad.id);
    expect(done.state).toBe('FAILED');
    expect(done.error).toMatch(/failed/);
  });

  test('runs listing: a namespace or an experiment, every page, only some states (KFP filters v2 state)', async () => {
    h = await harness(version, { runTiming: { pendingMs: 60_000, runningMs: 60_000 } });
    const { client, emu } = h;
    const exp = await client.createExperiment({ name: 'train', namespace: 'ns1' });
    const other = await client.createExperiment({ name: 'other', namespace: 'ns1' });
    const elsewhere = await client.createExperiment({ name: 'train', namespace: 'ns2' });
    const rec = { kind: 'argo' as const, manifest: JSON.stringify(pipeline('v1beta1')), parameters: [] };
    const ago = (ms: number) => ({
      createdMs: Date.now() - ms,
      createdAt: new Date(Math.floor((Date.now() - ms) / 1000) * 1000),
    });
    for (let i = 0; i < 230; i++)
      emu.state.seedRun({
        name: `old-${i}`,
        experimentId: exp.id,
        pipeline: rec,
        outcome: i % 10 ? 'SUCCEEDED' : 'FAILED',
        ...ago(86_400_000 - i * 1000),
      });
    emu.state.seedRun({ name: 'queued', experimentId: exp.id, pipeline: rec, ...ago(1000) });
    emu.state.seedRun({ name: 'training', experimentId: exp.id, pipeline: rec, ...ago(90_000) });
    emu.state.seedRun({ name: 'stopped', experimentId: exp.id, pipeline: rec, canceledAt: new Date(), ...ago(70_000) });
    emu.state.seedRun({ name: 'other-running', experimentId: other.id, pipeline: rec, ...ago(90_000) });
    emu.state.seedRun({ name: 'ns2-running', experimentId: elsewhere.id, pipeline: rec, ...ago(90_000) });
    emu.log.clear();

    const all = await client.listRuns({ experimentId: exp.id });
    expect(all).toHaveLength(233);
    expect(emu.log.calls).toBe(2); // 200 + 33
    expect(new Set(all.map((r) => r.state))).toEqual(
      new Set(['SUCCEEDED', 'FAILED', 'PENDING', 'RUNNING', version === 'v2beta1' ? 'CANCELED' : 'FAILED']),
    );
    expect(all.find((r) => r.name === 'training')).toMatchObject({
      experimentId: exp.id,
      state: 'RUNNING',
      createdAt: expect.any(Date),
    });

    emu.log.clear();
    const active = await client.listRuns(
      { experimentId: exp.id },
      { states: ['PENDING', 'RUNNING'], sortBy: 'created_at desc' },
    );
    expect(active.map((r) => [r.name, r.state])).toEqual([
      ['queued', 'PENDING'],
      ['training', 'RUNNING'],
    ]);
    // v2 filters on KFP's state column (one small page); v1's status filter would miss new runs, so it lists all and filters here.
    const filters = emu.log.entries.map((e) => e.query.filter && JSON.parse(decodeURIComponent(e.query.filter)));
    if (version === 'v2beta1') {
      expect(filters).toEqual([
        {
          predicates: [
            {
              operation: 'IN',
              key: 'state',
              string_values: { values: ['PENDING', 'RUNTIME_STATE_UNSPECIFIED', 'RUNNING'] },
            },
          ],
        },
      ]);
    } else {
      expect([filters, emu.log.calls]).toEqual([[undefined, undefined], 2]);
    }
    expect(emu.log.entries[0]!.query.sort_by).toBe('created_at desc');

    const ns1 = await client.listRuns({ namespace: 'ns1' }, { states: ['RUNNING'] });
    expect(ns1.map((r) => r.name).sort()).toEqual(['other-running', 'training']);
    expect(await client.listRuns({ namespace: 'ns1' }, { states: [] })).toEqual([]);
    const named = await client.listRuns(
      { namespace: 'ns2' },
      { filter: [{ key: 'name', op: 'EQUALS', value: 'ns2-running' }] },
    );
    expect(named.map((r) => r.name)).toEqual(['ns2-running']);
  });

  test('delete keeps in-flight runs only with ORPHAN (v2); v1 terminates them', async () => {
    h = await harness(version, { runTiming: { pendingMs: 10, runningMs: 60_000 } });
    const { client, emu } = h;
    const exp = await client.createExperiment({ name: 'exp', namespace: 'ns1' });
    const a = await client.createRecurringRun(job(exp.id, { name: 'a' }));
    const b = await client.createRecurringRun(job(exp.id, { name: 'b' }));
    const rec = emu.state.jobs.get(a.id)!.pipeline;
    const runA = emu.state.seedRun({ name: 'ra', experimentId: exp.id, jobId: a.id, pipeline: rec });
    const runB = emu.state.seedRun({ name: 'rb', experimentId: exp.id, jobId: b.id, pipeline: rec });
    await sleep(30);
    await client.deleteRecurringRun(a.id, { orphanRuns: true });
    await client.deleteRecurringRun(b.id);
    expect(await client.orphanDeleteSupported()).toBe(version === 'v2beta1');
    // KFP 2.x's v1 status cannot say canceled: it reads Failed (model.RuntimeState.ToV1).
    expect((await client.getRun(runA.id)).state).toBe(version === 'v2beta1' ? 'RUNNING' : 'FAILED');
    expect((await client.getRun(runB.id)).state).toBe(version === 'v2beta1' ? 'CANCELED' : 'FAILED');
    const del = emu.log.entries.filter((e) => e.method === 'DELETE').map((e) => e.query.propagation_policy);
    expect(del).toEqual(version === 'v2beta1' ? ['ORPHAN', undefined] : [undefined, undefined]);
  });

  test("errors name the call, the status and KFP's message, and what to check", async () => {
    h = await harness(version);
    const { client } = h;
    const exp = await client.createExperiment({ name: 'exp', namespace: 'ns1' });
    const err = await client.createRecurringRun(job(exp.id, { maxConcurrency: 11 })).catch((e) => e);
    expect(err).toBeInstanceOf(KfpApiError);
    expect(err.message).toMatch(
      new RegExp(
        `KFP Create(Job|RecurringRun) \\(POST /pipeline/apis/${version}/(jobs|recurringruns)\\) failed: HTTP 400 — .*max concurrency.*Received 11`,
      ),
    );
    expect(err.message).toMatch(/Check: the values sent/);
    await expect(
      client.createRecurringRun(job(exp.id, { trigger: { cron: { expression: '0 0 25 * * *' } } })),
    ).rejects.toThrow(/cron is not a supported format.*End of range \(25\) above maximum \(23\): 25/);
    await expect(
      client.createRecurringRun(job(exp.id, { trigger: { periodic: { intervalSeconds: 0 } } })),
    ).rejects.toThrow(/invalid period schedule/);
    await expect(client.createRecurringRun(job('no-such-experiment'))).rejects.toThrow(
      /HTTP 404.*Check: that the object exists/,
    );
    // A kfp-host with a wrong prefix reaches the gateway, not the API.
    const wrong = (await import('../../src/kfp/client.js')).createKfpClient({
      host: `${h.emu.origin}/kubeflow`,
      apiVersion: version,
      retry: { retries: 0 },
    });
    await expect(wrong.healthz()).rejects.toThrow(
      /HTTP 404.*Check: the URL prefix: kfp-host must be the KFP API prefix/,
    );
    wrong.close();
  });
});

describeWithShared('version-specific wire rules', () => {
  test('v1 rejects parameters the Argo workflow does not declare; v2 refuses Argo parameters client-side', async () => {
    h = await harness('v1beta1');
    const exp = await h.client.createExperiment({ name: 'exp', namespace: 'ns1' });
    const base: RecurringRunInput = {
      name: 'x',
      experimentId: exp.id,
      enabled: false,
      maxConcurrency: 1,
      catchup: true,
      trigger: { cron: { expression: '@daily' } },
      pipeline: pipeline('v1beta1'),
    };
    await expect(h.client.createRecurringRun({ ...base, parameters: { nope: '1' } })).rejects.toThrow(
      /Unrecognized input parameter: nope/,
    );
    const ok = await h.client.createRecurringRun({ ...base, parameters: { param1: 'a' } });
    expect(ok.parameters).toEqual({ param1: 'a' });
    const { createKfpClient } = await import('../../src/kfp/client.js');
    const v2 = createKfpClient({ host: h.emu.url, apiVersion: 'v2beta1' });
    await expect(v2.createRecurringRun({ ...base, parameters: { param1: 'a' } })).rejects.toThrow(
      /set api-version to v1beta1/,
    );
    // The same job read through v2: KFP's answer has no workflow (api_converter.go toApiRecurringRun),
    // so the client reads it through v1; its parameters come as runtime_config.
    const seen = await v2.getRecurringRun(ok.id);
    expect(seen.pipeline).toEqual(pipeline('v1beta1'));
    expect(seen.parameters).toEqual({ param1: 'a' });
    expect(h.emu.log.entries.slice(-2).map((e) => e.route)).toEqual([
      'GET /apis/v2beta1/recurringruns/{recurring_run_id}',
      'GET /apis/v1beta1/jobs/{id}',
    ]);
    v2.close();
  });
});
