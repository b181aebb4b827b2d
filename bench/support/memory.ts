import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';

// A full collection before each measured run, so that its peak is its own, not the garbage of the one before.
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

const MB = 2 ** 20;

/** Peak memory of this process while a measured run went on, MB. */
export interface PeakMemory {
  /** Resident memory: what the machine gives the process. */
  rssMb: number;
  /** The JavaScript heap in use (heapUsed): what the run holds, garbage not yet collected included. */
  heapUsedMb: number;
  /** V8's young generation (new space), which V8 sizes from the machine's (or the pod's) memory. */
  youngMb: number;
}

/** Run `fn` after a full collection, sampling memory every 50 ms. */
export async function peakMemoryDuring<T>(fn: () => Promise<T>): Promise<T & PeakMemory> {
  collect();
  const peak = { rss: 0, heapUsed: 0, young: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.young = Math.max(peak.young, young);
  };
  sample();
  const sampler = setInterval(sample, 50);
  try {
    const out = await fn();
    sample();
    return {
      ...out,
      rssMb: Math.round(peak.rss / MB),
      heapUsedMb: Math.round(peak.heapUsed / MB),
      youngMb: Math.round(peak.young / MB),
    };
  } finally {
    clearInterval(sampler);
  }
}

/** What sized V8's young generation in this process, for the printed figures. */
export function youngGeneration(): string {
  const cap = /--max-semi-space-size=(\d+)/.exec(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`);
  return cap
    ? `semi-spaces capped at ${cap[1]} MB, as every reconciler runs`
    : `sized by V8 from the ${Math.round(os.totalmem() / 2 ** 30)} GB it sees`;
}
