import type { KfpClient } from '../kfp/types.js';
import { type ApplyOptions, type ApplyResult, applyPlan } from './apply.js';
import { kfpPipelineWriter, kfpWriter, observe, observePipelines } from './kfp-adapter.js';
import { type PipelineChange, planPipelines } from './pipelines.js';
import { applyPipelineChanges, type PipelineApplyOptions } from './pipelines-apply.js';
import type { ActualState, DesiredState, Plan, PlanOptions } from './model.js';
import { hasDeletes, plan } from './plan.js';
import {
  type Registered,
  fillRef,
  nameRefs,
  referencedPipelines,
  registeredKey,
  resolveRefs,
  wantsLatest,
} from './pipeline-refs.js';
import { UserError } from '../lib/errors.js';
import { LATEST_VERSION_REF_SINCE, parseKfpVersion, versionAtLeast } from '../kfp/version.js';

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
  desired: readonly DesiredState[],
  opts: ObserveOptions,
): Promise<{ planned: Planned[]; failed: ObserveFailure[] }> {
  const { defaultServiceAccount: _sa, commit: _commit, ...planOptions } = opts;
  // The server's release is asked only when a schedule wants `latest` (a no-op otherwise costs no call).
  const latest = desired.some((d) => wantsLatest(d.schedules)) ? await latestSupport(client) : undefined;
  const observed = await Promise.all(
    desired.map((d) =>
      observeOne(client, d, opts, latest).then(
        (seen) => seen,
        (error: unknown) => ({ desired: d, error }),
      ),
    ),
  );
  type Seen = { desired: DesiredState; actual: ActualState; pipelines?: PipelineChange[]; warnings?: string[] };
  const ok = observed.filter((o): o is Seen => 'actual' in o);
  const failed = observed
    .filter((o): o is { desired: DesiredState; error: unknown } => 'error' in o)
    .map((o) => ({ namespace: o.desired.namespace, error: o.error }));
  const planAll = (orphanOnDelete: boolean) =>
    ok.map((o) => {
      const p = plan(o.desired, o.actual, { ...planOptions, orphanOnDelete });
      return o.warnings?.length ? { ...p, warnings: [...o.warnings, ...p.warnings] } : p;
    });
  let plans = planAll(false);
  if (plans.some(hasDeletes) && (await client.orphanDeleteSupported())) plans = planAll(true);
  const planned = plans.map((p, i) => {
    const seen = ok[i]!;
    return {
      plan: seen.pipelines ? { ...p, pipelines: seen.pipelines } : p,
      experimentIds: new Map(seen.actual.experiments.map((e) => [e.name, e.id])),
    };
  });
  return { planned, failed };
}

/** Whether KFP runs a pipeline's newest version for a recurring run referencing no version (one healthz). */
async function latestSupport(client: KfpClient): Promise<{ supported: boolean; release?: string }> {
  const release = (await client.healthz()).version;
  const parsed = parseKfpVersion(release);
  return {
    supported: client.apiVersion === 'v2beta1' && !!parsed && versionAtLeast(parsed, LATEST_VERSION_REF_SINCE),
    ...(release ? { release } : {}),
  };
}

/**
 * One namespace's schedules, and its pipelines only where a pipelines.yaml exists or a schedule runs a
 * registered pipeline (none: no extra call). Schedules' pipeline references are resolved here.
 */
async function observeOne(
  client: KfpClient,
  d: DesiredState,
  opts: ObserveOptions,
  latest: { supported: boolean; release?: string } | undefined,
): Promise<{ desired: DesiredState; actual: ActualState; pipelines?: PipelineChange[]; warnings?: string[] }> {
  const actual = await observe(client, d.namespace, opts.defaultServiceAccount);
  const refs = referencedPipelines(d.schedules);
  if (!d.pipelines && refs.size === 0) return { desired: d, actual };
  const names = new Set([...(d.pipelines ?? []).map((p) => p.name), ...refs.keys()]);
  const seen = await observePipelines(client, d.namespace, names);
  // Versions a schedule pins by name are kept too, also before the schedule exists.
  const pinned = seen.flatMap((p) => p.versions.filter((v) => refs.get(p.name)?.has(v.name)).map((v) => v.id));
  const referenced = new Set([...(actual.referencedVersions ?? []), ...pinned]);
  const pipelines = planPipelines(d.pipelines ?? [], seen, {
    now: opts.now,
    commit: opts.commit,
    ignoreKeys: new Set(opts.ignoreKeys),
    referenced,
  });
  const resolved = resolveRefs(d.schedules, {
    namespace: d.namespace,
    changes: pipelines,
    observed: seen,
    latestSupported: latest?.supported ?? false,
    ...(latest?.release ? { release: latest.release } : {}),
  });
  if (resolved.errors.length) throw new UserError(resolved.errors.join('\n'));
  return {
    desired: { ...d, schedules: resolved.schedules },
    actual: nameRefs(actual, seen),
    ...(d.pipelines ? { pipelines } : {}),
    warnings: resolved.warnings,
  };
}

/** observeAndPlanEach for callers that stop at the first namespace that cannot be observed. */
export async function observeAndPlan(
  client: KfpClient,
  desired: readonly DesiredState[],
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
  opts: Omit<ApplyOptions, 'experimentIds'> & { pipelines?: PipelineApplyOptions },
): Promise<ApplyResult> {
  const { pipelines: pipelineOpts, ...rest } = opts;
  const before: ApplyResult = { writes: 0, failures: [] };
  const changes = planned.plan.pipelines ?? [];
  const registered: Registered = new Map();
  if (changes.some((c) => c.steps.length)) {
    await applyPipelineChanges(
      changes,
      kfpPipelineWriter(client, planned.plan.namespace),
      {
        stopsAll: rest.stopsAll,
        ...pipelineOpts,
        onRegistered: (pipeline, id, version) => registered.set(registeredKey(pipeline, version), id),
      },
      before,
    );
    if (before.stopped !== undefined) return before;
  }
  // A schedule moving to a version uploaded above is created only if the upload succeeded.
  const writer = kfpWriter(client, planned.plan.namespace, (ref) => fillRef(ref, registered));
  const after = await applyPlan(planned.plan, writer, {
    ...rest,
    experimentIds: planned.experimentIds,
  });
  return {
    writes: before.writes + after.writes,
    failures: [...before.failures, ...after.failures],
    ...(after.stopped !== undefined ? { stopped: after.stopped } : {}),
  };
}
