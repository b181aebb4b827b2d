import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { sameName } from '../collation.js';
import { missedSlots } from '../catchup.js';
import { DEFAULT_KFP_VERSION, type KfpVersion, parseKfpVersion, versionAtLeast } from '../version.js';

/**
 * The emulator's data, independent of API version (both versions read and write the same
 * objects, as KFP's one database does). Tests reach in here to seed and perturb state
 * "behind the client's back".
 */
export interface ScheduleWindowRecord {
  start?: Date;
  end?: Date;
}

export interface TriggerRecord {
  cron?: { cron: string } & ScheduleWindowRecord;
  periodic?: { intervalSecond: number } & ScheduleWindowRecord;
}

/**
 * The pipeline of a job or run, with the manifest text KFP stores. A v2 create stores the spec as
 * YAML (`pipelineSpecStructToYamlString`), also for an Argo workflow, which v1 then returns in both
 * `workflow_manifest` and `pipeline_manifest` and v2 as `pipeline_spec` (`specManifest`).
 */
export type PipelineRecord =
  | { kind: 'argo'; manifest: string; parameters: { name: string; value: string }[]; specManifest?: string }
  | {
      kind: 'ir';
      spec: Record<string, unknown>;
      platformSpec?: Record<string, unknown>;
      parameters: Record<string, unknown>;
      pipelineRoot?: string;
      manifest?: string;
    }
  | { kind: 'version'; pipelineId: string; versionId?: string; parameters: Record<string, unknown> };

export interface ExperimentRecord {
  id: string;
  name: string;
  description: string;
  namespace: string;
  archived: boolean;
  createdAt: Date;
  lastRunCreatedAt?: Date;
}

export interface JobRecord {
  id: string;
  name: string;
  description: string;
  experimentId: string;
  namespace: string;
  enabled: boolean;
  maxConcurrency: number;
  serviceAccount: string;
  noCatchup: boolean;
  trigger: TriggerRecord;
  pipeline: PipelineRecord;
  createdAt: Date;
  updatedAt: Date;
  /**
   * KFP's Conditions column: what v1 reports as `status`. STATUS_UNSPECIFIED right after an API create,
   * until KFP's persistence agent reports the ScheduledWorkflow; enable/disable do not change it.
   * Unset: reported from `enabled`.
   */
  conditions?: string;
  /** When it was last paused after running; KFP's scheduler has run every slot up to then. */
  pausedAt?: Date;
}

/** The runs KFP's scheduler starts at once when a version is enabled again (catch-up). */
export interface Backfill {
  jobId: string;
  name: string;
  runs: number;
  at: Date;
}

/** How a run ends on the emulator's clock; HANG keeps it RUNNING until terminated. */
export type RunOutcome = 'SUCCEEDED' | 'FAILED' | 'HANG';
export type RunStateName = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELING' | 'CANCELED';

/** A pipeline of KFP's pipeline service (the `pipelines` table). Namespace '' = shared. */
export interface StoredPipeline {
  id: string;
  name: string;
  displayName: string;
  description: string;
  namespace: string;
  createdAt: Date;
  tags?: Record<string, string>;
}

/** A pipeline version: the spec text KFP stores (YAML, the platform spec as a second document). */
export interface StoredVersion {
  id: string;
  pipelineId: string;
  name: string;
  displayName: string;
  description: string;
  createdAt: Date;
  manifest: string;
  packageUrl?: string;
  codeSourceUrl?: string;
  tags?: Record<string, string>;
}

export interface RunRecord {
  id: string;
  name: string;
  description: string;
  experimentId: string;
  namespace: string;
  jobId?: string;
  serviceAccount: string;
  pipeline: PipelineRecord;
  archived: boolean;
  createdAt: Date;
  /** Milliseconds clock of creation, for the PENDING → RUNNING → done progression. */
  createdMs: number;
  outcome: RunOutcome;
  /** Set when the run was terminated (its recurring run deleted without ORPHAN). */
  canceledAt?: Date;
  /** Set by terminate: the run reads CANCELING until the cancel delay has passed, then CANCELED. */
  terminatedAt?: Date;
}

