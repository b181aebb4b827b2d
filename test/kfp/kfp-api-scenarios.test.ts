import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { irPipeline, upload } from './pipeline-text.js';

/**
 * Scenarios of KFP's own API integration tests (kubeflow/pipelines tag 2.17.0, backend/test/…) that the
 * API server decides on its own (no pods, Argo or ML Metadata), ported to plain HTTP and run in both
 * modes. Each test names the Go test it follows; KFP's sleeps between creates become distinct seconds
 * here by setting created_at directly where the order by time matters.
 */
const V2 = '/apis/v2beta1';
const V1 = '/apis/v1beta1';

describe.each([
  ['multi-user', true],
  ['single-user', false],
])('KFP API integration scenarios (%s)', (_mode, multiUser) => {
  let emu: KfpEmulator;
  const ns = multiUser ? 'kubeflow-user-example-com' : undefined;
  beforeEach(async () => {
    emu = await startKfpEmulator({ multiUser, runTiming: { pendingMs: 0, runningMs: 600_000, cancelingMs: 600_000 } });
  });
  afterEach(async () => emu.close());

  async function call(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(emu.url + p, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  const up = (query: Record<string, string>, file = irPipeline(), name?: string) =>
    upload(emu.url, `${V2}/pipelines/upload`, file, query, name);
  const upVersion = (query: Record<string, string>, file = irPipeline()) =>
    upload(emu.url, `${V2}/pipelines/upload_version`, file, query);
  /** KFP's tests sleep a second between creates so that created_at orders them. */
  const age = (ids: string[], map: Map<string, { createdAt: Date }>) =>
    ids.forEach((id, i) => (map.get(id)!.createdAt = new Date(Date.UTC(2026, 0, 1, 0, 0, i))));
  const names = (list: any[] | undefined, key = 'display_name') => (list ?? []).map((x) => x[key]);

  // backend/test/v2/integration/pipeline_api_test.go TestPipelineAPI
  test('pipelines: upload with name and display name, name uniqueness, paging sorted by name / created_at / name desc', async () => {
    const hello = await up({ name: 'hello-world', display_name: 'hello-world.yaml' });
    expect([hello.body.name, hello.body.display_name]).toEqual(['hello-world', 'hello-world.yaml']);
    const args = await up({ name: 'arguments-parameters', display_name: 'arguments-parameters.yaml' });
    expect(args.status).toBe(200);
    expect((await up({ name: 'arguments-parameters', display_name: 'arguments-parameters.yaml' })).status).toBe(409);
    const seq = await call('POST', `${V2}/pipelines`, {
      name: 'sequential-v2',
      display_name: 'sequential',
      description: 'sequential pipeline',
    });
    const zip = await up({ name: 'zip-arguments-parameters' });
    const argsZip = await up({ name: 'arguments_parameters.zip' });
    age(
      [
        hello.body.pipeline_id,
        args.body.pipeline_id,
        seq.body.pipeline_id,
        zip.body.pipeline_id,
        argsZip.body.pipeline_id,
      ],
      emu.state.pipelines,
    );
    const all = await call('GET', `${V2}/pipelines`);
    expect([all.body.pipelines.length, all.body.total_size]).toEqual([5, 5]);
    const first = await call('GET', `${V2}/pipelines?page_size=2&sort_by=name`);
    expect([names(first.body.pipelines), first.body.total_size]).toEqual([
      ['arguments-parameters.yaml', 'arguments_parameters.zip'],
      5,
    ]);
    const second = await call(
      'GET',
      `${V2}/pipelines?page_size=3&sort_by=name&page_token=${first.body.next_page_token}`,
    );
    expect([names(second.body.pipelines), second.body.next_page_token]).toEqual([
      ['hello-world.yaml', 'sequential', 'zip-arguments-parameters'],
      undefined,
    ]);
    const byTime = await call('GET', `${V2}/pipelines?page_size=3&sort_by=created_at`);
    expect(names(byTime.body.pipelines)).toEqual(['hello-world.yaml', 'arguments-parameters.yaml', 'sequential']);
    expect((await call('GET', `${V2}/pipelines?page_size=2&sort_by=unknownfield`)).status).toBe(400);
    const desc = await call('GET', `${V2}/pipelines?page_size=3&sort_by=name%20desc`);
    expect(names(desc.body.pipelines)).toEqual(['zip-arguments-parameters', 'sequential', 'hello-world.yaml']);
    const desc2 = await call(
      'GET',
      `${V2}/pipelines?page_size=3&sort_by=name%20desc&page_token=${desc.body.next_page_token}`,
    );
    expect(names(desc2.body.pipelines)).toEqual(['arguments_parameters.zip', 'arguments-parameters.yaml']);
    const got = await call('GET', `${V2}/pipelines/${args.body.pipeline_id}`);
    expect([got.body.display_name, typeof got.body.created_at]).toEqual(['arguments-parameters.yaml', 'string']);
  });

  // backend/test/v2/integration/pipeline_version_api_test.go TestPipelineSpec and TestV2Spec
  test('versions: upload, name uniqueness per pipeline, paging sorted by name / created_at / name desc, the stored spec', async () => {
    const pid = (await up({ name: 'test_pipeline' })).body.pipeline_id;
    const [first] = (await call('GET', `${V2}/pipelines/${pid}/versions`)).body.pipeline_versions;
    const v1 = await upVersion({ name: 'test_pipeline_version', pipelineid: pid });
    expect(v1.status).toBe(200);
    expect((await upVersion({ name: 'test_pipeline_version', pipelineid: pid })).status).toBe(409);
    const v2 = await upVersion({ name: 'zip', pipelineid: pid }, irPipeline({ msgDefault: 'zip' }));
    const v3 = await upVersion({ name: 'sequential', pipelineid: pid });
    age(
      [
        first.pipeline_version_id,
        v1.body.pipeline_version_id,
        v2.body.pipeline_version_id,
        v3.body.pipeline_version_id,
      ],
      emu.state.versions,
    );
    const list = await call('GET', `${V2}/pipelines/${pid}/versions`);
    expect(list.body.total_size).toBe(4);
    const byName = await call('GET', `${V2}/pipelines/${pid}/versions?page_size=2&sort_by=name`);
    expect(names(byName.body.pipeline_versions, 'name')).toEqual(['sequential', 'test_pipeline']);
    const byName2 = await call(
      'GET',
      `${V2}/pipelines/${pid}/versions?page_size=2&sort_by=name&page_token=${byName.body.next_page_token}`,
    );
    expect(names(byName2.body.pipeline_versions, 'name')).toEqual(['test_pipeline_version', 'zip']);
    const byTime = await call('GET', `${V2}/pipelines/${pid}/versions?page_size=2&sort_by=created_at`);
    expect(names(byTime.body.pipeline_versions, 'name')).toEqual(['test_pipeline', 'test_pipeline_version']);
    expect((await call('GET', `${V2}/pipelines/${pid}/versions?page_size=2&sort_by=description`)).status).toBe(200);
    expect((await call('GET', `${V2}/pipelines/${pid}/versions?page_size=2&sort_by=unknownfield`)).status).toBe(400);
    const desc = await call('GET', `${V2}/pipelines/${pid}/versions?page_size=3&sort_by=name%20desc`);
    expect(names(desc.body.pipeline_versions, 'name')).toEqual(['zip', 'test_pipeline_version', 'test_pipeline']);
    const got = await call('GET', `${V2}/pipelines/${pid}/versions/${v2.body.pipeline_version_id}`);
    expect(got.body.pipeline_spec.root.inputDefinitions.parameters.msg.defaultValue).toBe('zip');
  });

  // backend/test/v2/api/pipeline_upload_api_test.go: "Verify Pipeline Upload", "… with Tags", "… Version",
  // "… Version with Tags", "… Version with Tags Failure", "Upload Failure", "Upload Version Failure"
  test('upload: custom name and description, tags on pipelines and versions, and every refusal', async () => {
    const p = await up({
      name: 'hello-world',
      display_name: 'Hello World',
      description: 'custom',
      tags: JSON.stringify({ team: 'ml-ops', env: 'prod' }),
    });
    expect(p.body).toMatchObject({
      name: 'hello-world',
      display_name: 'Hello World',
      description: 'custom',
      tags: { team: 'ml-ops', env: 'prod' },
    });
    expect((await call('GET', `${V2}/pipelines/${p.body.pipeline_id}`)).body.tags).toEqual({
      team: 'ml-ops',
      env: 'prod',
    });
    expect((await up({ name: 'no-tags' })).body.tags).toBeUndefined();
    expect((await up({ name: 'empty-tags', tags: '{}' })).body.tags).toBeUndefined();
    const pid = p.body.pipeline_id;
    const v = await upVersion({
      name: 'hello-world-1',
      pipelineid: pid,
      description: 'Some changed pipeline description',
      tags: JSON.stringify({ stage: 'v2' }),
    });
    expect(v.body).toMatchObject({
      name: 'hello-world-1',
      description: 'Some changed pipeline description',
      tags: { stage: 'v2' },
    });
    expect((await call('GET', `${V2}/pipelines/${pid}/versions/${v.body.pipeline_version_id}`)).body.tags).toEqual({
      stage: 'v2',
    });
    const listed = (await call('GET', `${V2}/pipelines/${pid}/versions`)).body.pipeline_versions;
    expect(Object.fromEntries(listed.map((x: any) => [x.name, x.tags]))).toEqual({
      'hello-world': undefined,
      'hello-world-1': { stage: 'v2' },
    });
    const long = 'this-key-is-way-too-long-for-tags-and-exceeds-the-sixty-three-char-limit';
    const longKey = await upVersion({ name: 'k', pipelineid: pid, tags: JSON.stringify({ [long]: 'value' }) });
    expect([longKey.status, longKey.body.error_message]).toEqual([
      400,
      `tag key "${long}" exceeds maximum length of 63 characters`,
    ]);
    const longValue = await upVersion({ name: 'v', pipelineid: pid, tags: JSON.stringify({ key: long }) });
    expect([longValue.status, longValue.body.error_message]).toEqual([
      400,
      `tag value "${long}" for key "key" exceeds maximum length of 63 characters`,
    ]);
    const badJson = await upVersion({ name: 'j', pipelineid: pid, tags: 'not-valid-json' });
    expect([badJson.status, badJson.body.error_message]).toEqual([
      400,
      'Failed to parse tags query parameter. Expected JSON object with string keys and values',
    ]);
    // The first version is named after the pipeline: a version of the same name collides.
    expect((await upVersion({ name: 'hello-world', pipelineid: pid })).status).toBe(409);
    expect((await upVersion({ name: 'x', pipelineid: '12345' })).status).toBe(400);
    expect((await up({ name: 'hello-world' })).status).toBe(409);
    for (const invalidFile of [
      '',
      'kind: Pod\n',
      irPipeline({ schemaVersion: '2.0.0' }),
      'pipelineInfo: {name: x}\nschemaVersion: 2.1.0\n',
    ]) {
      expect((await up({ name: `invalid-${invalidFile.length}` }, invalidFile)).status).toBe(400);
    }
  });

  // backend/test/v2/integration/experiment_api_test.go TestExperimentAPI (the Default experiment exists from
  // the start in single-user mode only: apiserver/main.go); archiving an experiment archives its runs and
  // disables its recurring runs, unarchiving restores neither.
  test('experiments: the Default one, name uniqueness, paging by name / created_at / name desc, archive cascade', async () => {
    const q = ns ? `namespace=${ns}&` : '';
    const start = (await call('GET', `${V2}/experiments?${q}`)).body;
    expect(start.total_size ?? 0).toBe(multiUser ? 0 : 1);
    // In multi-user mode the Default experiment of a namespace is made on demand: make it here to follow the test.
    if (multiUser) emu.state.defaultExperiment(ns!);
    const training = await call('POST', `${V2}/experiments`, {
      display_name: 'training',
      description: 'my first experiment',
      namespace: ns,
    });
    expect(training.body).toMatchObject({
      display_name: 'training',
      description: 'my first experiment',
      storage_state: 'AVAILABLE',
    });
    const dup = await call('POST', `${V2}/experiments`, { display_name: 'training', namespace: ns });
    expect(dup.body.message).toContain('Please specify a new name');
    const prediction = (await call('POST', `${V2}/experiments`, { display_name: 'prediction', namespace: ns })).body
      .experiment_id;
    const moonshot = (await call('POST', `${V2}/experiments`, { display_name: 'moonshot', namespace: ns })).body
      .experiment_id;
    const def = [...emu.state.experiments.values()].find((e) => e.name === 'Default')!.id;
    age([def, training.body.experiment_id, prediction, moonshot], emu.state.experiments);
    const byName = await call('GET', `${V2}/experiments?${q}page_size=2&sort_by=name`);
    expect([names(byName.body.experiments), byName.body.total_size]).toEqual([['Default', 'moonshot'], 4]);
    const byName2 = await call(
      'GET',
      `${V2}/experiments?${q}page_size=2&sort_by=name&page_token=${byName.body.next_page_token}`,
    );
    expect([names(byName2.body.experiments), byName2.body.next_page_token]).toEqual([
      ['prediction', 'training'],
      undefined,
    ]);
    const byTime = await call('GET', `${V2}/experiments?${q}page_size=2&sort_by=created_at`);
    expect(names(byTime.body.experiments)).toEqual(['Default', 'training']);
    const byTime2 = await call(
      'GET',
      `${V2}/experiments?${q}page_size=2&sort_by=created_at&page_token=${byTime.body.next_page_token}`,
    );
    expect(names(byTime2.body.experiments)).toEqual(['prediction', 'moonshot']);
    expect((await call('GET', `${V2}/experiments?${q}page_size=2&sort_by=unknownfield`)).status).toBe(400);
    expect(
      names((await call('GET', `${V2}/experiments?${q}page_size=2&sort_by=name%20desc`)).body.experiments),
    ).toEqual(['training', 'prediction']);
    const exp = training.body.experiment_id;
    const pid = (await up({ name: 'hello-world' })).body.pipeline_id;
    const runs = [];
    for (const n of ['run1', 'run2'])
      runs.push(
        (
          await call('POST', `${V2}/runs`, {
            display_name: n,
            experiment_id: exp,
            pipeline_version_reference: { pipeline_id: pid },
          })
        ).body.run_id,
      );
    const rr = (
      await call('POST', `${V2}/recurringruns`, {
        display_name: 'rr',
        experiment_id: exp,
        max_concurrency: '10',
        mode: 'ENABLE',
        trigger: { periodic_schedule: { interval_second: '60' } },
        pipeline_version_reference: { pipeline_id: pid },
      })
    ).body.recurring_run_id;
    expect((await call('POST', `${V2}/experiments/${exp}:archive`)).status).toBe(200);
    expect((await call('GET', `${V2}/experiments/${exp}`)).body.storage_state).toBe('ARCHIVED');
    for (const r of runs) expect((await call('GET', `${V2}/runs/${r}`)).body.storage_state).toBe('ARCHIVED');
    expect((await call('GET', `${V2}/recurringruns/${rr}`)).body.status).toBe('DISABLED');
    expect((await call('POST', `${V2}/experiments/${exp}:unarchive`)).status).toBe(200);
    expect((await call('GET', `${V2}/experiments/${exp}`)).body.storage_state).toBe('AVAILABLE');
    for (const r of runs) expect((await call('GET', `${V2}/runs/${r}`)).body.storage_state).toBe('ARCHIVED');
    expect((await call('GET', `${V2}/recurringruns/${rr}`)).body.status).toBe('DISABLED');
  });

  // backend/test/v2/integration/recurring_run_api_test.go TestRecurringRunApis (the API server's part:
  // create from a version or a spec, list, page, sort, filter by created_at) and TestRecurringRunApisUseLatest.
  test('recurring runs: from a pipeline version or a spec, listed, paged, sorted, filtered by created_at', async () => {
    const pid = (await up({ name: 'hello-world' })).body.pipeline_id;
    const vid = (await upVersion({ name: 'hello-world-version', pipelineid: pid })).body.pipeline_version_id;
    const helloExp = (
      await call('POST', `${V2}/experiments`, { display_name: 'hello world experiment', namespace: ns })
    ).body.experiment_id;
    const argExp = (
      await call('POST', `${V2}/experiments`, { display_name: 'argument parameter experiment', namespace: ns })
    ).body.experiment_id;
    const base = {
      max_concurrency: '10',
      mode: 'ENABLE',
      no_catchup: true,
      trigger: { periodic_schedule: { interval_second: '60' } },
    };
    const hello = await call('POST', `${V2}/recurringruns`, {
      ...base,
      display_name: 'hello world',
      description: 'this is hello world',
      experiment_id: helloExp,
      pipeline_version_reference: { pipeline_id: pid, pipeline_version_id: vid },
    });
    expect(hello.body).toMatchObject({
      display_name: 'hello world',
      status: 'ENABLED',
      mode: 'ENABLE',
      pipeline_version_reference: { pipeline_id: pid, pipeline_version_id: vid },
      experiment_id: helloExp,
    });
    expect((await call('GET', `${V2}/recurringruns/${hello.body.recurring_run_id}`)).body).toEqual(hello.body);
    const arg = await call('POST', `${V2}/recurringruns`, {
      ...base,
      display_name: 'argument parameter',
      experiment_id: argExp,
      pipeline_spec: parseYaml(irPipeline()),
      runtime_config: { parameters: { msg: 'goodbye' } },
    });
    expect(arg.body.runtime_config).toEqual({ parameters: { msg: 'goodbye' } });
    emu.state.jobs.get(hello.body.recurring_run_id)!.createdAt = new Date(Date.UTC(2026, 0, 1));
    emu.state.jobs.get(arg.body.recurring_run_id)!.createdAt = new Date(Date.UTC(2026, 0, 2));
    const q = ns ? `namespace=${ns}&` : '';
    expect((await call('GET', `${V2}/recurringruns?${q}`)).body.total_size).toBe(2);
    const page1 = await call('GET', `${V2}/recurringruns?${q}page_size=1&sort_by=created_at`);
    expect([names(page1.body.recurringRuns), page1.body.total_size]).toEqual([['hello world'], 2]);
    const page2 = await call(
      'GET',
      `${V2}/recurringruns?${q}page_size=1&sort_by=created_at&page_token=${page1.body.next_page_token}`,
    );
    expect(names(page2.body.recurringRuns)).toEqual(['argument parameter']);
    expect(names((await call('GET', `${V2}/recurringruns?${q}page_size=1&sort_by=name`)).body.recurringRuns)).toEqual([
      'argument parameter',
    ]);
    expect((await call('GET', `${V2}/recurringruns?${q}page_size=2&sort_by=unknown`)).status).toBe(400);
    expect(names((await call('GET', `${V2}/recurringruns?experiment_id=${helloExp}`)).body.recurringRuns)).toEqual([
      'hello world',
    ]);
    const latest = await call('POST', `${V2}/recurringruns`, {
      ...base,
      mode: 'DISABLE',
      display_name: 'new hello world recurringRun',
      experiment_id: helloExp,
      pipeline_version_reference: { pipeline_id: pid },
    });
    expect([latest.body.status, latest.body.pipeline_version_reference]).toEqual(['DISABLED', { pipeline_id: pid }]);
    expect((await call('GET', `${V2}/recurringruns?${q}`)).body.total_size).toBe(3);
    const filter = encodeURIComponent(
      JSON.stringify({
        predicates: [
          { key: 'created_at', operation: 'LESS_THAN', string_value: String(Math.floor(Date.UTC(2026, 0, 3) / 1000)) },
        ],
      }),
    );
    expect((await call('GET', `${V2}/recurringruns?${q}filter=${filter}`)).body.total_size).toBe(2);
  });

  // backend/test/v2/integration/run_api_test.go TestRunAPIs (and backend/test/integration/run_api_test.go
  // TestRunApis through v1beta1): runs from a version, listing, filters, archive, terminate.
  test('runs: created from a pipeline version, listed, filtered by created_at, archived, terminated (v2 and v1)', async () => {
    const pid = (await up({ name: 'hello-world' })).body.pipeline_id;
    const vid = (await upVersion({ name: 'hello-world-version', pipelineid: pid })).body.pipeline_version_id;
    const helloExp = (
      await call('POST', `${V2}/experiments`, { display_name: 'hello world experiment', namespace: ns })
    ).body.experiment_id;
    const hello = await call('POST', `${V2}/runs`, {
      display_name: 'hello world',
      experiment_id: helloExp,
      pipeline_version_reference: { pipeline_id: pid, pipeline_version_id: vid },
    });
    expect(hello.body).toMatchObject({
      display_name: 'hello world',
      experiment_id: helloExp,
      pipeline_version_reference: { pipeline_id: pid, pipeline_version_id: vid },
      storage_state: 'AVAILABLE',
    });
    const argExp = (
      await call('POST', `${V2}/experiments`, { display_name: 'argument parameter experiment', namespace: ns })
    ).body.experiment_id;
    const arg = await call('POST', `${V2}/runs`, {
      display_name: 'argument parameter',
      experiment_id: argExp,
      pipeline_spec: parseYaml(irPipeline()),
      runtime_config: { parameters: { msg: 'hello' } },
    });
    expect(arg.status).toBe(200);
    emu.state.runs.get(hello.body.run_id)!.createdAt = new Date(Date.UTC(2026, 0, 1));
    emu.state.runs.get(arg.body.run_id)!.createdAt = new Date(Date.UTC(2026, 0, 2));
    const scope = ns ? `namespace=${ns}&` : '';
    expect((await call('GET', `${V2}/runs?${scope}`)).body.total_size).toBe(2);
    const page1 = await call('GET', `${V2}/runs?${scope}page_size=1&sort_by=created_at`);
    expect([names(page1.body.runs), page1.body.total_size]).toEqual([['hello world'], 2]);
    const page2 = await call(
      'GET',
      `${V2}/runs?${scope}page_size=1&sort_by=created_at&page_token=${page1.body.next_page_token}`,
    );
    expect([names(page2.body.runs), page2.body.next_page_token]).toEqual([['argument parameter'], undefined]);
    expect(names((await call('GET', `${V2}/runs?${scope}page_size=1&sort_by=name`)).body.runs)).toEqual([
      'argument parameter',
    ]);
    expect((await call('GET', `${V2}/runs?${scope}sort_by=unknownfield`)).status).toBe(400);
    expect(names((await call('GET', `${V2}/runs?experiment_id=${helloExp}`)).body.runs)).toEqual(['hello world']);
    const filterTime = Math.floor(Date.UTC(2026, 0, 3) / 1000);
    await call('POST', `${V2}/runs`, {
      display_name: 'argument parameter 2',
      experiment_id: argExp,
      pipeline_version_reference: { pipeline_id: pid },
    });
    expect((await call('GET', `${V2}/runs?${scope}`)).body.total_size).toBe(3);
    const filter = encodeURIComponent(
      JSON.stringify({ predicates: [{ key: 'created_at', operation: 'LESS_THAN', string_value: String(filterTime) }] }),
    );
    expect((await call('GET', `${V2}/runs?${scope}filter=${filter}`)).body.total_size).toBe(2);
    expect((await call('POST', `${V2}/runs/${hello.body.run_id}:archive`)).status).toBe(200);
    const archived = await call('GET', `${V2}/runs?experiment_id=${helloExp}`);
    expect([names(archived.body.runs), archived.body.runs[0].storage_state]).toEqual([['hello world'], 'ARCHIVED']);
    const long = await call('POST', `${V2}/runs`, {
      display_name: 'long running',
      experiment_id: helloExp,
      pipeline_version_reference: { pipeline_id: pid, pipeline_version_id: vid },
    });
    expect((await call('POST', `${V2}/runs/${long.body.run_id}:terminate`)).status).toBe(200);
    expect((await call('GET', `${V2}/runs/${long.body.run_id}`)).body.state).toBe('CANCELING');
    // v1beta1: the same through resource references; terminate answers {} and the run reads Terminating.
    const v1 = await call('POST', `${V1}/runs`, {
      name: 'long running v1',
      resource_references: [
        { key: { type: 'EXPERIMENT', id: helloExp }, relationship: 'OWNER' },
        { key: { type: 'PIPELINE_VERSION', id: vid }, relationship: 'CREATOR' },
      ],
    });
    expect(v1.status).toBe(200);
    expect((await call('POST', `${V1}/runs/${v1.body.run.id}/terminate`)).body).toEqual({});
    expect((await call('GET', `${V1}/runs/${v1.body.run.id}`)).body.run.status).toBe('Terminating');
  });
});
