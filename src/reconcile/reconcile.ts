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

/** A namespace whose observation failed; the other namespaces are planned without it. */
export interface ObserveFailure {
  namespace: string;
  error: unknown;
}

/**
 * Observe every namespace at once (one listing of experiments and one of recurring runs each) and plan
 * them. The client's request budget (max-parallel-requests), not the number of namespaces, bounds the
 * load on the server. A namespace that cannot be observed is returned in `failed`; the others are planned.
 * The server's release (healthz) is asked only when a delete is planned, so a no-op costs no extra call.
 */
export async function observeAndPlanEach(client: KfpClient, desired: readonly DesiredState[], opts: ObserveOptions): Promise<{ planned: Planned[]; failed: ObserveFailure[] }> {
  const { defaultServiceAccount, ...planOptions } = opts;
  const observed = await Promise.all(
    desired.map((d) =>
      observe(client, d.namespace, defaultServiceAccount).then(
        (actual) => ({ desired: d, actual }),
        (error: unknown) => ({ desired: d, error }),
      ),
    ),
  );
  const ok = observed.filter((o): o is { desired: DesiredState; actual: ActualState } => 'actual' in o);
  const failed = observed.filter((o): o is { desired: DesiredState; error: unknown } => 'error' in o).map((o) => ({ namespace: o.desired.namespace, error: o.error }));
  const planAll = (orphanOnDelete: boolean) => ok.map((o) => plan(o.desired, o.actual, { ...planOptions, orphanOnDelete }));
  let plans = planAll(false);
  if (plans.some(hasDeletes) && (await client.orphanDeleteSupported())) plans = planAll(true);
  return { planned: plans.map((p, i) => ({ plan: p, experimentIds: new Map(ok[i]!.actual.experiments.map((e) => [e.name, e.id])) })), failed };
}

/** observeAndPlanEach for callers that stop at the first namespace that cannot be observed. */
export async function observeAndPlan(client: KfpClient, desired: readonly DesiredState[], opts: ObserveOptions): Promise<Planned[]> {
  const { planned, failed } = await observeAndPlanEach(client, desired, opts);
  if (failed.length) throw failed[0]!.error;
  return planned;
}

/** Apply one planned namespace through the KFP client. */
export function applyPlanned(client: KfpClient, planned: Planned, opts: Omit<ApplyOptions, 'experimentIds'>): Promise<ApplyResult> {
  return applyPlan(planned.plan, kfpWriter(client, planned.plan.namespace), { ...opts, experimentIds: planned.experimentIds });
}