export interface RunTiming {
  /** Time a run stays PENDING. */
  pendingMs: number;
  /** Time a run stays RUNNING before it ends with its outcome. */
  runningMs: number;
  /** Time a terminated run stays CANCELING before it reads CANCELED. */
  cancelingMs?: number;
}

/** KFP keeps timestamps with 1-second precision. */
export const seconds = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);

export class EmulatorState {
  readonly experiments = new Map<string, ExperimentRecord>();
  readonly jobs = new JobTable();
  readonly runs = new Map<string, RunRecord>();
  readonly pipelines = new Map<string, StoredPipeline>();
  readonly versions = new Map<string, StoredVersion>();
  runTiming: RunTiming = { pendingMs: 300, runningMs: 1200 };
  /**
   * The service account KFP runs pipelines with when a run or recurring run names none
   * (DEFAULTPIPELINERUNNERSERVICEACCOUNT, config.json: pipeline-runner; Kubeflow sets default-editor).
   */
  defaultServiceAccount = 'pipeline-runner';
  /**
   * REQUIRE_NAMESPACE_FOR_PIPELINES (common/config.go IsNamespaceRequiredForPipelines): multi-user KFP
   * then refuses pipeline calls without a namespace, so it has no shared pipelines.
   */
  requireNamespaceForPipelines = false;
  /** Outcome of runs created from now on: a value or a choice per run (tests inject FAILED). */
  runOutcome: RunOutcome | ((run: RunRecord) => RunOutcome) = 'SUCCEEDED';
  /** Every re-enable that made KFP's scheduler start missed runs, in order (a catch-up storm is visible here). */
  readonly backfills: Backfill[] = [];
  /** The KFP release played (healthz `tag_name`); behaviours that differ by release follow it. */
  readonly kfpVersion: string;
  private readonly version: KfpVersion;

  constructor(
    readonly multiUser = true,
    kfpVersion = DEFAULT_KFP_VERSION,
  ) {
    const v = parseKfpVersion(kfpVersion);
    if (!v) throw new Error(`KFP version '${kfpVersion}' is not X.Y.Z (e.g. ${DEFAULT_KFP_VERSION})`);
    this.kfpVersion = kfpVersion;
    this.version = v;
  }

  /** Whether the release played is at least `min`. */
  since(min: KfpVersion): boolean {
    return versionAtLeast(this.version, min);
  }

  /** The experiment KFP's unique index says has this name (compared case- and accent-insensitively). */
  experimentByName(name: string, namespace: string): ExperimentRecord | undefined {
    for (const e of this.experiments.values()) if (e.namespace === namespace && sameName(e.name, name)) return e;
    return undefined;
  }

  /** The experiment KFP creates on demand when a job or run names none. */
  defaultExperiment(namespace: string): ExperimentRecord {
    return (
      this.experimentByName('Default', namespace) ??
      this.seedExperiment({
        name: 'Default',
        namespace,
        description: 'All runs created without specifying an experiment will be grouped here.',
      })
    );
  }

  seedExperiment(p: Partial<ExperimentRecord> & { name: string }): ExperimentRecord {
    const now = seconds(new Date());
    const e: ExperimentRecord = {
      id: randomUUID(),
      description: '',
      namespace: '',
      archived: false,
      createdAt: now,
      ...p,
    };
    this.experiments.set(e.id, e);
    return e;
  }

  seedJob(p: Partial<JobRecord> & { name: string; experimentId: string; pipeline: PipelineRecord }): JobRecord {
    const now = seconds(new Date());
    const exp = this.experiments.get(p.experimentId);
    const j: JobRecord = {
      id: randomUUID(),
      description: '',
      namespace: exp?.namespace ?? '',
      enabled: false,
      maxConcurrency: 1,
      serviceAccount: '',
      noCatchup: false,
      trigger: { cron: { cron: '0 0 * * * *' } },
      createdAt: now,
      updatedAt: now,
      ...p,
    };
    this.jobs.set(j.id, j);
    return j;
  }

