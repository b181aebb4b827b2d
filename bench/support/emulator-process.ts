/**
 * The KFP emulator in a child process, for the benchmarks: the time and memory they print are then the
 * reconciler's own, not shared with an in-process emulator serving (and storing) the whole fleet. The bench
 * script forks itself with KFP_BENCH_EMULATOR set; the child serves the API on loopback and answers the
 * bench's few commands (latency, faults, seeding, counters) over the IPC channel.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { FaultRule } from '../../src/kfp/emulator/faults.js';
import { startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { parseVersionName, versionName } from '../../src/reconcile/identity.js';

const ROLE = 'KFP_BENCH_EMULATOR';
const SETUP = 'KFP_BENCH_SETUP_URL';

export interface EmulatorCounters {
  calls: number;
  writes: number;
  /** Most requests in flight at once since the last `reset`. */
  peakInFlight: number;
  injected: number;
  /** Most enabled versions of one schedule seen after any enable, while `watchEnabled` was on. */
  worstEnabled: number;
  /** The emulator process's peak resident memory, MB. */
  maxRssMb: number;
  /** CPU seconds the emulator process used since the last `reset`. */
  cpuSeconds: number;
}

type Command =
  | { op: 'counters' }
  | { op: 'reset' }
  | { op: 'latency'; ms: number }
  | { op: 'faults'; seed: number; rules: FaultRule[] }
  | { op: 'watchEnabled'; on: boolean }
  | { op: 'seedOlderVersions'; count: number };

/** Whether this process is the emulator child: the bench script then calls serveEmulator() and nothing else. */
export const isEmulatorChild = () => process.env[ROLE] === '1';

/** The child's side: start the emulator, say where it is, obey commands until the parent goes. */
export async function serveEmulator(): Promise<void> {
  const emu = await startKfpEmulator({ logBodies: false });
  let worstEnabled = 0;
  let cpu0 = process.cpuUsage();
  const handle = (c: Command): unknown => {
    switch (c.op) {
      case 'counters':
        return {
          calls: emu.log.calls,
          writes: emu.log.writes,
          peakInFlight: emu.peakInFlight,
          injected: emu.faults.injected,
          worstEnabled,
          maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
          cpuSeconds: ((u) => (u.user + u.system) / 1e6)(process.cpuUsage(cpu0)),
        } satisfies EmulatorCounters;
      case 'reset':
        cpu0 = process.cpuUsage();
        emu.peakInFlight = 0;
        emu.log.clear();
        return null;
      case 'latency':
        emu.latencyMs = c.ms;
        return null;
      case 'faults':
        emu.faults.clear(c.seed);
        for (const rule of c.rules) emu.faults.add(rule);
        return null;
      case 'watchEnabled':
        // Never two enabled versions of a schedule: checked after every enable the server answers.
        emu.log.onEntry = c.on
          ? (e) => {
              const id = e.write ? /\/(?:jobs|recurringruns)\/([^/:]+)[:/]enable$/.exec(e.path)?.[1] : undefined;
              const job = id && emu.state.jobs.get(id);
              const version = job && parseVersionName(job.name);
              if (!job || !version) return;
              const prefix = `GIT::${version.schedule}__`;
              let enabled = 0;
              for (const j of emu.state.jobs.in({ experimentId: job.experimentId }))
                if (j.enabled && j.name.startsWith(prefix)) enabled++;
              worstEnabled = Math.max(worstEnabled, enabled);
            }
          : undefined;
        return null;
      case 'seedOlderVersions':
        // Older paused versions of every schedule, created when their names say, sharing its stored pipeline.
        for (const job of [...emu.state.jobs.values()]) {
          const version = parseVersionName(job.name);
          if (!version) continue;
          for (let v = 1; v <= c.count; v++) {
            const at = new Date(Date.UTC(2026, 0, v));
            emu.state.seedJob({
              name: versionName(version.schedule, at),
              experimentId: job.experimentId,
              enabled: false,
              pipeline: job.pipeline,
              createdAt: at,
              updatedAt: at,
            });
          }
        }
        return emu.state.jobs.size;
    }
  };
  process.on('message', (m: { id: number; command: Command }) => {
    let reply: unknown;
    try {
      reply = { id: m.id, result: handle(m.command) };
    } catch (err) {
      reply = { id: m.id, error: (err as Error).message };
    }
    process.send!(reply);
  });
  process.on('disconnect', () => void emu.close().then(() => process.exit(0)));
  process.send!({ ready: emu.url });
}

export interface EmulatorProcess {
  url: string;
  counters(): Promise<EmulatorCounters>;
  /** Zero the call log and the in-flight peak. */
  reset(): Promise<void>;
  setLatency(ms: number): Promise<void>;
  setFaults(seed: number, rules: FaultRule[]): Promise<void>;
  watchEnabled(on: boolean): Promise<void>;
  /** Seed `count` older paused versions of every `GIT::` job; answers the number of jobs. */
  seedOlderVersions(count: number): Promise<number>;
  close(): void;
}

/** The parent's side: fork this same script as the emulator and wait until it listens. */
export async function startEmulatorProcess(): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(process.argv[1]!, [], {
    env: { ...process.env, [ROLE]: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator process exited (${code}) before listening`)));
    child.on('message', (m: { ready?: string; id?: number; result?: unknown; error?: string }) => {
      if (m.ready) return resolve(m.ready);
      const p = pending.get(m.id!);
      pending.delete(m.id!);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    });
  });
  const send = <T>(command: Command) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, command });
    });
  return {
    url,
    counters: () => send<EmulatorCounters>({ op: 'counters' }),
    reset: () => send({ op: 'reset' }),
    setLatency: (ms) => send({ op: 'latency', ms }),
    setFaults: (seed, rules) => send({ op: 'faults', seed, rules }),
    watchEnabled: (on) => send({ op: 'watchEnabled', on }),
    seedOlderVersions: (count) => send<number>({ op: 'seedOlderVersions', count }),
    close: () => child.disconnect(),
  };
}

/** The emulator URL when this process is the setup child (see runSetupProcess), else undefined. */
export const setupUrl = () => process.env[SETUP];

/**
 * Run this script again as the setup child (the cold apply that fills the emulator), so the measured process
 * starts fresh: its peak memory is then that of the runs measured, not what the setup left behind.
 */
export async function runSetupProcess(url: string): Promise<void> {
  const child = fork(process.argv[1]!, [], { env: { ...process.env, [SETUP]: url }, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`the setup process exited ${code}`);
}
