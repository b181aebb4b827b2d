import { afterEach, describe, expect, test } from '@jest/globals';
import type { Run, RunState } from '../../src/kfp/types.js';
import { API_VERSIONS } from '../../src/kfp/types.js';
import { inFlightFromRuns, kfpExperimentInFlight } from '../../src/models/in-flight-kfp.js';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { describeWithShared } from '../support/paths.js';
import { expectContract, pipeline } from '../kfp/helpers.js';

const run = (name: string, state: RunState): Run => ({
  id: name,
  name,
  description: '',
  experimentId: 'e',
  namespace: 'ns',
  state,
  parameters: {},
  serviceAccount: '',
});

describe('which KFP runs count as training in flight', () => {
  test('pending, running and paused do; canceling, finished and unknown do not', () => {
    const cases: [RunState, boolean][] = [
      ['PENDING', true],
      ['RUNNING', true],
      ['PAUSED', true],
      ['CANCELING', false],
      ['CANCELED', false],
      ['SUCCEEDED', false],
      ['SKIPPED', false],
      ['FAILED', false],
      ['UNKNOWN', false],
    ];
    for (const [state, active] of cases)
      expect([state, inFlightFromRuns([run('r', state)], 'train').active]).toEqual([state, active]);
  });

  test('the detail names the experiment and the newest active runs', () => {
    expect(inFlightFromRuns([], 'train')).toEqual({
      active: false,
      detail: "no run pending, running or paused in KFP experiment 'train'",
    });
    const many = ['a', 'b', 'c', 'd'].map((n) => run(n, 'RUNNING'));
    expect(inFlightFromRuns([run('x', 'SUCCEEDED'), run('q', 'PENDING'), ...many], 'train')).toEqual({
      active: true,
      detail: "5 active in KFP experiment 'train': q pending, a running, b running, …",
    });
  });
});

let emu: KfpEmulator | undefined;
afterEach(async () => {
  if (emu) {
    expectContract(emu);
    await emu.close();
  }
  emu = undefined;
});

describeWithShared.each(API_VERSIONS)('kfp-experiment: against the KFP emulator over HTTP (%s)', (apiVersion) => {
  const setup = async () => {
    emu = await startKfpEmulator({ runTiming: { pendingMs: 60_000, runningMs: 600_000 }, auth: { tokens: ['t0k'] } });
    const exp = emu.state.seedExperiment({ name: 'churn-training', namespace: 'team' });
    emu.state.seedExperiment({ name: 'churn-training', namespace: 'other' });
    const rec = { kind: 'argo' as const, manifest: JSON.stringify(pipeline('v1beta1')), parameters: [] };
    const finished = Date.now() - 86_400_000;
    emu.state.seedRun({
      name: 'yesterday',
      experimentId: exp.id,
      pipeline: rec,
      createdMs: finished,
      createdAt: new Date(finished),
    });
    emu.state.seedRun({
      name: 'failed',
      experimentId: exp.id,
      pipeline: rec,
      outcome: 'FAILED',
      createdMs: finished,
      createdAt: new Date(finished),
    });
    return { exp, rec, options: { host: emu.url, apiVersion, namespace: 'team', token: 't0k', retry: { retries: 0 } } };
  };

  test('finished runs only: not in flight; a new run (pending, then running): in flight', async () => {
    const { exp, rec, options } = await setup();
    expect(await kfpExperimentInFlight('churn-training', { options })).toEqual({
      active: false,
      detail: "no run pending, running or paused in KFP experiment 'churn-training'",
    });
    const queued = emu!.state.seedRun({ name: 'train-0125', experimentId: exp.id, pipeline: rec });
    expect(await kfpExperimentInFlight('churn-training', { options })).toEqual({
      active: true,
      detail: "1 active in KFP experiment 'churn-training': train-0125 pending",
    });
    queued.createdMs -= 120_000;
    expect((await kfpExperimentInFlight('churn-training', { options })).detail).toBe(
      "1 active in KFP experiment 'churn-training': train-0125 running",
    );
    // Only this namespace's experiment counts.
    expect(
      (await kfpExperimentInFlight('churn-training', { options: { ...options, namespace: 'other' } })).active,
    ).toBe(false);
  });

  test('an experiment that does not exist is an error with a did-you-mean, never "nothing in flight"', async () => {
    const { options } = await setup();
    await expect(kfpExperimentInFlight('churn-trainig', { options })).rejects.toThrow(
      "in-flight-check: KFP experiment 'churn-trainig' does not exist in namespace 'team'. Did you mean 'churn-training'? Fix: name the experiment your training runs go in (kfp-experiment:<name>), one of: churn-training; or check namespace.",
    );
  });

  test('KFP errors say what to check (a wrong token)', async () => {
    const { options } = await setup();
    await expect(
      kfpExperimentInFlight('churn-training', { options: { ...options, token: 'expired' } }),
    ).rejects.toThrow(/HTTP 401.*Check: authentication/);
  });
});
