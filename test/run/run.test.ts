import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { defaultRunName, runUrl } from '../../src/run/submit.js';
import { waitForRun } from '../../src/run/wait.js';
import { type Harness, expectContract, harness } from '../kfp/helpers.js';

describe('names and links', () => {
  test('the default run name follows deployKF: MANUAL::<pipeline>__<UTC, dashes>', () => {
    expect(defaultRunName('train-model', new Date('2026-03-04T05:06:07.890Z'))).toBe(
      'MANUAL::train-model__2026-03-04T05-06-07Z',
    );
  });

  test.each([
    ['https://kubeflow.example.com/pipeline', undefined, 'https://kubeflow.example.com/pipeline/#/runs/details/r-1'],
    [
      'https://kubeflow.example.com:8443/pipeline/',
      undefined,
      'https://kubeflow.example.com:8443/pipeline/#/runs/details/r-1',
    ],
    [
      'http://ml-pipeline.kubeflow:8888',
      'https://kf.example.com/pipeline/',
      'https://kf.example.com/pipeline/#/runs/details/r-1',
    ],
    [
      'http://ml-pipeline.kubeflow:8888',
      'https://kf.example.com/_/pipeline/#/runs',
      'https://kf.example.com/_/pipeline/#/runs/details/r-1',
    ],
  ])('run-url of %s (ui %s)', (host, ui, url) => {
    expect(runUrl(host, 'r-1', ui)).toBe(url);
  });
});

describe('waitForRun against the emulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness('v2beta1', { runTiming: { pendingMs: 100, runningMs: 200 } });
  });
  afterAll(async () => h.close());

  const newRun = (outcome: 'SUCCEEDED' | 'FAILED') => {
    const exp = h.emu.state.seedExperiment({ name: `e-${Math.random()}`, namespace: 'ns' });
    return h.emu.state.seedRun({
      name: 'r',
      experimentId: exp.id,
      pipeline: { kind: 'ir', spec: {}, parameters: {} },
      outcome,
    });
  };

  test.each<['SUCCEEDED' | 'FAILED', 'succeeded' | 'failed']>([
    ['SUCCEEDED', 'succeeded'],
    ['FAILED', 'failed'],
  ])('a run ending %s: one progress line per state', async (outcome, expected) => {
    // Each state lasts long enough that a poll sees it even on a loaded machine.
    h.emu.state.runTiming = { ...h.emu.state.runTiming, pendingMs: 1000, runningMs: 1000 };
    const lines: string[] = [];
    const r = await waitForRun(h.client, newRun(outcome).id, {
      timeoutMs: 5000,
      pollMs: 20,
      onProgress: (l) => lines.push(l),
    });
    expect(r.outcome).toBe(expected);
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['PENDING', 'RUNNING', outcome]);
    expectContract(h.emu);
  });

  test('the timeout returns the last state seen; a heartbeat line repeats an unchanged state', async () => {
    h.emu.state.runTiming = { pendingMs: 10_000, runningMs: 10_000 };
    const lines: string[] = [];
    const r = await waitForRun(h.client, newRun('SUCCEEDED').id, {
      timeoutMs: 300,
      pollMs: 50,
      heartbeatMs: 100,
      onProgress: (l) => lines.push(l),
    });
    expect(r.outcome).toBe('timeout');
    expect(r.run.state).toBe('PENDING');
    expect(r.elapsedMs).toBeGreaterThanOrEqual(300);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((l) => l.startsWith('PENDING'))).toBe(true);
  });

  test('an abort ends the wait (outcome cancelled) while the run goes on; terminateRun then stops it', async () => {
    h.emu.state.runTiming = { pendingMs: 0, runningMs: 60_000, cancelingMs: 60_000 };
    const run = newRun('SUCCEEDED');
    const cancel = new AbortController();
    const r = await waitForRun(h.client, run.id, {
      timeoutMs: 60_000,
      pollMs: 60_000,
      onProgress: () => cancel.abort(),
      signal: cancel.signal,
    });
    expect([r.outcome, r.run.state]).toEqual(['cancelled', 'RUNNING']);
    await h.client.terminateRun(run.id);
    expect((await h.client.getRun(run.id)).state).toBe('CANCELING');
    expectContract(h.emu);
  });
});

// backend/src/apiserver/server/run_server.go TerminateRunV1 / TerminateRun: both API versions stop a run.
describe.each(['v1beta1', 'v2beta1'] as const)('terminateRun through %s', (apiVersion) => {
  test('the run reads CANCELING, then CANCELED; terminating an ended run is refused', async () => {
    const t = await harness(apiVersion, { runTiming: { pendingMs: 0, runningMs: 60_000, cancelingMs: 60_000 } });
    const exp = t.emu.state.seedExperiment({ name: 'e', namespace: 'ns' });
    const run = t.emu.state.seedRun({
      name: 'r',
      experimentId: exp.id,
      pipeline: { kind: 'ir', spec: {}, parameters: {} },
    });
    await t.client.terminateRun(run.id);
    expect((await t.client.getRun(run.id)).state).toBe('CANCELING');
    t.emu.state.runTiming.cancelingMs = 0;
    expect((await t.client.getRun(run.id)).state).toBe(apiVersion === 'v2beta1' ? 'CANCELED' : 'FAILED');
    await expect(t.client.terminateRun(run.id)).rejects.toThrow(/Row not found/);
    expectContract(t.emu, { requests: false });
    await t.close();
  });
});
