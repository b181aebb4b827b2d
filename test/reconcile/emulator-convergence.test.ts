import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { createKfpClient } from '../../src/kfp/client.js';
import type { KfpClient } from '../../src/kfp/types.js';
import { versionName } from '../../src/reconcile/identity.js';
import { enabledCounts as countEnabled } from '../support/schedule-versions.js';
import { observe } from '../../src/reconcile/kfp-adapter.js';
import type { Target } from '../../src/reconcile/types.js';
import { countSteps, plan } from '../../src/reconcile/plan.js';
import { applyPlanned, observeAndPlan } from '../../src/reconcile/reconcile.js';
import { NAMES, arbCommit, arbPerturbation, type Perturbation } from './arbitraries.js';
import { NOW, options } from './fixtures.js';
import { parsePipeline } from '../../src/pipeline/pipeline.js';
import { repoRoot } from '../support/paths.js';

const PIPELINE_FILE = 'pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml';

const NS = 'team';
let emu: KfpEmulator;
let client: KfpClient;

beforeAll(async () => {
  emu = await startKfpEmulator({ logBodies: false });
  client = createKfpClient({
    host: emu.url,
    apiVersion: 'v1beta1',
    namespace: NS,
    timeoutMs: 2000,
    retry: { retries: 2, baseMs: 1, maxMs: 5 },
  });
});
afterAll(async () => {
  client.close();
  await emu.close();
});

/** The arbitraries' toy pipelines as real Argo workflows the emulator accepts. */
function realistic(d: Target): Target {
  return {
    ...d,
    namespace: NS,
    schedules: d.schedules.map((s) => {
      const image = (s.spec.pipeline.data as { spec: { image: string } }).spec.image;
      const data = {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Workflow',
        metadata: { generateName: 'p-' },
        spec: {
          entrypoint: 'main',
          arguments: { parameters: [{ name: 'learning_rate' }] },
          templates: [{ name: 'main', container: { image } }],
        },
      };
      return { ...s, spec: { ...s.spec, pipeline: { kind: 'v1' as const, data } } };
    }),
  };
}

function reset(): void {
  emu.state.jobs.clear();
  emu.state.experiments.clear();
  emu.log.clear();
  emu.faults.clear(7);
  emu.log.onEntry = undefined;
}

async function reconcile(desired: Target, now: Date) {
  const [planned] = await observeAndPlan(client, [desired], {
    ...options({ now }),
    defaultServiceAccount: 'default-editor',
  });
  return applyPlanned(client, planned!, { parallelism: 3 });
}

async function remainingSteps(desired: Target, now: Date): Promise<number> {
  return countSteps(plan(desired, await observe(client, NS, 'default-editor'), options({ now })));
}

const enabledCounts = () => countEnabled(emu);

let raceIds = 0;
function perturb(p: Perturbation): void {
  const jobs = [...emu.state.jobs.values()];
  const experiments = [...emu.state.experiments.values()];
  if (p.kind === 'toggle' && jobs.length)
    emu.state.setJobEnabled(jobs[p.pick % jobs.length]!.id, !jobs[p.pick % jobs.length]!.enabled);
  if (p.kind === 'delete' && jobs.length) emu.state.deleteJob(jobs[p.pick % jobs.length]!.id);
  if (p.kind === 'archive' && experiments.length)
    emu.state.setExperimentArchived(experiments[p.pick % experiments.length]!.id, true);
  if (p.kind === 'extra-version' && experiments.length) {
    raceIds++;
    emu.state.seedJob({
      name: versionName(p.name, new Date(NOW.getTime() - 86400_000 + p.second * 1000)),
      experimentId: experiments[0]!.id,
      enabled: p.enabled,
      pipeline: {
        kind: 'argo',
        manifest: JSON.stringify({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Workflow',
          spec: { entrypoint: `race-${raceIds}` },
        }),
        parameters: [],
      },
    });
  }
}

