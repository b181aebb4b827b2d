import type { KfpClient, RecurringRun, Trigger as KfpTrigger } from '../kfp/types.js';
import { isArgoWorkflow } from '../kfp/types.js';
import { typedParameterValue } from '../pipeline/pipeline.js';
import type { ReconcileWriter } from './apply.js';
import { withoutLineage } from './identity.js';
import type { ActualJob, ActualState, PipelineData, ScheduleSpec, Trigger, VersionRef } from './model.js';
import { mapLimit } from '../lib/concurrency.js';
import type { PipelineContent } from './pipeline-diff.js';
import type { ActualPipeline } from './pipelines.js';
import type { PipelineWriter } from './pipelines-apply.js';
import { epochSeconds as seconds } from './model.js';
import { MAX_PAGE_SIZE } from '../kfp/client.js';

/** KFP caps list pages at 200: 6,000 versions are 30 requests. */
const PAGE_SIZE = MAX_PAGE_SIZE;
const date = (s: number | undefined) => (s === undefined ? undefined : new Date(s * 1000));

function fromKfpTrigger(t: KfpTrigger | undefined): Trigger {
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

function toKfpTrigger(t: Trigger): KfpTrigger {
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

export function toActualJob(r: RecurringRun, defaultServiceAccount: string): ActualJob {
  const spec: ScheduleSpec = {
    description: withoutLineage(r.description),
    maxConcurrency: r.maxConcurrency,
    // KFP runs a job without a service account as the default runner; compare the effective one.
    serviceAccount: r.serviceAccount || defaultServiceAccount,
    catchup: r.catchup,
    trigger: fromKfpTrigger(r.trigger),
    parameters: Object.fromEntries(Object.entries(r.parameters).map(([k, v]) => [k, asString(v)])),
    pipeline: pipelineOf(r),
  };
  return {
    id: r.id,
    name: r.name,
    enabled: r.enabled,
    experimentId: r.experimentId || undefined,
    createdAt: seconds(r.createdAt),
    updatedAt: seconds(r.updatedAt),
    rawDescription: r.description,
    spec,
  };
}

/** Observe one namespace: one listing of experiments and one paginated listing of its recurring runs. */
export async function observe(
  client: KfpClient,
  namespace: string,
  defaultServiceAccount: string,
): Promise<ActualState> {
  const [experiments, runs] = await Promise.all([
    client.listExperiments(namespace, { pageSize: PAGE_SIZE }),
    client.listRecurringRuns({ namespace }, { pageSize: PAGE_SIZE }),
  ]);
  return {
    namespace,
    experiments: experiments.map((e) => ({ id: e.id, name: e.name, description: e.description, archived: e.archived })),
    jobs: runs.map((r) => toActualJob(r, defaultServiceAccount)),
    referencedVersions: runs.flatMap((r) => (r.pipelineVersion?.versionId ? [r.pipelineVersion.versionId] : [])),
  };
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
 * Observe registered pipelines: one listing of the namespace's pipelines, then one listing of versions
 * per pipeline git declares that exists (KFP has no call listing versions across pipelines).
 */
export async function observePipelines(
  client: KfpClient,
  namespace: string,
  declared: ReadonlySet<string>,
  parallelism = 8,
): Promise<ActualPipeline[]> {
  const pipelines = await client.listPipelines(namespace);
  return mapLimit(pipelines, parallelism, async (p) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    versions: declared.has(p.name)
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
    createPipeline: async (name, description) => ({
      id: (await client.createPipeline({ name, description, namespace })).id,
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
