import { parse as parseYaml } from 'yaml';
import { RpcError, invalid } from './rpc.js';
import { listPage } from './listing.js';
import {
  EXPERIMENTS,
  JOBS,
  argoPipeline,
  createExperiment,
  createJob,
  createRun,
  getExperiment,
  type RbacResource,
  specPipeline,
  getJob,
  getRun,
  healthz,
  listNamespace,
  listOut,
  put,
  runListing,
  triggerFromWire,
  triggerToWire,
  v1RunStatus,
  archiveRun,
  deleteRun,
  retryRun,
  terminateRun,
  unarchiveRun,
} from './logic.js';
import { fromVersion, jobFromVersion } from './pipelines.js';
import { type Route, type RouteContext, q } from './route.js';
import type { EmulatorState, ExperimentRecord, JobRecord, PipelineRecord, RunRecord } from './state.js';

/** KFP v1beta1 as the emulator speaks it: translate wire ⇄ state, nothing else. */
const P = '/apis/v1beta1';
const REF_TYPES = ['UNKNOWN_RESOURCE_TYPE', 'EXPERIMENT', 'JOB', 'PIPELINE', 'PIPELINE_VERSION', 'NAMESPACE'];

/** A resource reference as KFP 2.x returns it: from ids only, so without a `name` (model/job.go ToV1). */
const ref = (type: string, id: string, relationship: string) => ({ key: { type, id }, relationship });

function experimentOut(e: ExperimentRecord): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  put(o, 'id', e.id);
  put(o, 'name', e.name);
  put(o, 'description', e.description);
  put(o, 'created_at', e.createdAt);
  put(o, 'resource_references', e.namespace ? [ref('NAMESPACE', e.namespace, 'OWNER')] : []);
  o.storage_state = e.archived ? 'STORAGESTATE_ARCHIVED' : 'STORAGESTATE_AVAILABLE';
  return o;
}

/**
 * pipeline_spec as KFP stores it (server/api_converter.go toApiJobV1): the manifests as stored (a v2
 * create stores YAML, an Argo workflow then in both fields); runtime_config only when not empty.
 */
function pipelineSpecOut(p: PipelineRecord): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (p.kind === 'argo') {
    put(o, 'workflow_manifest', p.manifest);
    put(o, 'pipeline_manifest', p.specManifest);
    put(
      o,
      'parameters',
      p.parameters.map((x) => {
        const po: Record<string, unknown> = {};
        put(po, 'name', x.name);
        put(po, 'value', x.value);
        return po;
      }),
    );
    return o;
  }
  // An IR with a platform spec is stored as two documents (template/v2_template.go V2Spec.Bytes).
  if (p.kind === 'ir')
    put(
      o,
      'pipeline_manifest',
      p.manifest ?? JSON.stringify(p.spec) + (p.platformSpec ? `\n---\n${JSON.stringify(p.platformSpec)}` : ''),
    );
  else put(o, 'pipeline_id', p.pipelineId);
  const rc: Record<string, unknown> = {};
  if (Object.keys(p.parameters).length) rc.parameters = p.parameters;
  if (p.kind === 'ir') put(rc, 'pipeline_root', p.pipelineRoot);
  if (Object.keys(rc).length) o.runtime_config = rc;
  return o;
}

function refsOut(
  namespace: string,
  experimentId: string,
  p: PipelineRecord,
  extra: Record<string, unknown>[] = [],
): Record<string, unknown>[] {
  const refs: Record<string, unknown>[] = [];
  if (namespace) refs.push(ref('NAMESPACE', namespace, 'OWNER'));
  refs.push(ref('EXPERIMENT', experimentId, 'OWNER'), ...extra);
  if (p.kind === 'version')
    refs.push(p.versionId ? ref('PIPELINE_VERSION', p.versionId, 'CREATOR') : ref('PIPELINE', p.pipelineId, 'CREATOR'));
  return refs;
}

