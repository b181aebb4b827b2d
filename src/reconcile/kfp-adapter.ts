import type { KfpClient, RecurringRun, KfpTrigger } from '../kfp/types.js';
import { isArgoWorkflow } from '../kfp/types.js';
import { typedParameterValue } from '../pipeline/pipeline.js';
import type { ReconcileWriter } from './apply.js';
import { parseVersionName, withoutLineage } from './identity.js';
import type {
  ActualJob,
  ActualState,
  PipelineData,
  ScheduleSpec,
  TargetSchedule,
  TriggerSpec,
  VersionRef,
} from './types.js';
import { mapLimit } from '../lib/concurrency.js';
import { isPlainObject, sameData } from '../lib/yaml.js';
import type { PipelineContent } from './pipeline-diff.js';
import type { ActualPipeline } from './pipelines.js';
import { type Version, newestFirst } from './plan.js';
import type { PipelineWriter } from './pipelines-apply.js';
import { epochSeconds as seconds } from './types.js';
import { MAX_PAGE_SIZE } from '../kfp/client.js';

/** KFP caps list pages at 200: 6,000 versions are 30 requests. */
const PAGE_SIZE = MAX_PAGE_SIZE;
const date = (s: number | undefined) => (s === undefined ? undefined : new Date(s * 1000));

function fromKfpTrigger(t: KfpTrigger | undefined): TriggerSpec {
  if (t && 'cron' in t)
    return { kind: 'cron', cron: t.cron.expression, start: seconds(t.cron.start), end: seconds(t.cron.end) };
  if (t && 'periodic' in t)
    return {
      kind: 'periodic',
      intervalSeconds: t.periodic.intervalSeconds,
      start: seconds(t.periodic.start),
      end: seconds(t.periodic.end),
    };
  // A job with no trigger never matches a desired one: it gets replaced.
  return { kind: 'periodic', intervalSeconds: 0 };
}

function toKfpTrigger(t: TriggerSpec): KfpTrigger {
  const window = { start: date(t.start), end: date(t.end) };
  return t.kind === 'cron'
    ? { cron: { expression: t.cron, ...window } }
    : { periodic: { intervalSeconds: t.intervalSeconds, ...window } };
}

/** Parameter values as the strings configs hold (v2 returns typed JSON values). */
function asString(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function pipelineOf(r: RecurringRun): PipelineData {
  const ref = r.pipelineVersion;
  return {
    kind: isArgoWorkflow(r.pipeline) ? 'v1' : 'v2',
    data: r.pipeline ?? null,
    ...(r.platformSpec ? { platform: r.platformSpec } : {}),
    // Named after the observed pipelines later (pipeline-refs.ts nameRefs).
    ...(ref && !r.pipeline
      ? {
          ref: {
            pipeline: ref.pipelineId,
            pipelineId: ref.pipelineId,
            ...(ref.versionId ? { versionId: ref.versionId } : {}),
          },
        }
      : {}),
  };
}

/** A listed version without its spec. */
function versionOf(r: RecurringRun): Omit<ActualJob, 'spec'> {
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    experimentId: r.experimentId || undefined,
    createdAt: seconds(r.createdAt),
    updatedAt: seconds(r.updatedAt),
    rawDescription: r.description,
  };
}

/** `pipeline`: what to keep of it (observe keeps only the kind of a version it does not compare). */
export function toActualJob(
  r: RecurringRun,
  defaultServiceAccount: string,
  pipeline = pipelineOf(r),
): ActualJob & { spec: ScheduleSpec } {
  const spec: ScheduleSpec = {
    description: withoutLineage(r.description),
    maxConcurrency: r.maxConcurrency,
    // KFP runs a job without a service account as the default runner; compare the effective one.
    serviceAccount: r.serviceAccount || defaultServiceAccount,
    catchup: r.catchup,
    trigger: fromKfpTrigger(r.trigger),
    parameters: Object.fromEntries(Object.entries(r.parameters).map(([k, v]) => [k, asString(v)])),
    pipeline,
  };
  return { ...versionOf(r), spec };
}

/** A wanted schedule's newest listed version (its spec read), and whether its pipeline is git's. */
type Newest = Version & { job: { spec: ScheduleSpec }; same: boolean };

/** What observing keeps of each listed version when it knows what git wants (as observeAndPlan does). */
export interface ObserveFor {
  schedules: readonly TargetSchedule[];
  /** Keys ignored at any depth when comparing pipelines. */
  ignoreKeys: ReadonlySet<string>;
}

/**
 * Observe one namespace: one listing of experiments and one paginated listing of its recurring runs.
 * With `wanted`, each listed version is reduced as its page arrives to what the planner reads besides its
 * pipeline, so memory is bounded by a page, not by the fleet; older versions of a wanted schedule keep no spec.
 * Only the newest version of a wanted schedule is compared with git's pipeline, while its page is in memory:
 * equal, it holds git's pipeline objects (the planner sees no change without walking them); different, it
 * alone is fetched whole for the plan's diff.
 */