  seedRun(p: Partial<RunRecord> & { name: string; experimentId: string; pipeline: PipelineRecord }): RunRecord {
    const exp = this.experiments.get(p.experimentId);
    const now = new Date();
    const r: RunRecord = {
      id: randomUUID(),
      description: '',
      namespace: exp?.namespace ?? '',
      serviceAccount: '',
      archived: false,
      createdAt: seconds(now),
      createdMs: now.getTime(),
      outcome: 'SUCCEEDED',
      ...p,
    };
    r.outcome = p.outcome ?? (typeof this.runOutcome === 'function' ? this.runOutcome(r) : this.runOutcome);
    this.runs.set(r.id, r);
    if (exp) exp.lastRunCreatedAt = r.createdAt;
    return r;
  }

  setJobEnabled(id: string, enabled: boolean): void {
    const j = this.jobs.get(id);
    if (!j) throw new Error(`no job ${id}`);
    const now = new Date();
    if (enabled && !j.enabled) {
      const runs = catchupRuns(j, now);
      if (runs > 0) this.backfills.push({ jobId: j.id, name: j.name, runs, at: now });
    }
    if (!enabled && j.enabled) j.pausedAt = seconds(now);
    j.enabled = enabled;
    j.updatedAt = seconds(now);
  }

  /** Delete a job; its in-flight runs are terminated unless orphaned (v2 propagation_policy=ORPHAN). */
  deleteJob(id: string, orphanRuns = false): void {
    this.jobs.delete(id);
    if (orphanRuns) return;
    for (const r of this.runs.values()) {
      if (r.jobId === id && !this.isFinal(this.runState(r).state)) r.canceledAt = new Date();
    }
  }

  /** KFP archives an experiment's runs and disables its recurring runs with it. */
  setExperimentArchived(id: string, archived: boolean): void {
    const e = this.experiments.get(id);
    if (!e) throw new Error(`no experiment ${id}`);
    e.archived = archived;
    if (!archived) return;
    for (const j of this.jobs.in({ experimentId: id })) this.setJobEnabled(j.id, false);
    for (const r of this.runs.values()) if (r.experimentId === id) r.archived = true;
  }

  deleteExperiment(id: string): void {
    this.experiments.delete(id);
    for (const j of [...this.jobs.in({ experimentId: id })]) this.deleteJob(j.id);
    for (const r of [...this.runs.values()]) if (r.experimentId === id) this.runs.delete(r.id);
  }

  /** Whether a run has ended (CANCELING has not). */
  isFinal(s: RunStateName): boolean {
    return s === 'SUCCEEDED' || s === 'FAILED' || s === 'CANCELED';
  }

  /** Where a run is now: computed from its age, so no timers run. */
  runState(r: RunRecord, now = Date.now()): { state: RunStateName; finishedAt?: Date } {
    const age = now - r.createdMs;
    const doneAt = r.createdMs + this.runTiming.pendingMs + this.runTiming.runningMs;
    const hangs = r.outcome === 'HANG';
    if (r.canceledAt && (hangs || r.canceledAt.getTime() < doneAt))
      return { state: 'CANCELED', finishedAt: seconds(r.canceledAt) };
    if (r.terminatedAt && (hangs || r.terminatedAt.getTime() < doneAt)) {
      const canceledAt = r.terminatedAt.getTime() + (this.runTiming.cancelingMs ?? this.runTiming.pendingMs);
      return now < canceledAt
        ? { state: 'CANCELING' }
        : { state: 'CANCELED', finishedAt: seconds(new Date(canceledAt)) };
    }
    if (age < this.runTiming.pendingMs) return { state: 'PENDING' };
    if (now < doneAt || hangs) return { state: 'RUNNING' };
    return { state: r.outcome as 'SUCCEEDED' | 'FAILED', finishedAt: seconds(new Date(doneAt)) };
  }

  toJSON(): unknown {
    return {
      experiments: [...this.experiments.values()],
      jobs: [...this.jobs.values()],
      runs: [...this.runs.values()],
      pipelines: [...this.pipelines.values()],
      versions: [...this.versions.values()],
    };
  }

