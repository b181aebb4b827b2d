import { parse as parseYaml } from 'yaml';
import { parseCron } from '../cron.js';
import { type Listable } from './listing.js';
import { IR_SCHEMA_VERSION, MAX_ARGO_PARAMETERS_BYTES, MAX_EXPERIMENT_NAME_BYTES, argoParametersBytes, utf8Bytes } from '../limits.js';
import { RpcError, alreadyExists, failedPrecondition, invalid, notFound } from './rpc.js';
import { type EmulatorState, type ExperimentRecord, type JobRecord, type PipelineRecord, type RunRecord, type RunStateName, type TriggerRecord, newId, seconds } from './state.js';

/**
 * What KFP's resource manager does, whichever API version the request came through: the
 * validation rules (name, max_concurrency, cron, interval, experiment/namespace, v1 parameters)
 * and the state changes. The version modules only translate the wire format.
 */
export interface Caller {
  /** Throws 401/403 as KFP's SubjectAccessReview would when the caller may not use the namespace. */
  authorize(namespace: string): void;
}

export interface RequestContext {
  state: EmulatorState;
  caller: Caller;
}

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
  fields: { id: (j) => j.id, name: (j) => j.name, created_at: (j) => epoch(j.createdAt), updated_at: (j) => epoch(j.updatedAt), description: (j) => j.description },
  aliases: { recurring_run_id: 'id', display_name: 'name' },
  id: (j) => j.id,
};

/** A run's v1 `status`, derived from its state as KFP 2.x does (model.RuntimeState.ToV1): CANCELED reads as Failed. */
export function v1RunStatus(state: RunStateName): string {
  return { PENDING: 'Pending', RUNNING: 'Running', SUCCEEDED: 'Succeeded', FAILED: 'Failed', CANCELED: 'Failed' }[state];
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
  return { commit_sha: 'unknown', tag_name: s.kfpVersion, multi_user: s.multiUser, ...(version === 'v2beta1' ? { pipeline_store: 'database' } : {}) };
}

export function getExperiment(ctx: RequestContext, id: string): ExperimentRecord {
  const e = ctx.state.experiments.get(id);
  if (!e) throw notFound(`Experiment ${id} not found`);
  ctx.caller.authorize(e.namespace);
  return e;
}

export function getJob(ctx: RequestContext, id: string): JobRecord {
  const j = ctx.state.jobs.get(id);
  if (!j) throw notFound(`Job ${id} not found`);
  ctx.caller.authorize(j.namespace);
  return j;
}

export function getRun(ctx: RequestContext, id: string): RunRecord {
  const r = ctx.state.runs.get(id);
  if (!r) throw notFound(`Run ${id} not found`);
  ctx.caller.authorize(r.namespace);
  return r;
}

/** The namespace a list call is scoped to; multi-user mode requires one (or an experiment). */
export function listNamespace(ctx: RequestContext, namespace: string | undefined, experimentId: string | undefined, what: string): { namespace?: string; experimentId?: string } {
  if (experimentId) {
    getExperiment(ctx, experimentId);
    return { experimentId };
  }
  if (!ctx.state.multiUser) return {};
  if (!namespace) throw invalid(`${what}: in multi-user mode, a namespace (or an experiment) must be specified`);
  ctx.caller.authorize(namespace);
  return { namespace };
}

