import { UserError } from '../lib/errors.js';
import { isPlainObject } from '../lib/yaml.js';
import {
  type Page,
  type PageQuery,
  type PipelineDocs,
  type Wire,
  defined,
  filterParam,
  healthzFromWire,
  int64,
  str,
  time,
  triggerFromWire,
  triggerToWire,
  wirePredicate,
} from './wire.js';
import {
  type Experiment,
  type PipelineVersionRef,
  type Predicate,
  type RecurringRun,
  type RecurringRunInput,
  type Run,
  type RunInput,
  RUN_STATES,
  type RunState,
  isArgoWorkflow,
} from './types.js';

/**
 * KFP v2beta1 on the wire: `display_name` and `<kind>_id`, `experiment_id`/`namespace` fields,
 * the pipeline as an object with a map of JSON parameters, `mode` ENABLE/DISABLE in and `status`
 * out, `operation` in filters, `:enable` custom verbs, `propagation_policy` on delete (KFP ≥ 2.16),
 * and the list key `recurringRuns` in camelCase.
 */
const P = '/apis/v2beta1';

/** Logical filter keys → v2 field names, per resource. */
function filter(preds: Predicate[], idKey: string): string {
  const key = (k: string) => (k === 'name' ? 'display_name' : k === 'id' ? idKey : k);
  return filterParam(preds.map((p) => wirePredicate(p, 'operation', key(p.key))));
}

function query(
  page: PageQuery,
  idKey: string,
  extra: Record<string, string | undefined>,
): Record<string, string | undefined> {
  return {
    page_token: page.pageToken,
    page_size: String(page.pageSize),
    sort_by: page.pageToken ? undefined : page.sortBy,
    filter: page.filter?.length && !page.pageToken ? filter(page.filter, idKey) : undefined,
    ...extra,
  };
}

function experimentFromWire(e: any): Experiment {
  return defined({
    id: str(e?.experiment_id),
    name: str(e?.display_name),
    description: str(e?.description),
    namespace: str(e?.namespace),
    archived: e?.storage_state === 'ARCHIVED',
    createdAt: time(e?.created_at),
  });
}

function versionRef(o: any): PipelineVersionRef | undefined {
  const ref = o?.pipeline_version_reference;
  if (ref?.pipeline_id || ref?.pipeline_version_id)
    return defined({ pipelineId: str(ref.pipeline_id), versionId: ref.pipeline_version_id || undefined });
  if (o?.pipeline_version_id) return { pipelineId: '', versionId: str(o.pipeline_version_id) };
  return undefined;
}

function recurringRunFromWire(r: any): RecurringRun {
  return defined({
    id: str(r?.recurring_run_id),
    name: str(r?.display_name),
    description: str(r?.description),
    experimentId: str(r?.experiment_id),
    namespace: str(r?.namespace),
    enabled: r?.status ? r.status === 'ENABLED' : r?.mode === 'ENABLE',
    maxConcurrency: int64(r?.max_concurrency),
    serviceAccount: str(r?.service_account),
    catchup: r?.no_catchup !== true,
    trigger: triggerFromWire(r?.trigger),
    parameters: { ...(r?.runtime_config?.parameters ?? {}) },
    ...pipelineFromWire(r?.pipeline_spec),
    pipelineVersion: versionRef(r),
    createdAt: time(r?.created_at),
    updatedAt: time(r?.updated_at),
    error: r?.error?.message || undefined,
  });
}

/** v2 `pipeline_spec`: the IR itself, or `{pipeline_spec, platform_spec}` with a platform spec (api_util.go). */
function pipelineFromWire(p: any): PipelineDocs {
  if (!isPlainObject(p)) return {};
  if (isPlainObject(p.pipeline_spec))
    return defined({
      pipeline: p.pipeline_spec,
      platformSpec: isPlainObject(p.platform_spec) ? p.platform_spec : undefined,
    });
  return { pipeline: p };
}

function runFromWire(r: any): Run {
  const state = str(r?.state);
  return defined({
    id: str(r?.run_id),
    name: str(r?.display_name),
    description: str(r?.description),
    experimentId: str(r?.experiment_id),
    namespace: '',
    recurringRunId: r?.recurring_run_id || undefined,
    state:
      state === '' || state === 'RUNTIME_STATE_UNSPECIFIED'
        ? 'PENDING'
        : (RUN_STATES as readonly string[]).includes(state)
          ? (state as RunState)
          : 'UNKNOWN',
    parameters: { ...(r?.runtime_config?.parameters ?? {}) },
    serviceAccount: str(r?.service_account),
    createdAt: time(r?.created_at),
    scheduledAt: time(r?.scheduled_at),
    finishedAt: time(r?.finished_at),
    error: r?.error?.message || undefined,
  });
}

