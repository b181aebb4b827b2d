import { afterEach, expect, test } from '@jest/globals';
import { createKfpClient } from '../../src/kfp/client.js';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { applyPlan } from '../../src/reconcile/apply.js';
import { kfpWriter, observe } from '../../src/reconcile/kfp-adapter.js';
import type { Target } from '../../src/reconcile/types.js';
import { countSteps, plan } from '../../src/reconcile/plan.js';
import { expectContract } from '../kfp/helpers.js';
import { NOW, desired, options, spec } from './fixtures.js';

/**
 * KFP's experiments table has a unique index on (Name, Namespace) and MySQL's default collation
 * (utf8mb4_0900_ai_ci) ignores case and accents (backend/src/apiserver/storage/experiment_store.go
 * CreateExperiment; kubeflow/pipelines#5172). A config naming 'Churn-Modèle' next to KFP's
 * 'churn-modele' must use that experiment, not plan a create that fails with 409 on every run.
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

test('an experiment that differs in case or accents is found as KFP finds it; apply uses it; the next plan is empty', async () => {
  emu = await startKfpEmulator();
  const existing = emu.state.seedExperiment({ name: 'churn-modele', namespace: NS });
  const client = createKfpClient({ host: emu.url, apiVersion: 'v2beta1', namespace: NS, retry: { retries: 0 } });
  const pipeline = {
    kind: 'v2' as const,
    data: { pipelineInfo: { name: 'p' }, root: { dag: { tasks: {} } }, schemaVersion: '2.1.0' },
  };
  const d: Target = {
    namespace: NS,
    experiments: [{ name: 'Churn-Modèle', description: '' }],
    schedules: [desired('nightly', { experiment: 'Churn-Modèle', spec: spec({ parameters: {}, pipeline }) })],
  };
  try {
    const actual = await observe(client, NS, 'default-editor');
    const p = plan(d, actual, options({ now: NOW }));
    expect(p.experimentSteps).toEqual([]);
    const result = await applyPlan(p, kfpWriter(client, NS), {
      parallelism: 2,
    });
    expect(result.failures).toEqual([]);
    expect([...emu.state.jobs.values()].map((j) => j.experimentId)).toEqual([existing.id]);
    expect([...emu.state.experiments.values()].map((e) => e.name)).toEqual(['churn-modele']);
    expect(countSteps(plan(d, await observe(client, NS, 'default-editor'), options({ now: NOW })))).toBe(0);
  } finally {
    client.close();
  }
});