export function createExperiment(ctx: RequestContext, input: { name?: string; description?: string; namespace?: string }): ExperimentRecord {
  const name = input.name ?? '';
  if (!name) throw invalid('Experiment name is empty. Please specify a valid experiment name');
  // validation/length.go counts bytes; toModelExperiment wraps the refusal as an internal error (500).
  if (utf8Bytes(name) > MAX_EXPERIMENT_NAME_BYTES) {
    throw new RpcError(13, `Failed to convert API experiment to model experiment: Invalid input error: Experiment.Name length cannot exceed ${MAX_EXPERIMENT_NAME_BYTES}`);
  }
  const namespace = ctx.state.multiUser ? (input.namespace ?? '') : '';
  if (ctx.state.multiUser && !namespace) throw invalid('In multi-user mode, the experiment namespace must be specified');
  ctx.caller.authorize(namespace);
  if (ctx.state.experimentByName(name, namespace)) {
    throw alreadyExists(`Failed to create a new experiment. The name ${name} already exists. Please specify a new name`);
  }
  return ctx.state.seedExperiment({ name, description: input.description ?? '', namespace, createdAt: seconds(new Date()) });
}

/** The experiment a job/run goes in: the named one (in the caller's namespace) or the namespace's Default. */
export function resolveExperiment(ctx: RequestContext, experimentId: string | undefined, namespace: string | undefined, what: string): ExperimentRecord {
  let exp: ExperimentRecord;
  if (experimentId) {
    exp = getExperiment(ctx, experimentId);
    if (namespace && namespace !== exp.namespace) throw invalid(`${what}: namespace '${namespace}' does not match the namespace '${exp.namespace}' of experiment ${experimentId}`);
  } else {
    if (ctx.state.multiUser && !namespace) throw invalid(`${what}: in multi-user mode, an experiment (or a namespace) must be specified`);
    ctx.caller.authorize(namespace ?? '');
    exp = ctx.state.defaultExperiment(ctx.state.multiUser ? namespace! : '');
  }
  if (exp.archived) throw failedPrecondition(`${what}: experiment ${exp.id} (${exp.name}) is archived; unarchive it first`);
  return exp;
}

export function validateTrigger(t: TriggerRecord | undefined): TriggerRecord {
  if (!t || (!t.cron && !t.periodic)) throw invalid('Trigger is required: specify a cron_schedule or a periodic_schedule');
  if (t.cron) {
    const r = parseCron(t.cron.cron ?? '');
    if (!r.ok) throw invalid(`Schedule cron is not a supported format(https://godoc.org/github.com/robfig/cron). Error: ${r.error}`);
  }
  if (t.periodic && !(t.periodic.intervalSecond >= 1)) throw invalid(`Found invalid period schedule. Interval: ${t.periodic.intervalSecond ?? 0}; it must be at least 1 second`);
  return t;
}

