import { afterEach, describe, expect, test } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { type KfpEmulator, type KfpEmulatorOptions, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { fireRecurringRun } from '../../src/kfp/emulator/pipelines.js';
import { KfpContract } from '../support/kfp-contract.js';
import { hasShared } from '../support/paths.js';
import { irPipeline, upload } from './pipeline-text.js';

/**
 * KFP's pipeline service and run lifecycle in the emulator, as KFP 2.17 decides them (tag 2.17.0,
 * backend/src/apiserver/…); each test names the file and function it follows.
 */
let emu: KfpEmulator | undefined;
let contract: KfpContract | undefined;
afterEach(async () => {
  if (emu && hasShared) {
    contract ??= new KfpContract();
    // The upload server answers refusals with apiv1beta1.Error or plain text, not the googleRpcStatus its
    // swagger describes (server/pipeline_upload_server.go writeErrorToResponse): those are left out.
    const entries = emu.log.entries
      .filter((e) => !(e.route.includes('/upload') && e.status !== 200))
      .map((e) => ({ ...e, requestBody: undefined }));
    expect(entries.flatMap((e) => contract!.validate(e))).toEqual([]);
  }
  await emu?.close();
  emu = undefined;
});

const start = async (o: KfpEmulatorOptions = {}) => (emu = await startKfpEmulator(o));

async function call(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(emu!.url + p, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const V2 = '/apis/v2beta1';
const up = (query: Record<string, string>, file = irPipeline(), filename?: string) =>
  upload(emu!.url, `${V2}/pipelines/upload`, file, query, filename);
const upVersion = (query: Record<string, string>, file = irPipeline()) =>
  upload(emu!.url, `${V2}/pipelines/upload_version`, file, query);
const byName = (name: string, operation: string | number = 1) =>
  encodeURIComponent(JSON.stringify({ predicates: [{ operation, key: 'display_name', stringValue: name }] }));

describe.each([
  ['multi-user', true],
  ['single-user', false],
])('the pipeline service (%s)', (_mode, multiUser) => {
  // server/pipeline_upload_server.go uploadPipeline; resource_manager.go CreatePipelineAndPipelineVersion:
  // the first version takes the pipeline's name, display name and description.
  test('upload_pipeline creates a pipeline and its first version with the uploaded spec', async () => {
    await start({ multiUser });
    const r = await up({ name: 'my-pipe', description: 'd' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'my-pipe', display_name: 'my-pipe', description: 'd' });
    expect(r.body.namespace).toBeUndefined();
    const id = r.body.pipeline_id;
    expect((await call('GET', `${V2}/pipelines/${id}`)).body).toEqual(r.body);
    const versions = await call('GET', `${V2}/pipelines/${id}/versions`);
    expect(versions.body.total_size).toBe(1);
    const [v] = versions.body.pipeline_versions;
    expect(v).toMatchObject({ pipeline_id: id, name: 'my-pipe', display_name: 'my-pipe', description: 'd' });
    expect(v.pipeline_spec.pipelineInfo.name).toBe('two-inputs');
  });

  // pipeline_upload_server.go buildPipelineName: name, else display_name, else the file name.
  test('an upload without a name is named after the file', async () => {
    await start({ multiUser });
    expect((await up({}, irPipeline(), 'nightly.yaml')).body.name).toBe('nightly.yaml');
    expect((await up({ display_name: 'Shown' })).body).toMatchObject({ name: 'Shown', display_name: 'Shown' });
  });

  // pipeline_upload_server.go uploadPipelineVersion; api_util.go YamlStringToPipelineSpecStruct returns
  // {pipeline_spec, platform_spec} when the file holds a platform spec.
  test('upload_pipeline_version stores each spec; a platform spec comes back beside the pipeline spec', async () => {
    await start({ multiUser });
    const id = (await up({ name: 'p' })).body.pipeline_id;
    const v2 = await upVersion({ name: 'v2', pipelineid: id, description: 'second' }, irPipeline({ msgDefault: 'v2' }));
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ pipeline_id: id, name: 'v2', display_name: 'v2', description: 'second' });
    const got = await call('GET', `${V2}/pipelines/${id}/versions/${v2.body.pipeline_version_id}`);
    expect(got.body.pipeline_spec.root.inputDefinitions.parameters.msg.defaultValue).toBe('v2');
    const k8s = await upVersion({ name: 'k8s', pipelineid: id }, irPipeline({ platform: true }));
    expect(Object.keys(k8s.body.pipeline_spec).sort()).toEqual(['pipeline_spec', 'platform_spec']);
    expect(
      k8s.body.pipeline_spec.platform_spec.platforms.kubernetes.deploymentSpec.executors['exec-echo'].nodeSelector
        .labels,
    ).toEqual({ pool: 'cpu' });
    const again = await upVersion({ name: 'V2', pipelineid: id });
    // pipeline_store.go CreatePipelineVersion: unique (PipelineId, Name), compared as MySQL does.
    expect([again.status, again.body]).toEqual([
      409,
      { error_message: 'Failed to create a pipeline version', error_details: 'Failed to create a pipeline version' },
    ]);
    const unknown = await upVersion({ name: 'x', pipelineid: 'nope' });
    expect([unknown.status, unknown.body.error_message]).toEqual([400, 'Failed to create a pipeline version']);
  });

  // The SDK's get_pipeline_id lists with a numeric operation and camelCase stringValue (list.go accepts
  // both spellings); list_pipelines sends "EQUALS". pipeline_server.go GetPipelineByName answers 404.
  test('pipelines are found by name through filters and names/{name}; paging and sorting as KFP lists', async () => {
    await start({ multiUser });
    const ids: string[] = [];
    for (const n of ['b-pipe', 'a-pipe', 'c-pipe']) ids.push((await up({ name: n })).body.pipeline_id);
    expect(
      (await call('GET', `${V2}/pipelines?filter=${byName('a-pipe')}`)).body.pipelines.map((p: any) => p.pipeline_id),
    ).toEqual([ids[1]]);
    expect((await call('GET', `${V2}/pipelines?filter=${byName('A-PIPE', 'EQUALS')}`)).body.total_size).toBe(1);
    expect((await call('GET', `${V2}/pipelines?filter=${byName('nope')}`)).body).toEqual({});
    const sorted = await call('GET', `${V2}/pipelines?sort_by=name%20desc&page_size=2`);
    expect(sorted.body.pipelines.map((p: any) => p.name)).toEqual(['c-pipe', 'b-pipe']);
    const next = await call('GET', `${V2}/pipelines?page_token=${sorted.body.next_page_token}&page_size=2`);
    expect(next.body.pipelines.map((p: any) => p.name)).toEqual(['a-pipe']);
    expect((await call('GET', `${V2}/pipelines/names/b-pipe`)).body.pipeline_id).toBe(ids[0]);
    const missing = await call('GET', `${V2}/pipelines/names/zzz`);
    expect([missing.status, missing.body.details[0].message]).toEqual([404, 'Namespace/Pipeline /zzz not found']);
  });

  // resource_manager.go DeletePipeline: refused while versions exist unless cascade; DeletePipelineVersion.
  test('a pipeline with versions is deleted only with cascade; deleted versions and pipelines answer 404', async () => {
    await start({ multiUser });
    const id = (await up({ name: 'p' })).body.pipeline_id;
    const [v1] = (await call('GET', `${V2}/pipelines/${id}/versions`)).body.pipeline_versions;
    const v2 = (await upVersion({ name: 'v2', pipelineid: id })).body.pipeline_version_id;
    const refused = await call('DELETE', `${V2}/pipelines/${id}`);
    expect(refused.status).toBe(400);
    expect(refused.body.details[0].message).toMatch(
      new RegExp(
        `^Failed to delete pipeline with id ${id} as it has existing pipeline versions \\(e\\.g\\. ${v2}\\)\\. Set cascade=true to delete all versions$`,
      ),
    );
    expect((await call('DELETE', `${V2}/pipelines/${id}/versions/${v2}`)).status).toBe(200);
    const gone = await call('GET', `${V2}/pipelines/${id}/versions/${v2}`);
    expect([gone.status, gone.body.details[0].message]).toEqual([404, `PipelineVersion ${v2} not found`]);
    expect((await call('GET', `${V2}/pipelines/${id}/versions`)).body.total_size).toBe(1);
    expect((await call('DELETE', `${V2}/pipelines/${id}?cascade=true`)).status).toBe(200);
    expect((await call('GET', `${V2}/pipelines/${id}/versions/${v1.pipeline_version_id}`)).status).toBe(404);
    const p = await call('GET', `${V2}/pipelines/${id}`);
    expect([p.status, p.body.details[0].message]).toEqual([404, `Pipeline ${id} not found`]);
    expect((await call('GET', `${V2}/pipelines?filter=${byName('p')}`)).body).toEqual({});
  });

  // pipeline_store.go CreatePipelineAndPipelineVersion: (Name, Namespace) unique; template/v2_template.go
  // NewV2SpecTemplate refusals come back as 400 with the external message; validation/length.go
  // ValidateFieldLength answers through http.Error (plain text).
  test('uploads are refused as KFP refuses them', async () => {
    await start({ multiUser });
    expect((await up({ name: 'dup' })).status).toBe(200);
    const dup = await up({ name: 'DUP' });
    expect([dup.status, dup.body]).toEqual([
      409,
      {
        error_message: 'Failed to create a pipeline and a pipeline version',
        error_details: 'Failed to create a pipeline and a pipeline version',
      },
    ]);
    const schema = await up({ name: 'old' }, irPipeline({ schemaVersion: '2.0.0' }));
    expect([schema.status, schema.body.error_message]).toEqual([
      400,
      'KFP only supports schema version 2.1.0, but the pipeline spec has version 2.0.0',
    ]);
    const badName = await up({ name: 'caps' }, irPipeline({ name: 'Not_Valid' }));
    expect([badName.status, badName.body.error_message]).toEqual([
      400,
      "pipeline's name must contain only lowercase alphanumeric characters or '-' and must start with alphanumeric characters",
    ]);
    const notSpec = await up({ name: 'x' }, 'hello: world\n');
    expect([notSpec.status, notSpec.body.error_message]).toEqual([400, 'unknown template format']);
    const long = await up({ name: 'n'.repeat(129) });
    expect([long.status, long.text]).toEqual([400, 'Invalid input error: Pipeline.Name length cannot exceed 128\n']);
    const zip = await up({ name: 'z' }, 'PK', 'p.txt');
    expect([zip.status, zip.body.error_message]).toEqual([400, 'Failed to read a pipeline spec file']);
    const noFile = await fetch(`${emu!.url}${V2}/pipelines/upload?name=n`, { method: 'POST', body: new FormData() });
    expect([noFile.status, ((await noFile.json()) as { error_message: string }).error_message]).toEqual([
      400,
      'Failed to read pipeline from file',
    ]);
  });

  // server/pipeline_server.go CreatePipeline (no version) and CreatePipelineVersion (package_url);
  // validation/pipeline_url.go ValidatePipelineURL refuses http URLs.
  test('JSON creates: a pipeline without versions; a version from a URL KFP would not fetch is refused', async () => {
    await start({ multiUser });
    const p = await call('POST', `${V2}/pipelines`, { display_name: 'empty' });
    expect(p.body).toMatchObject({ name: 'empty', display_name: 'empty' });
    expect((await call('GET', `${V2}/pipelines/${p.body.pipeline_id}/versions`)).body).toEqual({});
    const v = await call('POST', `${V2}/pipelines/${p.body.pipeline_id}/versions`, {
      pipeline_id: p.body.pipeline_id,
      name: 'v',
      package_url: { pipeline_url: 'http://127.0.0.1/p.yaml' },
    });
    expect([v.status, v.body.details[0].message]).toEqual([400, 'Pipeline URL validation failed']);
    const noUrl = await call('POST', `${V2}/pipelines/${p.body.pipeline_id}/versions`, {
      pipeline_id: p.body.pipeline_id,
      name: 'v',
    });
    expect([noUrl.status, noUrl.body.details[0].message]).toEqual([
      400,
      'Failed to create a pipeline version. Package URL is nil',
    ]);
    // The pipeline has no versions, so it is deleted without cascade.
    expect((await call('DELETE', `${V2}/pipelines/${p.body.pipeline_id}`)).status).toBe(200);
  });

  // resource_manager.go fetchPipelineVersionFromPipelineSpec: the given version (which must belong to the
  // given pipeline), else the pipeline's newest version; api_converter.go toApiRun reports the reference.
  test('runs and recurring runs from a pipeline_version_reference, with and without a version id', async () => {
    await start({ multiUser });
    const exp = (
      await call('POST', `${V2}/experiments`, { display_name: 'e', namespace: multiUser ? 'ns' : undefined })
    ).body.experiment_id;
    const pid = (await up({ name: 'p' })).body.pipeline_id;
    const v2 = (await upVersion({ name: 'v2', pipelineid: pid })).body.pipeline_version_id;
    const other = (await up({ name: 'other' })).body.pipeline_id;
    const run = async (ref: Record<string, string>) =>
      call('POST', `${V2}/runs`, {
        display_name: 'r',
        experiment_id: exp,
        pipeline_version_reference: ref,
        runtime_config: { parameters: { x: 7 } },
      });
    const withVersion = await run({ pipeline_id: pid, pipeline_version_id: v2 });
    expect(withVersion.body.pipeline_version_reference).toEqual({ pipeline_id: pid, pipeline_version_id: v2 });
    expect((await call('GET', `${V2}/runs/${withVersion.body.run_id}`)).body.runtime_config).toEqual({
      parameters: { x: 7 },
    });
    const latest = await run({ pipeline_id: pid });
    expect(latest.body.pipeline_version_reference).toEqual({ pipeline_id: pid, pipeline_version_id: v2 });
    const mismatch = await run({ pipeline_id: other, pipeline_version_id: v2 });
    expect([mismatch.status, mismatch.body.details[0].message]).toEqual([
      400,
      `Pipeline version ${v2} belongs to pipeline ${pid} (not ${other})`,
    ]);
    const unknown = await run({ pipeline_id: pid, pipeline_version_id: 'nope' });
    expect([unknown.status, unknown.body.details[0].message]).toEqual([404, 'PipelineVersion nope not found']);
    const rr = await call('POST', `${V2}/recurringruns`, {
      display_name: 'rr',
      experiment_id: exp,
      max_concurrency: '1',
      trigger: { cron_schedule: { cron: '0 0 * * * *' } },
      pipeline_version_reference: { pipeline_id: pid },
    });
    // resource_manager.go CreateJob: without a version the recurring run is not pinned (backend/test/v2/
    // integration/recurring_run_api_test.go TestRecurringRunApisUseLatest); a bad version is a 500 there.
    expect(rr.body.pipeline_version_reference).toEqual({ pipeline_id: pid });
    const rrBad = await call('POST', `${V2}/recurringruns`, {
      display_name: 'rr2',
      experiment_id: exp,
      max_concurrency: '1',
      pipeline_version_reference: { pipeline_id: pid, pipeline_version_id: 'nope' },
    });
    expect([rrBad.status, rrBad.body.details[0].message]).toEqual([500, 'Internal Server Error']);
    const rrPinned = await call('POST', `${V2}/recurringruns`, {
      display_name: 'rr3',
      experiment_id: exp,
      max_concurrency: '1',
      pipeline_version_reference: { pipeline_id: pid, pipeline_version_id: v2 },
    });
    expect(rrPinned.body.pipeline_version_reference).toEqual({ pipeline_id: pid, pipeline_version_id: v2 });
  });
});

// A recurring run referencing a pipeline without a version, by release. From 2.5 (#11542) resource_manager.go
// CreateJob leaves it unpinned and the ScheduledWorkflow controller's CreateRun resolves the newest version at
// each run (fetchPipelineVersionFromPipelineSpec → GetLatestPipelineVersion); before 2.5, CreateJob resolved
// it through fetchTemplateFromPipelineSpec at creation, so every run ran that version.
describe.each([
  ['2.17.0', true],
  ['2.5.0', true],
  ['2.4.1', false],
])('a recurring run of the newest version on KFP %s', (kfpVersion, follows) => {
  test(
    follows ? 'runs the version that is newest at each run' : 'is pinned to the newest version at creation',
    async () => {
      await start({ kfpVersion });
      const exp = (await call('POST', `${V2}/experiments`, { display_name: 'e', namespace: 'ns' })).body.experiment_id;
      const pid = (await up({ name: 'p', namespace: 'ns' })).body.pipeline_id;
      const first = emu!.state.latestVersion(pid)!.id;
      const rr = await call('POST', `${V2}/recurringruns`, {
        display_name: 'rr',
        experiment_id: exp,
        max_concurrency: '1',
        trigger: { cron_schedule: { cron: '0 0 * * * *' } },
        pipeline_version_reference: { pipeline_id: pid },
      });
      expect(rr.body.pipeline_version_reference).toEqual(
        follows ? { pipeline_id: pid } : { pipeline_id: pid, pipeline_version_id: first },
      );
      await new Promise((r) => setTimeout(r, 1000)); // KFP orders versions by created_at, in seconds
      const second = (await upVersion({ name: 'v2', pipelineid: pid })).body.pipeline_version_id;
      const run = fireRecurringRun(emu!.state, rr.body.recurring_run_id);
      const seen = (await call('GET', `${V2}/runs/${run.id}`)).body;
      expect(seen.recurring_run_id).toBe(rr.body.recurring_run_id);
      expect(seen.pipeline_version_reference).toEqual({
        pipeline_id: pid,
        pipeline_version_id: follows ? second : first,
      });
    },
  );
});

describe('shared and namespaced pipelines (multi-user)', () => {
  // server/pipeline_server.go listPipelines filters by the namespace given ('' = shared);
  // canAccessPipeline lets anyone read shared pipelines and authorizes namespaced ones.
  test('a namespaced upload is listed in its namespace only; shared ones without a namespace', async () => {
    await start({ auth: { userHeader: 'kubeflow-userid', access: { 'alice@x': ['team-a'] } } });
    const as = { 'kubeflow-userid': 'alice@x' };
    const team = await upload(
      emu!.url,
      `${V2}/pipelines/upload`,
      irPipeline(),
      { name: 'p', namespace: 'team-a' },
      'p.yaml',
      as,
    );
    expect(team.body.namespace).toBe('team-a');
    const shared = await upload(emu!.url, `${V2}/pipelines/upload`, irPipeline(), { name: 'p' }, 'p.yaml', as);
    expect(shared.status).toBe(200);
    const list = async (q: string) =>
      (await (await fetch(`${emu!.url}${V2}/pipelines${q}`, { headers: as })).json()) as any;
    expect((await list('?namespace=team-a')).pipelines.map((p: any) => p.pipeline_id)).toEqual([team.body.pipeline_id]);
    expect((await list('')).pipelines.map((p: any) => p.pipeline_id)).toEqual([shared.body.pipeline_id]);
    const denied = await upload(
      emu!.url,
      `${V2}/pipelines/upload`,
      irPipeline(),
      { name: 'p', namespace: 'team-b' },
      'p.yaml',
      as,
    );
    expect([denied.status, denied.body.error_message]).toEqual([400, 'Failed to create a pipeline']);
    const read = await fetch(`${emu!.url}${V2}/pipelines/${team.body.pipeline_id}`, {
      headers: { 'kubeflow-userid': 'bob@x' },
    });
    expect(read.status).toBe(403);
  });
});

describe('the run lifecycle', () => {
  async function runIn(o: KfpEmulatorOptions, name = 'r'): Promise<{ exp: string; run: string }> {
    if (!emu) await start({ multiUser: false, ...o });
    const exp = (await call('POST', `${V2}/experiments`, { display_name: `e-${name}` })).body.experiment_id;
    const pid = (await up({ name: `p-${name}` })).body.pipeline_id;
    const run = (
      await call('POST', `${V2}/runs`, {
        display_name: name,
        experiment_id: exp,
        pipeline_version_reference: { pipeline_id: pid },
      })
    ).body.run_id;
    return { exp, run };
  }
  const state = async (run: string) => (await call('GET', `${V2}/runs/${run}`)).body.state;
  const v1Status = async (run: string) => (await call('GET', `/apis/v1beta1/runs/${run}`)).body.run.status;

  // resource_manager.go TerminateRun, run_store.go TerminateRun (CANCELING, v1 "Terminating"); a run
  // that has ended is refused ("Row not found", 400).
  test('terminate: CANCELING (v1 Terminating) until the workflow stops, then CANCELED; an ended run is refused', async () => {
    const { run } = await runIn({ runTiming: { pendingMs: 60_000, runningMs: 60_000, cancelingMs: 60_000 } });
    expect((await call('POST', `${V2}/runs/${run}:terminate`)).status).toBe(200);
    expect(await state(run)).toBe('CANCELING');
    expect(await v1Status(run)).toBe('Terminating');
    const twice = await call('POST', `${V2}/runs/${run}:terminate`);
    expect([twice.status, twice.body.details[0].message]).toEqual([
      400,
      `Failed to terminate a run ${run}. Row not found`,
    ]);
    emu!.state.runTiming.cancelingMs = 0;
    expect(await state(run)).toBe('CANCELED');
    expect((await call('GET', `${V2}/runs/${run}`)).body.finished_at).toBeDefined();
    const unknown = await call('POST', `${V2}/runs/nope:terminate`);
    expect([unknown.status, unknown.body.details[0].message]).toEqual([404, 'Run nope not found']);
  });

  // resource_manager.go ArchiveRun / UnarchiveRun (FailedPrecondition while the experiment is archived).
  test('archive and unarchive set storage_state; a run of an archived experiment stays archived', async () => {
    const { exp, run } = await runIn({});
    expect((await call('POST', `${V2}/runs/${run}:archive`)).status).toBe(200);
    expect((await call('GET', `${V2}/runs/${run}`)).body.storage_state).toBe('ARCHIVED');
    expect((await call('POST', `${V2}/runs/${run}:unarchive`)).status).toBe(200);
    expect((await call('GET', `${V2}/runs/${run}`)).body.storage_state).toBe('AVAILABLE');
    expect((await call('POST', `/apis/v1beta1/runs/${run}:archive`)).status).toBe(200);
    expect((await call('GET', `/apis/v1beta1/runs/${run}`)).body.run.storage_state).toBe('STORAGESTATE_ARCHIVED');
    await call('POST', `${V2}/experiments/${exp}:archive`);
    const refused = await call('POST', `${V2}/runs/${run}:unarchive`);
    expect([refused.status, refused.body.details[0].message]).toEqual([
      400,
      `Failed to unarchive run ${run} as experiment ${exp} must be un-archived first`,
    ]);
  });

  // resource_manager.go DeleteRun.
  test('delete removes the run (v2 and v1)', async () => {
    const { run } = await runIn({});
    expect((await call('DELETE', `${V2}/runs/${run}`)).status).toBe(200);
    expect((await call('GET', `${V2}/runs/${run}`)).status).toBe(404);
    expect((await call('DELETE', `${V2}/runs/${run}`)).status).toBe(404);
    const { run: other } = await runIn({}, 'r2');
    expect((await call('DELETE', `/apis/v1beta1/runs/${other}`)).status).toBe(200);
    expect((await call('GET', `/apis/v1beta1/runs/${other}`)).status).toBe(404);
  });

  // resource_manager.go RetryRun; util/workflow.go GenerateRetryExecution: only a Failed/Error workflow.
  test('retry: refused (409) for a run that has not failed; a terminated or failed run runs again', async () => {
    const { run } = await runIn(
      { runTiming: { pendingMs: 0, runningMs: 60_000, cancelingMs: 0 }, failRuns: /^doomed/ },
      'doomed-1',
    );
    const refused = await call('POST', `${V2}/runs/${run}:retry`);
    expect([refused.status, refused.body.details[0].message]).toEqual([409, 'Workflow must be Failed/Error to retry']);
    await call('POST', `${V2}/runs/${run}:terminate`);
    expect(await state(run)).toBe('CANCELED');
    expect((await call('POST', `/apis/v1beta1/runs/${run}/retry`)).status).toBe(200);
    expect(await state(run)).toBe('RUNNING');
    emu!.state.runTiming.runningMs = 0;
    expect(await state(run)).toBe('FAILED');
    expect((await call('POST', `${V2}/runs/${run}:retry`)).status).toBe(200);
  });

  // The emulator's own switches (no KFP counterpart): --fail-runs / --hang-runs match the display name.
  test('runs named by --fail-runs fail and by --hang-runs never end until terminated', async () => {
    await start({
      multiUser: false,
      runTiming: { pendingMs: 0, runningMs: 0, cancelingMs: 0 },
      failRuns: /fail/,
      hangRuns: /hang/,
    });
    const { run: ok } = await runIn({}, 'fine');
    const { run: failing } = await runIn({}, 'will-fail');
    const { run: hanging } = await runIn({}, 'will-hang');
    expect([await state(ok), await state(failing), await state(hanging)]).toEqual(['SUCCEEDED', 'FAILED', 'RUNNING']);
    expect((await call('POST', `/apis/v1beta1/runs/${hanging}/terminate`)).status).toBe(200);
    expect(await state(hanging)).toBe('CANCELED');
  });
});

describe('what KFP fills in', () => {
  const argo = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Workflow',
    metadata: { generateName: 'hello-' },
    spec: {
      entrypoint: 'main',
      arguments: { parameters: [{ name: 'msg', value: 'default' }] },
      templates: [{ name: 'main', container: { image: 'alpine' } }],
    },
  };

  // resource_manager.go CreateRun / CreateJob report the service account the workflow ran with:
  // DEFAULTPIPELINERUNNERSERVICEACCOUNT (config.json: pipeline-runner) unless the request names one.
  test('runs and recurring runs report the default service account; the default is configurable', async () => {
    await start({ multiUser: false });
    const run = await call('POST', `${V2}/runs`, { display_name: 'r', pipeline_spec: parseYaml(irPipeline()) });
    expect(run.body.service_account).toBe('pipeline-runner');
    const own = await call('POST', `${V2}/runs`, {
      display_name: 'r2',
      service_account: 'mine',
      pipeline_spec: parseYaml(irPipeline()),
    });
    expect(own.body.service_account).toBe('mine');
    await emu!.close();
    await start({ multiUser: false, defaultServiceAccount: 'default-editor' });
    const rr = await call('POST', `${V2}/recurringruns`, {
      display_name: 'rr',
      max_concurrency: '1',
      pipeline_spec: parseYaml(irPipeline()),
    });
    expect(rr.body.service_account).toBe('default-editor');
  });

  // apiserver/main.go: single-user KFP creates the Default experiment at start; multi-user KFP does not.
  test('single-user mode starts with the Default experiment', async () => {
    await start({ multiUser: false });
    expect((await call('GET', `${V2}/experiments`)).body.experiments.map((e: any) => e.display_name)).toEqual([
      'Default',
    ]);
    await emu!.close();
    await start({ multiUser: true });
    expect((await call('GET', `${V2}/experiments?namespace=ns`)).body).toEqual({});
  });

  // resource_manager.go CreateRun stores an Argo run's workflow (parameters filled in) as
  // WorkflowRuntimeManifest; api_converter.go toApiRunDetailV1 returns it as pipeline_runtime.workflow_manifest.
  test('a v1 Argo run carries the workflow it runs in pipeline_runtime.workflow_manifest', async () => {
    await start({ multiUser: false });
    const created = await call('POST', '/apis/v1beta1/runs', {
      name: 'r',
      pipeline_spec: { workflow_manifest: JSON.stringify(argo), parameters: [{ name: 'msg', value: 'hello' }] },
    });
    expect(created.status).toBe(200);
    const got = await call('GET', `/apis/v1beta1/runs/${created.body.run.id}`);
    const wf = JSON.parse(got.body.pipeline_runtime.workflow_manifest);
    expect(wf.spec.arguments.parameters).toEqual([{ name: 'msg', value: 'hello' }]);
    expect(wf.spec.serviceAccountName).toBe('pipeline-runner');
  });

  // server/job_server.go has no trigger check; api_converter.go toModelTrigger accepts none.
  test('a recurring run without a trigger is accepted', async () => {
    await start({ multiUser: false });
    const rr = await call('POST', `${V2}/recurringruns`, {
      display_name: 'no-trigger',
      max_concurrency: '1',
      pipeline_spec: parseYaml(irPipeline()),
    });
    expect(rr.status).toBe(200);
    expect(rr.body.trigger).toEqual({});
  });
});

