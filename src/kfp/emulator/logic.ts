import { parseAllDocuments } from 'yaml';
import { parseCron } from '../cron.js';
import { type Listable } from './listing.js';
import {
  IR_SCHEMA_VERSION,
  MAX_ARGO_PARAMETERS_BYTES,
  MAX_EXPERIMENT_NAME_BYTES,
  argoParametersBytes,
  utf8Bytes,
} from '../limits.js';
import { RpcError, alreadyExists, internalInvalid, invalid, notFound } from './rpc.js';
import {
  type EmulatorState,
  type ExperimentRecord,
  type JobRecord,
  type PipelineRecord,
  type RunRecord,
  type RunStateName,
  type TriggerRecord,
  newId,
  seconds,
} from './state.js';

/**
 * What KFP's resource manager does, whichever API version the request came through: the
 * validation rules (name, max_concurrency, cron, interval, experiment/namespace, v1 parameters)
 * and the state changes. The version modules only translate the wire format.
 */

/** KFP's RBAC resources (backend/src/apiserver/common/const.go RbacResourceType*). */
export type RbacResource = 'experiments' | 'jobs' | 'runs' | 'pipelines';

export interface Caller {
  /**
   * Throws 401/403 as KFP's SubjectAccessReview would when the caller may not do `verb` on
   * `resource` in the namespace (resource/resource_manager.go IsAuthorized).
   */
  authorize(namespace: string, verb: string, resource: RbacResource, name?: string): void;
}

export interface RequestContext {
  state: EmulatorState;
  caller: Caller;
}

/** Namespace KFP gives jobs in single-user mode: the API server's own (POD_NAMESPACE) — resource_manager.go CreateJob. */
export const SINGLE_USER_NAMESPACE = 'kubeflow';

const epoch = (d: Date | undefined) => (d ? Math.floor(d.getTime() / 1000) : 0);

export const EXPERIMENTS: Listable<ExperimentRecord> = {
  fields: {
    id: (e) => e.id,
    name: (e) => e.name,
    created_at: (e) => epoch(e.createdAt),
    last_run_created_at: (e) => epoch(e.lastRunCreatedAt),
    description: (e) => e.description,
    namespace: (e) => e.namespace,
    storage_state: (e) => (e.archived ? 'ARCHIVED' : 'AVAILABLE'),
  },
  aliases: { experiment_id: 'id', display_name: 'name' },
  id: (e) => e.id,
};

export const JOBS: Listable<JobRecord> = {
  fields: {
    id: (j) => j.id,
    name: (j) => j.name,
    created_at: (j) => epoch(j.createdAt),
    updated_at: (j) => epoch(j.updatedAt),
    description: (j) => j.description,
  },
  aliases: { recurring_run_id: 'id', display_name: 'name' },
  id: (j) => j.id,
};

/**
 * A run's v1 `status`, derived from its state as KFP 2.x does (model.RuntimeState.ToV1): CANCELING reads
 * as Terminating, CANCELED as Failed.
 */
export function v1RunStatus(state: RunStateName): string {
  return {
    PENDING: 'Pending',
    RUNNING: 'Running',
    SUCCEEDED: 'Succeeded',
    FAILED: 'Failed',
    CANCELING: 'Terminating',
    CANCELED: 'Failed',
  }[state];
}

/**
 * Runs as KFP's run store lists them (one field map for both versions): `state` is the v2 column,
 * `status` the v1 Conditions column. States are computed at listing time, as the run progresses.
 */
export function runListing(s: EmulatorState): Listable<RunRecord> {
  const state = (r: RunRecord) => s.runState(r);
  return {
    fields: {
      id: (r) => r.id,
      name: (r) => r.name,
      created_at: (r) => epoch(r.createdAt),
      scheduled_at: (r) => epoch(r.createdAt),
      finished_at: (r) => epoch(state(r).finishedAt),
      description: (r) => r.description,
      storage_state: (r) => (r.archived ? 'ARCHIVED' : 'AVAILABLE'),
      namespace: (r) => r.namespace,
      experiment_id: (r) => r.experimentId,
      recurring_run_id: (r) => r.jobId ?? '',
      state: (r) => state(r).state,
      status: (r) => v1RunStatus(state(r).state),
    },
    aliases: { run_id: 'id', display_name: 'name' },
    id: (r) => r.id,
  };
}

