import type { KfpClient } from '../kfp/types.js';
import { type ApplyOptions, type ApplyResult, applyPlan } from './apply.js';
import { kfpPipelineWriter, kfpWriter, observe, observePipelines } from './kfp-adapter.js';
import { type ActualPipeline, type PipelineChange, planPipelines } from './pipelines.js';
import { applyPipelineChanges, type PipelineApplyOptions } from './pipelines-apply.js';
import type { ActualState, Target, Plan, PlanOptions } from './types.js';
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
import { findByName } from '../kfp/collation.js';
import { LATEST_VERSION_REF_SINCE, parseKfpVersion, versionAtLeast } from '../kfp/version.js';

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
  // The server's release is asked only when a schedule wants `latest` (a no-op otherwise costs no call).
  const latest = desired.some((d) => wantsLatest(d.schedules)) ? await latestSupport(client) : undefined;
  const planOne = (o: Resolved, orphanOnDelete: boolean): Plan => {
    const p = plan(o.desired, o.actual, { ...planOptions, orphanOnDelete });
    const planned = o.warnings?.length ? { ...p, warnings: [...o.warnings, ...p.warnings] } : p;
    return o.pipelines ? { ...planned, pipelines: o.pipelines } : planned;
  };
  // Planned without orphanOnDelete first; `resolved` is kept only to plan again if a plan deletes.
  const firstPlan = (resolved: Resolved): PlannedOnce => {
    const p = planOne(resolved, false);
    return hasDeletes(p) ? { plan: p, resolved } : { plan: p };
  };
  // A namespace without pipelines needs nothing from the others: it is planned as soon as it is observed, while
  // the other namespaces' calls are still out, and its observation is dropped unless the plan deletes.
  const observed = await Promise.all(
    desired.map((d) =>
      observeOne(client, d, opts).then(
        (seen) => (seen.pipelines ? { desired: d, ...seen } : firstPlan({ desired: d, actual: seen.actual })),
        (error: unknown) => ({ desired: d, error }),
      ),
    ),
  );
  const seen = observed.filter((o): o is Observed => 'pinned' in o);
  const failed: ObserveFailure[] = observed
    .filter((o): o is { desired: Target; error: unknown } => 'error' in o)
    .map((o) => ({ namespace: o.desired.namespace, error: o.error }));
  // A shared pipeline's versions may be used from any namespace: every namespace observed protects them.
  const referenced = new Set(seen.flatMap((o) => [...(o.actual.referencedVersions ?? []), ...o.pinned]));
  const ok: PlannedOnce[] = [];
  for (const o of observed) {
    if ('error' in o) continue;
    if ('plan' in o) ok.push(o);
    else
      try {
        ok.push(firstPlan(resolveOne(o, referenced, latest, opts)));
      } catch (error) {
        failed.push({ namespace: o.desired.namespace, error });
      }
  }
  if (ok.some((o) => o.resolved) && (await client.orphanDeleteSupported()))
    for (const o of ok) if (o.resolved) o.plan = planOne(o.resolved, true);
  const planned = ok.map((o) => ({ plan: o.plan }));
  return { planned, failed };
}

/** One namespace as observed: its schedules, the pipelines it declares or runs, and the versions it pins by name. */
interface Observed {
  desired: Target;
  actual: ActualState;
  pipelines?: ActualPipeline[];
  pinned: string[];
}

/** A namespace's plan, and what to plan it again from (only if it deletes: see orphanDeleteSupported). */
interface PlannedOnce {
  plan: Plan;
  resolved?: Resolved;
}

/** One namespace ready to plan: schedules' pipeline references resolved to version ids. */
interface Resolved {
  desired: Target;
  actual: ActualState;
  pipelines?: PipelineChange[];
  warnings?: string[];
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
 * registered pipeline (none: no extra call).
 */
async function observeOne(client: KfpClient, d: Target, opts: ObserveOptions): Promise<Omit<Observed, 'desired'>> {
  const refs = referencedPipelines(d.schedules);
  const declared = d.pipelines ?? [];
  // A referenced pipeline not declared here is looked up by name, never uploaded: in the namespace first, then
  // among the shared pipelines (observePipelines lists the namespace's before the shared ones).
  const lookups = [...refs.keys()]
    .filter((name) => !findByName(declared, name, (p) => p.name))
    .flatMap((name) => [{ name }, { name, shared: true }]);
  const [actual, pipelines] = await Promise.all([
    observe(client, d.namespace, opts.defaultServiceAccount, {
      schedules: d.schedules,
      ignoreKeys: new Set(opts.ignoreKeys),
    }),
    d.pipelines || refs.size ? observePipelines(client, d.namespace, [...declared, ...lookups]) : undefined,
  ]);
  // Versions a schedule pins by name are kept too, also before the schedule exists.
  const pinned = (pipelines ?? []).flatMap((p) =>
    p.versions.filter((v) => refs.get(p.name)?.has(v.name)).map((v) => v.id),
  );
  return pipelines ? { actual, pipelines, pinned } : { actual, pinned };
}

/** Plan the namespace's pipelines and point its schedules at the versions they run (pure). */
function resolveOne(
  o: Observed,
  referenced: ReadonlySet<string>,
  latest: { supported: boolean; release?: string } | undefined,
  opts: ObserveOptions,
): Resolved {
  const d = o.desired;
  if (!o.pipelines) return { desired: d, actual: o.actual };
  const pipelines = planPipelines(d.pipelines ?? [], o.pipelines, {
    now: opts.now,
    namespace: d.namespace,
    commit: opts.commit,
    ignoreKeys: new Set(opts.ignoreKeys),
    referenced,
  });
  const resolved = resolveRefs(d.schedules, {
    namespace: d.namespace,
    changes: pipelines,
    observed: o.pipelines,
    latestSupported: latest?.supported ?? false,
    ...(latest?.release ? { release: latest.release } : {}),
  });
  if (resolved.errors.length) throw new UserError(resolved.errors.join('\n'));
  return {
    desired: { ...d, schedules: resolved.schedules },
    actual: nameRefs(o.actual, o.pipelines),
    ...(d.pipelines ? { pipelines } : {}),
    warnings: resolved.warnings,
  };
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
  const after = await applyPlan(planned.plan, writer, rest);
  return {
    writes: before.writes + after.writes,
    failures: [...before.failures, ...after.failures],
    ...(after.stopped !== undefined ? { stopped: after.stopped } : {}),
  };
}