/** A v1 job: no `mode` (an input only); `status` is KFP's Conditions column, not `enabled`. */
function jobOut(j: JobRecord): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  put(o, 'id', j.id);
  put(o, 'name', j.name);
  put(o, 'description', j.description);
  o.pipeline_spec = pipelineSpecOut(j.pipeline);
  o.resource_references = refsOut(j.namespace, j.experimentId, j.pipeline);
  put(o, 'service_account', j.serviceAccount);
  put(o, 'max_concurrency', String(j.maxConcurrency));
  if (j.trigger.cron || j.trigger.periodic) o.trigger = triggerToWire(j.trigger);
  put(o, 'created_at', j.createdAt);
  put(o, 'updated_at', j.updatedAt);
  o.status = j.conditions ?? (j.enabled ? 'ENABLED' : 'DISABLED');
  put(o, 'enabled', j.enabled);
  put(o, 'no_catchup', j.noCatchup);
  return o;
}

function runOut(s: EmulatorState, r: RunRecord): Record<string, unknown> {
  const { state, finishedAt } = s.runState(r);
  const o: Record<string, unknown> = {};
  put(o, 'id', r.id);
  put(o, 'name', r.name);
  o.storage_state = r.archived ? 'STORAGESTATE_ARCHIVED' : 'STORAGESTATE_AVAILABLE';
  put(o, 'description', r.description);
  o.pipeline_spec = pipelineSpecOut(r.pipeline);
  o.resource_references = refsOut(
    r.namespace,
    r.experimentId,
    r.pipeline,
    r.jobId ? [ref('JOB', r.jobId, 'CREATOR')] : [],
  );
  put(o, 'service_account', r.serviceAccount);
  put(o, 'created_at', r.createdAt);
  put(o, 'scheduled_at', r.createdAt);
  put(o, 'finished_at', finishedAt);
  put(o, 'status', v1RunStatus(state));
  if (state === 'FAILED') put(o, 'error', 'the pipeline failed (outcome injected by the KFP emulator)');
  return o;
}

/**
 * apiRunDetail (server/api_converter.go toApiRunDetailV1): an Argo run carries the workflow it runs as
 * `pipeline_runtime.workflow_manifest` (resource_manager.go CreateRun stores it at create time: the
 * parameters filled in, the service account set); v2 runs get theirs from the persistence agent.
 */
function runDetail(s: EmulatorState, r: RunRecord): Record<string, unknown> {
  const o: Record<string, unknown> = { run: runOut(s, r) };
  if (r.pipeline.kind === 'argo')
    o.pipeline_runtime = { workflow_manifest: JSON.stringify(runtimeWorkflow(r.pipeline, r.serviceAccount)) };
  return o;
}

function runtimeWorkflow(p: Extract<PipelineRecord, { kind: 'argo' }>, serviceAccount: string): Record<string, any> {
  const wf = parseYaml(p.manifest) as Record<string, any>;
  const given = new Map(p.parameters.map((x) => [x.name, x.value]));
  const spec = { ...(wf.spec ?? {}) };
  const declared: any[] = spec.arguments?.parameters ?? [];
  if (declared.length)
    spec.arguments = {
      ...spec.arguments,
      parameters: declared.map((d) => (given.has(d?.name) ? { ...d, value: given.get(d.name) } : d)),
    };
  if (serviceAccount) spec.serviceAccountName = serviceAccount;
  return { ...wf, spec };
}

/** The v1 pipeline source: inline Argo workflow (parameters checked), inline IR, or pipeline/version reference. */
function pipelineIn(b: any): PipelineRecord | undefined {
  const spec = b.pipeline_spec ?? {};
  const params = (spec.parameters ?? []).map((p: any) => ({ name: p.name ?? '', value: p.value ?? '' }));
  if (spec.workflow_manifest) return argoPipeline(spec.workflow_manifest, params);
  const runtime = spec.runtime_config?.parameters ?? {};
  if (spec.pipeline_manifest)
    return specPipeline(spec.pipeline_manifest, runtime, spec.runtime_config?.pipeline_root, params);
  const refs: any[] = b.resource_references ?? [];
  const version = refs.find((r) => r.key?.type === 'PIPELINE_VERSION')?.key?.id;
  const pipeline = refs.find((r) => r.key?.type === 'PIPELINE')?.key?.id ?? spec.pipeline_id;
  if (version || pipeline)
    return {
      kind: 'version',
      pipelineId: pipeline ?? '',
      versionId: version,
      parameters: Object.keys(runtime).length ? runtime : Object.fromEntries(params.map((p: any) => [p.name, p.value])),
    };
  return undefined;
}

