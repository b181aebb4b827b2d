import { expect, test } from '@jest/globals';
import { applyPlan } from '../../src/reconcile/apply.js';
import { kfpWriter, observe } from '../../src/reconcile/kfp-adapter.js';
import type { TargetSchedule, Target } from '../../src/reconcile/types.js';
import { countSteps, plan } from '../../src/reconcile/plan.js';
import { observeAndPlan } from '../../src/reconcile/reconcile.js';
import { checkAndCloseHarnessesAfterEach, harness } from '../kfp/helpers.js';
import { options, spec } from './fixtures.js';

checkAndCloseHarnessesAfterEach();

/**
 * Observing for a plan keeps of each listed version only what the planner reads besides its pipeline (memory
 * bounded by a page, not by the fleet); the newest version of each wanted schedule is compared by digest, and
 * only one whose pipeline differs is fetched whole, so the plan's field diff is the one a full listing gives.
 */
const workflow = (image: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: { generateName: 'p-', annotations: { 'pipelines.kubeflow.org/pipeline_compilation_time': image } },
  spec: {
    entrypoint: 'main',
    arguments: { parameters: [{ name: 'learning_rate' }] },
    templates: [{ name: 'main', container: { image } }],
  },
});

const schedule = (name: string, image: string): TargetSchedule => ({
  name,
  experiment: 'exp',
  enabled: true,
  keepHistory: 5,
  spec: spec({ pipeline: { kind: 'v1', data: workflow(image) } }),
});

const state = (schedules: TargetSchedule[]): Target => ({
  namespace: 'ns',
  experiments: [{ name: 'exp', description: '' }],
  schedules,
});

const planOptions = { ...options(), defaultServiceAccount: 'default-editor' };
const getCalls = (entries: { method: string; route: string }[]) =>
  entries.filter((e) => e.method === 'GET' && /jobs\/\{id\}$/.test(e.route)).length;

test('an unchanged pipeline is compared by digest: no fetch, no step, git’s objects stand in for it', async () => {
  const h = await harness('v1beta1', {}, { namespace: 'ns' });
  const desired = state(['a', 'b', 'c'].map((n) => schedule(n, 'python:3.11')));
  const first = await observe(h.client, 'ns', 'default-editor');
  await applyPlan(plan(desired, first, options()), kfpWriter(h.client, 'ns'), {
    parallelism: 2,
  });
  // A second, older version of `a`, and a job that is not ours.
  const exp = [...h.emu.state.experiments.values()][0]!;
  const stored = [...h.emu.state.jobs.values()][0]!.pipeline;
  h.emu.state.seedJob({
    name: 'GIT::a__2026-01-01T00-00-00Z',
    experimentId: exp.id,
    pipeline: stored,
    createdAt: new Date('2026-01-01T00:00:00Z'),
  });
  h.emu.state.seedJob({ name: 'by-hand', experimentId: exp.id, pipeline: stored });
  h.emu.log.clear();

  const lean = await observe(h.client, 'ns', 'default-editor', {
    schedules: desired.schedules,
    ignoreKeys: new Set(planOptions.ignoreKeys),
  });
  expect(getCalls(h.emu.log.entries)).toBe(0);
  expect(lean.jobs).toHaveLength(5);
  const kept = lean.jobs.filter((j) => j.spec?.pipeline.data !== undefined);
  // Only each schedule's newest version holds a pipeline, and it is git's own object.
  expect(kept.map((j) => j.name.replace(/__.*/, '')).sort()).toEqual(['GIT::a', 'GIT::b', 'GIT::c']);
  for (const j of kept)
    expect(desired.schedules.some((d) => d.spec.pipeline.data === j.spec?.pipeline.data)).toBe(true);
  // The older version of `a` is only kept or pruned: its spec is not read. A job git does not name keeps its own.
  expect(lean.jobs.find((j) => j.name === 'GIT::a__2026-01-01T00-00-00Z')!.spec).toBeUndefined();
  expect(lean.jobs.find((j) => j.name === 'by-hand')!.spec?.trigger).toBeDefined();
  expect(countSteps(plan(desired, lean, options()))).toBe(0);
});

test('a changed pipeline fetches that version alone, and the plan shows the same field diff as a full listing', async () => {
  const h = await harness('v1beta1', {}, { namespace: 'ns' });
  const before = state(['a', 'b', 'c'].map((n) => schedule(n, 'python:3.11')));
  const first = await observe(h.client, 'ns', 'default-editor');
  await applyPlan(plan(before, first, options()), kfpWriter(h.client, 'ns'), {
    parallelism: 2,
  });
  // `b` runs a new image; `c` was only recompiled (an ignored key changed).
  const after = state([
    schedule('a', 'python:3.11'),
    schedule('b', 'python:3.12'),
    {
      ...schedule('c', 'python:3.11'),
      spec: spec({
        pipeline: {
          kind: 'v1',
          data: {
            ...workflow('python:3.11'),
            metadata: {
              generateName: 'p-',
              annotations: { 'pipelines.kubeflow.org/pipeline_compilation_time': 'later' },
            },
          },
        },
      }),
    },
  ]);
  const full = plan(after, await observe(h.client, 'ns', 'default-editor'), options());
  h.emu.log.clear();
  const [planned] = await observeAndPlan(h.client, [after], planOptions);
  expect(getCalls(h.emu.log.entries)).toBe(1);
  const changed = (p: typeof full) => p.changes.filter((c) => c.kind !== 'unchanged');
  expect(changed(planned!.plan).map((c) => [c.schedule, c.fields])).toEqual([
    [
      'b',
      [{ field: 'pipeline', actual: 'differs at spec.templates[0].container.image', desired: 'as rendered in git' }],
    ],
  ]);
  expect(changed(planned!.plan).map((c) => c.fields)).toEqual(changed(full).map((c) => c.fields));
  expect(planned!.plan.changes.map((c) => c.steps.length)).toEqual(full.changes.map((c) => c.steps.length));
  // The fetched version keeps only its differences: the rest of it is git's own objects.
  const seen = await observe(h.client, 'ns', 'default-editor', { schedules: after.schedules, ignoreKeys: new Set() });
  const b = seen.jobs.find((j) => j.name.startsWith('GIT::b__') && j.spec?.pipeline.data !== undefined)!;
  const [actualB, desiredB] = [b.spec!.pipeline.data, after.schedules[1]!.spec.pipeline.data] as Record<string, any>[];
  expect(actualB).not.toBe(desiredB);
  expect(actualB!.spec.arguments).toBe(desiredB!.spec.arguments);
  expect(actualB!.spec.templates[0].container.image).toBe('python:3.11');
});

test('scanRecurringRuns reduces every run of every page, in the listing order', async () => {
  const h = await harness('v1beta1', {}, { namespace: 'ns' });
  const exp = h.emu.state.seedExperiment({ name: 'exp', namespace: 'ns' });
  for (let i = 0; i < 5; i++)
    h.emu.state.seedJob({
      name: `j${i}`,
      experimentId: exp.id,
      pipeline: { kind: 'argo', manifest: JSON.stringify(workflow('x')), parameters: [] },
    });
  const full = await h.client.listRecurringRuns({ namespace: 'ns' }, { pageSize: 2 });
  h.emu.log.clear();
  const names = await h.client.scanRecurringRuns({ namespace: 'ns' }, (r) => r.name, { pageSize: 2 });
  expect(names).toEqual(full.map((r) => r.name));
  expect(names).toHaveLength(5);
  expect(h.emu.log.calls).toBe(3);
});
