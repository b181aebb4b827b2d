import type { PipelineInput } from '../pipeline/pipeline.js';
import type { TargetPipeline, PipelineChange } from './pipelines.js';

/**
 * The reconciler's own view of schedules, independent of config files and of the KFP wire format:
 * adapters map the config model and the KFP client's objects into these, so the planner stays pure.
 */

/** When and how often a schedule fires. Times are epoch seconds (UTC). */
export type TriggerSpec =
  | { kind: 'cron'; cron: string; start?: number; end?: number }
  | { kind: 'periodic'; intervalSeconds: number; start?: number; end?: number };

/** A time as the planner holds it: whole epoch seconds (KFP keeps no sub-second part). */
export const epochSeconds = (d: Date | undefined): number | undefined =>
  d ? Math.floor(d.getTime() / 1000) : undefined;

/** The pipeline a schedule runs: parsed data (v1 Argo Workflow or v2 IR), compared as data. */
export interface PipelineData {
  kind: 'v1' | 'v2';
  data: unknown;
  /** v2: the platform spec (secrets, volumes, node selectors…) sent with the IR; compared like it. */
  platform?: unknown;
  /** Declared inputs (desired side only): v2 parameter values are sent typed. Not compared. */
  inputs?: readonly PipelineInput[];
  /** A registered pipeline version run by reference instead of `data` (compared by ids only). */
  ref?: VersionRef;
}

/**
 * A schedule's reference to a registered pipeline (`pipeline_source.kfp_pipeline`). Desired: resolved
 * against KFP before planning (pipeline-refs.ts); an id that is '' is made by this plan's pipeline steps
 * and filled in when they ran. Actual: the job's `pipeline_version_reference`.
 */
export interface VersionRef {
  /** The pipeline's name (its id when an observed job's pipeline is not known). */
  pipeline: string;
  /** Desired: 'current', 'latest' or a version name, as configured. */
  mode?: string;
  pipelineId?: string;
  /** Absent: KFP runs the pipeline's newest version at each run (`latest`, KFP ≥ 2.5). */
  versionId?: string;
  /** The version's name, when known. */
  version?: string;
}

/** Every field of a KFP recurring run that the reconciler compares (KFP cannot update any of them). */
export interface ScheduleSpec {
  /** '' when none; without the lineage suffix the reconciler appends. */
  description: string;
  maxConcurrency: number;
  /** The effective service account (default applied). */
  serviceAccount: string;
  catchup: boolean;
  trigger: TriggerSpec;
  /** Parameter values as strings; KFP drops empty values, so '' and absent are the same. */
  parameters: Readonly<Record<string, string>>;
  pipeline: PipelineData;
}

export interface TargetExperiment {
  name: string;
  description: string;
}

/** Where a desired value came from, for messages and lineage. */
export interface Origin {
  file: string;
  line?: number;
}

export interface TargetSchedule {
  /** `job.name`: the logical identity; versions are named `GIT::{name}__{timestamp}`. */
  name: string;
  experiment: string;
  enabled: boolean;
  /** Older versions kept besides the newest; -1 keeps all. */
  keepHistory: number;
  spec: ScheduleSpec;
  origin?: Origin;
}

/** What git says one namespace should have. */
export interface Target {
  namespace: string;
  experiments: readonly TargetExperiment[];
  schedules: readonly TargetSchedule[];
  /** Registered pipelines (pipelines.yaml); undefined when the folder has none: no pipeline is observed. */
  pipelines?: readonly TargetPipeline[];
}

export interface ActualExperiment {
  id: string;
  name: string;
  description: string;
  archived: boolean;
}

/** One KFP job / recurring run as observed. */
export interface ActualJob {
  id: string;
  name: string;
  enabled: boolean;
  experimentId?: string;
  createdAt?: number;
  /** Last change (KFP sets it on enable/disable): a paused version was paused no later than this. */
  updatedAt?: number;
  /** Description as stored (with any lineage suffix). */
  rawDescription: string;
  /**
   * Absent when observing did not read it: an older version of a schedule git wants (only a schedule's newest
   * version is compared; the older ones are only kept, disabled or pruned).
   */
  spec?: ScheduleSpec;
}

/** What the KFP API says one namespace has (from one listing of experiments and one of jobs). */
export interface ActualState {
  namespace: string;
  experiments: readonly ActualExperiment[];
  jobs: readonly ActualJob[];
  /** Pipeline version ids the recurring runs reference (never pruned). */
  referencedVersions?: readonly string[];
}

export type PrunePolicy = 'none' | 'disable' | 'delete';

export interface PlanOptions {
  /** The time new versions are named after. */
  now: Date;
  prune: PrunePolicy;
  /** Whether the server keeps in-flight runs on delete (v2 propagation_policy=ORPHAN). */
  orphanOnDelete: boolean;
  /** Keys ignored at any depth when comparing pipelines. */
  ignoreKeys: readonly string[];
  /**
   * Missed runs a re-enable may start at once (catchup: true makes KFP run every slot missed while the
   * version was paused). Beyond it a fresh version replaces the paused one. -1: no limit. Default 0.
   */
  maxCatchupRuns?: number;
}

/** Reference to a job: an existing one by id, or the version this plan creates. */
export type JobRef = { id: string; name: string } | { created: string; name: string };

/**
 * Reference to an experiment, as JobRef is to a job: an existing one by id, or the one this plan's
 * create-experiment step makes (`created` is that step's name). `name` is the name written in git.
 */
export type ExperimentRef = { id: string; name: string } | { created: string; name: string };

export type Step =
  | { op: 'create-experiment'; experiment: string; description: string }
  | { op: 'unarchive-experiment'; experimentId: string; experiment: string }
  | { op: 'create'; schedule: string; version: string; experiment: ExperimentRef; spec: ScheduleSpec; origin?: Origin }
  | { op: 'enable'; schedule: string; job: JobRef; reason: string; backfill?: number }
  | { op: 'disable'; schedule: string; job: JobRef; reason: string }
  | { op: 'delete'; schedule: string; job: JobRef; reason: string; keepsRuns: boolean };

export interface FieldChange {
  field: string;
  actual: string;
  desired: string;
}

export type ChangeKind = 'create' | 'replace' | 'enable' | 'disable' | 'prune' | 'repair' | 'orphan' | 'unchanged';

/** What happens to one schedule, with why. Steps run in order. */
export interface ScheduleChange {
  schedule: string;
  kind: ChangeKind;
  reasons: string[];
  fields: FieldChange[];
  steps: Step[];
  origin?: Origin;
}

export interface Plan {
  namespace: string;
  /** Registered pipelines; applied before every schedule step. Absent without pipelines.yaml. */
  pipelines?: PipelineChange[];
  experimentSteps: Step[];
  changes: ScheduleChange[];
  warnings: string[];
}
