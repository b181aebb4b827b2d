import {
  type Page,
  type PipelineDocs,
  type PageQuery,
  type Wire,
  defined,
  filterParam,
  healthzFromWire,
  int64,
  manifestToWire,
  parseManifest,
  str,
  time,
  triggerFromWire,
  triggerToWire,
  wirePredicate,
} from './wire.js';
import {
  type Experiment,
  type ListScope,
  type PipelineVersionRef,
  type Predicate,
  type RecurringRun,
  type RecurringRunInput,
  type Run,
  type RunInput,
  type RunState,
  isArgoWorkflow,
} from './types.js';

/**
 * KFP v1beta1 on the wire: `name`/`id`, parent experiment and namespace as resource references,
 * Argo workflows as a JSON string with a list of string parameters, `op` in filters,
 * enable/disable as `/enable` sub-paths, no delete options.
 */
const P = '/apis/v1beta1';

function query(page: PageQuery, extra: Record<string, string | undefined>): Record<string, string | undefined> {
  return {
    page_token: page.pageToken,
    page_size: String(page.pageSize),
    sort_by: page.pageToken ? undefined : page.sortBy,
    filter: page.filter?.length && !page.pageToken ? filter(page.filter) : undefined,
    ...extra,
  };
}

function filter(preds: Predicate[]): string {
  return filterParam(preds.map((p) => wirePredicate(p, 'op', p.key)));
}

const refId = (o: any, type: string): string => {
  const refs = o?.resource_references;
  if (Array.isArray(refs)) for (const r of refs) if (str(r?.key?.type) === type) return str(r?.key?.id);
  return '';
};

function experimentFromWire(e: any): Experiment {
  return defined({
    id: str(e?.id),
    name: str(e?.name),
    description: str(e?.description),
    namespace: refId(e, 'NAMESPACE'),
    archived: e?.storage_state === 'STORAGESTATE_ARCHIVED',
    createdAt: time(e?.created_at),
  });
}

/** Parameters: v1 list of {name, value} (absent value = ''), or a v2 pipeline's runtime_config. */
function parametersFromSpec(spec: any): Record<string, unknown> {
  if (Array.isArray(spec?.parameters))
    return Object.fromEntries(spec.parameters.map((p: any) => [str(p?.name), str(p?.value)]));
  if (spec?.runtime_config?.parameters && typeof spec.runtime_config.parameters === 'object')
    return { ...spec.runtime_config.parameters };
  return {};
}

function pipelineVersionOf(o: any): PipelineVersionRef | undefined {
  const version = refId(o, 'PIPELINE_VERSION');
  const pipeline = refId(o, 'PIPELINE') || str(o?.pipeline_spec?.pipeline_id);
  if (!version && !pipeline) return undefined;
  return defined({ pipelineId: pipeline, versionId: version || undefined });
}

/**
 * One manifest parse per distinct text: a listing page holds many versions of schedules that share a pipeline,
 * and parsing each copy was the largest cost of observing a fleet. The parsed objects are shared, read-only.
 */
function manifestParser(): (text: unknown) => PipelineDocs {
  const parsed = new Map<string, PipelineDocs>();
  return (text) => {
    if (typeof text !== 'string') return parseManifest(text);
    let docs = parsed.get(text);
    if (!docs) parsed.set(text, (docs = parseManifest(text)));
    return docs;
  };
}

function jobFromWire(j: any, parse: (text: unknown) => PipelineDocs = parseManifest): RecurringRun {
  const spec = j?.pipeline_spec;
  return defined({
    id: str(j?.id),
    name: str(j?.name),
    description: str(j?.description),
    experimentId: refId(j, 'EXPERIMENT'),
    namespace: refId(j, 'NAMESPACE'),
    enabled: j?.enabled === true || (j?.enabled === undefined && j?.mode === 'ENABLED'),
    maxConcurrency: int64(j?.max_concurrency),
    serviceAccount: str(j?.service_account),
    catchup: j?.no_catchup !== true,
    trigger: triggerFromWire(j?.trigger),
    parameters: parametersFromSpec(spec),
    ...(spec?.workflow_manifest
      ? { pipeline: parse(spec.workflow_manifest).pipeline }
      : parse(spec?.pipeline_manifest)),
    pipelineVersion: pipelineVersionOf(j),
    createdAt: time(j?.created_at),
    updatedAt: time(j?.updated_at),
    error: j?.error || undefined,
  });
}