/**
 * healthz as KFP writes it (main.go, outside the gRPC gateway): commit_sha, tag_name and multi_user
 * always, false included; v2 adds pipeline_store.
 */
export function healthz(s: EmulatorState, version: 'v1beta1' | 'v2beta1'): Record<string, unknown> {
  return {
    commit_sha: 'unknown',
    tag_name: s.kfpVersion,
    multi_user: s.multiUser,
    ...(version === 'v2beta1' ? { pipeline_store: 'database' } : {}),
  };
}

/** The wrapped error KFP's servers return when authorization fails (server/*_server.go canAccess*). */
function authorized<T>(what: () => T, context: string): T {
  try {
    return what();
  } catch (err) {
    throw err instanceof RpcError ? err.wrap(context) : err;
  }
}

function experimentById(state: EmulatorState, id: string): ExperimentRecord {
  const e = state.experiments.get(id);
  if (!e) throw notFound(`Experiment ${id} not found`);
  return e;
}

export function getExperiment(ctx: RequestContext, id: string, verb = 'get'): ExperimentRecord {
  const e = experimentById(ctx.state, id);
  authorized(() => ctx.caller.authorize(e.namespace, verb, 'experiments', e.name), 'Failed to authorize with API');
  return e;
}

export function getJob(ctx: RequestContext, id: string, verb = 'get'): JobRecord {
  const j = ctx.state.jobs.get(id);
  if (!j) throw notFound(`Job ${id} not found`);
  authorized(() => ctx.caller.authorize(j.namespace, verb, 'jobs', j.name), 'failed to authorize with API');
  return j;
}

export function getRun(ctx: RequestContext, id: string, verb = 'get'): RunRecord {
  const r = ctx.state.runs.get(id);
  if (!r) throw notFound(`Run ${id} not found`);
  authorized(() => ctx.caller.authorize(r.namespace, verb, 'runs', r.name), 'failed to authorize with API');
  return r;
}

/** The namespace a list call is scoped to; multi-user mode requires one (or an experiment). */
export function listNamespace(
  ctx: RequestContext,
  namespace: string | undefined,
  experimentId: string | undefined,
  what: string,
  resource: RbacResource,
): { namespace?: string; experimentId?: string } {
  if (experimentId) {
    const e = experimentById(ctx.state, experimentId);
    authorized(() => ctx.caller.authorize(e.namespace, 'list', resource), 'failed to authorize with API');
    return { experimentId };
  }
  if (!ctx.state.multiUser) return {};
  if (!namespace) throw invalid(`${what}: in multi-user mode, a namespace (or an experiment) must be specified`);
  authorized(() => ctx.caller.authorize(namespace, 'list', resource), 'failed to authorize with API');
  return { namespace };
}

export function createExperiment(
  ctx: RequestContext,
  input: { name?: string; description?: string; namespace?: string },
): ExperimentRecord {
  const name = input.name ?? '';
  // server/api_converter.go toModelExperiment: an input error wrapped as internal (HTTP 500).
  if (!name)
    throw internalInvalid(
      'Experiment must have a non-empty name',
      'Failed to convert API experiment to model experiment',
    );
  // validation/length.go ValidateModel (bytes, as Go's len): wrapped as internal by toModelExperiment.
  for (const [field, value, max] of [
    ['Name', name, MAX_EXPERIMENT_NAME_BYTES],
    ['Namespace', input.namespace ?? '', 63],
  ] as const) {
    if (utf8Bytes(value) > max)
      throw internalInvalid(
        `Experiment.${field} length cannot exceed ${max}`,
        'Failed to convert API experiment to model experiment',
      );
  }
  const namespace = ctx.state.multiUser ? (input.namespace ?? '') : '';
  if (ctx.state.multiUser && !namespace)
    throw invalid('In multi-user mode, the experiment namespace must be specified');
  authorized(() => ctx.caller.authorize(namespace, 'create', 'experiments', name), 'Failed to authorize with API');
  // The unique index compares names as MySQL's utf8mb4_0900_ai_ci does: EXP-A and exp-á collide.
  if (ctx.state.experimentByName(name, namespace)) {
    throw alreadyExists(
      `Failed to create a new experiment. The name ${name} already exists. Please specify a new name`,
    );
  }
  return ctx.state.seedExperiment({
    name,
    description: input.description ?? '',
    namespace,
    createdAt: seconds(new Date()),
  });
}