export async function observe(
  client: KfpClient,
  namespace: string,
  defaultServiceAccount: string,
  wanted?: ObserveFor,
): Promise<ActualState> {
  const referenced: string[] = [];
  const wantedByName = new Map(wanted?.schedules.map((s) => [s.name, s]));
  const same = samePipelines(wanted?.ignoreKeys ?? new Set());
  // The newest version of each wanted schedule seen so far (planner's order), and whether its pipeline is git's.
  const newest = new Map<string, Newest>();
  const reduce = (r: RecurringRun): ActualJob => {
    if (r.pipelineVersion?.versionId) referenced.push(r.pipelineVersion.versionId);
    if (!wanted) return toActualJob(r, defaultServiceAccount);
    const v = parseVersionName(r.name);
    const want = v && wantedByName.get(v.schedule);
    const seen = want ? newest.get(want.name) : undefined;
    // An older version of a wanted schedule is only kept, disabled or pruned: its spec is not read.
    if (seen && newestFirst({ job: { id: r.id, createdAt: seconds(r.createdAt) }, stamp: v!.stamp }, seen) > 0)
      return versionOf(r);
    const full = pipelineOf(r);
    // A registered pipeline's reference (ids, compared as such) is kept; only the content is dropped.
    const lean = toActualJob(r, defaultServiceAccount, {
      kind: full.kind,
      data: undefined,
      ...(full.ref ? { ref: full.ref } : {}),
    });
    if (want) newest.set(want.name, { job: lean, stamp: v!.stamp, same: same(full, want.spec.pipeline) });
    return lean;
  };
  const [experiments, jobs] = await Promise.all([
    client.listExperiments(namespace, { pageSize: PAGE_SIZE }),
    // Newest first, so that a schedule's first listed version is usually its newest: one comparison each.
    client.scanRecurringRuns({ namespace }, reduce, { pageSize: PAGE_SIZE, sortBy: wanted && 'created_at desc' }),
  ]);
  if (wanted) await withPipelines(client, wanted, newest, jobs, defaultServiceAccount);
  return {
    namespace,
    experiments: experiments.map((e) => ({ id: e.id, name: e.name, description: e.description, archived: e.archived })),
    jobs,
    referencedVersions: referenced,
  };
}

/**
 * Whether a listed pipeline is git's, as diffSpecs compares them (ignored keys dropped), without copying either;
 * once per pair of objects: a page's versions share their parsed manifests, and schedules share git's pipelines.
 * Weakly keyed by the listed pipeline, so a page's pipelines are freed with the page.
 */
function samePipelines(ignoreKeys: ReadonlySet<string>): (actual: PipelineData, desired: PipelineData) => boolean {
  const known = new WeakMap<object, Map<unknown, boolean>>();
  return (actual, desired) => {
    const platformSame = () => sameData(actual.platform ?? null, desired.platform ?? null, ignoreKeys);
    const listed = actual.data;
    if (!listed || typeof listed !== 'object') return sameData(listed, desired.data, ignoreKeys) && platformSame();
    const byDesired = known.get(listed) ?? new Map<unknown, boolean>();
    known.set(listed, byDesired);
    let same = byDesired.get(desired.data);
    if (same === undefined) byDesired.set(desired.data, (same = sameData(listed, desired.data, ignoreKeys)));
    return same && platformSame();
  };
}

/** The compared pipeline of each wanted schedule's newest version: git's objects when equal, else fetched. */
async function withPipelines(
  client: KfpClient,
  wanted: ObserveFor,
  newest: ReadonlyMap<string, Newest>,
  jobs: ActualJob[],
  defaultServiceAccount: string,
): Promise<void> {
  const at = new Map(jobs.map((j, i) => [j, i]));
  await Promise.all(
    wanted.schedules.map(async (d) => {
      const seen = newest.get(d.name);
      if (!seen) return;
      const i = at.get(seen.job)!;
      const { data, platform } = d.spec.pipeline;
      if (seen.same) {
        jobs[i] = {
          ...seen.job,
          spec: { ...seen.job.spec, pipeline: { ...seen.job.spec.pipeline, data, platform } },
        };
        return;
      }
      const fetched = toActualJob(await client.getRecurringRun(seen.job.id), defaultServiceAccount);
      const p = fetched.spec.pipeline;
      // Held as git's objects wherever equal: a fleet whose pipeline changed costs its changes, not its copies.
      jobs[i] = {
        ...fetched,
        spec: {
          ...fetched.spec,
          pipeline: { ...p, data: sharingEqual(p.data, data), platform: sharingEqual(p.platform, platform) },
        },
      };
    }),
  );
}

/** `a`, with every part deep-equal to the same place in `b` replaced by b's own object (compares the same). */
function sharingEqual(a: unknown, b: unknown): unknown {
  if (Object.is(a, b)) return b;
  if (Array.isArray(a) && Array.isArray(b)) {
    const out = a.map((x, i) => sharingEqual(x, b[i]));
    return out.length === b.length && out.every((x, i) => x === b[i]) ? b : out;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, unknown> = {};
    let same = Object.keys(a).length === Object.keys(b).length;
    for (const k of Object.keys(a)) {
      out[k] = sharingEqual(a[k], b[k]);
      if (out[k] !== b[k] || !(k in b)) same = false;
    }
    return same ? b : out;
  }
  return a;
}

