import { expect, test } from '@jest/globals';
import { API_VERSIONS, type RecurringRunInput } from '../../src/kfp/types.js';
import { describeWithShared } from '../support/paths.js';
import { type Harness, checkAndCloseHarnessesAfterEach, harness, pipeline } from './helpers.js';

let h: Harness | undefined;
checkAndCloseHarnessesAfterEach();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const job = (experimentId: string, name: string): RecurringRunInput => ({
  name,
  experimentId,
  enabled: false,
  maxConcurrency: 1,
  catchup: false,
  trigger: { cron: { expression: '0 0 * * * *' } },
  parameters: { param2: 'x' },
  pipeline: pipeline('v2beta1'),
});

describeWithShared('the KFP release: healthz, and ORPHAN deletes only from 2.16.0', () => {
  // KFP writes healthz in main.go (newHealthzResponse, 2.17.0; a literal string in 2.0–2.16): commit_sha,
  // tag_name and multi_user are always there, multi_user false included.
  test.each(API_VERSIONS)(
    'healthz (%s) carries commit_sha, tag_name and multi_user; the client reads the release',
    async (version) => {
      h = await harness(version, { multiUser: false, kfpVersion: '2.15.0' });
      const raw = await (await fetch(`${h.emu.url}/apis/${version}/healthz`)).json();
      expect(raw).toMatchObject({ commit_sha: expect.any(String), tag_name: '2.15.0', multi_user: false });
      expect(await h.client.healthz()).toEqual({ multiUser: false, version: '2.15.0' });
      const standard = await harness(version);
      expect(await standard.client.healthz()).toEqual({ multiUser: true, version: '2.17.0' });
    },
  );

  test('the emulator refuses a version that is not X.Y.Z', async () => {
    await expect(harness('v2beta1', { kfpVersion: 'latest' })).rejects.toThrow(/'latest' is not X.Y.Z/);
  });

  // resource/resource_manager.go DeleteJob honours propagation_policy since 2.16.0 (PR #12574); before,
  // grpc-gateway drops the unknown query parameter and the delete terminates running runs (#12573).
  test.each<[string, boolean]>([
    ['2.15.0', false],
    ['2.16.0', true],
    ['2.17.0', true],
  ])('KFP %s: ORPHAN keeps running runs = %s; the client sends it only where it works', async (kfpVersion, works) => {
    h = await harness('v2beta1', { kfpVersion, runTiming: { pendingMs: 10, runningMs: 60_000 } });
    const { client, emu } = h;
    const exp = await client.createExperiment({ name: 'exp', namespace: 'ns1' });
    const a = await client.createRecurringRun(job(exp.id, 'a'));
    const b = await client.createRecurringRun(job(exp.id, 'b'));
    const c = await client.createRecurringRun(job(exp.id, 'c'));
    const rec = emu.state.jobs.get(a.id)!.pipeline;
    const runs = [a, b, c].map((j) =>
      emu.state.seedRun({ name: `r-${j.name}`, experimentId: exp.id, jobId: j.id, pipeline: rec }),
    );
    await sleep(30);
    // The emulator plays the release: a raw ORPHAN delete keeps the run only from 2.16.0.
    expect(
      (await fetch(`${emu.url}/apis/v2beta1/recurringruns/${a.id}?propagation_policy=ORPHAN`, { method: 'DELETE' }))
        .status,
    ).toBe(200);
    expect((await client.getRun(runs[0]!.id)).state).toBe(works ? 'RUNNING' : 'CANCELED');
    emu.log.clear();
    expect(await client.orphanDeleteSupported()).toBe(works);
    await client.deleteRecurringRun(b.id, { orphanRuns: true });
    await client.deleteRecurringRun(c.id, { orphanRuns: true });
    expect((await client.getRun(runs[1]!.id)).state).toBe(works ? 'RUNNING' : 'CANCELED');
    // healthz once for the whole client; ORPHAN only where the server honours it.
    expect(
      emu.log.entries.map(
        (e) =>
          `${e.method} ${e.path.split('/').pop()}${e.query.propagation_policy ? ` ${e.query.propagation_policy}` : ''}`,
      ),
    ).toEqual([
      'GET healthz',
      `DELETE ${b.id}${works ? ' ORPHAN' : ''}`,
      `DELETE ${c.id}${works ? ' ORPHAN' : ''}`,
      `GET ${runs[1]!.id}`,
    ]);
  });

  test('v1beta1 never asks: its delete has no ORPHAN', async () => {
    h = await harness('v1beta1');
    expect(await h.client.orphanDeleteSupported()).toBe(false);
    expect(h.emu.log.calls).toBe(0);
  });
});