/**
 * v1 run status → one state vocabulary. KFP 2.x derives it from the v2 state (model.RuntimeState.ToV1):
 * PAUSED reads as Pending and CANCELED as Failed, so v1 cannot tell those apart; KFP 1.x gave Argo
 * phases (Error, Terminated).
 */
const STATUS: Record<string, RunState> = {
  '': 'PENDING',
  Pending: 'PENDING',
  Running: 'RUNNING',
  Succeeded: 'SUCCEEDED',
  Skipped: 'SKIPPED',
  Failed: 'FAILED',
  Error: 'FAILED',
  Terminating: 'CANCELING',
  Terminated: 'CANCELED',
};

function runFromWire(detail: any): Run {
  const r = detail?.run ?? detail;
  return defined({
    id: str(r?.id),
    name: str(r?.name),
    description: str(r?.description),
    experimentId: refId(r, 'EXPERIMENT'),
    namespace: refId(r, 'NAMESPACE'),
    recurringRunId: refId(r, 'JOB') || undefined,
    state: STATUS[str(r?.status)] ?? 'UNKNOWN',
    parameters: parametersFromSpec(r?.pipeline_spec),
    serviceAccount: str(r?.service_account),
    createdAt: time(r?.created_at),
    scheduledAt: time(r?.scheduled_at),
    finishedAt: time(r?.finished_at),
    error: r?.error || undefined,
  });
}

/** pipeline_spec + references for a job or run: Argo inline with string parameters, IR inline, or by version. */
function pipelineToWire(input: RecurringRunInput | RunInput): {
  pipeline_spec?: Record<string, unknown>;
  refs: unknown[];
} {
  const params = Object.entries(input.parameters ?? {});
  const refs: unknown[] = [];
  if (input.pipelineVersion) {
    refs.push(
      input.pipelineVersion.versionId
        ? { key: { type: 'PIPELINE_VERSION', id: input.pipelineVersion.versionId }, relationship: 'CREATOR' }
        : { key: { type: 'PIPELINE', id: input.pipelineVersion.pipelineId }, relationship: 'CREATOR' },
    );
  }
  const ir = input.pipeline
    ? !isArgoWorkflow(input.pipeline)
    : 'pipelineVersionKind' in input && input.pipelineVersionKind === 'v2';
  if (ir) {
    return {
      pipeline_spec: defined({
        pipeline_manifest: input.pipeline ? manifestToWire(input.pipeline, input.platformSpec) : undefined,
        runtime_config: params.length ? { parameters: Object.fromEntries(params) } : undefined,
      }),
      refs,
    };
  }
  // kfp 1.8 stringifies values (JSON for lists/objects); Argo parameters are strings.
  const parameters = params.length
    ? params.map(([name, value]) => ({ name, value: typeof value === 'string' ? value : JSON.stringify(value) }))
    : undefined;
  const spec = defined({ workflow_manifest: input.pipeline ? JSON.stringify(input.pipeline) : undefined, parameters });
  return { pipeline_spec: Object.keys(spec).length ? spec : undefined, refs };
}

/** A namespace or experiment as the resource_reference_key of a list call. */
const scopeKey = (scope: ListScope) =>
  'namespace' in scope
    ? { 'resource_reference_key.type': 'NAMESPACE', 'resource_reference_key.id': scope.namespace }
    : { 'resource_reference_key.type': 'EXPERIMENT', 'resource_reference_key.id': scope.experimentId };

const experimentRef = (id: string) => ({ key: { type: 'EXPERIMENT', id }, relationship: 'OWNER' });

