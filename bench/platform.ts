/**
 * Platform benchmark (`npm run bench`): many namespaces reconciled in one run under one request budget,
 * against the KFP emulator over real HTTP. Prints figures beside their floors; asserts nothing.
 *
 * Size: BENCH_NAMESPACES × BENCH_NS_SCHEDULES schedules × 6 versions (default 100 × 100 × 6), 50 ms latency.
 * The emulator runs in a child process (bench/support/emulator-process.ts), so the time and memory printed for
 * the reconciler are its own; the emulator's memory is printed apart.
 */
import os from 'node:os';
import { MAX_PAGE_SIZE, createKfpClient } from '../src/kfp/client.js';
import type { KfpClient } from '../src/kfp/types.js';
import { countSteps } from '../src/reconcile/plan.js';
import { applyPlanned, observeAndPlan } from '../src/reconcile/reconcile.js';
import type { Target, ScheduleSpec } from '../src/reconcile/types.js';
import {
  type EmulatorProcess,
  isEmulatorChild,
  runSetupProcess,
  serveEmulator,
  setupUrl,
  startEmulatorProcess,
} from './support/emulator-process.js';
import { fleet } from './support/fleet.js';
import { peakMemoryDuring, youngGeneration } from './support/memory.js';

const NAMESPACES = Number(process.env.BENCH_NAMESPACES || 100);
const SCHEDULES = Number(process.env.BENCH_NS_SCHEDULES || 100);
const EXPERIMENTS = 2;
const VERSIONS = 6;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS || 50);
const MAX_PARALLEL = 16;
const NOOP_RUNS = 3;
const IGNORE = ['pipelines.kubeflow.org/pipeline_compilation_time'];

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
const spec = (hour: number): ScheduleSpec => ({
  description: 'bench',
  maxConcurrency: 1,
  serviceAccount: 'default-editor',
  catchup: false,
  trigger: { kind: 'cron', cron: `0 0 ${hour} * * *` },
  parameters: { lr: '0.01' },
  pipeline: { kind: 'v1', data: workflow },
});
const nsName = (n: number) => `team-${String(n).padStart(3, '0')}`;
/** `shift` moves the hour of every schedule i with i % 10 === 0, so 10 % change. */
const desired = (shift = 0): Target[] =>
  Array.from({ length: NAMESPACES }, (_, n) =>
    fleet(nsName(n), {
      schedules: SCHEDULES,
      experiments: EXPERIMENTS,
      versions: VERSIONS,
      spec: (i) => spec((i + (i % 10 === 0 ? shift : 0)) % 24),
    }),
  );

async function reconcile(emu: EmulatorProcess, c: KfpClient, state: Target[], now: Date) {
  await emu.reset();
  return peakMemoryDuring(async () => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const planned = await observeAndPlan(c, state, {
      now,
      prune: 'none',
      ignoreKeys: IGNORE,
      defaultServiceAccount: 'default-editor',
    });
    const results = await Promise.all(planned.map((p) => applyPlanned(c, p, { parallelism: MAX_PARALLEL })));
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const failures = results.flatMap((r) => r.failures);
    if (failures.length) throw new Error(`apply failed: ${failures.length} failure(s), first: ${failures[0]!.error}`);
    const counted = await emu.counters();
    return {
      calls: counted.calls,
      writes: counted.writes,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      planned: planned.reduce((n, p) => n + countSteps(p.plan), 0),
      peak: counted.peakInFlight,
      emulatorCpuSeconds: counted.cpuSeconds,
    };
  });
}

/** The floor of a run: its calls spread over the budget, or its longest chain of dependent calls, in seconds. */
const floor = (calls: number, chain: number) => (Math.max(calls / MAX_PARALLEL, chain) * LATENCY_MS) / 1000;
const pages = (n: number) => Math.max(1, Math.ceil(n / MAX_PAGE_SIZE));
// Observing a namespace: its experiments and its recurring runs listed side by side, each page after the last.
const observeChain = pages(SCHEDULES * VERSIONS);
const noopFloorCalls = NAMESPACES * (pages(EXPERIMENTS) + pages(SCHEDULES * VERSIONS));
// A changed schedule: create paused → disable old → enable new → delete the oldest beyond keep_history.
const changeChain = observeChain + 4;

