import { setTimeout as sleepFor } from 'node:timers/promises';
import { FINAL_RUN_STATES, type KfpClient, type Run, type RunState } from '../kfp/types.js';
import { formatDuration } from '../lib/duration.js';

/** Final states that count as success (SKIPPED: every task was cached or skipped). */
export const SUCCESS_STATES: readonly RunState[] = ['SUCCEEDED', 'SKIPPED'];

/** `cancelled`: the wait was aborted (the workflow run was cancelled); the run itself goes on. */
export type WaitOutcome = 'succeeded' | 'failed' | 'timeout' | 'cancelled';

export interface WaitResult {
  /** The run as last seen. */
  run: Run;
  outcome: WaitOutcome;
  elapsedMs: number;
}

export interface WaitOptions {
  timeoutMs: number;
  pollMs: number;
  /** A progress line: on every state change, and at least every heartbeatMs while nothing changes. */
  onProgress?: (line: string, run: Run) => void;
  heartbeatMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Stops the wait at the next check (between two polls, or while sleeping). */
  signal?: AbortSignal;
}

/** Poll a run until it reaches a final state or the timeout passes (the run itself keeps going in KFP). */
export async function waitForRun(
  client: Pick<KfpClient, 'getRun'>,
  runId: string,
  opts: WaitOptions,
): Promise<WaitResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => sleepFor(ms, undefined, { signal: opts.signal }).catch(() => undefined));
  const heartbeatMs = opts.heartbeatMs ?? 60_000;
  const start = now();
  let last: { state: RunState; at: number } | undefined;
  for (;;) {
    const run = await client.getRun(runId);
    const t = now();
    const elapsedMs = t - start;
    if (!last || run.state !== last.state || t - last.at >= heartbeatMs) {
      opts.onProgress?.(
        `${run.state.padEnd(9)} after ${formatDuration(elapsedMs / 1000)}${run.error ? ` — ${run.error}` : ''}`,
        run,
      );
      last = { state: run.state, at: t };
    }
    if (FINAL_RUN_STATES.includes(run.state))
      return { run, outcome: SUCCESS_STATES.includes(run.state) ? 'succeeded' : 'failed', elapsedMs };
    if (opts.signal?.aborted) return { run, outcome: 'cancelled', elapsedMs };
    const left = opts.timeoutMs - elapsedMs;
    if (left <= 0) return { run, outcome: 'timeout', elapsedMs };
    await sleep(Math.min(opts.pollMs, left));
    if (opts.signal?.aborted) return { run, outcome: 'cancelled', elapsedMs: now() - start };
  }
}
