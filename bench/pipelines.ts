/**
 * Registered-pipelines benchmark (`npm run bench`): 200 pipelines × 20 versions beside the reconcile
 * benchmark's 1,000 schedules (20 experiments, 6 versions each), one namespace, over KFP's v2beta1 API
 * against the emulator over real HTTP. Prints the no-op call count beside the target and the API's floor;
 * asserts nothing.
 */
import { stringify } from 'yaml';
import { startKfpEmulator } from '../src/kfp/emulator/server.js';
import { MAX_PAGE_SIZE, createKfpClient } from '../src/kfp/client.js';
import { newId } from '../src/kfp/emulator/state.js';
import { versionName } from '../src/reconcile/identity.js';
import { countSteps } from '../src/reconcile/plan.js';
import { applyPlanned, observeAndPlan } from '../src/reconcile/reconcile.js';
import type { Target, ScheduleSpec } from '../src/reconcile/types.js';
import type { TargetPipeline } from '../src/reconcile/pipelines.js';

import { fleet } from './support/fleet.js';

const SCHEDULES = Number(process.env.BENCH_SCHEDULES || 1000);
const PIPELINES = Number(process.env.BENCH_PIPELINES || 200);
const PIPELINE_VERSIONS = 20;
const EXPERIMENTS = 20;
const VERSIONS = 6;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS || 50);
const NS = 'bench';
const IGNORE = ['pipelines.kubeflow.org/pipeline_compilation_time'];

const ir = (name: string, image = 'python:3.11') => ({
  pipelineInfo: { name },
  components: { 'comp-main': { executorLabel: 'exec-main' } },
  deploymentSpec: { executors: { 'exec-main': { container: { image, command: ['python', '-c', 'print(1)'] } } } },
  root: { dag: { tasks: { main: { componentRef: { name: 'comp-main' }, taskInfo: { name: 'main' } } } } },
  schemaVersion: '2.1.0',
  sdkVersion: 'kfp-2.7.0',
});
const spec = (i: number): ScheduleSpec => ({
  description: `schedule ${i}`,
  maxConcurrency: 1,
  serviceAccount: 'default-editor',
  catchup: false,
  trigger: { kind: 'cron', cron: `0 0 ${i % 24} * * *` },
  parameters: {},
  pipeline: { kind: 'v2', data: ir('scheduled') },
});
const pipelines: TargetPipeline[] = Array.from({ length: PIPELINES }, (_, i) => {
  const data = ir(`p-${i}`);
  return {
    name: `p-${i}`,
    description: '',
    keepVersions: PIPELINE_VERSIONS - 1, // exactly at the limit: nothing to prune, but the plan must count
    content: { data },
    text: stringify(data),
    filename: 'pipeline.yaml',
  };
});
const desired = (withPipelines: boolean): Target => ({
  ...fleet(NS, { schedules: SCHEDULES, experiments: EXPERIMENTS, versions: VERSIONS, spec }),
  ...(withPipelines ? { pipelines } : {}),
});

const emu = await startKfpEmulator({ logBodies: false });
const client = createKfpClient({ host: emu.url, apiVersion: 'v2beta1', namespace: NS });

async function reconcile(state: Target, now: Date) {
  const calls0 = emu.log.calls;
  const writes0 = emu.log.writes;
  const t0 = performance.now();
  const [planned] = await observeAndPlan(client, [state], {
    now,
    prune: 'none',
    ignoreKeys: IGNORE,
    defaultServiceAccount: 'default-editor',
    commit: 'abc1234def',
  });
  const result = await applyPlanned(client, planned!, { parallelism: 16 });
  if (result.failures.length) throw new Error(`apply failed: ${result.failures[0]!.error}`);
  return {
    calls: emu.log.calls - calls0,
    writes: emu.log.writes - writes0,
    seconds: (performance.now() - t0) / 1000,
    planned: countSteps(planned!.plan),
  };
}

// Cold apply, then older schedule versions and older pipeline versions seeded behind the ones applied.
await reconcile(desired(true), new Date('2026-06-01T00:00:00Z'));
const experimentIds = new Map([...emu.state.experiments.values()].map((e) => [e.name, e.id]));
for (let i = 0; i < SCHEDULES; i++)
  for (let v = 1; v < VERSIONS; v++)
    emu.state.seedJob({
      name: versionName(`s-${i}`, new Date(Date.UTC(2026, 0, v))),
      experimentId: experimentIds.get(`exp-${i % EXPERIMENTS}`)!,
      enabled: false,
      pipeline: { kind: 'ir', spec: ir('scheduled'), parameters: {} },
    });
for (const p of [...emu.state.pipelines.values()])
  for (let v = 1; v < PIPELINE_VERSIONS; v++) {
    const id = newId();
    emu.state.versions.set(id, {
      id,
      pipelineId: p.id,
      name: `old-${v}`,
      displayName: `old-${v}`,
      description: 'sha256:0000000000000000',
      createdAt: new Date(Date.UTC(2026, 0, v)),
      manifest: stringify(ir(p.name, `python:3.${v}`)),
    });
  }

emu.latencyMs = LATENCY_MS;
const schedulesOnly = await reconcile(desired(false), new Date('2026-06-02T00:00:00Z'));
const noop = await reconcile(desired(true), new Date('2026-06-02T00:00:00Z'));
await emu.close();
client.close();

const pages = (n: number) => Math.max(1, Math.ceil(n / MAX_PAGE_SIZE));
const pipelineCalls = noop.calls - schedulesOnly.calls;
const floor = pages(PIPELINES) + PIPELINES * pages(PIPELINE_VERSIONS);
console.log(
  JSON.stringify({
    benchmark: 'pipelines',
    schedules: SCHEDULES,
    pipelines: PIPELINES,
    pipeline_versions: PIPELINES * PIPELINE_VERSIONS,
    latency_ms: LATENCY_MS,
    noop_calls_schedules_only: schedulesOnly.calls,
    noop_calls: noop.calls,
    noop_writes: noop.writes,
    noop_planned: noop.planned,
    noop_seconds: +noop.seconds.toFixed(2),
    pipeline_calls: pipelineCalls,
    target_calls: schedulesOnly.calls + PIPELINES,
    floor_pipeline_calls: floor,
  }),
);
console.log(
  `No-op with ${PIPELINES} pipelines × ${PIPELINE_VERSIONS} versions: ${noop.calls} calls = ${schedulesOnly.calls} (schedules) + ${pipelineCalls} (pipelines); target ${schedulesOnly.calls + PIPELINES} (one per pipeline).\n` +
    `API floor for pipelines: ${floor} = ListPipelines (${pages(PIPELINES)} page(s) of ${MAX_PAGE_SIZE}) + one ListPipelineVersions per pipeline ` +
    `(newest first, ${pages(PIPELINE_VERSIONS)} page(s) of ${MAX_PAGE_SIZE}): KFP has no call that lists versions across pipelines, ` +
    `and only a pipeline's version listing says whether versions lie beyond keep_versions. ` +
    `Without knowing the pipelines' ids no version can be listed, so the target of one call per pipeline is ${floor - PIPELINES} below what the API allows.`,
);