async function main() {
  const emu = await startEmulatorProcess();
  const client = createKfpClient({
    host: emu.url,
    apiVersion: 'v1beta1',
    maxParallelRequests: MAX_PARALLEL,
    retry: { baseMs: 100, maxMs: 2000 },
  });

  // Cold apply without latency (in its own process), then older versions seeded so each schedule has VERSIONS.
  const tSetup = performance.now();
  await runSetupProcess(emu.url);
  await emu.seedOlderVersions(VERSIONS - 1);
  const setupSeconds = (performance.now() - tSetup) / 1000;

  await emu.setLatency(LATENCY_MS);
  // The no-op three times (it changes nothing); the median is printed, with the spread this machine gave.
  const noops = [];
  for (let i = 0; i < NOOP_RUNS; i++)
    noops.push(await reconcile(emu, client, desired(), new Date('2026-06-02T00:00:00Z')));
  const noop = noops.sort((a, b) => a.seconds - b.seconds)[Math.floor(noops.length / 2)]!;
  const change10 = await reconcile(emu, client, desired(1), new Date('2026-06-03T00:00:00Z'));

  // Under injected faults: a fresh client (its own retry counts), another 10 % change.
  const faulty = createKfpClient({
    host: emu.url,
    apiVersion: 'v1beta1',
    maxParallelRequests: MAX_PARALLEL,
    retry: { baseMs: 100, maxMs: 2000 },
  });
  await emu.setFaults(42, [
    { rate: 0.1, kind: { status: 503 } },
    { rate: 0.02, kind: 'reset' },
    { rate: 0.01, kind: { status: 429, retryAfterSeconds: 1 } },
  ]);
  await emu.watchEnabled(true);
  const faulted = await reconcile(emu, faulty, desired(2), new Date('2026-06-04T00:00:00Z'));
  const { injected, worstEnabled } = await emu.counters();
  await emu.watchEnabled(false);
  await emu.setFaults(1, []);
  const after = await reconcile(emu, client, desired(2), new Date('2026-06-05T00:00:00Z'));
  const emulatorRssMb = (await emu.counters()).maxRssMb;
  emu.close();
  client.close();
  faulty.close();

  const ratio = (s: number, f: number) => +(s / f).toFixed(2);
  const noopFloor = floor(noopFloorCalls, observeChain);
  const changeFloor = floor(change10.calls, changeChain);
  const runs = [...noops, change10, faulted, after];
  const reconcilerPeakMb = Math.max(...runs.map((r) => r.rssMb));
  const heapPeakMb = Math.max(...runs.map((r) => r.heapUsedMb));
  const youngMb = Math.max(...runs.map((r) => r.youngMb));
  const spread = `${noops[0]!.seconds.toFixed(2)}–${noops[noops.length - 1]!.seconds.toFixed(2)} s`;
  console.log(
    `Platform: ${NAMESPACES} namespaces × ${SCHEDULES} schedules × ${VERSIONS} versions, ${LATENCY_MS} ms latency (each call takes at least that, the emulator's own work included), max-parallel-requests ${MAX_PARALLEL}; the emulator in its own process; Node ${process.version}, NODE_OPTIONS=${process.env.NODE_OPTIONS ?? '(none)'}`,
  );
  console.log(
    `  no-op:      ${noop.calls} calls (API floor ${noopFloorCalls}: per namespace 1 page of experiments + ${pages(SCHEDULES * VERSIONS)} pages of ${MAX_PAGE_SIZE} recurring runs), ${noop.writes} writes, ${noop.seconds.toFixed(2)} s (median of ${NOOP_RUNS}: ${spread}) vs floor ${noopFloor.toFixed(2)} s (${ratio(noop.seconds, noopFloor)}×; target ≤ 1.2×), peak in flight ${noop.peak}, CPU: reconciler ${noop.cpuSeconds.toFixed(2)} s, emulator ${noop.emulatorCpuSeconds.toFixed(2)} s; reconciler peak RSS ${noop.rssMb} MB`,
  );
  console.log(
    `  10% change: ${change10.calls} calls, ${change10.writes} writes, ${change10.seconds.toFixed(2)} s vs floor ${changeFloor.toFixed(2)} s (${ratio(change10.seconds, changeFloor)}×; target ≤ 1.1×; chain ${changeChain} calls), peak in flight ${change10.peak}, CPU: reconciler ${change10.cpuSeconds.toFixed(2)} s, emulator ${change10.emulatorCpuSeconds.toFixed(2)} s; reconciler peak RSS ${change10.rssMb} MB`,
  );
  console.log(
    `  faults (10% 503, 2% resets, 1% 429 Retry-After 1): ${injected} injected, retries ${JSON.stringify(faulty.retries())}, ${faulted.seconds.toFixed(2)} s, peak in flight ${faulted.peak}; next run plans ${after.planned} write(s) (converged in one run: ${after.planned === 0}), most enabled versions of one schedule at once: ${worstEnabled}`,
  );
  console.log(
    `  memory: reconciler peak RSS ${reconcilerPeakMb} MB (target ≤ 300 MB), of which V8's young generation ${youngMb} MB (${youngGeneration()}); JS heap in use at most ${heapPeakMb} MB (uncollected garbage included); emulator process ${emulatorRssMb} MB (its state: every version, as KFP stores it); setup ${setupSeconds.toFixed(1)} s`,
  );
  // Why a time is above its floor: the floor counts latency only, while both processes share this machine's cores.
  if (noop.seconds > noopFloor * 1.2)
    console.log(
      `  why the no-op is ${ratio(noop.seconds, noopFloor)}× its floor: CPU-bound, not waiting on calls — the reconciler needs ${noop.cpuSeconds.toFixed(2)} s of CPU to parse and reduce ${NAMESPACES * SCHEDULES * VERSIONS} listed versions and the emulator ${noop.emulatorCpuSeconds.toFixed(2)} s to serve them, on ${os.availableParallelism()} core(s) shared with whatever else runs`,
    );
  if (change10.seconds > changeFloor * 1.1)
    console.log(
      `  why the 10% change is ${ratio(change10.seconds, changeFloor)}× its floor: it starts with the same observation as the no-op (${(noop.seconds - noopFloor).toFixed(2)} s over its share of the floor there); the rest runs at ${ratio(change10.seconds - noop.seconds, changeFloor - noopFloor)}× its floor`,
    );
  console.log(
    JSON.stringify({
      benchmark: 'platform',
      namespaces: NAMESPACES,
      schedules_per_namespace: SCHEDULES,
      versions: VERSIONS,
      latency_ms: LATENCY_MS,
      max_parallel_requests: MAX_PARALLEL,
      noop_calls: noop.calls,
      noop_floor_calls: noopFloorCalls,
      noop_seconds: +noop.seconds.toFixed(2),
      noop_seconds_runs: noops.map((r) => +r.seconds.toFixed(2)),
      noop_floor_seconds: +noopFloor.toFixed(2),
      noop_ratio: ratio(noop.seconds, noopFloor),
      noop_peak_in_flight: noop.peak,
      noop_cpu_seconds: +noop.cpuSeconds.toFixed(2),
      noop_emulator_cpu_seconds: +noop.emulatorCpuSeconds.toFixed(2),
      change10_calls: change10.calls,
      change10_writes: change10.writes,
      change10_seconds: +change10.seconds.toFixed(2),
      change10_floor_seconds: +changeFloor.toFixed(2),
      change10_ratio: ratio(change10.seconds, changeFloor),
      change10_peak_in_flight: change10.peak,
      change10_cpu_seconds: +change10.cpuSeconds.toFixed(2),
      change10_emulator_cpu_seconds: +change10.emulatorCpuSeconds.toFixed(2),
      faults_injected: injected,
      faults_retries: faulty.retries(),
      faults_seconds: +faulted.seconds.toFixed(2),
      faults_converged: after.planned === 0,
      faults_max_enabled_versions: worstEnabled,
      reconciler_peak_rss_mb: reconcilerPeakMb,
      reconciler_peak_heap_used_mb: heapPeakMb,
      reconciler_young_generation_mb: youngMb,
      emulator_max_rss_mb: emulatorRssMb,
    }),
  );
}

/** The setup child: the cold apply that fills the emulator. */
async function coldApply(url: string) {
  const c = createKfpClient({ host: url, apiVersion: 'v1beta1', maxParallelRequests: MAX_PARALLEL });
  const planned = await observeAndPlan(c, desired(), {
    now: new Date('2026-06-01T00:00:00Z'),
    prune: 'none',
    ignoreKeys: IGNORE,
    defaultServiceAccount: 'default-editor',
  });
  const results = await Promise.all(planned.map((p) => applyPlanned(c, p, { parallelism: MAX_PARALLEL })));
  c.close();
  const failures = results.flatMap((r) => r.failures);
  if (failures.length)
    throw new Error(`cold apply failed: ${failures.length} failure(s), first: ${failures[0]!.error}`);
}

const setup = setupUrl();
if (isEmulatorChild()) await serveEmulator();
else if (setup) await coldApply(setup);
else await main();