/** v2 IR parameters are typed (numbers, booleans, lists, structs), as the KFP SDK sends them; Argo (v1) ones are strings. */
export function typedParameters(
  pipeline: PipelineData,
  params: Readonly<Record<string, string>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === '') continue;
    const typed =
      pipeline.kind === 'v2'
        ? typedParameterValue(
            pipeline.inputs?.find((i) => i.name === name),
            value,
          )
        : undefined;
    // The config validator already refused values that do not fit their type.
    out[name] = typed?.ok ? typed.value : value;
  }
  return out;
}

/**
 * The executor's writes, through the KFP client, in one namespace. `resolve` fills in the ids of a
 * registered pipeline version made by this apply (a schedule created from it waits for it).
 */
export function kfpWriter(
  client: KfpClient,
  namespace: string,
  resolve: (ref: VersionRef) => VersionRef = (ref) => ref,
): ReconcileWriter {
  return {
    createExperiment: async (name, description) => ({
      id: (await client.createExperiment({ name, description, namespace })).id,
    }),
    unarchiveExperiment: (id) => client.unarchiveExperiment(id),
    createJob: async ({ name, experimentId, description, spec }) => {
      const ref = spec.pipeline.ref && resolve(spec.pipeline.ref);
      return {
        id: (
          await client.createRecurringRun({
            name,
            description,
            experimentId,
            enabled: false, // created paused; enabled only after the previous version is paused
            maxConcurrency: spec.maxConcurrency,
            serviceAccount: spec.serviceAccount,
            catchup: spec.catchup,
            trigger: toKfpTrigger(spec.trigger),
            parameters: typedParameters(spec.pipeline, spec.parameters),
            ...(ref
              ? {
                  pipelineVersion: {
                    pipelineId: ref.pipelineId ?? '',
                    ...(ref.versionId ? { versionId: ref.versionId } : {}),
                  },
                }
              : {
                  pipeline: spec.pipeline.data as Record<string, unknown>,
                  platformSpec: spec.pipeline.platform as Record<string, unknown> | undefined,
                }),
          })
        ).id,
      };
    },
    enableJob: (id) => client.enableRecurringRun(id),
    disableJob: (id) => client.disableRecurringRun(id),
    deleteJob: (id, { keepRuns }) => client.deleteRecurringRun(id, { orphanRuns: keepRuns }),
  };
}

/** A version's spec as KFP answers it: the IR alone, or `{pipeline_spec, platform_spec}`. */
function versionContent(spec: Record<string, unknown> | undefined): PipelineContent | undefined {
  if (!spec) return undefined;
  if ('pipeline_spec' in spec)
    return { data: spec.pipeline_spec, ...(spec.platform_spec ? { platform: spec.platform_spec } : {}) };
  return { data: spec };
}

/**
 * Observe registered pipelines: one listing of the namespace's pipelines (and one of the shared ones
 * when git declares a shared pipeline), then one listing of versions per pipeline git declares that
 * exists (KFP has no call listing versions across pipelines).
 */
export async function observePipelines(
  client: KfpClient,
  namespace: string,
  declared: readonly { name: string; shared?: boolean }[],
  parallelism = 8,
): Promise<ActualPipeline[]> {
  const key = (name: string, shared: boolean) => `${shared ? 'shared' : 'ns'}:${name}`;
  const wanted = new Set(declared.map((d) => key(d.name, !!d.shared)));
  // KFP lists the shared pipelines (namespace '') for anyone (pipeline_server.go canAccessPipeline).
  const [own, shared] = await Promise.all([
    client.listPipelines(namespace),
    declared.some((d) => d.shared) ? client.listPipelines('') : [],
  ]);
  const listed = [...own.map((p) => ({ p, shared: false })), ...shared.map((p) => ({ p, shared: true }))];
  return mapLimit(listed, parallelism, async ({ p, shared }) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    namespace: p.namespace,
    ...(shared ? { shared: true } : {}),
    versions: wanted.has(key(p.name, shared))
      ? (await client.listPipelineVersions(p.id)).map((v) => ({
          id: v.id,
          name: v.name,
          description: v.description,
          ...(versionContent(v.spec) ? { content: versionContent(v.spec)! } : {}),
        }))
      : [],
  }));
}

/** Pipeline writes through the KFP client, in one namespace. */
export function kfpPipelineWriter(client: KfpClient, namespace: string): PipelineWriter {
  return {
    // A shared pipeline is created without a namespace (pipeline_server.go createPipeline).
    createPipeline: async (name, description, shared) => ({
      id: (await client.createPipeline({ name, description, namespace: shared ? '' : namespace })).id,
    }),
    uploadVersion: async (v) => ({
      id: (
        await client.uploadPipelineVersion({
          pipelineId: v.pipelineId,
          name: v.name,
          description: v.description,
          filename: v.filename,
          content: v.text,
        })
      ).id,
    }),
    deleteVersion: (pipelineId, versionId) => client.deletePipelineVersion(pipelineId, versionId),
  };
}
