import { parse as parseYaml, stringify as yamlText } from 'yaml';
import { ORPHAN_DELETE_SINCE } from '../version.js';
import { RpcError, invalid } from './rpc.js';
import { listPage } from './listing.js';
import {
  EXPERIMENTS,
  JOBS,
  archiveRun,
  createExperiment,
  createJob,
  createRun,
  deleteRun,
  getExperiment,
  getJob,
  getRun,
  healthz,
  listNamespace,
  listOut,
  put,
  retryRun,
  runListing,
  specPipeline,
  terminateRun,
  triggerFromWire,
  triggerToWire,
  unarchiveRun,
} from './logic.js';
import { fromVersion, jobFromVersion } from './pipelines.js';
import { type Route, type RouteContext, q } from './route.js';
import type { EmulatorState, ExperimentRecord, JobRecord, PipelineRecord, RunRecord } from './state.js';

/** KFP v2beta1 as the emulator speaks it: translate wire ⇄ state, nothing else. */
const P = '/apis/v2beta1';
const POLICIES = ['DELETE_PROPAGATION_POLICY_UNSPECIFIED', 'FOREGROUND', 'BACKGROUND', 'ORPHAN'];

function experimentOut(e: ExperimentRecord): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  put(o, 'experiment_id', e.id);
  put(o, 'display_name', e.name);
  put(o, 'description', e.description);
  put(o, 'created_at', e.createdAt);
  put(o, 'namespace', e.namespace);
  o.storage_state = e.archived ? 'ARCHIVED' : 'AVAILABLE';
  // An unset Timestamp message still comes back, as the epoch.
  o.last_run_created_at = (e.lastRunCreatedAt ?? new Date(0)).toISOString().replace('.000Z', 'Z');
  return o;
}

/**
 * The pipeline as v2 returns it (server/api_converter.go toApiRecurringRun): the stored spec manifest
 * read back from YAML, so an Argo workflow created through v2 comes back as `pipeline_spec`; one
 * created through v1 (`workflow_manifest` only) does not (only its parameters, as runtime_config).
 * runtime_config is omitted when empty.
 */
function pipelineOut(o: Record<string, unknown>, p: PipelineRecord): void {
  // With a platform spec, KFP returns both as sub-structs (server/api_util.go YamlStringToPipelineSpecStruct).
  if (p.kind === 'ir')
    o.pipeline_spec = p.platformSpec ? { pipeline_spec: p.spec, platform_spec: p.platformSpec } : p.spec;
  if (p.kind === 'argo' && p.specManifest) o.pipeline_spec = parseYaml(p.specManifest);
  if (p.kind === 'version') {
    const ref: Record<string, unknown> = {};
    put(ref, 'pipeline_id', p.pipelineId);
    put(ref, 'pipeline_version_id', p.versionId);
    o.pipeline_version_reference = ref;
  }
  const params = p.kind === 'argo' ? Object.fromEntries(p.parameters.map((x) => [x.name, x.value])) : p.parameters;
  const rc: Record<string, unknown> = {};
  if (Object.keys(params).length) rc.parameters = params;
  if (p.kind === 'ir') put(rc, 'pipeline_root', p.pipelineRoot);
  if (Object.keys(rc).length) o.runtime_config = rc;
}

function recurringRunOut(j: JobRecord): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  put(o, 'recurring_run_id', j.id);
  put(o, 'display_name', j.name);
  put(o, 'description', j.description);
  pipelineOut(o, j.pipeline);
  put(o, 'service_account', j.serviceAccount);
  put(o, 'max_concurrency', String(j.maxConcurrency));
  o.trigger = triggerToWire(j.trigger);
  o.mode = j.enabled ? 'ENABLE' : 'DISABLE';
  put(o, 'created_at', j.createdAt);
  put(o, 'updated_at', j.updatedAt);
  o.status = j.enabled ? 'ENABLED' : 'DISABLED';
  put(o, 'no_catchup', j.noCatchup);
  put(o, 'namespace', j.namespace);
  put(o, 'experiment_id', j.experimentId);
  return o;
}

