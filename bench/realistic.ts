/**
 * Realistic-size benchmark (`npm run bench`): one namespace of BENCH_REAL_SCHEDULES (default 1,000) schedules ×
 * 6 versions, every one running the 49 KB xgboost_sample_pipeline.yaml of ../shared over v2beta1, 50 ms latency.
 * A listing page of 200 such recurring runs is ~8 MB. Prints the no-op's time beside its floor and the
 * reconciler's peak memory (target ≤ 300 MB); the emulator runs in its own process. Asserts nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MAX_PAGE_SIZE, createKfpClient } from '../src/kfp/client.js';
import { parsePipeline } from '../src/pipeline/pipeline.js';
import type { Target, ScheduleSpec } from '../src/reconcile/types.js';
import { countSteps } from '../src/reconcile/plan.js';
import { applyPlanned, observeAndPlan } from '../src/reconcile/reconcile.js';
import {
  isEmulatorChild,
  runSetupProcess,
  serveEmulator,
  setupUrl,
  startEmulatorProcess,
} from './support/emulator-process.js';
import { fleet } from './support/fleet.js';
import { peakMemoryDuring, youngGeneration } from './support/memory.js';

const SCHEDULES = Number(process.env.BENCH_REAL_SCHEDULES || 1000);
const EXPERIMENTS = 20;
const VERSIONS = 6;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS || 50);
const MAX_PARALLEL = 16;
const NS = 'team-xgb';
const FILE = 'kfp-pipelines/v2-ir/valid/xgboost_sample_pipeline.yaml';
const sharedDir = path.resolve(process.env.KFP_GITOPS_SHARED_DIR || '../shared');

const file = path.join(sharedDir, FILE);

/** Every schedule on the one pipeline file. */
function xgboostFleet(): Target {
  // Parsed once, as config load shares one parse among the entries naming a file.
  const p = parsePipeline(fs.readFileSync(file, 'utf8'), path.basename(file));
  const spec = (i: number): ScheduleSpec => ({
    description: `schedule ${i}`,
    maxConcurrency: 1,
    serviceAccount: 'default-editor',
    catchup: false,
    trigger: { kind: 'cron', cron: `0 0 ${i % 24} * * *` },
    parameters: {},
    pipeline: { kind: p.kind, data: p.workflow, inputs: p.inputs },
  });
  return fleet(NS, { schedules: SCHEDULES, experiments: EXPERIMENTS, versions: VERSIONS, spec });
}

const planOptions = (now: Date) => ({
  now,
  prune: 'none' as const,
  ignoreKeys: [],
  defaultServiceAccount: 'default-editor',
});

/** The setup child: the cold apply that fills the emulator. */
async function coldApply(url: string) {
  const c = createKfpClient({ host: url, apiVersion: 'v2beta1', maxParallelRequests: MAX_PARALLEL });
  const [planned] = await observeAndPlan(c, [xgboostFleet()], planOptions(new Date('2026-06-01T00:00:00Z')));
  const result = await applyPlanned(c, planned!, { parallelism: MAX_PARALLEL });
  c.close();
  if (result.failures.length) throw new Error(`cold apply failed: ${result.failures[0]!.error}`);
}

async function main() {
  if (!fs.existsSync(file)) {
    console.log(`Realistic size: skipped, ${FILE} is not in ${sharedDir} (the shared fixtures are absent).`);
    return;
  }
  const desired = xgboostFleet();
  const emu = await startEmulatorProcess();
  const client = createKfpClient({ host: emu.url, apiVersion: 'v2beta1', maxParallelRequests: MAX_PARALLEL });
  const reconcile = async (now: Date) => {
    await emu.reset();
    return peakMemoryDuring(async () => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const [planned] = await observeAndPlan(client, [desired], planOptions(now));
      const result = await applyPlanned(client, planned!, { parallelism: MAX_PARALLEL });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      if (result.failures.length) throw new Error(`apply failed: ${result.failures[0]!.error}`);
      const counted = await emu.counters();
      return {
        emulatorCpuSeconds: counted.cpuSeconds,
        calls: counted.calls,
        writes: counted.writes,
        planned: countSteps(planned!.plan),
        seconds,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
      };
    });
  };

  const tSetup = performance.now();
  await runSetupProcess(emu.url); // the cold apply, in its own process: this one starts fresh
  await emu.seedOlderVersions(VERSIONS - 1);
  const setupSeconds = (performance.now() - tSetup) / 1000;
  await emu.setLatency(LATENCY_MS);
  const noop = await reconcile(new Date('2026-06-02T00:00:00Z'));
  const emulatorRssMb = (await emu.counters()).maxRssMb;
  emu.close();
  client.close();

  const pages = Math.ceil((SCHEDULES * VERSIONS) / MAX_PAGE_SIZE);
  // The recurring runs' pages follow each other (next_page_token); the experiments are listed beside them.
  const floor = (Math.max(noop.calls / MAX_PARALLEL, pages) * LATENCY_MS) / 1000;
  console.log(
    `Realistic size: ${SCHEDULES} schedules × ${VERSIONS} versions of ${path.basename(FILE)} (${(fs.statSync(file).size / 1024).toFixed(0)} KB) over v2beta1 in one namespace, ${LATENCY_MS} ms latency; Node ${process.version}, NODE_OPTIONS=${process.env.NODE_OPTIONS ?? '(none)'}`,
  );
  console.log(
    `  no-op: ${noop.calls} calls (1 page of experiments + ${pages} pages of ${MAX_PAGE_SIZE} recurring runs, one after another), ${noop.writes} writes, ${noop.planned} planned, ${noop.seconds.toFixed(2)} s vs floor ${floor.toFixed(2)} s (${(noop.seconds / floor).toFixed(2)}×), CPU: reconciler ${noop.cpuSeconds.toFixed(2)} s, emulator ${noop.emulatorCpuSeconds.toFixed(2)} s (serving ${pages} pages of ~8 MB)`,
  );
  console.log(
    `  memory: reconciler peak RSS ${noop.rssMb} MB during the no-op (target ≤ 300 MB), of which V8's young generation ${noop.youngMb} MB (${youngGeneration()}); JS heap in use at most ${noop.heapUsedMb} MB (uncollected garbage included); emulator process ${emulatorRssMb} MB; setup ${setupSeconds.toFixed(1)} s`,
  );
  // Why a time is above its floor: the floor counts latency only; each page is asked for once the last is parsed.
  console.log(
    `  why: the ${pages} pages follow each other, and each ~8 MB answer is parsed before its next_page_token asks for the next page: ${(((noop.seconds - floor) / pages) * 1000).toFixed(0)} ms per page over the latency on this machine`,
  );
  console.log(
    JSON.stringify({
      benchmark: 'realistic',
      schedules: SCHEDULES,
      versions: VERSIONS,
      latency_ms: LATENCY_MS,
      noop_calls: noop.calls,
      noop_writes: noop.writes,
      noop_seconds: +noop.seconds.toFixed(2),
      noop_floor_seconds: +floor.toFixed(2),
      noop_cpu_seconds: +noop.cpuSeconds.toFixed(2),
      noop_emulator_cpu_seconds: +noop.emulatorCpuSeconds.toFixed(2),
      reconciler_peak_rss_mb: noop.rssMb,
      reconciler_peak_heap_used_mb: noop.heapUsedMb,
      reconciler_young_generation_mb: noop.youngMb,
      emulator_max_rss_mb: emulatorRssMb,
    }),
  );
}

const setup = setupUrl();
if (isEmulatorChild()) await serveEmulator();
else if (setup) await coldApply(setup);
else await main();
