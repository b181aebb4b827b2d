import type { KfpClient } from '../kfp/types.js';
import { type ApplyOptions, type ApplyResult, applyPlan } from './apply.js';
import { kfpPipelineWriter, kfpWriter, observe, observePipelines } from './kfp-adapter.js';
import { type PipelineChange, planPipelines } from './pipelines.js';
import { applyPipelineChanges, type PipelineApplyOptions } from './pipelines-apply.js';
import type { ActualState, DesiredState, Plan, PlanOptions } from './model.js';
import { hasDeletes, plan } from './plan.js';

/**
 * The reconcile loop — observe → plan → apply — in one place, for push-reconcile, the CLI, the bench
 * and the tests. I/O stays here; the decisions stay in the pure `plan(desired, actual)`.
 */

/** A planned namespace, with what apply needs from its observation. */
export interface Planned {
  plan: Plan;
  /** Experiment name → id, as observed. */
  experimentIds: Map<string, string>;
}

export interface ObserveOptions extends Omit<PlanOptions, 'orphanOnDelete'> {
  /** The service account KFP reports for a job created without one. */
  defaultServiceAccount: string;
  /** The commit applied: the start of uploaded pipeline version names. */
  commit?: string;
}

/**
 * Observe each namespace (one listing of experiments and one of recurring runs) and plan it. The
 * server's release (healthz) is asked only when a delete is planned, so a no-op costs no extra call.
 */
export async function observeAndPlan(client: KfpClient, desired: readonly DesiredState[], opts: ObserveOptions): Promise<Planned[]> {
  const { defaultServiceAccount, commit, ...planOptions } = opts;
  const actuals: ActualState[] = [];
  for (const d of desired) actuals.push(await observe(client, d.namespace, defaultServiceAccount));
  // Pipelines only where a pipelines.yaml exists: a config without one costs no extra call.
  const pipelineChanges: (PipelineChange[] | undefined)[] = [];
  for (const [i, d] of desired.entries()) {
    if (!d.pipelines) {
      pipelineChanges.push(undefined);
      continue;
    }
    const actual = await observePipelines(client, d.namespace, new Set(d.pipelines.map((p) => p.name)));
    const referenced = new Set(actuals[i]!.referencedVersions ?? []);
    pipelineChanges.push(planPipelines(d.pipelines, actual, { now: opts.now, commit, ignoreKeys: new Set(opts.ignoreKeys), referenced }));
  }
  const planAll = (orphanOnDelete: boolean) => desired.map((d, i) => plan(d, actuals[i]!, { ...planOptions, orphanOnDelete }));
  let plans = planAll(false);
  if (plans.some(hasDeletes) && (await client.orphanDeleteSupported())) plans = planAll(true);
  return plans.map((p, i) => ({ plan: pipelineChanges[i] ? { ...p, pipelines: pipelineChanges[i] } : p, experimentIds: new Map(actuals[i]!.experiments.map((e) => [e.name, e.id])) }));
}

/** Apply one planned namespace through the KFP client: pipeline uploads first, then the schedules. */
export async function applyPlanned(client: KfpClient, planned: Planned, opts: Omit<ApplyOptions, 'experimentIds'> & { pipelines?: PipelineApplyOptions }): Promise<ApplyResult> {
  const { pipelines: pipelineOpts, ...rest } = opts;
  const before: ApplyResult = { writes: 0, failures: [] };
  const changes = planned.plan.pipelines ?? [];
  if (changes.some((c) => c.steps.length)) {
    await applyPipelineChanges(changes, kfpPipelineWriter(client, planned.plan.namespace), { stopsAll: rest.stopsAll, ...pipelineOpts }, before);
    if (before.stopped !== undefined) return before;
  }
  const after = await applyPlan(planned.plan, kfpWriter(client, planned.plan.namespace), { ...rest, experimentIds: planned.experimentIds });
  return { writes: before.writes + after.writes, failures: [...before.failures, ...after.failures], ...(after.stopped !== undefined ? { stopped: after.stopped } : {}) };
}