function runOut(s: EmulatorState, r: RunRecord): Record<string, unknown> {
  const { state, finishedAt } = s.runState(r);
  const o: Record<string, unknown> = {};
  put(o, 'experiment_id', r.experimentId);
  put(o, 'run_id', r.id);
  put(o, 'display_name', r.name);
  o.storage_state = r.archived ? 'ARCHIVED' : 'AVAILABLE';
  put(o, 'description', r.description);
  pipelineOut(o, r.pipeline);
  put(o, 'service_account', r.serviceAccount);
  put(o, 'created_at', r.createdAt);
  put(o, 'scheduled_at', r.createdAt);
  put(o, 'finished_at', finishedAt);
  o.state = state;
  if (state === 'FAILED') o.error = { code: 2, message: 'the pipeline failed (outcome injected by the KFP emulator)' };
  put(o, 'recurring_run_id', r.jobId);
  return o;
}

/**
 * pipeline_spec, stored as YAML (api_converter.go toModelJob pipelineSpecStructToYamlString): IR, or an
 * Argo workflow whose runtime parameters v2 drops; or a version reference.
 */
function pipelineIn(b: any): PipelineRecord | undefined {
  const params = b.runtime_config?.parameters ?? {};
  if (b.pipeline_spec) {
    // `{pipeline_spec, platform_spec}` as the SDK sends an IR with its platform spec; both stored as YAML
    // documents (api_util.go pipelineSpecStructToYamlString).
    const spec = b.pipeline_spec;
    const withPlatform = !!spec.pipeline_spec && typeof spec.pipeline_spec === 'object';
    const text = withPlatform
      ? yamlText(spec.pipeline_spec) + (spec.platform_spec ? `---\n${yamlText(spec.platform_spec)}` : '')
      : yamlText(spec);
    return specPipeline(text, params, b.runtime_config?.pipeline_root);
  }
  const ref = b.pipeline_version_reference;
  if (ref?.pipeline_id)
    return { kind: 'version', pipelineId: ref.pipeline_id, versionId: ref.pipeline_version_id, parameters: params };
  if (b.pipeline_version_id)
    return { kind: 'version', pipelineId: '', versionId: b.pipeline_version_id, parameters: params };
  return undefined;
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
    'operation',
    l,
  );
}

function lifecycle(fn: () => void, context: string): void {
  try {
    fn();
  } catch (err) {
    throw err instanceof RpcError ? err.wrap(context) : err;
  }
}

const done = (fn: (ctx: RouteContext) => void) => (ctx: RouteContext) => {
  fn(ctx);
  return {};
};