describe('over-long names', () => {
  // validation/length.go ValidateModel via api_converter.go toModelExperiment (wrapped as internal: 500);
  // pipeline_upload_server.go ValidateFieldLength (400, plain text). Lengths are bytes, as Go's len.
  test('experiments over 128 bytes are refused with 500, pipelines over 128 and versions over 127 with 400', async () => {
    await start({ multiUser: true });
    const exp = await call('POST', `${V2}/experiments`, { display_name: 'é'.repeat(65), namespace: 'ns' });
    expect([exp.status, exp.body.message, exp.body.details[0].message]).toEqual([
      500,
      'InternalServerError: Failed to convert API experiment to model experiment: Invalid input error: Experiment.Name length cannot exceed 128',
      'Internal Server Error',
    ]);
    expect((await call('POST', `${V2}/experiments`, { display_name: 'é'.repeat(64), namespace: 'ns' })).status).toBe(
      200,
    );
    const ns = await call('POST', `${V2}/experiments`, { display_name: 'e', namespace: 'n'.repeat(64) });
    expect(ns.status).toBe(500);
    const id = (await up({ name: 'p' })).body.pipeline_id;
    const version = await upVersion({ name: 'v'.repeat(128), pipelineid: id });
    expect([version.status, version.text]).toEqual([
      400,
      'Invalid input error: PipelineVersion.Name length cannot exceed 127\n',
    ]);
    const namespace = await up({ name: 'q', namespace: 'n'.repeat(64) });
    expect([namespace.status, namespace.text]).toEqual([
      400,
      'Invalid input error: Pipeline.Namespace length cannot exceed 63\n',
    ]);
  });
});

