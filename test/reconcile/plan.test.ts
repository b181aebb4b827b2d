import { describe, expect, test } from '@jest/globals';
import { countSteps, plan } from '../../src/reconcile/plan.js';
import type { ActualState, Target } from '../../src/reconcile/types.js';
import { desired, job, options, spec } from './fixtures.js';

const experiments = [{ id: 'exp-id', name: 'exp', description: '', archived: false }];
const state = (jobs: ActualState['jobs'], exps: ActualState['experiments'] = experiments): ActualState => ({
  namespace: 'ns',
  experiments: exps,
  jobs,
});
const want = (...schedules: Target['schedules'][number][]): Target => ({
  namespace: 'ns',
  experiments: [{ name: 'exp', description: '' }],
  schedules,
});
const ops = (p: ReturnType<typeof plan>) =>
  p.changes.flatMap((c) => c.steps.map((s) => `${s.op} ${'version' in s ? s.version : 'job' in s ? s.job.name : ''}`));

describe('plan(desired, actual)', () => {
  test('first apply: create experiment, then create paused and enable', () => {
    const p = plan(want(desired('daily')), state([], []), options());
    expect(p.experimentSteps).toEqual([{ op: 'create-experiment', experiment: 'exp', description: '' }]);
    expect(ops(p)).toEqual(['create GIT::daily__2026-11-22T12-00-00Z', 'enable GIT::daily__2026-11-22T12-00-00Z']);
    expect(p.changes[0]!.kind).toBe('create');
  });

  test('a create step names its experiment as JobRef names a job: by id, or by the step creating it', () => {
    const first = plan(want(desired('daily')), state([], []), options());
    expect(first.changes[0]!.steps[0]).toMatchObject({ op: 'create', experiment: { created: 'exp', name: 'exp' } });
    const later = plan(want(desired('daily')), state([]), options());
    expect(later.changes[0]!.steps[0]).toMatchObject({ op: 'create', experiment: { id: 'exp-id', name: 'exp' } });
  });

  // KFP's unique index on experiment names ignores case and accents (MySQL utf8mb4_0900_ai_ci;
  // backend/src/apiserver/storage/experiment_store.go CreateExperiment, kubeflow/pipelines#5172).
  test("an experiment that differs only in case or accents is KFP's experiment: no create that 409s, no replace", () => {
    const d: Target = {
      namespace: 'ns',
      experiments: [{ name: 'EXP', description: '' }],
      schedules: [desired('daily', { experiment: 'EXP' })],
    };
    const p = plan(
      d,
      state([job('daily', '2026-01-01T00-00-00Z')], [{ id: 'exp-id', name: 'éxp', description: '', archived: false }]),
      options(),
    );
    expect(p.experimentSteps).toEqual([]);
    expect(countSteps(p)).toBe(0);
    expect(p.warnings).toEqual([
      expect.stringMatching(
        /^Experiment 'EXP' is 'éxp' in KFP: KFP compares experiment names ignoring case and accents/,
      ),
    ]);
  });

  test('unchanged config: zero steps, even with a different compile timestamp in the pipeline', () => {
    const current = job('daily', '2026-01-01T00-00-00Z', {
      spec: spec({
        pipeline: {
          kind: 'v1',
          data: {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Workflow',
            metadata: { annotations: { 'pipelines.kubeflow.org/pipeline_compilation_time': 'x' } },
            spec: { entrypoint: 'main' },
          },
        },
      }),
    });
    const d = desired('daily', {
      spec: spec({
        pipeline: {
          kind: 'v1',
          data: {
            apiVersion: 'argoproj.io/v1alpha1',
            kind: 'Workflow',
            metadata: { annotations: { 'pipelines.kubeflow.org/pipeline_compilation_time': 'y' } },
            spec: { entrypoint: 'main' },
          },
        },
      }),
    });
    const p = plan(want(d), state([current]), options());
    expect(countSteps(p)).toBe(0);
    expect(p.changes[0]!.kind).toBe('unchanged');
  });

  test('a changed cron: new version paused, old disabled, new enabled — in that order; the field diff is reported', () => {
    const current = job('daily', '2026-01-01T00-00-00Z');
    const p = plan(
      want(desired('daily', { spec: spec({ trigger: { kind: 'cron', cron: '0 30 2 * * *' } }) })),
      state([current]),
      options(),
    );
    expect(ops(p)).toEqual([
      'create GIT::daily__2026-11-22T12-00-00Z',
      `disable ${current.name}`,
      'enable GIT::daily__2026-11-22T12-00-00Z',
    ]);
    expect(p.changes[0]!.fields).toEqual([
      { field: 'trigger', actual: 'cron "0 0 0 * * *"', desired: 'cron "0 30 2 * * *"' },
    ]);
  });

  test('empty parameter values equal absent ones (KFP drops them)', () => {
    const current = job('daily', '2026-01-01T00-00-00Z', { spec: spec({ parameters: { learning_rate: '0.01' } }) });
    const p = plan(
      want(desired('daily', { spec: spec({ parameters: { learning_rate: '0.01', note: '' } }) })),
      state([current]),
      options(),
    );
    expect(countSteps(p)).toBe(0);
  });

  test('enabled drift alone: just enable or disable', () => {
    const paused = job('daily', '2026-01-01T00-00-00Z', { enabled: false });
    expect(ops(plan(want(desired('daily')), state([paused]), options()))).toEqual([`enable ${paused.name}`]);
    const running = job('daily', '2026-01-01T00-00-00Z');
    expect(ops(plan(want(desired('daily', { enabled: false })), state([running]), options()))).toEqual([
      `disable ${running.name}`,
    ]);
  });

  test('older versions found enabled are disabled, newest untouched', () => {
    const old = job('daily', '2025-01-01T00-00-00Z');
    const newest = job('daily', '2026-01-01T00-00-00Z');
    const p = plan(want(desired('daily')), state([newest, old]), options());
    expect(ops(p)).toEqual([`disable ${old.name}`]);
    expect(p.changes[0]!.kind).toBe('repair');
  });

  test('keep_history counts OLDER versions; prunes oldest first; never the newest; -1 keeps all', () => {
    const versions = ['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04'].map((d) =>
      job('daily', `${d}T00-00-00Z`, { enabled: d === '2026-01-04' }),
    );
    const p = plan(want(desired('daily', { keepHistory: 1 })), state(versions), options());
    expect(ops(p)).toEqual([`delete ${versions[0]!.name}`, `delete ${versions[1]!.name}`]);
    expect(countSteps(plan(want(desired('daily', { keepHistory: -1 })), state(versions), options()))).toBe(0);
    const zero = plan(want(desired('daily', { keepHistory: 0 })), state(versions), options());
    expect(ops(zero)).not.toContain(`delete ${versions[3]!.name}`);
    expect(ops(zero)).toHaveLength(3);
  });

  test('a replace prunes counting the new version as the newest', () => {
    const versions = ['2026-01-01', '2026-01-02'].map((d) =>
      job('daily', `${d}T00-00-00Z`, { enabled: d === '2026-01-02' }),
    );
    const p = plan(
      want(desired('daily', { keepHistory: 1, spec: spec({ maxConcurrency: 3 }) })),
      state(versions),
      options(),
    );
    expect(ops(p)).toEqual([
      'create GIT::daily__2026-11-22T12-00-00Z',
      `disable ${versions[1]!.name}`,
      'enable GIT::daily__2026-11-22T12-00-00Z',
      `delete ${versions[0]!.name}`,
    ]);
  });

  test('a disabled schedule that changes gets a new paused version and no enable', () => {
    const current = job('daily', '2026-01-01T00-00-00Z', { enabled: false });
    const p = plan(
      want(desired('daily', { enabled: false, spec: spec({ maxConcurrency: 2 }) })),
      state([current]),
      options(),
    );
    expect(ops(p)).toEqual(['create GIT::daily__2026-11-22T12-00-00Z']);
  });

  test('a version name already taken in this second is not reused', () => {
    const racing = job('daily', '2026-11-22T12-00-00Z', { spec: spec({ maxConcurrency: 9 }) });
    const p = plan(want(desired('daily')), state([racing]), options());
    expect(ops(p)[0]).toBe('create GIT::daily__2026-11-22T12-00-01Z');
  });

  test('the experiment moved: replace', () => {
    const current = job('daily', '2026-01-01T00-00-00Z', { experimentId: 'other' });
    const p = plan(want(desired('daily')), state([current]), options());
    expect(p.changes[0]!.fields[0]).toEqual({ field: 'experiment', actual: 'other', desired: 'exp' });
  });

  test('the experiment moved to another one of the namespace: the diff names it, not its id', () => {
    const current = job('daily', '2026-01-01T00-00-00Z', { experimentId: 'old-id' });
    const p = plan(
      want(desired('daily')),
      state([current], [...experiments, { id: 'old-id', name: 'legacy', description: '', archived: false }]),
      options(),
    );
    expect(p.changes[0]!.fields[0]).toEqual({ field: 'experiment', actual: 'legacy', desired: 'exp' });
  });

  test('experiments: unarchive only archived ones; warn on description drift', () => {
    const p = plan(
      { ...want(), experiments: [{ name: 'exp', description: 'new' }] },
      state([], [{ id: 'exp-id', name: 'exp', description: 'old', archived: true }]),
      options(),
    );
    expect(p.experimentSteps).toEqual([{ op: 'unarchive-experiment', experimentId: 'exp-id', experiment: 'exp' }]);
    expect(p.warnings[0]).toContain("Experiment 'exp'");
    expect(plan(want(), state([]), options()).experimentSteps).toEqual([]);
  });

  test('orphans are reported, and acted on only per prune', () => {
    const orphan = job('gone', '2026-01-01T00-00-00Z');
    const older = job('gone', '2025-01-01T00-00-00Z', { enabled: false });
    const foreign = { ...job('x', '2026-01-01T00-00-00Z'), name: 'hand-made job' };
    const none = plan(want(), state([orphan, older, foreign]), options());
    expect(none.changes.map((c) => [c.schedule, c.kind, c.steps.length])).toEqual([['gone', 'orphan', 0]]);
    expect(ops(plan(want(), state([orphan, older]), options({ prune: 'disable' })))).toEqual([
      `disable ${orphan.name}`,
    ]);
    const del = plan(want(), state([orphan, older]), options({ prune: 'delete', orphanOnDelete: false }));
    expect(ops(del)).toEqual([`delete ${older.name}`, `delete ${orphan.name}`]);
    expect(del.changes[0]!.steps.every((s) => s.op === 'delete' && !s.keepsRuns)).toBe(true);
  });

  test('pure: same inputs, same plan', () => {
    const input = [
      want(desired('a'), desired('b', { spec: spec({ catchup: true }) })),
      state([job('a', '2026-01-01T00-00-00Z')]),
      options(),
    ] as const;
    expect(plan(...input)).toEqual(plan(...input));
  });
});