/**
 * The experiment a job/run goes in: the named one (in the caller's namespace) or the namespace's
 * Default. KFP 2.x checks no archive state here (resource_manager.go CreateJob / CreateRun).
 */
export function resolveExperiment(
  ctx: RequestContext,
  experimentId: string | undefined,
  namespace: string | undefined,
  what: string,
  resource: RbacResource,
  name: string,
): ExperimentRecord {
  let exp: ExperimentRecord;
  if (experimentId) {
    exp = experimentById(ctx.state, experimentId);
    if (namespace && namespace !== exp.namespace)
      throw invalid(
        `${what}: namespace '${namespace}' does not match the namespace '${exp.namespace}' of experiment ${experimentId}`,
      );
  } else {
    if (ctx.state.multiUser && !namespace)
      throw invalid(`${what}: in multi-user mode, an experiment (or a namespace) must be specified`);
    exp = ctx.state.defaultExperiment(ctx.state.multiUser ? namespace! : '');
  }
  authorized(
    () => ctx.caller.authorize(exp.namespace, 'create', resource, name),
    `${what} due to authorization error. Check if you have write permission to namespace ${exp.namespace}: failed to authorize with API`,
  );
  return exp;
}

/** A missing trigger is accepted (KFP 2.x stores a job that never fires); a given one is validated. */
export function validateTrigger(t: TriggerRecord | undefined): TriggerRecord {
  if (!t) return {};
  if (t.cron) {
    const r = parseCron(t.cron.cron ?? '');
    if (!r.ok)
      throw invalid(
        `Schedule cron is not a supported format(https://godoc.org/github.com/robfig/cron). Error: ${r.error}`,
      );
  }
  if (t.periodic && !(t.periodic.intervalSecond >= 1))
    throw invalid(
      `Found invalid period schedule interval ${t.periodic.intervalSecond ?? 0}. Set at interval to least 1 second`,
    );
  return t;
}

/** A manifest KFP's template.New cannot read: wrapped as internal, HTTP 500 (resource_manager.go fetchTemplateFromPipelineSpec). */
const badManifest = (m: string) =>
  internalInvalid(m, 'Failed to create a recurring run with an invalid pipeline spec manifest');

/**
 * The YAML (or JSON) documents of a manifest, as template.New reads them: the pipeline and, for an IR,
 * maybe its platform spec as a second document (template/v2_template.go NewV2SpecTemplate).
 */
function parseManifest(text: string): { pipeline: Record<string, unknown>; platformSpec?: Record<string, unknown> } {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).map((d) => {
      if (d.errors.length) throw d.errors[0];
      return d.toJS();
    });
  } catch (err) {
    throw badManifest(`Failed to unmarshal the pipeline manifest: ${(err as Error).message.split('\n')[0]}`);
  }
  const objects = docs.filter((d): d is Record<string, unknown> => !!d && typeof d === 'object' && !Array.isArray(d));
  const platformSpec = objects.find((d) => !!d.platforms && typeof d.platforms === 'object');
  const pipeline = objects.find((d) => d !== platformSpec);
  if (!pipeline) throw badManifest('the manifest is neither an Argo Workflow nor a KFP v2 PipelineSpec');
  return { pipeline, ...(platformSpec ? { platformSpec } : {}) };
}

