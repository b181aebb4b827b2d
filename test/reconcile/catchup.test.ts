import { expect, test, describe } from '@jest/globals';
import { missedSlots } from '../../src/kfp/catchup.js';
import { startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { createKfpClient } from '../../src/kfp/client.js';
import { applyPlan } from '../../src/reconcile/apply.js';
import { kfpWriter, observe } from '../../src/reconcile/kfp-adapter.js';
import type { ActualState, Target, ScheduleSpec } from '../../src/reconcile/types.js';
import { plan } from '../../src/reconcile/plan.js';
import { describeStep, planText } from '../../src/reconcile/report.js';
import { NOW, desired, job, options, spec } from './fixtures.js';

/**
 * Re-enabling a paused version with catchup makes KFP's scheduler run every slot it missed, one by one
 * (backend/src/crd/controller/scheduledworkflow/util/scheduled_workflow.go getNextScheduledEpoch →
 * cron_schedule.go GetNextScheduledTime / periodic_schedule.go GetNextScheduledEpoch: the next slot after the
 * last run, whatever `now` is). With no_catchup it runs only the latest one.
 */
const now = NOW.getTime() / 1000;
const HOUR = 3600;

describe('missed slots, as KFP’s scheduler counts them', () => {
  test('cron: every slot after the last run up to now, not before start_date nor after end_date', () => {
    expect(missedSlots({ cron: '0 0 * * * *' }, now - 10 * HOUR, now)).toBe(10);
    expect(missedSlots({ cron: '0 0 * * * *' }, now - 10 * HOUR - 1, now)).toBe(11); // NOW is on a slot: it counts
    expect(missedSlots({ cron: '0 0 * * * *', start: now - 4 * HOUR }, now - 10 * HOUR, now)).toBe(4);
    expect(missedSlots({ cron: '0 0 * * * *', end: now - 7 * HOUR }, now - 10 * HOUR, now)).toBe(3);
    expect(missedSlots({ cron: '@every 30m' }, now - 10 * HOUR, now)).toBe(20);
    expect(missedSlots({ cron: '0 0 * * * *' }, now - 100_000 * HOUR, now)).toBe(100); // counted up to a cap
  });

  test('periodic: last run + interval, and a start_date after the last run is itself a slot', () => {
    expect(missedSlots({ intervalSeconds: HOUR }, now - 10 * HOUR, now)).toBe(10);
    expect(missedSlots({ intervalSeconds: HOUR, start: now - 2.5 * HOUR }, now - 10 * HOUR, now)).toBe(3);
    expect(missedSlots({ intervalSeconds: HOUR }, now - HOUR / 2, now)).toBe(0);
  });
});

describe('the plan says how many runs a re-enable backfills, and by default never starts a storm', () => {
  const hourly = (over: Partial<ScheduleSpec> = {}) =>
    spec({ catchup: true, trigger: { kind: 'cron', cron: '0 0 * * * *' }, ...over });
  const paused = (updatedAt: number, s = hourly()) =>
    job('nightly', '2026-11-01T00-00-00Z', { enabled: false, updatedAt, spec: s });
  const state = (jobs: ActualState['jobs']): ActualState => ({
    namespace: 'ns',
    experiments: [{ id: 'exp-id', name: 'exp', description: '', archived: false }],
    jobs,
  });
  const want = (s = hourly()): Target => ({
    namespace: 'ns',
    experiments: [{ name: 'exp', description: '' }],
    schedules: [desired('nightly', { spec: s })],
  });

  test('without a limit: enable, saying it starts at least 10 missed runs', () => {
    const p = plan(want(), state([paused(now - 10 * HOUR)]), options({ maxCatchupRuns: -1 }));
    expect(p.changes[0]).toMatchObject({ kind: 'enable', steps: [{ op: 'enable', backfill: 10 }] });
    expect(describeStep(p.changes[0]!.steps[0]!)).toMatch(
      /enable GIT::nightly__2026-11-01T00-00-00Z — KFP then runs at least 10 missed run\(s\) at once \(catchup: true\)/,
    );
    expect(planText([p])).toMatch(/at least 10 missed run/);
  });

  test('by default (max-catchup-runs 0) a new version replaces the paused one: nothing is backfilled', () => {
    const p = plan(want(), state([paused(now - 10 * HOUR)]), options());
    expect(p.changes[0]!.kind).toBe('replace');
    expect(p.changes[0]!.reasons[0]).toMatch(
      /would make KFP run at least 10 missed run\(s\) at once \(catchup: true; max-catchup-runs is 0\), so a new version replaces it/,
    );
    expect(p.changes[0]!.steps.map((s) => s.op)).toEqual(['create', 'enable']);
    expect(p.changes[0]!.steps.some((s) => s.op === 'enable' && s.backfill)).toBe(false);
  });

  test('within the limit, or with catchup: false, or paused since less than a slot: a plain enable', () => {
    expect(plan(want(), state([paused(now - 10 * HOUR)]), options({ maxCatchupRuns: 10 })).changes[0]!.kind).toBe(
      'enable',
    );
    expect(
      plan(want(hourly({ catchup: false })), state([paused(now - 10 * HOUR, hourly({ catchup: false }))]), options())
        .changes[0],
    ).toMatchObject({ kind: 'enable', steps: [{ op: 'enable' }] });
    const halfPast = hourly({ trigger: { kind: 'cron', cron: '0 30 * * * *' } });
    expect(plan(want(halfPast), state([paused(now - 15 * 60, halfPast)]), options()).changes[0]!.kind).toBe('enable');
  });

  test('when a new version would backfill too (start_date in the past), it stays paused with a warning', () => {
    const s = hourly({ trigger: { kind: 'cron', cron: '0 0 * * * *', start: now - 48 * HOUR } });
    const p = plan(want(s), state([paused(now - 10 * HOUR, s)]), options());
    expect(p.changes[0]!.steps).toEqual([]);
    expect(p.warnings).toEqual([
      expect.stringMatching(
        /'nightly' stays paused: .* at least 10 missed run\(s\).* a new version would run 48 since start_date/,
      ),
    ]);
  });

  test('against the emulator: the planned count is what KFP would start; the default starts none', async () => {
    const emu = await startKfpEmulator();
    const client = createKfpClient({ host: emu.url, apiVersion: 'v1beta1', namespace: 'ns' });
    try {
      const exp = emu.state.seedExperiment({ name: 'exp', namespace: 'ns' });
      const workflow = spec().pipeline.data as Record<string, unknown>;
      const pausedAt = new Date(Date.now() - 10 * HOUR * 1000 - 1000);
      const s = spec({ catchup: true, trigger: { kind: 'cron', cron: '0 0 * * * *' }, parameters: {} });
      const seeded = () =>
        emu.state.seedJob({
          name: 'GIT::nightly__2026-11-01T00-00-00Z',
          experimentId: exp.id,
          enabled: false,
          pausedAt,
          updatedAt: pausedAt,
          createdAt: new Date(pausedAt.getTime() - 86_400_000),
          trigger: { cron: { cron: '0 0 * * * *' } },
          pipeline: { kind: 'argo', manifest: JSON.stringify(workflow), parameters: [] },
        });
      const reconcile = async (maxCatchupRuns: number) => {
        const actual = await observe(client, 'ns', 'default-editor');
        const p = plan(want(s), actual, options({ now: new Date(), maxCatchupRuns }));
        await applyPlan(p, kfpWriter(client, 'ns'), { parallelism: 1 });
        return p;
      };
      seeded();
      const allowed = await reconcile(-1);
      const planned = allowed.changes[0]!.steps[0]!;
      expect(planned.op === 'enable' && planned.backfill).toBe(10);
      expect(emu.state.backfills.map((b) => b.runs)).toEqual([10]);

      emu.state.jobs.clear();
      emu.state.backfills.length = 0;
      seeded();
      expect((await reconcile(0)).changes[0]!.kind).toBe('replace');
      expect(emu.state.backfills).toEqual([]);
      expect([...emu.state.jobs.values()].filter((j) => j.enabled)).toHaveLength(1);
    } finally {
      client.close();
      await emu.close();
    }
  });
});