export const v1: Wire = {
  version: 'v1beta1',
  hasOrphanDelete: false,
  healthz: () => ({ call: 'GetHealthz', method: 'GET', path: `${P}/healthz`, idempotent: true }),
  parseHealthz: healthzFromWire,

  listExperiments: (namespace, page) => ({
    call: 'ListExperiments',
    method: 'GET',
    path: `${P}/experiments`,
    query: query(page, namespace ? scopeKey({ namespace }) : {}),
    idempotent: true,
  }),
  parseExperimentPage: (b): Page<Experiment> => ({
    items: (b?.experiments ?? []).map(experimentFromWire),
    nextPageToken: b?.next_page_token || undefined,
  }),
  getExperiment: (id) => ({
    call: 'GetExperiment',
    method: 'GET',
    path: `${P}/experiments/${encodeURIComponent(id)}`,
    idempotent: true,
  }),
  parseExperiment: experimentFromWire,
  createExperiment: (input) => ({
    call: 'CreateExperiment',
    method: 'POST',
    path: `${P}/experiments`,
    body: defined({
      name: input.name,
      description: input.description || undefined,
      resource_references: input.namespace
        ? [{ key: { type: 'NAMESPACE', id: input.namespace }, relationship: 'OWNER' }]
        : undefined,
    }),
    idempotent: false,
  }),
  archiveExperiment: (id) => ({
    call: 'ArchiveExperiment',
    method: 'POST',
    path: `${P}/experiments/${encodeURIComponent(id)}:archive`,
    idempotent: true,
  }),
  unarchiveExperiment: (id) => ({
    call: 'UnarchiveExperiment',
    method: 'POST',
    path: `${P}/experiments/${encodeURIComponent(id)}:unarchive`,
    idempotent: true,
  }),

  listRecurringRuns: (scope, page) => ({
    call: 'ListJobs',
    method: 'GET',
    path: `${P}/jobs`,
    query: query(page, scopeKey(scope)),
    idempotent: true,
  }),
  parseRecurringRunPage: (b) => {
    const parse = manifestParser();
    return {
      items: (b?.jobs ?? []).map((j: any) => jobFromWire(j, parse)),
      nextPageToken: b?.next_page_token || undefined,
    };
  },
  getRecurringRun: (id) => ({
    call: 'GetJob',
    method: 'GET',
    path: `${P}/jobs/${encodeURIComponent(id)}`,
    idempotent: true,
  }),
  parseRecurringRun: (b) => jobFromWire(b),
  createRecurringRun: (input) => {
    const { pipeline_spec, refs } = pipelineToWire(input);
    return {
      call: 'CreateJob',
      method: 'POST',
      path: `${P}/jobs`,
      body: defined({
        name: input.name,
        description: input.description || undefined,
        pipeline_spec,
        resource_references: [experimentRef(input.experimentId), ...refs],
        service_account: input.serviceAccount || undefined,
        max_concurrency: String(input.maxConcurrency),
        trigger: triggerToWire(input.trigger),
        enabled: input.enabled,
        no_catchup: !input.catchup,
      }),
      idempotent: false,
    };
  },
  enableRecurringRun: (id) => ({
    call: 'EnableJob',
    method: 'POST',
    path: `${P}/jobs/${encodeURIComponent(id)}/enable`,
    idempotent: true,
  }),
  disableRecurringRun: (id) => ({
    call: 'DisableJob',
    method: 'POST',
    path: `${P}/jobs/${encodeURIComponent(id)}/disable`,
    idempotent: true,
  }),
  // v1 DeleteJob has no propagation option: KFP deletes the job's in-flight runs with it.
  deleteRecurringRun: (id) => ({
    call: 'DeleteJob',
    method: 'DELETE',
    path: `${P}/jobs/${encodeURIComponent(id)}`,
    idempotent: true,
  }),

  listRuns: (scope, page) => ({
    call: 'ListRuns',
    method: 'GET',
    path: `${P}/runs`,
    query: query(page, scopeKey(scope)),
    idempotent: true,
  }),
  // The v1 `status` filter reads KFP's Conditions column, which is "Unknown" for a run just created
  // while the answer already says Pending: filtering there would hide the newest runs.
  runStateFilter: () => [],
  parseRunPage: (b) => ({ items: (b?.runs ?? []).map(runFromWire), nextPageToken: b?.next_page_token || undefined }),
  createRun: (input) => {
    const { pipeline_spec, refs } = pipelineToWire(input);
    return {
      call: 'CreateRun',
      method: 'POST',
      path: `${P}/runs`,
      body: defined({
        name: input.name,
        description: input.description || undefined,
        pipeline_spec,
        resource_references: [experimentRef(input.experimentId), ...refs],
        service_account: input.serviceAccount || undefined,
      }),
      idempotent: false,
    };
  },
  getRun: (id) => ({ call: 'GetRun', method: 'GET', path: `${P}/runs/${encodeURIComponent(id)}`, idempotent: true }),
  parseRun: runFromWire,
  terminateRun: (id) => ({
    call: 'TerminateRun',
    method: 'POST',
    path: `${P}/runs/${encodeURIComponent(id)}/terminate`,
    idempotent: false,
  }),
};