describe('plan report', () => {
  test('a plan comment does not change with the clock: created versions are named at apply time', async () => {
    const { planMarkdown, planText } = await import('../../src/reconcile/report.js');
    const at = (iso: string) => plan(want(desired('daily')), state([]), options({ now: new Date(iso) }));
    const [a, b] = [at('2026-11-22T12:00:00Z'), at('2026-11-22T12:00:07Z')];
    expect(planMarkdown([a], { mode: 'plan' })).toBe(planMarkdown([b], { mode: 'plan' }));
    expect(planMarkdown([a], { mode: 'plan' })).toContain('GIT::daily__{apply time}');
    // The log and an apply summary name the real version.
    expect(planText([a])).toContain('GIT::daily__2026-11-22T12-00-00Z');
    expect(planMarkdown([a], { mode: 'apply' })).toContain('GIT::daily__2026-11-22T12-00-00Z');
  });

  test('markdown renders what the user wrote: a created experiment is not a nested list, values are not HTML or emphasis', async () => {
    const { planMarkdown } = await import('../../src/reconcile/report.js');
    const current = job('daily', '2026-01-01T00-00-00Z');
    const d = desired('daily', { spec: spec({ description: 'Nightly <retrain> of __model__' }) });
    const md = planMarkdown([plan(want(d), state([current], []), options())], { mode: 'plan' });
    expect(md).toContain('- \\+ create experiment `exp`');
    expect(md).not.toMatch(/^- \+ /m);
    expect(md).toContain('"Nightly \\<retrain\\> of \\_\\_model\\_\\_"');
    expect(md.slice(0, md.indexOf('<details>'))).not.toContain('<retrain>');
  });
});