/** An Argo workflow: parameters must be declared by the workflow (spec.arguments.parameters). */
export function argoPipeline(
  manifest: string,
  parameters: { name: string; value: string }[],
  specManifest?: string,
): PipelineRecord {
  const wf: any = parseManifest(manifest).pipeline;
  if (wf.kind !== 'Workflow')
    throw badManifest('Failed to unmarshal the workflow manifest: it is not an Argo Workflow (kind: Workflow)');
  if (argoParametersBytes(parameters) > MAX_ARGO_PARAMETERS_BYTES)
    throw invalid(`The input parameter length exceed maximum size of ${MAX_ARGO_PARAMETERS_BYTES}`);
  const declared = new Set<string>((wf.spec?.arguments?.parameters ?? []).map((p: any) => String(p?.name)));
  for (const p of parameters) {
    if (!declared.has(p.name))
      throw invalid(
        `Unrecognized input parameter: ${p.name} (the workflow declares: ${[...declared].join(', ') || 'none'})`,
      );
  }
  return { kind: 'argo', manifest, parameters, specManifest };
}

/**
 * A `pipeline_manifest` (v1) or the YAML a v2 `pipeline_spec` is stored as: an IR PipelineSpec, or
 * an Argo workflow (template.New tells them apart), YAML or JSON.
 */
export function specPipeline(
  manifest: string,
  parameters: Record<string, unknown>,
  pipelineRoot?: string,
  argoParameters: { name: string; value: string }[] = [],
): PipelineRecord {
  const { pipeline: doc, platformSpec } = parseManifest(manifest);
  if (doc.kind === 'Workflow') return argoPipeline(manifest, argoParameters, manifest);
  if (!doc.pipelineInfo && !doc.root)
    throw badManifest('the manifest is neither an Argo Workflow nor a KFP v2 PipelineSpec');
  return { ...irPipeline(doc, platformSpec, parameters, pipelineRoot), manifest };
}

const PARAMETER_KINDS: Record<string, (v: unknown) => boolean> = {
  NUMBER_DOUBLE: (v) => typeof v === 'number',
  NUMBER_INTEGER: (v) => typeof v === 'number',
  STRING: (v) => typeof v === 'string',
  BOOLEAN: (v) => typeof v === 'boolean',
  LIST: (v) => Array.isArray(v),
  STRUCT: (v) => !!v && typeof v === 'object' && !Array.isArray(v),
};

/**
 * An IR pipeline as KFP takes it on create (template/v2_template.go): NewV2SpecTemplate refuses a
 * schemaVersion other than 2.1.0; validatePipelineJobInputs refuses a required input without a value,
 * a value of another type than declared, and an input the pipeline does not declare.
 */
export function irPipeline(
  spec: Record<string, unknown>,
  platformSpec: Record<string, unknown> | undefined,
  parameters: Record<string, unknown>,
  pipelineRoot?: string,
): Extract<PipelineRecord, { kind: 'ir' }> {
  if (spec.schemaVersion !== IR_SCHEMA_VERSION)
    throw invalid(
      `KFP only supports schema version 2.1.0, but the pipeline spec has version ${spec.schemaVersion ?? ''}`,
    );
  const declared: Record<string, any> = (spec.root as any)?.inputDefinitions?.parameters ?? {};
  for (const [name, def] of Object.entries(declared)) {
    if (!(name in parameters)) {
      if (def?.isOptional !== true && def?.defaultValue === undefined)
        throw invalid(`parameter ${name} is not optional, yet has neither default value nor user provided value`);
      continue;
    }
    const type = String(def?.parameterType ?? 'PARAMETER_TYPE_ENUM_UNSPECIFIED');
    const fits = PARAMETER_KINDS[type];
    if (!fits) throw invalid(`input parameter ${name} has unspecified type`);
    if (!fits(parameters[name]))
      throw invalid(`input parameter ${name} requires type ${type}, but the parameter value is not of that type`);
  }
  const extra = Object.keys(parameters).filter((n) => !(n in declared));
  if (extra.length) throw invalid(`parameter(s) provided are not required by pipeline: ${extra.join(', ')}`);
  return {
    kind: 'ir',
    spec,
    ...(platformSpec ? { platformSpec } : {}),
    parameters,
    ...(pipelineRoot ? { pipelineRoot } : {}),
  };
}

