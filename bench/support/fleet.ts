import type { ScheduleSpec, Target } from '../../src/reconcile/types.js';

/** One bench namespace: schedule i is `s-<i>` in experiment `exp-<i % experiments>`, keeping `versions` versions. */
export function fleet(
  namespace: string,
  o: { schedules: number; experiments: number; versions: number; spec: (i: number) => ScheduleSpec },
): Target {
  return {
    namespace,
    experiments: Array.from({ length: o.experiments }, (_, e) => ({ name: `exp-${e}`, description: '' })),
    schedules: Array.from({ length: o.schedules }, (_, i) => ({
      name: `s-${i}`,
      experiment: `exp-${i % o.experiments}`,
      enabled: true,
      keepHistory: o.versions - 1,
      spec: o.spec(i),
    })),
  };
}