/** An Argo workflow given inline (v1): parameters must be declared by the workflow (spec.arguments.parameters). */
export function argoPipeline(manifest: string, parameters: { name: string; value: string }[]): PipelineRecord {
  let wf: any;
  try {
    wf = parseYaml(manifest);
  } catch (err) {
    throw invalid(`Failed to unmarshal the workflow manifest: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!wf || typeof wf !== 'object' || wf.kind !== 'Workflow') throw invalid('Failed to unmarshal the workflow manifest: it is not an Argo Workflow (kind: Workflow)');
  if (argoParametersBytes(parameters) > MAX_ARGO_PARAMETERS_BYTES) throw invalid(`The input parameter length exceed maximum size of ${MAX_ARGO_PARAMETERS_BYTES}`);
  const declared = new Set<string>((wf.spec?.arguments?.parameters ?? []).map((p: any) => String(p?.name)));
  for (const p of parameters) {
    if (!declared.has(p.name)) throw invalid(`Unrecognized input parameter: ${p.name} (the workflow declares: ${[...declared].join(', ') || 'none'})`);
  }
  return { kind: 'argo', manifest, parameters };
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
export function irPipeline(spec: Record<string, unknown>, platformSpec: Record<string, unknown> | undefined, parameters: Record<string, unknown>, pipelineRoot?: string): PipelineRecord {
  if (spec.schemaVersion !== IR_SCHEMA_VERSION) throw invalid(`KFP only supports schema version 2.1.0, but the pipeline spec has version ${spec.schemaVersion ?? ''}`);
  const declared: Record<string, any> = (spec.root as any)?.inputDefinitions?.parameters ?? {};
  for (const [name, def] of Object.entries(declared)) {
    if (!(name in parameters)) {
      if (def?.isOptional !== true && def?.defaultValue === undefined) throw invalid(`parameter ${name} is not optional, yet has neither default value nor user provided value`);
      continue;
    }
    const type = String(def?.parameterType ?? 'PARAMETER_TYPE_ENUM_UNSPECIFIED');
    const fits = PARAMETER_KINDS[type];
    if (!fits) throw invalid(`input parameter ${name} has unspecified type`);
    if (!fits(parameters[name])) throw invalid(`input parameter ${name} requires type ${type}, but the parameter value is not of that type`);
  }
  const extra = Object.keys(parameters).filter((n) => !(n in declared));
  if (extra.length) throw invalid(`parameter(s) provided are not required by pipeline: ${extra.join(', ')}`);
  return { kind: 'ir', spec, ...(platformSpec ? { platformSpec } : {}), parameters, ...(pipelineRoot ? { pipelineRoot } : {}) };
}

export interface NewJob {
  name?: string;
  description?: string;
  experimentId?: string;
  namespace?: string;
  enabled: boolean;
  maxConcurrency?: number;
  serviceAccount?: string;
  noCatchup?: boolean;
  trigger?: TriggerRecord;
  /** Read after the cheaper checks, in KFP's order (parsing a workflow comes last). */
  pipeline: () => PipelineRecord | undefined;
}

export function createJob(ctx: RequestContext, input: NewJob, what = 'Failed to create a recurring run'): JobRecord {
  if (!input.name) throw invalid(`${what}: The job name is empty. Please specify a valid name`);
  const mc = input.maxConcurrency ?? 0;
  if (mc < 1 || mc > 10) throw invalid(`${what}: The max concurrency of the job is out of range. Support 1-10. Received ${mc}`);
  const trigger = validateTrigger(input.trigger);
  const pipeline = input.pipeline();
  if (!pipeline) throw invalid(`${what}: Please specify a pipeline by providing a pipeline spec or a pipeline version`);
  const exp = resolveExperiment(ctx, input.experimentId, input.namespace, what);
  const now = seconds(new Date());
  const job: JobRecord = {
    id: newId(),
    name: input.name,
    description: input.description ?? '',
    experimentId: exp.id,
    namespace: exp.namespace,
    enabled: input.enabled,
    maxConcurrency: mc,
    serviceAccount: input.serviceAccount ?? '',
    noCatchup: input.noCatchup ?? false,
    trigger,
    pipeline,
    createdAt: now,
    updatedAt: now,
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

export function createRun(ctx: RequestContext, input: NewRun): RunRecord {
  const what = 'Failed to create a run';
  if (!input.name) throw invalid(`${what}: The run name is empty. Please specify a valid name`);
  const pipeline = input.pipeline();
  if (!pipeline) throw invalid(`${what}: Please specify a pipeline by providing a pipeline spec or a pipeline version`);
  const exp = resolveExperiment(ctx, input.experimentId, input.namespace, what);
  return ctx.state.seedRun({ name: input.name, description: input.description ?? '', experimentId: exp.id, namespace: exp.namespace, serviceAccount: input.serviceAccount ?? '', pipeline });
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
  const o = w(t.periodic!);
  put(o, 'interval_second', String(t.periodic!.intervalSecond));
  return { periodic_schedule: o };
}

export function triggerFromWire(t: any): TriggerRecord | undefined {
  if (!t) return undefined;
  if (t.cron_schedule) return { cron: { cron: t.cron_schedule.cron ?? '', start: t.cron_schedule.start_time, end: t.cron_schedule.end_time } };
  if (t.periodic_schedule) return { periodic: { intervalSecond: t.periodic_schedule.interval_second ?? 0, start: t.periodic_schedule.start_time, end: t.periodic_schedule.end_time } };
  return {};
}