export interface NewJob {
  name?: string;
  /** KFP's texts for an empty name, per API version (server/api_converter.go toModelJob): [message, context]. */
  emptyName: [string, string];
  description?: string;
  experimentId?: string;
  namespace?: string;
  enabled: boolean;
  maxConcurrency?: number;
  serviceAccount?: string;
  noCatchup?: boolean;
  trigger?: TriggerRecord;
  /** Read after the cheaper checks and authorization, in KFP's order (parsing a workflow comes last). */
  pipeline: () => PipelineRecord | undefined;
}

export function createJob(ctx: RequestContext, input: NewJob, what = 'Failed to create a recurring run'): JobRecord {
  if (!input.name) throw internalInvalid(...input.emptyName);
  const mc = input.maxConcurrency ?? 0;
  if (mc < 1 || mc > 10)
    throw invalid(`${what}: The max concurrency of the job is out of range. Support 1-10. Received ${mc}`);
  const trigger = validateTrigger(input.trigger);
  const exp = resolveExperiment(
    ctx,
    input.experimentId,
    input.namespace,
    'Failed to create a recurring run',
    'jobs',
    input.name,
  );
  const pipeline = input.pipeline();
  // resource_manager.go CreateJob: a plain error, which KFP's gateway answers as internal (500).
  if (!pipeline)
    throw new RpcError(
      13,
      'Internal error: Failed to create a recurring run: Cannot create a job with an empty pipeline ID',
    );
  const now = seconds(new Date());
  const job: JobRecord = {
    id: newId(),
    name: input.name,
    description: input.description ?? '',
    experimentId: exp.id,
    namespace: exp.namespace || SINGLE_USER_NAMESPACE,
    enabled: input.enabled,
    maxConcurrency: mc,
    // resource_manager.go CreateJob: the ScheduledWorkflow's service account, the default unless given.
    serviceAccount: input.serviceAccount || ctx.state.defaultServiceAccount,
    noCatchup: input.noCatchup ?? false,
    trigger,
    pipeline,
    createdAt: now,
    updatedAt: now,
    conditions: 'STATUS_UNSPECIFIED',
  };
  ctx.state.jobs.set(job.id, job);
  return job;
}

export interface NewRun {
  name?: string;
  description?: string;
  experimentId?: string;
  namespace?: string;
  serviceAccount?: string;
  pipeline: () => PipelineRecord | undefined;
}

/** resource_manager.go CreateRun reports the service account the workflow ran with: the default unless given. */
export function createRun(ctx: RequestContext, input: NewRun): RunRecord {
  const what = 'Failed to create a run';
  if (!input.name)
    throw internalInvalid('Run name cannot be empty', 'Failed to convert a API run to its internal representation');
  const exp = resolveExperiment(ctx, input.experimentId, input.namespace, what, 'runs', input.name);
  const pipeline = input.pipeline();
  if (!pipeline) throw invalid(`${what}: Please specify a pipeline by providing a pipeline spec or a pipeline version`);
  return ctx.state.seedRun({
    name: input.name,
    description: input.description ?? '',
    experimentId: exp.id,
    namespace: exp.namespace,
    serviceAccount: input.serviceAccount || ctx.state.defaultServiceAccount,
    pipeline,
  });
}

/** Put a value in a response unless protojson would omit it (EmitUnpopulated: false). */
export function put(o: Record<string, unknown>, key: string, v: unknown): void {
  if (v === undefined || v === null || v === '' || v === false || v === 0) return;
  if (Array.isArray(v) && v.length === 0) return;
  if (v instanceof Date) {
    o[key] = v.toISOString().replace('.000Z', 'Z');
    return;
  }
  o[key] = v;
}

/** A list answer: the items under their key, total_size and next_page_token (omitted when empty). */
export function listOut(
  key: string,
  p: { items: unknown[]; totalSize: number; nextPageToken?: string },
): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  put(o, key, p.items);
  put(o, 'total_size', p.totalSize);
  put(o, 'next_page_token', p.nextPageToken);
  return o;
}