  save(file: string): void {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(this.toJSON(), null, 1));
    fs.renameSync(tmp, file);
  }

  /** Load a state file written by save(); a missing file means an empty state. */
  load(file: string): void {
    if (!fs.existsSync(file)) return;
    const data = JSON.parse(fs.readFileSync(file, 'utf8'), (k, v) =>
      typeof v === 'string' && /^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(v) && /(At|^start|^end)$/.test(k) ? new Date(v) : v,
    );
    for (const e of data.experiments ?? []) this.experiments.set(e.id, e);
    for (const j of data.jobs ?? []) this.jobs.set(j.id, j);
    for (const r of data.runs ?? []) this.runs.set(r.id, r);
    for (const p of data.pipelines ?? []) this.pipelines.set(p.id, p);
    for (const v of data.versions ?? []) this.versions.set(v.id, v);
  }

  /** The newest version of a pipeline (KFP orders by created_at; the later insert wins a tie). */
  latestVersion(pipelineId: string): StoredVersion | undefined {
    let latest: StoredVersion | undefined;
    for (const v of this.versions.values()) {
      if (v.pipelineId === pipelineId && (!latest || v.createdAt.getTime() >= latest.createdAt.getTime())) latest = v;
    }
    return latest;
  }
}

/**
 * The jobs by id, also indexed by namespace and experiment: every listing is scoped to one of them, and
 * filtering a platform's 60,000 versions for each page was most of the emulator's time on a fleet.
 * A job's namespace and experiment never change after it is stored (as in KFP).
 */
export class JobTable extends Map<string, JobRecord> {
  private readonly byScope = new Map<string, Map<string, JobRecord>>();

  override set(id: string, j: JobRecord): this {
    this.unindex(id);
    super.set(id, j);
    for (const key of scopeKeys(j)) {
      const scoped = this.byScope.get(key) ?? new Map<string, JobRecord>();
      this.byScope.set(key, scoped.set(id, j));
    }
    return this;
  }

  override delete(id: string): boolean {
    this.unindex(id);
    return super.delete(id);
  }

  override clear(): void {
    this.byScope.clear();
    super.clear();
  }

  /** The jobs of one experiment, else of one namespace, else all. */
  in(scope: { namespace?: string; experimentId?: string }): Iterable<JobRecord> {
    const key = scope.experimentId
      ? `e:${scope.experimentId}`
      : scope.namespace !== undefined && `n:${scope.namespace}`;
    return key ? (this.byScope.get(key)?.values() ?? []) : this.values();
  }

  private unindex(id: string): void {
    const old = this.get(id);
    if (old) for (const key of scopeKeys(old)) this.byScope.get(key)?.delete(id);
  }
}

const scopeKeys = (j: JobRecord) => [`n:${j.namespace}`, `e:${j.experimentId}`];

/**
 * Runs the scheduler starts when `j` is enabled at `now`: every slot since it last ran (it kept up until it was
 * paused; one that never ran starts at start_date or its creation), or only the latest one with no_catchup
 * (crd/controller/scheduledworkflow/util/scheduled_workflow.go getNextScheduledEpoch).
 */
export function catchupRuns(j: JobRecord, now: Date): number {
  const t = j.trigger.cron ?? j.trigger.periodic;
  if (!t) return 0;
  const secs = (d: Date | undefined) => (d ? Math.floor(new Date(d).getTime() / 1000) : undefined);
  const since = secs(j.pausedAt) ?? secs(t.start) ?? secs(j.createdAt)!;
  const trigger = {
    cron: j.trigger.cron?.cron,
    intervalSeconds: j.trigger.periodic ? Number(j.trigger.periodic.intervalSecond) : undefined,
    start: secs(t.start),
    end: secs(t.end),
  };
  // Without catchup one slot is all that counts: counting up to 100 cron slots per enable was most of the CPU.
  return missedSlots(trigger, since, secs(now)!, j.noCatchup ? 1 : undefined);
}

export function newId(): string {
  return randomUUID();
}
