/**
 * Reconciler benchmark (`npm run bench`): 1,000 schedules in 20 experiments with 6 versions each,
 * against the KFP emulator (in its own process) over real HTTP. Prints one JSON line of figures; asserts nothing.
 */
import { createKfpClient } from '../src/kfp/client.js';
import { countSteps } from '../src/reconcile/plan.js';
import { applyPlanned, observeAndPlan } from '../src/reconcile/reconcile.js';
import type { KfpClient } from '../src/kfp/types.js';
import type { Target, ScheduleSpec } from '../src/reconcile/types.js';
import {
  type EmulatorProcess,
  isEmulatorChild,
  serveEmulator,
  startEmulatorProcess,
} from './support/emulator-process.js';
import { fleet } from './support/fleet.js';

const SCHEDULES = Number(process.env.BENCH_SCHEDULES || 1000);
const EXPERIMENTS = 20;
const VERSIONS = 6;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS || 50);
const PARALLELISM = 16;
const NS = 'bench';

const workflow = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Workflow',
  metadata: {
    generateName: 'train-',
    annotations: { 'pipelines.kubeflow.org/pipeline_compilation_time': '2026-01-01T00:00:00' },
  },
  spec: {
    entrypoint: 'main',
    arguments: { parameters: [{ name: 'lr' }] },
    templates: [{ name: 'main', container: { image: 'python:3.11', command: ['python', '-c', 'print(1)'] } }],
  },
};
const spec = (i: number, hour = i % 24): ScheduleSpec => ({
  description: `schedule ${i}`,
  maxConcurrency: 1,
  serviceAccount: 'default-editor',
  catchup: false,
  trigger: { kind: 'cron', cron: `0 0 ${hour} * * *` },
  parameters: { lr: '0.01' },
  pipeline: { kind: 'v1', data: workflow },
});
const desired = (changed: ReadonlySet<number> = new Set()): Target =>
  fleet(NS, {
    schedules: SCHEDULES,
    experiments: EXPERIMENTS,
    versions: VERSIONS,
    spec: (i) => spec(i, changed.has(i) ? (i + 1) % 24 : undefined),
  });

async function reconcile(emu: EmulatorProcess, client: KfpClient, state: Target, now: Date) {
  await emu.reset();
  const t0 = performance.now();
  const [planned] = await observeAndPlan(client, [state], {
    now,
    prune: 'none',
    ignoreKeys: ['pipelines.kubeflow.org/pipeline_compilation_time'],
    defaultServiceAccount: 'default-editor',
  });
  const p = planned!.plan;
  const result = await applyPlanned(client, planned!, { parallelism: PARALLELISM });
  const seconds = (performance.now() - t0) / 1000;
  if (result.failures.length) throw new Error(`apply failed: ${result.failures[0]!.error}`);
  const { calls, writes } = await emu.counters();
  return { calls, writes, seconds, planned: countSteps(p) };
}

async function main() {
  const emu = await startEmulatorProcess();
  const client = createKfpClient({ host: emu.url, apiVersion: 'v1beta1', namespace: NS });
  // Cold apply from an empty namespace, then older versions seeded so each schedule has VERSIONS.
  const cold = await reconcile(emu, client, desired(), new Date('2026-06-01T00:00:00Z'));
  await emu.seedOlderVersions(VERSIONS - 1);

  await emu.setLatency(LATENCY_MS);
  const noop = await reconcile(emu, client, desired(), new Date('2026-06-02T00:00:00Z'));
  const changed = new Set(Array.from({ length: SCHEDULES }, (_, i) => i).filter((i) => i % 10 === 0));
  const change10 = await reconcile(emu, client, desired(changed), new Date('2026-06-03T00:00:00Z'));
  emu.close();
  client.close();

  // deployKF's script lists every job of the namespace (page_size 100) once per schedule, and gets and
  // unarchives every experiment, even when nothing changed.
  const versions = SCHEDULES * VERSIONS;
  const deploykfNoopCalls = 1 + EXPERIMENTS * 2 + SCHEDULES * Math.ceil(versions / 100);
  console.log(
    JSON.stringify({
      benchmark: 'reconcile',
      schedules: SCHEDULES,
      experiments: EXPERIMENTS,
      versions,
      latency_ms: LATENCY_MS,
      parallelism: PARALLELISM,
      cold_apply_calls: cold.calls,
      noop_calls: noop.calls,
      noop_writes: noop.writes,
      noop_seconds: +noop.seconds.toFixed(2),
      change10_calls: change10.calls,
      change10_writes: change10.writes,
      change10_seconds: +change10.seconds.toFixed(2),
      change10_sequential_seconds: +((change10.calls * LATENCY_MS) / 1000).toFixed(2),
      deploykf_noop_calls: deploykfNoopCalls,
    }),
  );
}

if (isEmulatorChild()) await serveEmulator();
else await main();
