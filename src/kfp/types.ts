/**
 * The KFP objects the toolkit works with, normalised from either API version: omitted
 * false/""/0 restored, int64 strings as numbers, RFC 3339 strings as Dates, v1 resource
 * references and v2 ids folded into one shape. The wire formats live in wire-v1.ts / wire-v2.ts.
 */

export const API_VERSIONS = ['v1beta1', 'v2beta1'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

export interface Experiment {
  id: string;
  name: string;
  description: string;
  /** '' on single-user installs. */
  namespace: string;
  archived: boolean;
  createdAt?: Date;
}

export interface ExperimentInput {
  name: string;
  description?: string;
  namespace: string;
}

export interface ScheduleWindow {
  start?: Date;
  end?: Date;
}

/** How a recurring run fires: a robfig/cron v1 expression (seconds first) or a fixed interval. */
export type KfpTrigger =
  { cron: { expression: string } & ScheduleWindow } | { periodic: { intervalSeconds: number } & ScheduleWindow };

/** A pipeline stored by reference (uploaded pipeline / version) rather than inline. */
export interface PipelineVersionRef {
  pipelineId: string;
  versionId?: string;
}

/** A registered KFP pipeline (v2beta1). */
export interface KfpPipeline {
  id: string;
  name: string;
  description: string;
  /** '' for a shared pipeline (or single-user KFP). */
  namespace: string;
  createdAt?: Date;
}

/** One version of a registered pipeline (v2beta1), with its spec as KFP stores it. */
export interface KfpPipelineVersion {
  id: string;
  pipelineId: string;
  name: string;
  description: string;
  createdAt?: Date;
  /** The IR (or Argo workflow); with a platform spec KFP answers `{pipeline_spec, platform_spec}`. */
  spec?: Record<string, unknown>;
}

/** A v1 job / v2 recurring run. */
export interface RecurringRun {
  id: string;
  name: string;
  description: string;
  experimentId: string;
  namespace: string;
  enabled: boolean;
  maxConcurrency: number;
  serviceAccount: string;
  /** Run every missed slot when behind (KFP's default); false = `no_catchup`. */
  catchup: boolean;
  trigger?: KfpTrigger;
  /** Parameter values: strings for Argo (v1) workflows, any JSON for v2 IR pipelines. */
  parameters: Record<string, unknown>;
  /** The inline pipeline as data: an Argo Workflow (v1 `workflow_manifest`) or a v2 PipelineSpec (IR). */
  pipeline?: Record<string, unknown>;
  /** The IR's platform spec (`platforms: kubernetes: …`: secrets, volumes, node selectors…), when it has one. */
  platformSpec?: Record<string, unknown>;
  pipelineVersion?: PipelineVersionRef;
  createdAt?: Date;
  updatedAt?: Date;
  /** KFP's per-item error, when it could not read the object fully. */
  error?: string;
}

export interface RecurringRunInput {
  name: string;
  description?: string;
  experimentId: string;
  enabled: boolean;
  maxConcurrency: number;
  serviceAccount?: string;
  catchup: boolean;
  trigger: KfpTrigger;
  parameters?: Record<string, unknown>;
  /** Inline pipeline (Argo Workflow or IR PipelineSpec); or use pipelineVersion. */
  pipeline?: Record<string, unknown>;
  /** The IR's platform spec (the second document of a v2 pipeline file), sent with it. */
  platformSpec?: Record<string, unknown>;
  pipelineVersion?: PipelineVersionRef;
}

export const RUN_STATES = [
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'SKIPPED',
  'FAILED',
  'CANCELING',
  'CANCELED',
  'PAUSED',
  'UNKNOWN',
] as const;
export type RunState = (typeof RUN_STATES)[number];
export const FINAL_RUN_STATES: readonly RunState[] = ['SUCCEEDED', 'SKIPPED', 'FAILED', 'CANCELED'];

export interface Run {
  id: string;
  name: string;
  description: string;
  experimentId: string;
  namespace: string;
  recurringRunId?: string;
  state: RunState;
  parameters: Record<string, unknown>;
  serviceAccount: string;
  createdAt?: Date;
  scheduledAt?: Date;
  finishedAt?: Date;
  error?: string;
}

export interface RunInput {
  name: string;
  description?: string;
  experimentId: string;
  serviceAccount?: string;
  parameters?: Record<string, unknown>;
  pipeline?: Record<string, unknown>;
  platformSpec?: Record<string, unknown>;
  pipelineVersion?: PipelineVersionRef;
  /** The referenced version's kind: v1beta1 passes a v2 (IR) pipeline's parameters as runtime_config. */
  pipelineVersionKind?: 'v1' | 'v2';
}

export const PREDICATE_OPS = [
  'EQUALS',
  'NOT_EQUALS',
  'GREATER_THAN',
  'GREATER_THAN_EQUALS',
  'LESS_THAN',
  'LESS_THAN_EQUALS',
  'IN',
  'IS_SUBSTRING',
] as const;
export type PredicateOp = (typeof PREDICATE_OPS)[number];

/** One condition of a list filter; all are AND-ed. Keys are logical (`name`, `id`, `created_at`…) and mapped per version. */
export interface Predicate {
  key: string;
  op: PredicateOp;
  value: string | number | Date | string[] | number[];
}

export interface ListOptions {
  filter?: Predicate[];
  /** Items per request; KFP caps it at 200. */
  pageSize?: number;
  /** e.g. `created_at desc`. */
  sortBy?: string;
}

/** What a listing of recurring runs or runs covers: a whole namespace, or one experiment. */
export type ListScope = { namespace: string } | { experimentId: string };

export interface RunListOptions extends ListOptions {
  /**
   * Only runs in these (normalised) states. KFP filters where its state column is reliable (v2
   * `state`); the client always re-checks, so the answer is exact for both API versions.
   */
  states?: readonly RunState[];
}

export interface Healthz {
  multiUser: boolean;
  /** The server's release (healthz `tag_name`, e.g. 2.17.0); absent when it reports none (`unknown`). */
  version?: string;
}

/** One interface for the reconciler and run-pipeline, whatever the API version. */
export interface KfpClient {
  readonly apiVersion: ApiVersion;
  /** The KFP API prefix, e.g. https://host/pipeline. */
  readonly baseUrl: string;
  healthz(): Promise<Healthz>;
  /**
   * Whether a delete can keep a recurring run's in-flight runs: v2 `propagation_policy=ORPHAN` on KFP ≥ 2.16.0
   * (older servers ignore it and terminate them). Reads healthz once, on first use; false when unknown.
   */
  orphanDeleteSupported(): Promise<boolean>;
  /** Every experiment of a namespace (all pages). */
  listExperiments(namespace: string | undefined, opts?: ListOptions): Promise<Experiment[]>;
  /** The experiment KFP knows by this name in the namespace (exact, else equal ignoring case and accents), if any. */
  findExperiment(name: string, namespace: string): Promise<Experiment | undefined>;
  getExperiment(id: string): Promise<Experiment>;
  createExperiment(input: ExperimentInput): Promise<Experiment>;
  archiveExperiment(id: string): Promise<void>;
  unarchiveExperiment(id: string): Promise<void>;
  /** Every recurring run of a namespace or an experiment: one paginated listing (next_page_token followed). */
  listRecurringRuns(scope: ListScope, opts?: ListOptions): Promise<RecurringRun[]>;
  /**
   * listRecurringRuns with each run reduced by `each` as its page arrives: only the reductions are kept, so a
   * fleet's pipelines are never all in memory at once (a page of 200 v2 recurring runs can be 8 MB).
   */
  scanRecurringRuns<R>(scope: ListScope, each: (run: RecurringRun) => R, opts?: ListOptions): Promise<R[]>;
  getRecurringRun(id: string): Promise<RecurringRun>;
  /** Never duplicated: an ambiguous failure is checked by listing before any retry. */
  createRecurringRun(input: RecurringRunInput): Promise<RecurringRun>;
  enableRecurringRun(id: string): Promise<void>;
  disableRecurringRun(id: string): Promise<void>;
  /** `orphanRuns` keeps in-flight runs where orphanDeleteSupported(); otherwise KFP terminates them. */
  deleteRecurringRun(id: string, opts?: { orphanRuns?: boolean }): Promise<void>;
  createRun(input: RunInput): Promise<Run>;
  getRun(id: string): Promise<Run>;
  /** Stop a run that has not ended (KFP moves it to CANCELING, then CANCELED). */
  terminateRun(id: string): Promise<void>;
  /** Every run of a namespace or an experiment (all pages), optionally only those in some states. */
  listRuns(scope: ListScope, opts?: RunListOptions): Promise<Run[]>;
  /** Every pipeline of a namespace ('' = shared), all pages. */
  listPipelines(namespace: string): Promise<KfpPipeline[]>;
  /** Every version of a pipeline, all pages, newest first (v1beta1 answers no spec). */
  listPipelineVersions(pipelineId: string): Promise<KfpPipelineVersion[]>;
  /** A version's pipeline file as KFP stores it (v1beta1 `templates`; v2beta1 the version's spec as YAML). */
  getPipelineVersionSpec(pipelineId: string, versionId: string): Promise<string>;
  /** A pipeline without versions (JSON `POST pipelines`); never duplicated. v2beta1 only. */
  createPipeline(input: { name: string; description: string; namespace: string }): Promise<KfpPipeline>;
  /** A new version from a compiled file (multipart `pipelines/upload_version`); never duplicated. v2beta1 only. */
  uploadPipelineVersion(input: {
    pipelineId: string;
    name: string;
    description: string;
    filename: string;
    content: string;
  }): Promise<KfpPipelineVersion>;
  deletePipelineVersion(pipelineId: string, versionId: string): Promise<void>;
  /** Retries made so far, per call kind (429/5xx answers and connection failures), sorted by call. */
  retries(): Record<string, number>;
  /** Release keep-alive sockets. */
  close(): void;
}

/** An Argo Workflow (KFP v1 compiled) rather than a v2 PipelineSpec. */
export function isArgoWorkflow(doc: Record<string, unknown> | undefined): boolean {
  return (
    !!doc && doc.kind === 'Workflow' && typeof doc.apiVersion === 'string' && doc.apiVersion.startsWith('argoproj.io/')
  );
}
