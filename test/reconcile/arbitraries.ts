import fc from 'fast-check';
import type { Target, ScheduleSpec } from '../../src/reconcile/types.js';
import { spec } from './fixtures.js';

/** Random desired states, commits and perturbations for the convergence properties. */
export const NAMES = ['a', 'b', 'c', 'd', 'e'];
export const EXPERIMENTS = ['x', 'y'];

export const arbSpec: fc.Arbitrary<ScheduleSpec> = fc
  .record({
    cron: fc.constantFrom('0 0 0 * * *', '0 30 2 * * *', '@daily'),
    periodic: fc.boolean(),
    maxConcurrency: fc.integer({ min: 1, max: 3 }),
    catchup: fc.boolean(),
    lr: fc.constantFrom('0.1', '0.01', ''),
    image: fc.constantFrom('v1', 'v2'),
  })
  .map((r) =>
    spec({
      trigger: r.periodic ? { kind: 'periodic', intervalSeconds: 3600 } : { kind: 'cron', cron: r.cron },
      maxConcurrency: r.maxConcurrency,
      catchup: r.catchup,
      parameters: { learning_rate: r.lr },
      pipeline: { kind: 'v1', data: { kind: 'Workflow', spec: { image: r.image } } },
    }),
  );

export const arbTarget: fc.Arbitrary<Target> = fc
  .uniqueArray(
    fc.record({
      name: fc.constantFrom(...NAMES),
      experiment: fc.constantFrom(...EXPERIMENTS),
      enabled: fc.boolean(),
      keepHistory: fc.integer({ min: -1, max: 3 }),
      spec: arbSpec,
    }),
    { selector: (s) => s.name, maxLength: 5 },
  )
  .map((schedules) => ({
    namespace: 'ns',
    experiments: EXPERIMENTS.map((name) => ({ name, description: '' })),
    schedules,
  }));

/** Git before and after a commit: often the same config or a small edit, sometimes a rewrite. */
export const arbCommit: fc.Arbitrary<[Target, Target]> = arbTarget.chain((before) =>
  fc.tuple(
    fc.constant(before),
    fc.oneof(
      fc.constant(before),
      fc.constant({
        ...before,
        schedules: before.schedules.map((s, i) => (i % 2 ? { ...s, enabled: !s.enabled } : s)),
      }),
      fc.constant({ ...before, schedules: before.schedules.map((s) => ({ ...s, keepHistory: 0 })) }),
      fc.constant({ ...before, schedules: before.schedules.slice(1) }),
      arbTarget,
    ),
  ),
);

/** Things people and racing runs do to a namespace behind git's back. */
export type Perturbation =
  | { kind: 'toggle'; pick: number }
  | { kind: 'delete'; pick: number }
  | { kind: 'extra-version'; name: string; enabled: boolean; spec: ScheduleSpec; second: number }
  | { kind: 'archive'; pick: number };

export const arbPerturbation: fc.Arbitrary<Perturbation> = fc.oneof(
  fc.record({ kind: fc.constant('toggle' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('extra-version' as const),
    name: fc.constantFrom(...NAMES),
    enabled: fc.boolean(),
    spec: arbSpec,
    second: fc.integer({ min: 0, max: 3 }),
  }),
  fc.record({ kind: fc.constant('archive' as const), pick: fc.nat() }),
);