const refOf = (b: any, type: string): string | undefined =>
  (b.resource_references ?? []).find((r: any) => r.key?.type === type)?.key?.id;

/** resource_reference_key.type/id of list calls. */
function listKey(ctx: RouteContext): { type?: string; id?: string } {
  const type = q(ctx, 'resource_reference_key.type');
  if (type && !REF_TYPES.includes(type))
    throw invalid(`resource_reference_key.type '${type}' is not one of ${REF_TYPES.join(', ')}`);
  return { type, id: q(ctx, 'resource_reference_key.id') };
}

function listScope(
  ctx: RouteContext,
  what: string,
  resource: RbacResource,
): { namespace?: string; experimentId?: string } {
  const key = listKey(ctx);
  if (key.type === 'EXPERIMENT') return listNamespace(ctx, undefined, key.id, what, resource);
  if (key.type === 'NAMESPACE') return listNamespace(ctx, key.id, undefined, what, resource);
  return listNamespace(ctx, undefined, undefined, what, resource);
}

function page<T>(ctx: RouteContext, all: Iterable<T>, l: Parameters<typeof listPage<T>>[3]) {
  return listPage(
    all,
    {
      pageToken: q(ctx, 'page_token'),
      pageSize: q(ctx, 'page_size'),
      sortBy: q(ctx, 'sort_by'),
      filter: q(ctx, 'filter'),
    },
    'op',
    l,
  );
}

function lifecycleV1(fn: () => void, context: string): Record<string, never> {
  try {
    fn();
  } catch (err) {
    throw err instanceof RpcError ? err.wrap(context) : err;
  }
  return {};
}

