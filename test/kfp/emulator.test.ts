import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from '@jest/globals';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { describeWithShared } from '../support/paths.js';
import { expectContract, pipeline } from './helpers.js';

let emu: KfpEmulator | undefined;
afterEach(async () => {
  if (emu) {
    expectContract(emu, { requests: false }); // the requests here are deliberately bad
    await emu.close();
  }
  emu = undefined;
});

async function call(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(emu!.url + p, {
    method,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describeWithShared('the emulator behaves like KFP 2.17 where a client could notice', () => {
  const wf = () => JSON.stringify(pipeline('v1beta1'));
  const v1job = (expId: string, over: Record<string, unknown> = {}) => ({
    name: 'j',
    max_concurrency: '1',
    trigger: { cron_schedule: { cron: '0 0 * * * *' } },
    resource_references: [{ key: { type: 'EXPERIMENT', id: expId }, relationship: 'OWNER' }],
    pipeline_spec: { workflow_manifest: wf(), parameters: [{ name: 'param1', value: 'a' }] },
    ...over,
  });

  test('v1 job validation: unknown fields, name, max_concurrency, cron, interval, experiment, parameters', async () => {
    emu = await startKfpEmulator();
    const exp = (
      await call('POST', '/apis/v1beta1/experiments', {
        name: 'e',
        resource_references: [{ key: { type: 'NAMESPACE', id: 'ns' }, relationship: 'OWNER' }],
      })
    ).body;
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ bogus: true }, 400, /unknown field "bogus"/],
      // server/api_converter.go toModelJob: an empty name is an input error wrapped as internal (500).
      [{ name: '' }, 500, /Job name cannot be empty/],
      [{ max_concurrency: '11' }, 400, /Support 1-10. Received 11/],
      [{ max_concurrency: undefined }, 400, /Received 0/],
      [
        { trigger: { cron_schedule: { cron: '* * *' } } },
        400,
        /cron is not a supported format.*Error: Expected 5 to 6 fields, found 3: \* \* \*$/,
      ],
      [{ trigger: { periodic_schedule: { interval_second: '0' } } }, 400, /invalid period schedule/],
      [{ trigger: { cron_schedule: { cron: '@daily' }, periodic_schedule: { interval_second: '5' } } }, 400, /oneof/],
      [{ enabled: 'yes' }, 400, /invalid value for bool/],
      [
        { resource_references: [{ key: { type: 'EXPERIMENT', id: 'nope' }, relationship: 'OWNER' }] },
        404,
        /Experiment nope not found/,
      ],
      [
        { pipeline_spec: { workflow_manifest: wf(), parameters: [{ name: 'param3', value: 'x' }] } },
        400,
        /Unrecognized input parameter: param3/,
      ],
      // resource/resource_manager.go CreateJob: a plain error, so 500.
      [{ pipeline_spec: {} }, 500, /Cannot create a job with an empty pipeline ID/],
    ];
    for (const [over, status, message] of cases) {
      const r = await call('POST', '/apis/v1beta1/jobs', v1job(exp.id, over));
      expect([over, r.status, r.body.message]).toEqual([over, status, expect.stringMatching(message)]);
    }
    expect(emu.state.jobs.size).toBe(0);
    // camelCase field names are accepted as protojson allows; 5-field cron is accepted (and misread) like robfig v1.
    const ok = await call(
      'POST',
      '/apis/v1beta1/jobs',
      v1job(exp.id, {
        max_concurrency: undefined,
        maxConcurrency: 3,
        noCatchup: true,
        trigger: { cronSchedule: { cron: '0 2 * * *' } },
      }),
    );
    expect(ok.status).toBe(200);
    // server/api_converter.go toApiJobV1: `status` is the Conditions column, unset right after create.
    expect(ok.body).toMatchObject({ max_concurrency: '3', no_catchup: true, status: 'STATUS_UNSPECIFIED' });
    expect(ok.body.enabled).toBeUndefined();
  });

  test('paging: default 20, capped at 200, stable across inserts; filters with op (v1) and operation (v2)', async () => {
    emu = await startKfpEmulator();
    const exp = emu.state.seedExperiment({ name: 'e', namespace: 'ns' });
    const rec = { kind: 'argo' as const, manifest: wf(), parameters: [] };
    for (let i = 0; i < 250; i++)
      emu.state.seedJob({ name: `GIT::j${String(i).padStart(3, '0')}__x`, experimentId: exp.id, pipeline: rec });
    const ns = 'resource_reference_key.type=NAMESPACE&resource_reference_key.id=ns';
    const first = await call('GET', `/apis/v1beta1/jobs?${ns}`);
    expect([first.body.jobs.length, first.body.total_size]).toEqual([20, 250]);
    const big = await call('GET', `/apis/v2beta1/recurringruns?namespace=ns&page_size=500&sort_by=name%20desc`);
    expect(big.body.recurringRuns.length).toBe(200);
    emu.state.seedJob({ name: 'GIT::j000__new', experimentId: exp.id, pipeline: rec }); // sorts before the page boundary
    const rest = await call(
      'GET',
      `/apis/v2beta1/recurringruns?namespace=ns&page_size=500&page_token=${encodeURIComponent(big.body.next_page_token)}`,
    );
    expect(rest.body.recurringRuns.map((r: any) => r.display_name)).toEqual(
      Array.from({ length: 50 }, (_, i) => `GIT::j${String(49 - i).padStart(3, '0')}__x`)
        .concat(['GIT::j000__new'])
        .slice(0, 51),
    );
    expect(rest.body.next_page_token).toBeUndefined();
    expect(
      (
        await call(
          'GET',
          `/apis/v2beta1/recurringruns?namespace=ns&page_token=${encodeURIComponent(big.body.next_page_token)}&sort_by=name`,
        )
      ).status,
    ).toBe(400);
    expect((await call('GET', `/apis/v1beta1/jobs?${ns}&page_size=-1`)).body.message).toMatch(
      /page size should be greater than 0/,
    );

    const f1 = encodeURIComponent(
      JSON.stringify({ predicates: [{ op: 1, key: 'name', stringValue: 'GIT::j007__x' }] }),
    );
    expect((await call('GET', `/apis/v1beta1/jobs?${ns}&filter=${f1}`)).body.jobs.map((j: any) => j.name)).toEqual([
      'GIT::j007__x',
    ]);
    const f2 = encodeURIComponent(
      JSON.stringify({ predicates: [{ operation: 'IS_SUBSTRING', key: 'display_name', string_value: 'j24' }] }),
    );
    expect((await call('GET', `/apis/v2beta1/recurringruns?namespace=ns&filter=${f2}`)).body.total_size).toBe(10);
    const wrongKey = encodeURIComponent(
      JSON.stringify({ predicates: [{ op: 'EQUALS', key: 'name', string_value: 'x' }] }),
    );
    expect((await call('GET', `/apis/v2beta1/recurringruns?namespace=ns&filter=${wrongKey}`)).body.message).toMatch(
      /uses "operation"/,
    );
    expect((await call('GET', `/apis/v1beta1/jobs`)).body.message).toMatch(/multi-user mode, a namespace/);
  });

  test('run listings: scope, default page of 20, filters on state (v2) and status (v1) as runs progress, zero values omitted', async () => {
    emu = await startKfpEmulator({ runTiming: { pendingMs: 60_000, runningMs: 60_000 } });
    const exp = emu.state.seedExperiment({ name: 'train', namespace: 'ns' });
    const empty = emu.state.seedExperiment({ name: 'empty', namespace: 'ns' });
    const rec = { kind: 'argo' as const, manifest: wf(), parameters: [] };
    const at = (msAgo: number) => ({ createdMs: Date.now() - msAgo, createdAt: new Date(Date.now() - msAgo) });
    for (let i = 0; i < 25; i++)
      emu.state.seedRun({ name: `done-${i}`, experimentId: exp.id, pipeline: rec, ...at(3_600_000 + i * 1000) });
    const queued = emu.state.seedRun({ name: 'queued', experimentId: exp.id, pipeline: rec, ...at(0) });
    emu.state.seedRun({ name: 'training', experimentId: exp.id, pipeline: rec, ...at(90_000) });
    emu.state.seedRun({ name: 'stopped', experimentId: exp.id, pipeline: rec, canceledAt: new Date(), ...at(90_000) });

    const first = (await call('GET', `/apis/v2beta1/runs?experiment_id=${exp.id}`)).body;
    expect([first.runs.length, first.total_size, typeof first.next_page_token]).toEqual([20, 28, 'string']);
    expect((await call('GET', `/apis/v2beta1/runs?experiment_id=${empty.id}`)).body).toEqual({});
    expect((await call('GET', '/apis/v2beta1/runs')).body.message).toMatch(/multi-user mode, a namespace/);

    const v2 = (f: object) =>
      call('GET', `/apis/v2beta1/runs?namespace=ns&filter=${encodeURIComponent(JSON.stringify(f))}`);
    const inFlight = {
      predicates: [{ operation: 'IN', key: 'state', string_values: { values: ['PENDING', 'RUNNING', 'PAUSED'] } }],
    };
    expect((await v2(inFlight)).body.runs.map((r: any) => [r.display_name, r.state])).toEqual([
      ['training', 'RUNNING'],
      ['queued', 'PENDING'],
    ]);
    const v1 = (f: object) =>
      call(
        'GET',
        `/apis/v1beta1/runs?resource_reference_key.type=EXPERIMENT&resource_reference_key.id=${exp.id}&filter=${encodeURIComponent(JSON.stringify(f))}`,
      );
    // v1 status as KFP 2.x derives it: a canceled run reads Failed.
    const failed = (await v1({ predicates: [{ op: 'EQUALS', key: 'status', string_value: 'Failed' }] })).body.runs;
    expect(failed.map((r: any) => [r.name, r.status])).toEqual([['stopped', 'Failed']]);
    // State is computed when listed: the queued run is running a minute later.
    queued.createdMs -= 61_000;
    expect((await v2({ predicates: [{ operation: 'EQUALS', key: 'state', string_value: 'PENDING' }] })).body).toEqual(
      {},
    );
    expect((await v2({ predicates: [{ operation: 'EQUALS', key: 'phase', string_value: 'x' }] })).body.message).toMatch(
      /filter key 'phase' is not supported/,
    );
  });

  // KFP 2.x checks no archive state on create (resource/resource_manager.go CreateJob): a job in an
  // archived experiment is accepted.
  test('archiving an experiment disables its recurring runs; unarchive does not re-enable; jobs may still be created in it', async () => {
    emu = await startKfpEmulator();
    const exp = emu.state.seedExperiment({ name: 'e', namespace: 'ns' });
    const j = emu.state.seedJob({
      name: 'j',
      experimentId: exp.id,
      enabled: true,
      pipeline: { kind: 'argo', manifest: wf(), parameters: [] },
    });
    expect((await call('POST', `/apis/v2beta1/experiments/${exp.id}:archive`)).status).toBe(200);
    expect((await call('GET', `/apis/v2beta1/recurringruns/${j.id}`)).body.status).toBe('DISABLED');
    const v1 = (await call('GET', `/apis/v1beta1/experiments/${exp.id}`)).body;
    expect(v1.storage_state).toBe('STORAGESTATE_ARCHIVED');
    expect((await call('POST', '/apis/v1beta1/jobs', v1job(exp.id))).status).toBe(200);
    await call('POST', `/apis/v1beta1/experiments/${exp.id}:unarchive`);
    expect(emu.state.jobs.get(j.id)!.enabled).toBe(false);
    expect(emu.log.writes).toBe(3);
    expect(emu.log.counts()).toMatchObject({
      'POST /apis/v2beta1/experiments/{experiment_id}:archive': 1,
      'POST /apis/v1beta1/jobs': 1,
    });
  });

  test('state file: written after changes, loaded at the next start', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'kfp-state-')), 'state.json');
    emu = await startKfpEmulator({ stateFile: file });
    const exp = (await call('POST', '/apis/v2beta1/experiments', { display_name: 'kept', namespace: 'ns' })).body;
    await call('POST', '/apis/v2beta1/recurringruns', {
      display_name: 'r',
      experiment_id: exp.experiment_id,
      max_concurrency: '1',
      mode: 'ENABLE',
      trigger: { periodic_schedule: { interval_second: '60', start_time: '2024-01-01T00:00:00Z' } },
      pipeline_spec: pipeline('v2beta1'),
      runtime_config: { parameters: { param2: 'x' } },
    });
    await emu.close();
    emu = await startKfpEmulator({ stateFile: file });
    const list = (await call('GET', '/apis/v2beta1/recurringruns?namespace=ns')).body.recurringRuns;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      display_name: 'r',
      status: 'ENABLED',
      trigger: { periodic_schedule: { interval_second: '60', start_time: '2024-01-01T00:00:00Z' } },
      experiment_id: exp.experiment_id,
    });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });
});