describe('convergence against the KFP emulator over HTTP', () => {
  test('after one apply from any perturbed state the plan is empty; never two versions enabled at once (request log)', async () => {
    await fc.assert(
      fc.asyncProperty(arbCommit, fc.array(arbPerturbation, { maxLength: 6 }), async ([b, a], perturbations) => {
        reset();
        const [before, after] = [realistic(b), realistic(a)];
        await reconcile(before, new Date(NOW.getTime() - 7 * 86400_000));
        for (const p of perturbations) perturb(p);
        const start = enabledCounts();
        const worst = new Map<string, number>();
        emu.log.onEntry = () => {
          for (const [s, n] of enabledCounts()) worst.set(s, Math.max(n, worst.get(s) ?? 0));
        };
        const result = await reconcile(after, NOW);
        expect(result.failures).toEqual([]);
        for (const [s, n] of worst) expect([s, n]).toEqual([s, Math.min(n, Math.max(1, start.get(s) ?? 0))]);
        expect(await remainingSteps(after, new Date(NOW.getTime() + 60_000))).toBe(0);
        for (const d of after.schedules)
          expect([d.name, enabledCounts().get(d.name) ?? 0]).toEqual([d.name, d.enabled ? 1 : 0]);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  test('a fault at call k, for every k of an apply, leaves ≤ 1 enabled version per schedule; the next apply converges', async () => {
    const before = realistic({
      namespace: NS,
      experiments: [{ name: 'x', description: '' }],
      schedules: NAMES.slice(0, 3).map((name, i) => ({
        name,
        experiment: 'x',
        enabled: true,
        keepHistory: 1,
        spec: fixtureSpec(i, 'v1'),
      })),
    });
    const after = realistic({
      ...before,
      schedules: before.schedules.map((s, i) => ({ ...s, spec: fixtureSpec(i, 'v2') })),
    });
    // How many calls the changing apply makes without faults.
    reset();
    await reconcile(before, new Date(NOW.getTime() - 86400_000));
    await reconcile(before, new Date(NOW.getTime() - 3600_000)); // a second version each, so prune has work
    emu.log.clear();
    await reconcile(after, NOW);
    const calls = emu.log.calls;
    expect(calls).toBeGreaterThan(10);
    for (const kind of [{ status: 500 }, 'reset'] as const) {
      for (const when of ['before', 'after'] as const) {
        for (let k = 1; k <= calls; k++) {
          reset();
          await reconcile(before, new Date(NOW.getTime() - 86400_000));
          emu.faults.add({ nth: k, kind, when });
          await reconcile(after, NOW).catch(() => undefined);
          emu.faults.clear();
          const twice = [...enabledCounts()].filter(([, n]) => n > 1);
          expect([
            kind,
            when,
            k,
            twice,
            twice.length ? [...emu.state.jobs.values()].map((j) => `${j.name} ${j.enabled}`) : [],
          ]).toEqual([kind, when, k, [], []]);
          const again = await reconcile(after, new Date(NOW.getTime() + 60_000));
          expect([kind, when, k, again.failures]).toEqual([kind, when, k, []]);
          expect(await remainingSteps(after, new Date(NOW.getTime() + 120_000))).toBe(0);
        }
      }
    }
  }, 120_000);
});

function fixtureSpec(i: number, image: string) {
  return {
    description: `schedule ${i}`,
    maxConcurrency: 1,
    serviceAccount: 'default-editor',
    catchup: false,
    trigger: { kind: 'cron' as const, cron: `0 0 ${i} * * *` },
    parameters: { learning_rate: '0.1' },
    pipeline: { kind: 'v1' as const, data: { kind: 'Workflow', spec: { image } } },
  };
}

// Issue 15: schedules that run a registered pipeline. One apply uploads a version of a changed pipeline, then
// moves the `current` schedules to it (create paused → disable old → enable new); the `latest` one is left
// alone. A fault at any call must leave every schedule on a version KFP still has, with ≤ 1 enabled, and a
// failed upload must leave the `current` schedules on the previous version; the next apply converges.
describe('convergence with schedules that run a registered pipeline (v2beta1)', () => {
  const text = fs.readFileSync(path.join(repoRoot, 'examples', PIPELINE_FILE), 'utf8');
  let v2: KfpClient;
  beforeAll(() => {
    v2 = createKfpClient({
      host: emu.url,
      apiVersion: 'v2beta1',
      namespace: NS,
      timeoutMs: 2000,
      retry: { retries: 2, baseMs: 1, maxMs: 5 },
    });
  });
  afterAll(() => v2.close());

  function state(image: string): Target {
    const changed = text.replace(/image: python:[^\n]+/, `image: ${image}`);
    const parsed = parsePipeline(changed, PIPELINE_FILE);
    const schedule = (name: string, mode: string) => ({
      name,
      experiment: 'x',
      enabled: true,
      keepHistory: 1,
      spec: {
        ...fixtureSpec(0, ''),
        trigger: { kind: 'cron' as const, cron: `0 0 ${name.length} * * *` },
        parameters: { model_uri: 'gs://m' },
        pipeline: { kind: 'v2' as const, data: null, inputs: parsed.inputs, ref: { pipeline: 'bp', mode } },
      },
    });
    return {
      namespace: NS,
      experiments: [{ name: 'x', description: '' }],
      schedules: [schedule('pinned-a', 'current'), schedule('pinned-b', 'current'), schedule('follows', 'latest')],
      pipelines: [
        {
          name: 'bp',
          description: '',
          keepVersions: 0,
          content: { data: parsed.workflow },
          text: changed,
          filename: 'pipeline.yaml',
        },
      ],
    };
  }
  const reconcileV2 = async (d: Target, now: Date) => {
    const [planned] = await observeAndPlan(v2, [d], { ...options({ now }), defaultServiceAccount: 'default-editor' });
    return { planned: planned!, result: await applyPlanned(v2, planned!, { parallelism: 3 }) };
  };
  const stepsLeft = async (d: Target, now: Date) => {
    const [planned] = await observeAndPlan(v2, [d], { ...options({ now }), defaultServiceAccount: 'default-editor' });
    return countSteps(planned!.plan);
  };
  const fresh = async (before: Target) => {
    reset();
    emu.state.pipelines.clear();
    emu.state.versions.clear();
    await reconcileV2(before, new Date(NOW.getTime() - 86400_000));
    // KFP orders versions by created_at in seconds: the next upload is newer.
    for (const v of emu.state.versions.values()) v.createdAt = new Date(v.createdAt.getTime() - 3600_000);
    return [...emu.state.versions.values()][0]!.id;
  };
  /** Schedule → the version ids its enabled versions run ('newest' when unpinned). */
  const running = () => {
    const out = new Map<string, string[]>();
    for (const j of emu.state.jobs.values()) {
      if (!j.enabled || j.pipeline.kind !== 'version') continue;
      const s = j.name.replace(/^GIT::/, '').replace(/__.*$/, '');
      out.set(s, [...(out.get(s) ?? []), j.pipeline.versionId ?? 'newest']);
    }
    return Object.fromEntries([...out].sort());
  };

  test('a fault at call k, for every k of an upload-and-swap apply: schedules stay on a version KFP has; the next apply converges', async () => {
    const before = state('python:3.11-slim');
    const after = state('python:3.12-slim');
    await fresh(before);
    emu.log.clear();
    const { planned } = await reconcileV2(after, NOW);
    const calls = emu.log.calls;
    // One upload, then for each `current` schedule create + disable + enable; `follows` is not touched.
    expect(planned.plan.changes.filter((c) => c.steps.length).map((c) => c.schedule)).toEqual(['pinned-a', 'pinned-b']);
    expect(calls).toBeGreaterThan(8);
    for (const kind of [{ status: 500 }, 'reset'] as const) {
      for (const when of ['before', 'after'] as const) {
        for (let k = 1; k <= calls; k++) {
          const old = await fresh(before);
          emu.faults.add({ nth: k, kind, when });
          await reconcileV2(after, NOW).catch(() => undefined);
          emu.faults.clear();
          const now = running();
          const uploaded = [...emu.state.versions.values()].some((v) => v.id !== old);
          const at = { kind, when, k };
          // ≤ 1 enabled each, on a version KFP has; no upload → still on the previous one; `latest` untouched.
          expect({ at, now }).toEqual({
            at,
            now: {
              follows: ['newest'],
              'pinned-a': [expect.any(String)],
              'pinned-b': [expect.any(String)],
            },
          });
          for (const s of ['pinned-a', 'pinned-b'] as const) {
            expect({ at, known: emu.state.versions.has(now[s]![0]!) }).toEqual({ at, known: true });
            if (!uploaded) expect({ at, s, v: now[s]![0] }).toEqual({ at, s, v: old });
          }
          const again = await reconcileV2(after, new Date(NOW.getTime() + 60_000));
          expect({ at, failures: again.result.failures }).toEqual({ at, failures: [] });
          expect({ at, left: await stepsLeft(after, new Date(NOW.getTime() + 120_000)) }).toEqual({ at, left: 0 });
          const newest = emu.state.latestVersion([...emu.state.pipelines.values()][0]!.id)!.id;
          expect({ at, now: running() }).toEqual({
            at,
            now: { follows: ['newest'], 'pinned-a': [newest], 'pinned-b': [newest] },
          });
        }
      }
    }
  }, 300_000);
});
