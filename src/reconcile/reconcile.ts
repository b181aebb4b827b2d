import type { KfpClient } from '../kfp/types.js';
import { type ApplyOptions, type ApplyResult, applyPlan } from './apply.js';
import { kfpPipelineWriter, kfpWriter, observe, observePipelines } from './kfp-adapter.js';
import { type ActualPipeline, planPipelines } from './pipelines.js';
import { applyPipelineChanges, type PipelineApplyOptions } from './pipelines-apply.js';
import type { ActualState, Target, Plan, PlanOptions } from './types.js';
import { hasDeletes, plan } from './plan.js';

/**
 * The reconcile loop — observe → plan → apply — in one place, for push-reconcile, the CLI, the bench
 * and the tests. I/O stays here; the decisions stay in the pure `plan(desired, actual)`.
 */

/** A planned namespace. Its plan is self-contained: steps name experiments and jobs by id or by the step making it. */
export interface Planned {
  plan: Plan;
}

export interface ObserveOptions extends Omit<PlanOptions, 'orphanOnDelete'> {
  /** The service account KFP reports for a job created without one. */
  defaultServiceAccount: string;
  /** The commit applied: the start of uploaded pipeline version names. */
  commit?: string;
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
export async function observeAndPlanEach(
  client: KfpClient,
  desired: readonly Target[],
  opts: ObserveOptions,
): Promise<{ planned: Planned[]; failed: ObserveFailure[] }> {
  const { defaultServiceAccount: _sa, commit: _commit, ...planOptions } = opts;
  const observed = await Promise.all(
    desired.map((d) =>
      observeOne(client, d, opts).then(
        (seen) => ({ desired: d, ...seen }),
        (error: unknown) => ({ desired: d, error }),
      ),
    ),
  );
  type Seen = { desired: Target; actual: ActualState; pipelines?: ActualPipeline[] };
  const seen = observed.filter((o): o is Seen => 'actual' in o);
  // A shared pipeline's versions may be used from any namespace: every namespace observed protects them.
  const referenced = new Set(seen.flatMap((o) => o.actual.referencedVersions ?? []));
  const ok = seen.map((o) => ({
    ...o,
    pipelines:
      o.pipelines &&
      planPipelines(o.desired.pipelines ?? [], o.pipelines, {
        now: opts.now,
        namespace: o.desired.namespace,
        commit: opts.commit,
        ignoreKeys: new Set(opts.ignoreKeys),
        referenced,
      }),
  }));
  const failed = observed
    .filter((o): o is { desired: Target; error: unknown } => 'error' in o)
    .map((o) => ({ namespace: o.desired.namespace, error: o.error }));
  const planAll = (orphanOnDelete: boolean) =>
    ok.map((o) => plan(o.desired, o.actual, { ...planOptions, orphanOnDelete }));
  let plans = planAll(false);
  if (plans.some(hasDeletes) && (await client.orphanDeleteSupported())) plans = planAll(true);
  const planned = plans.map((p, i) => {
    const seen = ok[i]!;
    return { plan: seen.pipelines ? { ...p, pipelines: seen.pipelines } : p };
  });
  return { planned, failed };
}

/** One namespace's schedules, and its pipelines only where a pipelines.yaml exists (none: no extra call). */
async function observeOne(
  client: KfpClient,
  d: Target,
  opts: ObserveOptions,
): Promise<{ actual: ActualState; pipelines?: ActualPipeline[] }> {
  const [actual, pipelines] = await Promise.all([
    observe(client, d.namespace, opts.defaultServiceAccount, {
      schedules: d.schedules,
      ignoreKeys: new Set(opts.ignoreKeys),
    }),
    d.pipelines && observePipelines(client, d.namespace, d.pipelines),
  ]);
  return pipelines ? { actual, pipelines } : { actual };
}

/** observeAndPlanEach for callers that stop at the first namespace that cannot be observed. */
export async function observeAndPlan(
  client: KfpClient,
  desired: readonly Target[],
  opts: ObserveOptions,
): Promise<Planned[]> {
  const { planned, failed } = await observeAndPlanEach(client, desired, opts);
  if (failed.length) throw failed[0]!.error;
  return planned;
}

/** Apply one planned namespace through the KFP client: pipeline uploads first, then the schedules. */
export async function applyPlanned(
  client: KfpClient,
  planned: Planned,
  opts: ApplyOptions & { pipelines?: PipelineApplyOptions },
): Promise<ApplyResult> {
  const { pipelines: pipelineOpts, ...rest } = opts;
  const before: ApplyResult = { writes: 0, failures: [] };
  const changes = planned.plan.pipelines ?? [];
  if (changes.some((c) => c.steps.length)) {
    await applyPipelineChanges(
      changes,
      kfpPipelineWriter(client, planned.plan.namespace),
      { stopsAll: rest.stopsAll, ...pipelineOpts },
      before,
    );
    if (before.stopped !== undefined) return before;
  }
  const after = await applyPlan(planned.plan, kfpWriter(client, planned.plan.namespace), rest);
  return {
    writes: before.writes + after.writes,
    failures: [...before.failures, ...after.failures],
    ...(after.stopped !== undefined ? { stopped: after.stopped } : {}),
  };
}