describe('the v1beta1 pipeline service', () => {
  // server/pipeline_upload_server.go UploadPipelineV1 and server/pipeline_server.go *V1; api_converter.go
  // toApiPipelineV1 gives the newest version as default_version.
  test('upload, versions, get by namespace and name, templates, deletes', async () => {
    await start({ multiUser: false });
    const V1 = '/apis/v1beta1';
    const p = await upload(emu!.url, `${V1}/pipelines/upload`, irPipeline(), { name: 'legacy' });
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({
      name: 'legacy',
      default_version: {
        name: 'legacy',
        resource_references: [{ key: { type: 'PIPELINE', id: p.body.id }, relationship: 'OWNER' }],
      },
    });
    const v = await upload(emu!.url, `${V1}/pipelines/upload_version`, irPipeline({ msgDefault: 'v2' }), {
      name: 'second',
      pipelineid: p.body.id,
    });
    expect(v.body).toMatchObject({ name: 'second' });
    expect((await call('GET', `${V1}/pipelines/${p.body.id}`)).body.default_version.id).toBe(v.body.id);
    expect((await call('GET', `${V1}/namespaces/-/pipelines/legacy`)).body.id).toBe(p.body.id);
    const versions = await call(
      'GET',
      `${V1}/pipeline_versions?resource_key.type=PIPELINE&resource_key.id=${p.body.id}&sort_by=name`,
    );
    expect(versions.body.versions.map((x: any) => x.name)).toEqual(['legacy', 'second']);
    const template = await call('GET', `${V1}/pipeline_versions/${v.body.id}/templates`);
    expect(parseYaml(template.body.template).root.inputDefinitions.parameters.msg.defaultValue).toBe('v2');
    expect(
      (
        await call(
          'GET',
          `${V1}/pipelines?filter=${encodeURIComponent(JSON.stringify({ predicates: [{ op: 'EQUALS', key: 'name', string_value: 'legacy' }] }))}`,
        )
      ).body.total_size,
    ).toBe(1);
    expect((await call('DELETE', `${V1}/pipelines/${p.body.id}`)).status).toBe(400);
    for (const x of versions.body.versions)
      expect((await call('DELETE', `${V1}/pipeline_versions/${x.id}`)).status).toBe(200);
    expect((await call('DELETE', `${V1}/pipelines/${p.body.id}`)).status).toBe(200);
    expect((await call('GET', `${V1}/pipelines/${p.body.id}`)).status).toBe(404);
  });
});