function pipelineToWire(input: RecurringRunInput | RunInput): Record<string, unknown> {
  const params = input.parameters ?? {};
  if (input.pipeline && isArgoWorkflow(input.pipeline) && Object.keys(params).length) {
    // KFP's v2 API drops runtime parameters of Argo (v1-compiled) workflows without a word.
    throw new UserError(
      `'${input.name}' is an Argo (KFP v1) workflow with parameters: KFP's v2beta1 API silently ignores parameters of v1 workflows. Fix: set api-version to v1beta1 for Argo workflows, or compile the pipeline with the KFP v2 SDK.`,
    );
  }
  return defined({
    // As the SDK sends a pipeline with a platform spec (kfp/client/client.py _PipelineDoc.to_dict).
    pipeline_spec:
      input.pipeline && input.platformSpec && !isArgoWorkflow(input.pipeline)
        ? { pipeline_spec: input.pipeline, platform_spec: input.platformSpec }
        : input.pipeline,
    pipeline_version_reference: input.pipelineVersion
      ? defined({ pipeline_id: input.pipelineVersion.pipelineId, pipeline_version_id: input.pipelineVersion.versionId })
      : undefined,
    runtime_config: Object.keys(params).length ? { parameters: params } : undefined,
  });
}

export const v2: Wire = {
  version: 'v2beta1',
  hasOrphanDelete: true,
  healthz: () => ({ call: 'GetHealthz', method: 'GET', path: `${P}/healthz`, idempotent: true }),
  parseHealthz: healthzFromWire,

  listExperiments: (namespace, page) => ({
    call: 'ListExperiments',
    method: 'GET',
    path: `${P}/experiments`,
    query: query(page, 'experiment_id', { namespace }),
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
      display_name: input.name,
      description: input.description || undefined,
      namespace: input.namespace || undefined,
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
    call: 'ListRecurringRuns',
    method: 'GET',
    path: `${P}/recurringruns`,
    query: query(
      page,
      'recurring_run_id',
      'namespace' in scope ? { namespace: scope.namespace } : { experiment_id: scope.experimentId },
    ),
    idempotent: true,
  }),
  // The list key is camelCase (`recurringRuns`) although every other field is snake_case.
  parseRecurringRunPage: (b) => ({
    items: (b?.recurringRuns ?? b?.recurring_runs ?? []).map(recurringRunFromWire),
    nextPageToken: b?.next_page_token || undefined,
  }),
  getRecurringRun: (id) => ({
    call: 'GetRecurringRun',
    method: 'GET',
    path: `${P}/recurringruns/${encodeURIComponent(id)}`,
    idempotent: true,
  }),
  parseRecurringRun: recurringRunFromWire,
  createRecurringRun: (input) => ({
    call: 'CreateRecurringRun',
    method: 'POST',
    path: `${P}/recurringruns`,
    body: defined({
      display_name: input.name,
      description: input.description || undefined,
      ...pipelineToWire(input),
      service_account: input.serviceAccount || undefined,
      max_concurrency: String(input.maxConcurrency),
      trigger: triggerToWire(input.trigger),
      mode: input.enabled ? 'ENABLE' : 'DISABLE',
      no_catchup: !input.catchup,
      experiment_id: input.experimentId,
    }),
    idempotent: false,
  }),
  enableRecurringRun: (id) => ({
    call: 'EnableRecurringRun',
    method: 'POST',
    path: `${P}/recurringruns/${encodeURIComponent(id)}:enable`,
    idempotent: true,
  }),
  disableRecurringRun: (id) => ({
    call: 'DisableRecurringRun',
    method: 'POST',
    path: `${P}/recurringruns/${encodeURIComponent(id)}:disable`,
    idempotent: true,
  }),
  deleteRecurringRun: (id, orphanRuns) => ({
    call: 'DeleteRecurringRun',
    method: 'DELETE',
    path: `${P}/recurringruns/${encodeURIComponent(id)}`,
    query: { propagation_policy: orphanRuns ? 'ORPHAN' : undefined },
    idempotent: true,
  }),

  listRuns: (scope, page) => ({
    call: 'ListRuns',
    method: 'GET',
    path: `${P}/runs`,
    query: query(
      page,
      'run_id',
      'namespace' in scope ? { namespace: scope.namespace } : { experiment_id: scope.experimentId },
    ),
    idempotent: true,
  }),
  // KFP writes `state` (PENDING) when it creates a run, so this filter is reliable. An unset state reads
  // as PENDING (see runFromWire); UNKNOWN names no wire value, so asking for it filters client-side only.
  runStateFilter: (states) =>
    states.includes('UNKNOWN')
      ? []
      : [
          {
            key: 'state',
            op: 'IN',
            value: states.flatMap((s) => (s === 'PENDING' ? ['PENDING', 'RUNTIME_STATE_UNSPECIFIED'] : [s])),
          },
        ],
  parseRunPage: (b) => ({ items: (b?.runs ?? []).map(runFromWire), nextPageToken: b?.next_page_token || undefined }),
  createRun: (input) => ({
    call: 'CreateRun',
    method: 'POST',
    path: `${P}/runs`,
    body: defined({
      display_name: input.name,
      description: input.description || undefined,
      experiment_id: input.experimentId,
      ...pipelineToWire(input),
      service_account: input.serviceAccount || undefined,
    }),
    idempotent: false,
  }),
  getRun: (id) => ({ call: 'GetRun', method: 'GET', path: `${P}/runs/${encodeURIComponent(id)}`, idempotent: true }),
  parseRun: runFromWire,
  // Not repeated: a second terminate of a run already CANCELING is refused (run_store.go TerminateRun).
  terminateRun: (id) => ({
    call: 'TerminateRun',
    method: 'POST',
    path: `${P}/runs/${encodeURIComponent(id)}:terminate`,
    idempotent: false,
  }),
};
