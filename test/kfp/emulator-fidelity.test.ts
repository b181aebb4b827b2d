import { afterEach, expect, test } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { type KfpEmulator, type KfpEmulatorOptions, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { describeWithShared } from '../support/paths.js';
import { expectContract, pipeline } from './helpers.js';

/**
 * Where the emulator's picture of KFP 2.17 was wrong, against KFP's backend source (tag 2.17.0,
 * backend/src/apiserver/…): each test names the file and function it follows.
 */
let emu: KfpEmulator | undefined;
afterEach(async () => {
  if (emu) {
    expectContract(emu, { requests: false }); // some requests here are deliberately bad
    await emu.close();
  }
  emu = undefined;
});

async function call(
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
  base = emu!.url,
): Promise<{ status: number; body: any }> {
  const res = await fetch(base + p, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const start = async (o: KfpEmulatorOptions = {}) => (emu = await startKfpEmulator(o));
const trigger = { cron_schedule: { cron: '0 0 * * * *' } };
// param2 is the pipeline's required input (template/v2_template.go validatePipelineJobInputs refuses a job without it).
const v2Job = (experimentId: string, over: Record<string, unknown> = {}) => ({
  display_name: 'r',
  experiment_id: experimentId,
  max_concurrency: '1',
  trigger,
  pipeline_spec: pipeline('v2beta1'),
  runtime_config: { parameters: { param2: 'x' } },
  ...over,
});
const v1Job = (experimentId: string, over: Record<string, unknown> = {}) => ({
  name: 'j',
  max_concurrency: '1',
  trigger,
  resource_references: [{ key: { type: 'EXPERIMENT', id: experimentId }, relationship: 'OWNER' }],
  pipeline_spec: {
    workflow_manifest: JSON.stringify(pipeline('v1beta1')),
    parameters: [{ name: 'param1', value: 'a' }],
  },
  ...over,
});

describeWithShared('the emulator as KFP 2.17 answers', () => {
  // storage/experiment_store.go CreateExperiment: unique index (Name, Namespace) under MySQL's
  // utf8mb4_0900_ai_ci collation, so names differing in case or accents collide (kubeflow/pipelines#5172);
  // `WHERE Name = ?` finds them the same way.
  test('experiment names are unique case- and accent-insensitively; name filters match the same way', async () => {
    await start();
    expect((await call('POST', '/apis/v2beta1/experiments', { display_name: 'exp-a', namespace: 'ns' })).status).toBe(
      200,
    );
    const again = await call('POST', '/apis/v2beta1/experiments', { display_name: 'EXP-Á', namespace: 'ns' });
    expect([again.status, again.body.message]).toEqual([
      409,
      'Already exist error: Failed to create a new experiment. The name EXP-Á already exists. Please specify a new name',
    ]);
    const v1 = await call('POST', '/apis/v1beta1/experiments', {
      name: 'Exp-A',
      resource_references: [{ key: { type: 'NAMESPACE', id: 'ns' }, relationship: 'OWNER' }],
    });
    expect(v1.status).toBe(409);
    expect(
      (await call('POST', '/apis/v2beta1/experiments', { display_name: 'EXP-A', namespace: 'other' })).status,
    ).toBe(200);
    const filter = encodeURIComponent(
      JSON.stringify({ predicates: [{ operation: 'EQUALS', key: 'display_name', string_value: 'EXP-A' }] }),
    );
    expect(
      (await call('GET', `/apis/v2beta1/experiments?namespace=ns&filter=${filter}`)).body.experiments.map(
        (e: any) => e.display_name,
      ),
    ).toEqual(['exp-a']);
  });

  // server/api_converter.go toModelExperiment / toModelJob: input errors wrapped by NewInternalServerError;
  // resource/resource_manager.go fetchTemplateFromPipelineSpec: an unreadable manifest likewise.
  // common/util/error.go UserError.GRPCStatus: the external message travels in `details`.
  test('input errors KFP wraps as internal are HTTP 500; error bodies carry details (google.rpc.Status)', async () => {
    await start();
    const exp = (await call('POST', '/apis/v2beta1/experiments', { display_name: 'e', namespace: 'ns' })).body;
    const cases: [string, string, unknown, RegExp][] = [
      [
        'POST',
        '/apis/v1beta1/experiments',
        { name: '', resource_references: [{ key: { type: 'NAMESPACE', id: 'ns' }, relationship: 'OWNER' }] },
        /Experiment must have a non-empty name/,
      ],
      ['POST', '/apis/v2beta1/experiments', { namespace: 'ns' }, /Experiment must have a non-empty name/],
      [
        'POST',
        '/apis/v2beta1/recurringruns',
        v2Job(exp.experiment_id, { display_name: '' }),
        /Recurring run's name cannot be empty/,
      ],
      [
        'POST',
        '/apis/v1beta1/jobs',
        v1Job(exp.experiment_id, { pipeline_spec: { workflow_manifest: 'kind: ConfigMap\nmetadata: {name: x}\n' } }),
        /not an Argo Workflow/,
      ],
      [
        'POST',
        '/apis/v2beta1/recurringruns',
        v2Job(exp.experiment_id, { pipeline_spec: { apiVersion: 'v1', kind: 'ConfigMap' } }),
        /neither an Argo Workflow nor a KFP v2 PipelineSpec/,
      ],
    ];
    for (const [method, p, body, message] of cases) {
      const r = await call(method, p, body);
      expect([p, r.status, r.body.code, r.body.message]).toEqual([p, 500, 13, expect.stringMatching(message)]);
      expect(r.body.details).toEqual([
        { '@type': 'type.googleapis.com/google.rpc.Status', code: 13, message: 'Internal Server Error' },
      ]);
    }
    const missing = await call('GET', '/apis/v1beta1/jobs/nope');
    expect(missing.body).toEqual({
      code: 5,
      message: 'NotFoundError: Job nope not found',
      details: [{ '@type': 'type.googleapis.com/google.rpc.Status', code: 5, message: 'Job nope not found' }],
    });
    expect(emu!.state.jobs.size).toBe(0);
  });

  // resource/resource_manager.go CreateJob: no archive check (2.5.0–2.17.0); server/api_converter.go
  // toModelTrigger accepts an absent trigger (a nil *Trigger is not a nil interface).
  test('jobs in archived experiments and jobs without a trigger are accepted', async () => {
    await start();
    const exp = emu!.state.seedExperiment({ name: 'old', namespace: 'ns', archived: true });
    expect((await call('POST', '/apis/v2beta1/recurringruns', v2Job(exp.id))).status).toBe(200);
    const untriggered = await call('POST', '/apis/v1beta1/jobs', v1Job(exp.id, { trigger: undefined }));
    expect(untriggered.status).toBe(200);
    expect(untriggered.body.trigger).toBeUndefined();
    expect((await call('GET', `/apis/v2beta1/recurringruns/${untriggered.body.id}`)).body.trigger).toEqual({});
  });

  // server/api_converter.go toApiJobV1 (no mode; status from the Conditions column, STATUS_UNSPECIFIED
  // right after create as resource_manager.go CreateJob stores it; references from ids via model/job.go
  // ToV1, so no name; runtime_config only when not empty) and toApiRecurringRun (runtime_config nil
  // when empty); resource_manager.go CreateJob puts single-user jobs in the API server's namespace.
  test('v1 and v2 job shapes; single-user jobs in namespace kubeflow', async () => {
    await start();
    const exp = (await call('POST', '/apis/v2beta1/experiments', { display_name: 'e', namespace: 'ns' })).body;
    const v1 = (await call('POST', '/apis/v1beta1/jobs', v1Job(exp.experiment_id, { mode: 'ENABLED' }))).body;
    expect(v1.mode).toBeUndefined();
    expect([v1.enabled, v1.status]).toEqual([true, 'STATUS_UNSPECIFIED']);
    expect(v1.resource_references).toEqual([
      { key: { type: 'NAMESPACE', id: 'ns' }, relationship: 'OWNER' },
      { key: { type: 'EXPERIMENT', id: exp.experiment_id }, relationship: 'OWNER' },
    ]);
    expect(v1.pipeline_spec.runtime_config).toBeUndefined();
    await call('POST', `/apis/v1beta1/jobs/${v1.id}/disable`);
    expect((await call('GET', `/apis/v1beta1/jobs/${v1.id}`)).body).toMatchObject({ status: 'STATUS_UNSPECIFIED' });
    expect((await call('GET', `/apis/v2beta1/recurringruns/${v1.id}`)).body).toMatchObject({
      status: 'DISABLED',
      mode: 'DISABLE',
    });
    // No parameters at all (param2 made optional) gives no runtime_config.
    const optional: any = pipeline('v2beta1');
    optional.root.inputDefinitions.parameters.param2.isOptional = true;
    const v2 = (
      await call(
        'POST',
        '/apis/v2beta1/recurringruns',
        v2Job(exp.experiment_id, { pipeline_spec: optional, runtime_config: undefined }),
      )
    ).body;
    expect(v2.runtime_config).toBeUndefined();
    await emu!.close();

    await start({ multiUser: false });
    const single = (await call('POST', '/apis/v2beta1/experiments', { display_name: 'e' })).body;
    const job = (await call('POST', '/apis/v2beta1/recurringruns', v2Job(single.experiment_id))).body;
    expect(job.namespace).toBe('kubeflow');
    expect((await call('GET', `/apis/v1beta1/jobs/${job.recurring_run_id}`)).body.resource_references[0]).toEqual({
      key: { type: 'NAMESPACE', id: 'kubeflow' },
      relationship: 'OWNER',
    });
  });

  // server/api_converter.go toModelJob stores a v2 pipeline_spec as YAML (pipelineSpecStructToYamlString);
  // toApiRecurringRun reads it back (YamlStringToPipelineSpecStruct) even for an Argo workflow;
  // toApiJobV1 returns the stored text: YAML in pipeline_manifest (and workflow_manifest for Argo).
  test('pipelines come back as KFP stores them, through either version', async () => {
    await start();
    const exp = (await call('POST', '/apis/v2beta1/experiments', { display_name: 'e', namespace: 'ns' })).body;
    const argo = pipeline('v1beta1');
    const a = (await call('POST', '/apis/v2beta1/recurringruns', v2Job(exp.experiment_id, { pipeline_spec: argo })))
      .body;
    expect(a.pipeline_spec).toEqual(argo);
    const a1 = (await call('GET', `/apis/v1beta1/jobs/${a.recurring_run_id}`)).body.pipeline_spec;
    expect(() => JSON.parse(a1.pipeline_manifest)).toThrow();
    expect([parseYaml(a1.workflow_manifest), parseYaml(a1.pipeline_manifest)]).toEqual([argo, argo]);
    const ir = (await call('POST', '/apis/v2beta1/recurringruns', v2Job(exp.experiment_id))).body;
    const ir1 = (await call('GET', `/apis/v1beta1/jobs/${ir.recurring_run_id}`)).body.pipeline_spec;
    expect(ir1.workflow_manifest).toBeUndefined();
    expect(parseYaml(ir1.pipeline_manifest)).toEqual(pipeline('v2beta1'));
    // Given to v1 as workflow_manifest only: v2 does not return it.
    const v1 = (await call('POST', '/apis/v1beta1/jobs', v1Job(exp.experiment_id))).body;
    expect((await call('GET', `/apis/v2beta1/recurringruns/${v1.id}`)).body.pipeline_spec).toBeUndefined();
  });

  // The in-cluster ml-pipeline service serves /apis/… at its root; the Kubeflow gateway under /pipeline.
  test('the API answers at the root and under the prefix', async () => {
    await start({ prefix: '/kfp' });
    expect(emu!.url).toMatch(/\/kfp$/);
    const atRoot = await call(
      'POST',
      '/apis/v2beta1/experiments',
      { display_name: 'e', namespace: 'ns' },
      {},
      emu!.origin,
    );
    expect(atRoot.status).toBe(200);
    const list = await call(
      'GET',
      '/apis/v1beta1/experiments?resource_reference_key.type=NAMESPACE&resource_reference_key.id=ns',
    );
    expect(list.body.experiments.map((e: any) => e.name)).toEqual(['e']);
    expect((await fetch(`${emu!.origin}/pipeline/apis/v2beta1/healthz`)).status).toBe(404);
  });
});
