import { afterEach, expect, test } from '@jest/globals';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { describeWithShared } from '../support/paths.js';
import { expectContract, pipeline } from './helpers.js';

let emu: KfpEmulator | undefined;
afterEach(async () => {
  if (emu) {
    expectContract(emu, { requests: false });
    await emu.close();
  }
  emu = undefined;
});

async function call(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(emu!.url + p, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** arguments_parameters.yaml declares param1 (STRING, default 'hello') and param2 (STRING, required). */
describeWithShared('the emulator refuses on create what KFP refuses', () => {
  // template/v2_template.go: NewV2SpecTemplate (schemaVersion) and validatePipelineJobInputs (inputs),
  // for jobs and runs, through v2beta1 (pipeline_spec) and v1beta1 (pipeline_manifest).
  const cases: [string, Record<string, unknown>, Record<string, unknown>, RegExp][] = [
    [
      'a required input missing',
      {},
      {},
      /parameter param2 is not optional, yet has neither default value nor user provided value/,
    ],
    ['a value of the wrong type', {}, { param2: 3 }, /input parameter param2 requires type STRING/],
    [
      'an undeclared input',
      {},
      { param2: 'x', param9: 'y' },
      /parameter\(s\) provided are not required by pipeline: param9/,
    ],
    [
      'schemaVersion 2.0.0',
      { schemaVersion: '2.0.0' },
      { param2: 'x' },
      /KFP only supports schema version 2.1.0, but the pipeline spec has version 2.0.0/,
    ],
  ];

  test.each(cases)('IR with %s → 400, on v1 and v2, jobs and runs', async (_, specOver, params, message) => {
    emu = await startKfpEmulator();
    const exp = (await call('POST', '/apis/v2beta1/experiments', { display_name: 'e', namespace: 'ns' })).body
      .experiment_id;
    const ir = { ...pipeline('v2beta1'), ...specOver };
    const trigger = { cron_schedule: { cron: '0 0 * * * *' } };
    const rc = Object.keys(params).length ? { parameters: params } : undefined;
    const v1spec = { pipeline_manifest: JSON.stringify(ir), ...(rc ? { runtime_config: rc } : {}) };
    const v1refs = [{ key: { type: 'EXPERIMENT', id: exp }, relationship: 'OWNER' }];
    const answers = [
      await call('POST', '/apis/v2beta1/recurringruns', {
        display_name: 'j',
        experiment_id: exp,
        max_concurrency: '1',
        trigger,
        pipeline_spec: ir,
        runtime_config: rc,
      }),
      await call('POST', '/apis/v2beta1/runs', {
        display_name: 'r',
        experiment_id: exp,
        pipeline_spec: ir,
        runtime_config: rc,
      }),
      await call('POST', '/apis/v1beta1/jobs', {
        name: 'j',
        max_concurrency: '1',
        trigger,
        resource_references: v1refs,
        pipeline_spec: v1spec,
      }),
      await call('POST', '/apis/v1beta1/runs', { name: 'r', resource_references: v1refs, pipeline_spec: v1spec }),
    ];
    expect(answers.map((a) => [a.status, a.body.message])).toEqual(
      answers.map(() => [400, expect.stringMatching(message)]),
    );
    expect(emu.state.jobs.size + emu.state.runs.size).toBe(0);
  });

  // validation/length.go: Experiment.Name ≤ 128 bytes (Go len); toModelExperiment wraps it as internal → 500.
  test('an experiment name over 128 bytes → 500; 128 bytes of 2-byte letters are fine', async () => {
    emu = await startKfpEmulator();
    const long = await call('POST', '/apis/v2beta1/experiments', { display_name: 'é'.repeat(65), namespace: 'ns' });
    expect([long.status, long.body.message]).toEqual([
      500,
      expect.stringMatching(/Experiment.Name length cannot exceed 128/),
    ]);
    expect(
      (
        await call('POST', '/apis/v1beta1/experiments', {
          name: 'é'.repeat(64),
          resource_references: [{ key: { type: 'NAMESPACE', id: 'ns' }, relationship: 'OWNER' }],
        })
      ).status,
    ).toBe(200);
  });

  // server/api_converter.go toModelParameters: serialized Argo parameters over MAX_PARAMETER_BYTES (10,000) → 400.
  test('v1 Argo parameters over 10,000 bytes serialized → 400', async () => {
    emu = await startKfpEmulator();
    const exp = (await call('POST', '/apis/v2beta1/experiments', { display_name: 'e', namespace: 'ns' })).body
      .experiment_id;
    const job = (value: string) => ({
      name: 'j',
      max_concurrency: '1',
      trigger: { cron_schedule: { cron: '0 0 * * * *' } },
      resource_references: [{ key: { type: 'EXPERIMENT', id: exp }, relationship: 'OWNER' }],
      pipeline_spec: {
        workflow_manifest: JSON.stringify(pipeline('v1beta1')),
        parameters: [{ name: 'param1', value }],
      },
    });
    const big = await call('POST', '/apis/v1beta1/jobs', job('&'.repeat(1_700)));
    expect([big.status, big.body.message]).toEqual([
      400,
      expect.stringMatching(/The input parameter length exceed maximum size of 10000/),
    ]);
    expect((await call('POST', '/apis/v1beta1/jobs', job('a'.repeat(9_900)))).status).toBe(200);
  });
});
