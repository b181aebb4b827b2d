import type { KfpClient } from '../kfp/types.js';
import { type ApplyOptions, type ApplyResult, applyPlan } from './apply.js';
import { kfpWriter, observe } from './kfp-adapter.js';
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
}

/**
 * Observe each namespace (one listing of experiments and one of recurring runs) and plan it. The
 * server's release (healthz) is asked only when a delete is planned, so a no-op costs no extra call.
 */
export async function observeAndPlan(client: KfpClient, desired: readonly DesiredState[], opts: ObserveOptions): Promise<Planned[]> {
  const { defaultServiceAccount, ...planOptions } = opts;
  const actuals: ActualState[] = [];
  for (const d of desired) actuals.push(await observe(client, d.namespace, defaultServiceAccount));
  const planAll = (orphanOnDelete: boolean) => desired.map((d, i) => plan(d, actuals[i]!, { ...planOptions, orphanOnDelete }));
  let plans = planAll(false);
  if (plans.some(hasDeletes) && (await client.orphanDeleteSupported())) plans = planAll(true);
  return plans.map((p, i) => ({ plan: p, experimentIds: new Map(actuals[i]!.experiments.map((e) => [e.name, e.id])) }));
}

/** Apply one planned namespace through the KFP client. */
export function applyPlanned(client: KfpClient, planned: Planned, opts: Omit<ApplyOptions, 'experimentIds'>): Promise<ApplyResult> {
  return applyPlan(planned.plan, kfpWriter(client, planned.plan.namespace), { ...opts, experimentIds: planned.experimentIds });
}
