import type { ActualJob, TargetSchedule, PlanOptions, ScheduleSpec } from '../../src/reconcile/types.js';

export const NOW = new Date('2026-11-22T12:00:00Z');

export function spec(overrides: Partial<ScheduleSpec> = {}): ScheduleSpec {
  return {
    description: '',
    maxConcurrency: 1,
    serviceAccount: 'default-editor',
    catchup: false,
    trigger: { kind: 'cron', cron: '0 0 0 * * *' },
    parameters: { learning_rate: '0.01' },
    pipeline: {
      kind: 'v1',
      data: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', spec: { entrypoint: 'main' } },
    },
    ...overrides,
  };
}

export function desired(name: string, overrides: Partial<TargetSchedule> = {}): TargetSchedule {
  return { name, experiment: 'exp', enabled: true, keepHistory: 5, spec: spec(), ...overrides };
}

let nextId = 0;
export function job(name: string, stamp: string, overrides: Partial<ActualJob> = {}): ActualJob {
  return {
    id: `job-${++nextId}`,
    name: `GIT::${name}__${stamp}`,
    enabled: true,
    experimentId: 'exp-id',
    rawDescription: '',
    spec: spec(),
    ...overrides,
  };
}

export const options = (overrides: Partial<PlanOptions> = {}): PlanOptions => ({
  now: NOW,
  prune: 'none',
  orphanOnDelete: true,
  ignoreKeys: ['pipelines.kubeflow.org/pipeline_compilation_time'],
  ...overrides,
});