export function triggerToWire(t: TriggerRecord): Record<string, unknown> {
  const w = (x: { start?: Date; end?: Date }) => {
    const o: Record<string, unknown> = {};
    put(o, 'start_time', x.start);
    put(o, 'end_time', x.end);
    return o;
  };
  if (t.cron) {
    const o = w(t.cron);
    put(o, 'cron', t.cron.cron);
    return { cron_schedule: o };
  }
  if (!t.periodic) return {}; // a job created without a trigger
  const o = w(t.periodic);
  put(o, 'interval_second', String(t.periodic.intervalSecond));
  return { periodic_schedule: o };
}

export function triggerFromWire(t: any): TriggerRecord | undefined {
  if (!t) return undefined;
  if (t.cron_schedule)
    return {
      cron: { cron: t.cron_schedule.cron ?? '', start: t.cron_schedule.start_time, end: t.cron_schedule.end_time },
    };
  if (t.periodic_schedule)
    return {
      periodic: {
        intervalSecond: t.periodic_schedule.interval_second ?? 0,
        start: t.periodic_schedule.start_time,
        end: t.periodic_schedule.end_time,
      },
    };
  return {};
}

// ---------------------------------------------------------------- the run lifecycle (resource_manager.go)

function wrapped<T>(fn: () => T, context: string): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof RpcError ? err.wrap(context) : err;
  }
}

/**
 * TerminateRun: run_store.go moves only a run that has not ended (PENDING/RUNNING) to CANCELING, else
 * "Row not found" (400); the workflow then stops and the run reads CANCELED.
 */
export function terminateRun(ctx: RequestContext, id: string): void {
  const r = wrapped(() => getRun(ctx, id, 'terminate'), `Failed to terminate run ${id} due to error fetching the run`);
  const { state } = ctx.state.runState(r);
  if (state !== 'PENDING' && state !== 'RUNNING')
    throw invalid(`Failed to terminate a run ${id}. Row not found`).wrap(`Failed to terminate run ${id}`);
  r.terminatedAt = new Date();
}

export function archiveRun(ctx: RequestContext, id: string): void {
  wrapped(() => getRun(ctx, id, 'archive'), `Failed to archive run ${id} as it failed to be retrieved`).archived = true;
}

/** UnarchiveRun: refused (FailedPrecondition, 400) while the run's experiment is archived. */
export function unarchiveRun(ctx: RequestContext, id: string): void {
  const r = wrapped(() => getRun(ctx, id, 'unarchive'), `Failed to unarchive run ${id} as it does not exist`);
  if (ctx.state.experiments.get(r.experimentId)?.archived) {
    const m = `Failed to unarchive run ${id} as experiment ${r.experimentId} must be un-archived first`;
    throw new RpcError(
      9,
      `FailedPreconditionError: ${m}: Unarchive the experiment first to allow the run to be restored`,
      {},
      m,
    );
  }
  r.archived = false;
}

export function deleteRun(ctx: RequestContext, id: string): void {
  wrapped(() => getRun(ctx, id, 'delete'), `Failed to delete run ${id} as it does not exist`);
  ctx.state.runs.delete(id);
}

/**
 * RetryRun: only a failed (or terminated) workflow can be retried; otherwise util.NewBadRequestError
 * (Aborted, HTTP 409) from workflow.go GenerateRetryExecution. The retried run runs again.
 */
export function retryRun(ctx: RequestContext, id: string): void {
  const r = wrapped(() => getRun(ctx, id, 'retry'), `Failed to retry run ${id} due to error fetching the run`);
  const { state } = ctx.state.runState(r);
  if (state !== 'FAILED' && state !== 'CANCELED') {
    throw new RpcError(
      10,
      `Failed to retry run ${id}: BadRequestError: Workflow must be Failed/Error to retry: workflow cannot be retried`,
      {},
      'Workflow must be Failed/Error to retry',
    );
  }
  r.terminatedAt = undefined;
  r.canceledAt = undefined;
  r.createdMs = Date.now() - ctx.state.runTiming.pendingMs;
  const outcome = ctx.state.runOutcome;
  r.outcome = typeof outcome === 'function' ? outcome(r) : outcome;
}
