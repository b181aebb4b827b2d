import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from '@jest/globals';
import { createKfpClient } from '../../src/kfp/client.js';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import type { ApiVersion } from '../../src/kfp/types.js';
import { parsePipeline } from '../../src/pipeline/pipeline.js';
import { applyPlan } from '../../src/reconcile/apply.js';
import { kfpWriter, observe } from '../../src/reconcile/kfp-adapter.js';
import type { Target } from '../../src/reconcile/types.js';
import { countSteps, plan } from '../../src/reconcile/plan.js';
import { describeWithShared, sharedDir } from '../support/paths.js';
import { expectContract } from '../kfp/helpers.js';
import { NOW, options } from './fixtures.js';

/**
 * Switching `api-version` must never replace schedules. Each version returns what KFP stores
 * (backend/src/apiserver/server/api_converter.go): v2 toApiRecurringRun returns the spec manifest,
 * stored as YAML by toModelJob (pipelineSpecStructToYamlString), also for an Argo workflow created
 * through v2; v1 toApiJobV1 returns that YAML in pipeline_manifest/workflow_manifest; a workflow given
 * to v1 as workflow_manifest is not returned by v2 at all.
 */
const NS = 'team';
let emu: KfpEmulator | undefined;
afterEach(async () => {
  if (emu) {
    expectContract(emu);
    await emu.close();
  }
  emu = undefined;
});

function desiredFor(file: string, parameters: Record<string, string>): Target {
  const p = parsePipeline(fs.readFileSync(path.join(sharedDir, 'kfp-pipelines', file), 'utf8'), file);
  return {
    namespace: NS,
    experiments: [{ name: 'exp', description: '' }],
    schedules: [
      {
        name: 'nightly',
        experiment: 'exp',
        enabled: true,
        keepHistory: 2,
        spec: {
          description: 'every night',
          maxConcurrency: 1,
          serviceAccount: 'default-editor',
          catchup: false,
          trigger: { kind: 'cron', cron: '0 0 2 * * *', start: Date.parse('2026-01-01T00:00:00Z') / 1000 },
          parameters,
          pipeline: { kind: p.kind, data: p.workflow, inputs: p.inputs },
        },
      },
    ],
  };
}

async function reconcile(version: ApiVersion, desired: Target, mode: 'plan' | 'apply') {
  const client = createKfpClient({ host: emu!.url, apiVersion: version, namespace: NS, retry: { retries: 0 } });
  try {
    const actual = await observe(client, NS, 'default-editor');
    const p = plan(desired, actual, options({ now: NOW }));
    if (mode === 'apply') {
      const result = await applyPlan(p, kfpWriter(client, NS), {
        parallelism: 2,
      });
      expect(result.failures).toEqual([]);
    }
    return p;
  } finally {
    client.close();
  }
}

describeWithShared('switching api-version never replaces schedules', () => {
  const ir = { file: 'v2-ir/valid/arguments_parameters.yaml', params: { param1: 'a', param2: 'b' } };
  const argo = { file: 'v1-argo/hello-world.yaml', params: {} };
  test.each<{
    what: string;
    file: string;
    params: Record<string, string>;
    applyWith: ApiVersion;
    planWith: ApiVersion;
  }>([
    { what: 'v2 IR with parameters', ...ir, applyWith: 'v1beta1', planWith: 'v2beta1' },
    { what: 'v2 IR with parameters', ...ir, applyWith: 'v2beta1', planWith: 'v1beta1' },
    { what: 'Argo workflow', ...argo, applyWith: 'v1beta1', planWith: 'v2beta1' },
    { what: 'Argo workflow', ...argo, applyWith: 'v2beta1', planWith: 'v1beta1' },
    {
      what: 'Argo workflow with parameters (v1 only)',
      file: 'v1-argo/arguments-parameters.yaml',
      params: { param1: 'a', param2: 'b' },
      applyWith: 'v1beta1',
      planWith: 'v2beta1',
    },
  ])(
    '$what: applied through $applyWith, planned through $planWith: no changes',
    async ({ file, params, applyWith, planWith }) => {
      emu = await startKfpEmulator();
      const desired = desiredFor(file, params);
      expect(countSteps(await reconcile(applyWith, desired, 'apply'))).toBeGreaterThan(0);
      expect(countSteps(await reconcile(applyWith, desired, 'plan'))).toBe(0);
      const switched = await reconcile(planWith, desired, 'plan');
      expect(switched.changes.map((c) => [c.schedule, c.kind, c.fields])).toEqual([['nightly', 'unchanged', []]]);
    },
  );

  test('a v2 read of one recurring run given to v1 as workflow_manifest still has its workflow', async () => {
    emu = await startKfpEmulator();
    const desired = desiredFor('v1-argo/hello-world.yaml', {});
    await reconcile('v1beta1', desired, 'apply');
    const [job] = [...emu.state.jobs.values()];
    const client = createKfpClient({ host: emu.url, apiVersion: 'v2beta1', namespace: NS, retry: { retries: 0 } });
    try {
      expect((await client.getRecurringRun(job!.id)).pipeline).toEqual(desired.schedules[0]!.spec.pipeline.data);
    } finally {
      client.close();
    }
  });
});
