import { expect, test } from '@jest/globals';
import { type RecurringRunInput } from '../../src/kfp/types.js';
import { describeWithShared } from '../support/paths.js';
import { type Harness, checkAndCloseHarnessesAfterEach, harness, pipeline, recordingHost } from './helpers.js';

let h: Harness | undefined;
checkAndCloseHarnessesAfterEach();

const v1Job = (experimentId: string, name: string): RecurringRunInput => ({
  name,
  experimentId,
  enabled: false,
  maxConcurrency: 1,
  catchup: true,
  trigger: { cron: { expression: '0 0 * * * *' } },
  parameters: { param1: 'x' },
  pipeline: pipeline('v1beta1'),
});

const jobsNamed = (h: Harness, name: string) => [...h.emu.state.jobs.values()].filter((j) => j.name === name).length;

describeWithShared('retries and the never-duplicate rule, under injected faults', () => {
  test('idempotent calls retry 429/502/503/504 and resets, honouring Retry-After', async () => {
    const host = recordingHost();
    h = await harness('v1beta1', {}, {}, host);
    const exp = await h.client.createExperiment({ name: 'e', namespace: 'ns' });
    h.emu.faults.add({
      route: 'GET /apis/v1beta1/experiments/{id}',
      nth: 1,
      kind: { status: 503, retryAfterSeconds: 1 },
    });
    h.emu.faults.add({ route: 'GET /apis/v1beta1/experiments/{id}', nth: 2, kind: 'reset' });
    h.emu.faults.add({ route: 'GET /apis/v1beta1/experiments/{id}', nth: 3, kind: { status: 429 } });
    const t0 = Date.now();
    expect((await h.client.getExperiment(exp.id)).id).toBe(exp.id);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000); // waited as Retry-After said
    expect(
      h.emu.log.entries.filter((e) => e.route === 'GET /apis/v1beta1/experiments/{id}').map((e) => e.fault ?? e.status),
    ).toEqual(['503:before', 'reset:before', '429:before', 200]);
    expect(host.debugs.filter((d) => /retry \d\/6/.test(d))).toHaveLength(3);
  });

  test('retries stop after the limit with an error that says how many attempts', async () => {
    h = await harness('v2beta1', {}, { retry: { retries: 2, baseMs: 1, maxMs: 2 } });
    h.emu.faults.add({ route: 'GET /apis/v2beta1/healthz', rate: 1, kind: { status: 502 } });
    await expect(h.client.healthz()).rejects.toThrow(/GetHealthz .* HTTP 502 .*after 3 attempts/);
    expect(h.emu.log.calls).toBe(3);
  });

  test.each<[string, { status: 503 } | 'reset' | 'timeout']>([
    ['503 after applying', { status: 503 }],
    ['a reset after applying', 'reset'],
    ['a timeout after applying', 'timeout'],
  ])('a create that fails ambiguously (%s) is found by listing, not repeated', async (_, kind) => {
    h = await harness('v1beta1', { hangMs: 2000 }, { timeoutMs: 300 });
    const exp = await h.client.createExperiment({ name: 'e', namespace: 'ns' });
    h.emu.faults.add({ route: 'POST /apis/v1beta1/jobs', nth: 1, kind, when: 'after' });
    const job = await h.client.createRecurringRun(v1Job(exp.id, 'GIT::a__2024-01-01T00-00-00Z'));
    expect(job.name).toBe('GIT::a__2024-01-01T00-00-00Z');
    expect(jobsNamed(h, job.name)).toBe(1);
    expect(h.emu.log.entries.filter((e) => e.route === 'POST /apis/v1beta1/jobs')).toHaveLength(1);
    // The filter is URL-encoded once more for KFP's second decode (parseAPIFilter).
    expect(
      h.emu.log.entries.some(
        (e) => e.route === 'GET /apis/v1beta1/jobs' && decodeURIComponent(e.query.filter ?? '').includes('GIT::a__'),
      ),
    ).toBe(true);
  });

  test('a create refused before applying (429, timeout) is verified or retried and made exactly once', async () => {
    h = await harness('v2beta1', { hangMs: 2000 }, { timeoutMs: 300 });
    const exp = await h.client.createExperiment({ name: 'e', namespace: 'ns' });
    h.emu.faults.add({ route: 'POST /apis/v2beta1/recurringruns', nth: 1, kind: { status: 429 } });
    h.emu.faults.add({ route: 'POST /apis/v2beta1/recurringruns', nth: 2, kind: 'timeout' });
    const job = await h.client.createRecurringRun({
      ...v1Job(exp.id, 'b'),
      parameters: { param2: 'y' },
      pipeline: pipeline('v2beta1'),
    });
    expect(jobsNamed(h, 'b')).toBe(1);
    expect(job.id).toBe([...h.emu.state.jobs.values()][0]!.id);
    // 429 → plain retry; timeout → list (nothing) → retry → created.
    expect(
      h.emu.log.entries.map(
        (e) => `${e.route.split(' ')[0]} ${e.path.split('/').pop()}${e.fault ? ` ${e.fault}` : ''}`,
      ),
    ).toEqual([
      'POST experiments',
      'POST recurringruns 429:before',
      'POST recurringruns timeout:before',
      'GET recurringruns',
      'POST recurringruns',
    ]);
  });

  test('a 500 on create is not retried blindly: checked, then reported', async () => {
    h = await harness('v1beta1');
    const exp = await h.client.createExperiment({ name: 'e', namespace: 'ns' });
    h.emu.faults.add({ route: 'POST /apis/v1beta1/jobs', nth: 1, kind: { status: 500 } });
    await expect(h.client.createRecurringRun(v1Job(exp.id, 'c'))).rejects.toThrow(/CreateJob .* HTTP 500/);
    expect(jobsNamed(h, 'c')).toBe(0);
    expect(h.emu.log.entries.filter((e) => e.route === 'POST /apis/v1beta1/jobs')).toHaveLength(1);
  });

  test('under a seeded ~30% rate of mixed faults (5 kinds × 6%), 40 creates make exactly 40 jobs', async () => {
    h = await harness(
      'v1beta1',
      { hangMs: 1000, faultSeed: 7 },
      { timeoutMs: 200, retry: { retries: 8, baseMs: 1, maxMs: 5 } },
    );
    const exp = await h.client.createExperiment({ name: 'e', namespace: 'ns' });
    for (const [i, kind] of (
      [{ status: 503 }, { status: 429 }, 'reset', 'timeout', { status: 504 }] as const
    ).entries()) {
      h.emu.faults.add({ route: '', rate: 0.06, kind, when: i % 2 ? 'after' : 'before' });
    }
    const names = Array.from({ length: 40 }, (_, i) => `GIT::j${i}__2024-01-01T00-00-00Z`);
    for (const n of names) await h.client.createRecurringRun(v1Job(exp.id, n));
    expect(h.emu.faults.injected).toBeGreaterThan(5);
    expect(names.map((n) => jobsNamed(h!, n))).toEqual(names.map(() => 1));
  });
});