export function v1Routes(): Route[] {
  return [
    { method: 'GET', path: `${P}/healthz`, handle: (ctx) => healthz(ctx.state, 'v1beta1') },

    {
      method: 'GET',
      path: `${P}/experiments`,
      handle: (ctx) => {
        const scope = listScope(ctx, 'Failed to list experiments', 'experiments');
        const all = [...ctx.state.experiments.values()].filter(
          (e) => scope.namespace === undefined || e.namespace === scope.namespace,
        );
        const p = page(ctx, all, EXPERIMENTS);
        return listOut('experiments', { ...p, items: p.items.map(experimentOut) });
      },
    },
    {
      method: 'POST',
      path: `${P}/experiments`,
      body: 'apiExperiment',
      handle: (ctx) =>
        experimentOut(
          createExperiment(ctx, {
            name: ctx.body.name,
            description: ctx.body.description,
            namespace: refOf(ctx.body, 'NAMESPACE'),
          }),
        ),
    },
    {
      method: 'GET',
      path: `${P}/experiments/{id}`,
      handle: (ctx) => experimentOut(getExperiment(ctx, ctx.params.id!)),
    },
    {
      method: 'DELETE',
      path: `${P}/experiments/{id}`,
      handle: (ctx) => {
        ctx.state.deleteExperiment(getExperiment(ctx, ctx.params.id!, 'delete').id);
        return {};
      },
    },
    {
      method: 'POST',
      path: `${P}/experiments/{id}:archive`,
      handle: (ctx) => {
        ctx.state.setExperimentArchived(getExperiment(ctx, ctx.params.id!, 'archive').id, true);
        return {};
      },
    },
    {
      method: 'POST',
      path: `${P}/experiments/{id}:unarchive`,
      handle: (ctx) => {
        ctx.state.setExperimentArchived(getExperiment(ctx, ctx.params.id!, 'unarchive').id, false);
        return {};
      },
    },

    {
      method: 'GET',
      path: `${P}/jobs`,
      handle: (ctx) => {
        const scope = listScope(ctx, 'Failed to list jobs', 'jobs');
        const all = ctx.state.jobs.in(scope);
        const p = page(ctx, all, JOBS);
        return listOut('jobs', { ...p, items: p.items.map(jobOut) });
      },
    },
    {
      method: 'POST',
      path: `${P}/jobs`,
      body: 'apiJob',
      handle: (ctx) => {
        const b = ctx.body;
        const job = createJob(
          ctx,
          {
            name: b.name,
            emptyName: [
              'Job name cannot be empty',
              'Failed to convert a v1beta1 API recurring run to its internal representation',
            ],
            description: b.description,
            experimentId: refOf(b, 'EXPERIMENT'),
            namespace: refOf(b, 'NAMESPACE'),
            // v1: enabled=true OR mode=ENABLED enables; anything else is created disabled.
            enabled: b.enabled === true || b.mode === 'ENABLED',
            maxConcurrency: b.max_concurrency,
            serviceAccount: b.service_account,
            noCatchup: b.no_catchup,
            trigger: triggerFromWire(b.trigger),
            pipeline: () => jobFromVersion(ctx, pipelineIn(b)),
          },
          'Validate create job request failed.',
        );
        return jobOut(job);
      },
    },
    { method: 'GET', path: `${P}/jobs/{id}`, handle: (ctx) => jobOut(getJob(ctx, ctx.params.id!)) },
    {
      method: 'DELETE',
      path: `${P}/jobs/{id}`,
      handle: (ctx) => {
        // v1 has no propagation option: in-flight runs of the job are terminated with it.
        ctx.state.deleteJob(getJob(ctx, ctx.params.id!, 'delete').id);
        return {};
      },
    },
    {
      method: 'POST',
      path: `${P}/jobs/{id}/enable`,
      handle: (ctx) => {
        ctx.state.setJobEnabled(getJob(ctx, ctx.params.id!, 'enable').id, true);
        return {};
      },
    },
    {
      method: 'POST',
      path: `${P}/jobs/{id}/disable`,
      handle: (ctx) => {
        ctx.state.setJobEnabled(getJob(ctx, ctx.params.id!, 'disable').id, false);
        return {};
      },
    },

    {
      method: 'GET',
      path: `${P}/runs`,
      handle: (ctx) => {
        const scope = listScope(ctx, 'Failed to list runs', 'runs');
        const all = [...ctx.state.runs.values()].filter((r) =>
          scope.experimentId
            ? r.experimentId === scope.experimentId
            : scope.namespace === undefined || r.namespace === scope.namespace,
        );
        const p = page(ctx, all, runListing(ctx.state));
        return listOut('runs', { ...p, items: p.items.map((r) => runOut(ctx.state, r)) });
      },
    },
    {
      method: 'POST',
      path: `${P}/runs`,
      body: 'apiRun',
      handle: (ctx) => {
        const b = ctx.body;
        const run = createRun(ctx, {
          name: b.name,
          description: b.description,
          experimentId: refOf(b, 'EXPERIMENT'),
          namespace: refOf(b, 'NAMESPACE'),
          serviceAccount: b.service_account,
          pipeline: () => fromVersion(ctx, pipelineIn(b), 'Failed to create a run'),
        });
        return runDetail(ctx.state, run);
      },
    },
    {
      method: 'GET',
      path: `${P}/runs/{run_id}`,
      handle: (ctx) => runDetail(ctx.state, getRun(ctx, ctx.params.run_id!)),
    },
    // server/run_server.go *V1: the same resource manager calls, wrapped with v1beta1's context.
    {
      method: 'POST',
      path: `${P}/runs/{run_id}/terminate`,
      handle: (ctx) => lifecycleV1(() => terminateRun(ctx, ctx.params.run_id!), 'Failed to terminate a v1beta1 run'),
    },
    {
      method: 'POST',
      path: `${P}/runs/{run_id}/retry`,
      handle: (ctx) => lifecycleV1(() => retryRun(ctx, ctx.params.run_id!), 'Failed to retry a run'),
    },
    {
      method: 'POST',
      path: `${P}/runs/{id}:archive`,
      handle: (ctx) => lifecycleV1(() => archiveRun(ctx, ctx.params.id!), 'Failed to archive a v1beta1 run'),
    },
    {
      method: 'POST',
      path: `${P}/runs/{id}:unarchive`,
      handle: (ctx) => lifecycleV1(() => unarchiveRun(ctx, ctx.params.id!), 'Failed to unarchive a v1beta1 run'),
    },
    {
      method: 'DELETE',
      path: `${P}/runs/{id}`,
      handle: (ctx) => lifecycleV1(() => deleteRun(ctx, ctx.params.id!), 'Failed to delete a v1beta1 run'),
    },
  ];
}