export function v2Routes(): Route[] {
  return [
    { method: 'GET', path: `${P}/healthz`, handle: (ctx) => healthz(ctx.state, 'v2beta1') },

    {
      method: 'GET',
      path: `${P}/experiments`,
      handle: (ctx) => {
        const scope = listNamespace(ctx, q(ctx, 'namespace'), undefined, 'Failed to list experiments', 'experiments');
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
      body: 'v2beta1Experiment',
      handle: (ctx) =>
        experimentOut(
          createExperiment(ctx, {
            name: ctx.body.display_name,
            description: ctx.body.description,
            namespace: ctx.body.namespace,
          }),
        ),
    },
    {
      method: 'GET',
      path: `${P}/experiments/{experiment_id}`,
      handle: (ctx) => experimentOut(getExperiment(ctx, ctx.params.experiment_id!)),
    },
    {
      method: 'DELETE',
      path: `${P}/experiments/{experiment_id}`,
      handle: done((ctx) => ctx.state.deleteExperiment(getExperiment(ctx, ctx.params.experiment_id!, 'delete').id)),
    },
    {
      method: 'POST',
      path: `${P}/experiments/{experiment_id}:archive`,
      handle: done((ctx) =>
        ctx.state.setExperimentArchived(getExperiment(ctx, ctx.params.experiment_id!, 'archive').id, true),
      ),
    },
    {
      method: 'POST',
      path: `${P}/experiments/{experiment_id}:unarchive`,
      handle: done((ctx) =>
        ctx.state.setExperimentArchived(getExperiment(ctx, ctx.params.experiment_id!, 'unarchive').id, false),
      ),
    },

    {
      method: 'GET',
      path: `${P}/recurringruns`,
      handle: (ctx) => {
        const scope = listNamespace(
          ctx,
          q(ctx, 'namespace'),
          q(ctx, 'experiment_id'),
          'Failed to list recurring runs',
          'jobs',
        );
        const all = ctx.state.jobs.in(scope);
        const p = page(ctx, all, JOBS);
        // The list key is camelCase in KFP's answer.
        return listOut('recurringRuns', { ...p, items: p.items.map(recurringRunOut) });
      },
    },
    {
      method: 'POST',
      path: `${P}/recurringruns`,
      body: 'v2beta1RecurringRun',
      handle: (ctx) => {
        const b = ctx.body;
        const job = createJob(ctx, {
          name: b.display_name,
          emptyName: [
            "Recurring run's name cannot be empty",
            'Failed to convert a API recurring run to its internal representation',
          ],
          description: b.description,
          experimentId: b.experiment_id,
          enabled: b.mode === 'ENABLE',
          maxConcurrency: b.max_concurrency,
          serviceAccount: b.service_account,
          noCatchup: b.no_catchup,
          trigger: triggerFromWire(b.trigger),
          pipeline: () => jobFromVersion(ctx, pipelineIn(b)),
        });
        return recurringRunOut(job);
      },
    },
    {
      method: 'GET',
      path: `${P}/recurringruns/{recurring_run_id}`,
      handle: (ctx) => recurringRunOut(getJob(ctx, ctx.params.recurring_run_id!)),
    },
    {
      method: 'DELETE',
      path: `${P}/recurringruns/{recurring_run_id}`,
      handle: done((ctx) => {
        // Before 2.16.0 the request has no propagation_policy: grpc-gateway ignores the unknown query
        // parameter and the delete terminates in-flight runs (#12573).
        const policy = ctx.state.since(ORPHAN_DELETE_SINCE) ? q(ctx, 'propagation_policy') : undefined;
        if (policy !== undefined && !POLICIES.includes(policy))
          throw invalid(`propagation_policy '${policy}' is not one of ${POLICIES.join(', ')}`);
        ctx.state.deleteJob(getJob(ctx, ctx.params.recurring_run_id!, 'delete').id, policy === 'ORPHAN');
      }),
    },
    {
      method: 'POST',
      path: `${P}/recurringruns/{recurring_run_id}:enable`,
      handle: done((ctx) => ctx.state.setJobEnabled(getJob(ctx, ctx.params.recurring_run_id!, 'enable').id, true)),
    },
    {
      method: 'POST',
      path: `${P}/recurringruns/{recurring_run_id}:disable`,
      handle: done((ctx) => ctx.state.setJobEnabled(getJob(ctx, ctx.params.recurring_run_id!, 'disable').id, false)),
    },

    {
      method: 'GET',
      path: `${P}/runs`,
      handle: (ctx) => {
        const scope = listNamespace(ctx, q(ctx, 'namespace'), q(ctx, 'experiment_id'), 'Failed to list runs', 'runs');
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
      body: 'v2beta1Run',
      handle: (ctx) => {
        const b = ctx.body;
        const run = createRun(ctx, {
          name: b.display_name,
          description: b.description,
          experimentId: b.experiment_id ?? q(ctx, 'experiment_id'),
          serviceAccount: b.service_account,
          pipeline: () => fromVersion(ctx, pipelineIn(b), 'Failed to create a run'),
        });
        return runOut(ctx.state, run);
      },
    },
    { method: 'GET', path: `${P}/runs/{run_id}`, handle: (ctx) => runOut(ctx.state, getRun(ctx, ctx.params.run_id!)) },
    // server/run_server.go: each wraps the resource manager's error with its own context.
    {
      method: 'POST',
      path: `${P}/runs/{run_id}:terminate`,
      handle: done((ctx) => lifecycle(() => terminateRun(ctx, ctx.params.run_id!), 'Failed to terminate a run')),
    },
    {
      method: 'POST',
      path: `${P}/runs/{run_id}:archive`,
      handle: done((ctx) => lifecycle(() => archiveRun(ctx, ctx.params.run_id!), 'Failed to archive a run')),
    },
    {
      method: 'POST',
      path: `${P}/runs/{run_id}:unarchive`,
      handle: done((ctx) => lifecycle(() => unarchiveRun(ctx, ctx.params.run_id!), 'Failed to unarchive a run')),
    },
    {
      method: 'POST',
      path: `${P}/runs/{run_id}:retry`,
      handle: done((ctx) => lifecycle(() => retryRun(ctx, ctx.params.run_id!), 'Failed to retry a run')),
    },
    {
      method: 'DELETE',
      path: `${P}/runs/{run_id}`,
      handle: done((ctx) => lifecycle(() => deleteRun(ctx, ctx.params.run_id!), 'Failed to delete a run')),
    },
  ];
}
