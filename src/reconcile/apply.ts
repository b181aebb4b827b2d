import { mapLimit } from '../lib/concurrency.js';
import { errorMessage } from '../lib/errors.js';
import { withLineage } from './identity.js';
import type { JobRef, Plan, ScheduleChange, ScheduleSpec, Step } from './types.js';
import type { PipelineStep } from './pipelines.js';

/** The writes the executor needs from a KFP client (one namespace). */
export interface ReconcileWriter {
  createExperiment(name: string, description: string): Promise<{ id: string }>;
  unarchiveExperiment(id: string): Promise<void>;
  createJob(job: {
    name: string;
    experimentId: string;
    description: string;
    spec: ScheduleSpec;
  }): Promise<{ id: string }>;
  enableJob(id: string): Promise<void>;
  disableJob(id: string): Promise<void>;
  deleteJob(id: string, opts: { keepRuns: boolean }): Promise<void>;
}

export interface ApplyOptions {
  /** Schedules applied at once; steps of one schedule always run in order. */
  parallelism: number;
  /** Lineage text for a created version, e.g. "commit abc123 · team/recurring_runs.yaml:12". */
  lineage?: (step: Extract<Step, { op: 'create' }>) => string | undefined;
  onStep?: (step: Step, outcome: 'done' | 'failed' | 'undone', error?: string) => void;
  /**
   * Failures after which no further write is tried, e.g. permission denied: every later write
   * would be refused the same way, and stopping leaves the fewest half-done schedules.
   */
  stopsAll?: (err: unknown) => boolean;
}

export interface StepFailure {
  schedule: string;
  step: Step | PipelineStep;
  error: string;
  /** What the executor did to keep the schedule running. */
  undo?: string;
}

export interface ApplyResult {
  writes: number;
  failures: StepFailure[];
  /** Why the remaining steps were not tried (a failure `stopsAll` matched). */
  stopped?: string;
}

/**
 * Apply a plan: experiments first, then every schedule's steps in order, schedules in parallel.
 * If a schedule's steps fail after its running version was paused, that version is enabled again,
 * so a failure never leaves a wanted schedule without an enabled version; the next run converges.
 */
export async function applyPlan(plan: Plan, writer: ReconcileWriter, opts: ApplyOptions): Promise<ApplyResult> {
  const result: ApplyResult = { writes: 0, failures: [] };
  // Experiments this apply created, by the name their create-experiment step has (ExperimentRef.created).
  const createdExperiments = new Map<string, string>();
  const failedExperiments = new Set<string>();

  for (const step of plan.experimentSteps) {
    try {
      if (step.op === 'create-experiment')
        createdExperiments.set(step.experiment, (await writer.createExperiment(step.experiment, step.description)).id);
      else if (step.op === 'unarchive-experiment') await writer.unarchiveExperiment(step.experimentId);
      result.writes++;
      opts.onStep?.(step, 'done');
    } catch (err) {
      const name = step.op === 'create-experiment' || step.op === 'unarchive-experiment' ? step.experiment : '';
      failedExperiments.add(name);
      result.failures.push({ schedule: `experiment ${name}`, step, error: errorMessage(err) });
      opts.onStep?.(step, 'failed', errorMessage(err));
      if (opts.stopsAll?.(err)) {
        result.stopped = errorMessage(err);
        return result;
      }
    }
  }

  const [first, ...rest] = plan.changes.filter((c) => c.steps.length > 0);
  const apply = (change: ScheduleChange) =>
    applySchedule(change, writer, createdExperiments, failedExperiments, opts, result);
  // The first schedule goes alone: when KFP refuses the first write (credentials, permissions), no
  // other write was sent alongside it.
  if (first) await apply(first);
  await mapLimit(rest, opts.parallelism, apply);
  return result;
}

async function applySchedule(
  change: ScheduleChange,
  writer: ReconcileWriter,
  createdExperiments: ReadonlyMap<string, string>,
  failedExperiments: ReadonlySet<string>,
  opts: ApplyOptions,
  result: ApplyResult,
): Promise<void> {
  const created = new Map<string, string>();
  const idOf = (job: JobRef) => ('id' in job ? job.id : created.get(job.created));
  // Jobs this change tried to pause, in order (a failed call may still have happened).
  const paused: string[] = [];
  let enabled = false;
  let enabling: string | undefined;

  for (const step of change.steps) {
    if (result.stopped !== undefined) return;
    try {
      switch (step.op) {
        case 'create': {
          const experiment = step.experiment;
          if (failedExperiments.has(experiment.name))
            throw new Error(`experiment '${experiment.name}' could not be created or unarchived`);
          const experimentId = 'id' in experiment ? experiment.id : createdExperiments.get(experiment.created);
          if (!experimentId) throw new Error(`experiment '${experiment.name}' does not exist`);
          const description = withLineage(step.spec.description, opts.lineage?.(step));
          created.set(
            step.version,
            (await writer.createJob({ name: step.version, experimentId, description, spec: step.spec })).id,
          );
          break;
        }
        case 'enable':
          enabling = requireId(idOf(step.job), step.job);
          await writer.enableJob(enabling);
          enabled = true;
          break;
        case 'disable': {
          const id = requireId(idOf(step.job), step.job);
          paused.push(id);
          await writer.disableJob(id);
          break;
        }
        case 'delete':
          await writer.deleteJob(requireId(idOf(step.job), step.job), { keepRuns: step.keepsRuns });
          break;
        default:
          throw new Error(`unexpected step ${step.op} in a schedule`);
      }
      result.writes++;
      opts.onStep?.(step, 'done');
    } catch (err) {
      const failure: StepFailure = { schedule: change.schedule, step, error: errorMessage(err) };
      opts.onStep?.(step, 'failed', failure.error);
      if (opts.stopsAll?.(err)) result.stopped ??= failure.error;
      const wantsEnabled = change.steps.some((s) => s.op === 'enable');
      if (wantsEnabled && !enabled && paused.length > 0) {
        // The version that was running before this apply is the first one paused. A failed enable
        // may still have reached KFP, so that version is paused first: never two enabled at once.
        try {
          if (enabling && enabling !== paused[0]) {
            await writer.disableJob(enabling);
            result.writes++;
          }
          await writer.enableJob(paused[0]!);
          result.writes++;
          failure.undo = `re-enabled the previous version (${paused[0]}) so the schedule keeps running`;
          opts.onStep?.(
            { op: 'enable', schedule: change.schedule, job: { id: paused[0]!, name: paused[0]! }, reason: 'undo' },
            'undone',
          );
        } catch (undoErr) {
          failure.undo = `could not re-enable the previous version: ${errorMessage(undoErr)}`;
        }
      }
      result.failures.push(failure);
      return;
    }
  }
}

function requireId(id: string | undefined, job: JobRef): string {
  if (!id) throw new Error(`version ${job.name} was not created`);
  return id;
}
