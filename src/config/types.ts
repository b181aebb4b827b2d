import type { Diagnostic, SourceLocation } from '../lib/errors.js';
import type { CronSchedule } from '../kfp/cron.js';
import type { Pipeline } from '../pipeline/pipeline.js';

/**
 * The desired state declared in config folders (deployKF's format: one folder per KFP namespace with
 * `experiments.yaml` and `recurring_runs.yaml`), validated and resolved: what push-reconcile makes
 * KFP match and what check-reconcile-configs shows. Every object is deeply frozen, and every value
 * knows where it was written (`at`, `fieldAt`) so that any later error can point at file and line.
 * Paths are repo-relative; YAML keys map to camelCase fields as noted on each field.
 */
export interface DesiredState {
  /** One per config folder that was found, in the order given (also when it has errors). */
  readonly namespaces: readonly DesiredFolder[];
  /** Every error and warning, each with file, line, column and a fix. Errors mean: do not apply. */
  readonly diagnostics: readonly Diagnostic[];
}

export interface DesiredFolder {
  /** Repo-relative path of the config folder. */
  readonly folder: string;
  /** The folder's base name; deployKF's convention is one folder per namespace (profile) named after it. */
  readonly namespace: string;
  /** Repo-relative paths of the two files (`.yaml` or `.yml`). */
  readonly experimentsFile: string;
  readonly recurringRunsFile: string;
  readonly experiments: readonly DesiredExperiment[];
  /** Only the entries that passed every check; an entry with an error is left out (and reported). */
  readonly jobs: readonly DesiredJob[];
  /** Repo-relative path of pipelines.yaml; absent when the folder has none (then no pipeline is managed). */
  readonly pipelinesFile?: string;
  /** The `pipelines[]` entries that passed every check; absent without pipelines.yaml. */
  readonly pipelines?: readonly DesiredPipelineEntry[];
}

/** One `pipelines[]` entry: a KFP pipeline whose versions follow a compiled file in git. */
export interface DesiredPipelineEntry {
  readonly name: string;
  /** `description`, '' when absent (used when the pipeline is created). */
  readonly description: string;
  /** `keep_versions` (default 10): older versions kept besides the newest; -1 keeps all. */
  readonly keepVersions: number;
  /** `shared` (default false): on multi-user KFP a pipeline without a namespace, readable from every namespace. */
  readonly shared: boolean;
  /** The parsed file, with its source. */
  readonly pipeline: ResolvedPipeline;
  /** The file's text as committed: what is uploaded. */
  readonly text: string;
  /** The list item in pipelines.yaml. */
  readonly at: SourceLocation;
}

export interface DesiredExperiment {
  readonly name: string;
  /** `description`, '' when absent (KFP cannot change it after creation). */
  readonly description: string;
  /** The list item in experiments.yaml. */
  readonly at: SourceLocation;
}

/** One `recurring_runs[]` entry: a schedule that KFP keeps as versions named `GIT::<name>__<UTC timestamp>`. */
export interface DesiredJob {
  /** `job.name`: the logical name, unique in the folder. */
  readonly name: string;
  /** `job.experiment`: a name from the folder's experiments. */
  readonly experiment: string;
  /** `job.description`, undefined when null or absent. */
  readonly description?: string;
  /** `job.enabled`: the desired state of the newest version. */
  readonly enabled: boolean;
  /**
   * `keep_history` (default 5): how many OLDER versions to keep besides the newest; older ones are
   * deleted. 0 keeps only the newest; -1 keeps every version.
   */
  readonly keepHistory: number;
  /** `job.max_concurrency`, 1..10. */
  readonly maxConcurrency: number;
  /** `job.service_account`, undefined when null/absent (the reconciler applies its default). */
  readonly serviceAccount?: string;
  /** `job.trigger.catchup` (KFP's `no_catchup` is its negation). */
  readonly catchup: boolean;
  readonly trigger: Trigger;
  /** `pipeline_parameters` as name → value; valueFrom file contents verbatim. In file order. */
  readonly parameters: Readonly<Record<string, string>>;
  /** Where each parameter's value came from (the `value` or the `valueFrom` entry). */
  readonly parameterAt: Readonly<Record<string, SourceLocation>>;
  /**
   * The compiled pipeline: the file `pipeline_source` names, or, with `kfp_pipeline`, the file of that
   * pipeline's pipelines.yaml entry; absent for a registered pipeline not declared in the folder.
   */
  readonly pipeline?: ResolvedPipeline;
  /** `pipeline_source.kfp_pipeline`: the schedule runs a pipeline registered in KFP instead of a file. */
  readonly pipelineRef?: PipelineRef;
  /** The `recurring_runs[]` item. */
  readonly at: SourceLocation;
  /** Where each field's value is written (absent for defaulted fields). */
  readonly fieldAt: Readonly<Partial<Record<JobField, SourceLocation>>>;
}

export type JobField =
  | 'name'
  | 'experiment'
  | 'description'
  | 'enabled'
  | 'keepHistory'
  | 'maxConcurrency'
  | 'serviceAccount'
  | 'catchup'
  | 'trigger'
  | 'cron'
  | 'intervalSeconds'
  | 'start'
  | 'end'
  | 'pipelineSource'
  | 'parameters';

/** `pipeline_source: {kfp_pipeline, version}`. */
export interface PipelineRef {
  readonly name: string;
  /** `version`: 'current' (default), 'latest', or a version name. */
  readonly version: string;
  /** Whether pipelines.yaml of the folder declares it (else it is looked up by name in KFP, never uploaded). */
  readonly declared: boolean;
}

/** `job.trigger`: exactly one of cron or interval, with an optional window. */
export type Trigger =
  | (TriggerWindow & {
      readonly type: 'cron';
      /** The expression as written (6-field robfig/cron or a descriptor). */
      readonly cron: string;
      /** Parsed form, for fire times and words. */
      readonly schedule: CronSchedule;
    })
  | (TriggerWindow & {
      readonly type: 'interval';
      readonly intervalSeconds: number;
    });

export interface TriggerWindow {
  /** `start_date`: date-only values are midnight UTC; values without an offset are UTC. */
  readonly start?: Date;
  readonly end?: Date;
}

/** Where a pipeline or parameter file came from. */
export type FileSource =
  | { readonly type: 'local'; readonly path: string }
  | {
      readonly type: 'github';
      readonly owner: string;
      readonly repo: string;
      readonly ref: string;
      readonly sha: string;
      readonly path: string;
    };

/** The compiled pipeline a job runs: parsed, with its source pinned. */
export interface ResolvedPipeline extends Pipeline {
  readonly source: FileSource;
}

/** A short human name for a source: `path` or `owner/repo@sha7:path`. */
export function describeSource(s: FileSource): string {
  return s.type === 'local' ? s.path : `${s.owner}/${s.repo}@${s.sha.slice(0, 7)}:${s.path}`;
}

/** Recursively freeze a value (Dates and already-frozen objects included as they are). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
