import { findByName } from '../kfp/collation.js';
import { diffSpecs } from './compare.js';
import { freshVersionName, parseVersionName } from './identity.js';
import { type SchedulerTrigger, missedSlots } from '../kfp/catchup.js';
import type {
  ActualJob,
  ActualState,
  ExperimentRef,
  TargetSchedule,
  Target,
  JobRef,
  Plan,
  PlanOptions,
  ScheduleSpec,
  ScheduleChange,
  Step,
  TriggerSpec,
} from './types.js';

export interface Version {
  job: ActualJob;
  stamp: string;
}

/** What orders versions (newestFirst). */
type Ordered = { job: Pick<ActualJob, 'id' | 'createdAt'>; stamp: string };

const ref = (job: ActualJob): JobRef => ({ id: job.id, name: job.name });

/** Newest first: by the timestamp in the name, then creation time, then id (duplicates from a racing run). */
export function newestFirst(a: Ordered, b: Ordered): number {
  if (a.stamp !== b.stamp) return a.stamp < b.stamp ? 1 : -1;
  if ((a.job.createdAt ?? 0) !== (b.job.createdAt ?? 0)) return (b.job.createdAt ?? 0) - (a.job.createdAt ?? 0);
  return a.job.id < b.job.id ? 1 : a.job.id > b.job.id ? -1 : 0;
}

/** A compared version's spec: observing reads the spec of each schedule's newest version (kfp-adapter observe). */
function specOf(job: ActualJob): ScheduleSpec {
  if (!job.spec) throw new Error(`internal: version ${job.name} is the newest but was observed without its spec`);
  return job.spec;
}

/** All `GIT::` versions in the namespace, grouped by schedule name, newest first. */
function versionsBySchedule(jobs: readonly ActualJob[]): Map<string, Version[]> {
  const groups = new Map<string, Version[]>();
  for (const job of jobs) {
    const v = parseVersionName(job.name);
    if (!v) continue; // not ours: never touched
    const list = groups.get(v.schedule) ?? [];
    list.push({ job, stamp: v.stamp });
    groups.set(v.schedule, list);
  }
  for (const list of groups.values()) list.sort(newestFirst);
  return groups;
}

function pruneSteps(schedule: string, older: Version[], keepHistory: number, keepsRuns: boolean): Step[] {
  if (keepHistory < 0 || older.length <= keepHistory) return [];
  // Oldest first, so an interrupted prune still leaves the most recent history.
  return older
    .slice(keepHistory)
    .reverse()
    .map(
      (v) =>
        ({
          op: 'delete',
          schedule,
          job: ref(v.job),
          keepsRuns,
          reason: `beyond keep_history (${keepHistory} older versions kept)`,
        }) as Step,
    );
}

/** A re-enable may start this many missed runs at once unless told otherwise: none (a new version replaces it). */
export const DEFAULT_MAX_CATCHUP_RUNS = 0;

function schedulerTrigger(t: TriggerSpec): SchedulerTrigger {
  return t.kind === 'cron'
    ? { cron: t.cron, start: t.start, end: t.end }
    : { intervalSeconds: t.intervalSeconds, start: t.start, end: t.end };
}

function planSchedule(
  d: TargetSchedule,
  versions: Version[],
  experiment: ExperimentRef,
  experimentNames: ReadonlyMap<string, string>,
  taken: ReadonlySet<string>,
  opts: PlanOptions,
  warnings: string[],
): ScheduleChange {
  const ignore = new Set(opts.ignoreKeys);
  const [latest, ...older] = versions;
  const change: ScheduleChange = {
    schedule: d.name,
    kind: 'unchanged',
    reasons: [],
    fields: [],
    steps: [],
    origin: d.origin,
  };

  const fields = latest ? diffSpecs(specOf(latest.job), d.spec, ignore) : [];
  if (latest && latest.job.experimentId !== ('id' in experiment ? experiment.id : undefined)) {
    // Name the current experiment as the user knows it; its id only when it is not in the namespace.
    const current =
      latest.job.experimentId === undefined
        ? '(none)'
        : (experimentNames.get(latest.job.experimentId) ?? latest.job.experimentId);
    fields.unshift({ field: 'experiment', actual: current, desired: d.experiment });
  }
  const upToDate = latest !== undefined && fields.length === 0;
  const now = Math.floor(opts.now.getTime() / 1000);
  const trigger = schedulerTrigger(d.spec.trigger);
  // A new version has not run: KFP starts it at start_date, or at its creation (now). Counted only when needed.
  const freshBackfill = () =>
    d.spec.catchup && d.spec.trigger.start !== undefined ? missedSlots(trigger, d.spec.trigger.start, now) : 0;

  const replace = (reason: string): ScheduleChange => {
    const version = freshVersionName(d.name, opts.now, taken);
    const created: JobRef = { created: version, name: version };
    change.kind = latest ? 'replace' : 'create';
    change.fields = fields;
    change.reasons.push(reason);
    change.steps.push({
      op: 'create',
      schedule: d.name,
      version,
      experiment,
      spec: d.spec,
      origin: d.origin,
    });
    for (const v of versions)
      if (v.job.enabled)
        change.steps.push({
          op: 'disable',
          schedule: d.name,
          job: ref(v.job),
          reason: v === latest ? 'replaced by the new version' : 'older version still enabled',
        });
    const backfill = d.enabled ? freshBackfill() : 0;
    if (d.enabled)
      change.steps.push({
        op: 'enable',
        schedule: d.name,
        job: created,
        reason: 'job.enabled is true',
        ...(backfill ? { backfill } : {}),
      });
    else change.reasons.push('job.enabled is false: the new version stays paused');
    change.steps.push(...pruneSteps(d.name, versions, d.keepHistory, opts.orphanOnDelete));
    return change;
  };
  if (!upToDate)
    return replace(
      latest
        ? `${fields.map((f) => f.field).join(', ')} changed; KFP cannot update a recurring run, so a new version replaces it`
        : 'no version exists yet',
    );

  // Re-enabling a paused version with catchup makes KFP run every slot missed since it was paused.
  const reenable =
    d.enabled && !latest.job.enabled && d.spec.catchup
      ? missedSlots(trigger, latest.job.updatedAt ?? latest.job.createdAt ?? now, now)
      : 0;
  const limit = opts.maxCatchupRuns ?? DEFAULT_MAX_CATCHUP_RUNS;
  if (limit >= 0 && reenable > limit) {
    const storm = `re-enabling the paused newest version would make KFP run at least ${reenable} missed run(s) at once (catchup: true; max-catchup-runs is ${limit})`;
    const fresh = freshBackfill();
    if (fresh <= limit) return replace(`${storm}, so a new version replaces it`);
    warnings.push(
      `Schedule '${d.name}' stays paused: ${storm}, and a new version would run ${fresh} since start_date. Set catchup: false or raise max-catchup-runs.`,
    );
  }

  for (const v of older)
    if (v.job.enabled)
      change.steps.push({ op: 'disable', schedule: d.name, job: ref(v.job), reason: 'older version still enabled' });
  if (change.steps.length) {
    change.kind = 'repair';
    change.reasons.push(`${change.steps.length} older version(s) were enabled`);
  }
  if (d.enabled && !latest.job.enabled && !(limit >= 0 && reenable > limit)) {
    change.steps.push({
      op: 'enable',
      schedule: d.name,
      job: ref(latest.job),
      reason: 'job.enabled is true but the newest version is paused',
      ...(reenable ? { backfill: reenable } : {}),
    });
    change.kind = 'enable';
  } else if (!d.enabled && latest.job.enabled) {
    change.steps.push({
      op: 'disable',
      schedule: d.name,
      job: ref(latest.job),
      reason: 'job.enabled is false but the newest version is enabled',
    });
    change.kind = 'disable';
  }
  const prune = pruneSteps(d.name, older, d.keepHistory, opts.orphanOnDelete);
  if (prune.length) {
    change.steps.push(...prune);
    if (change.kind === 'unchanged') change.kind = 'prune';
    change.reasons.push(`${prune.length} version(s) beyond keep_history`);
  }
  return change;
}

function planOrphan(schedule: string, versions: Version[], opts: PlanOptions): ScheduleChange {
  const change: ScheduleChange = {
    schedule,
    kind: 'orphan',
    reasons: [`no longer in the configs of namespace; prune is '${opts.prune}'`],
    fields: [],
    steps: [],
  };
  if (opts.prune === 'disable') {
    for (const v of versions)
      if (v.job.enabled)
        change.steps.push({ op: 'disable', schedule, job: ref(v.job), reason: 'schedule removed from git' });
  } else if (opts.prune === 'delete') {
    for (const v of [...versions].reverse())
      change.steps.push({
        op: 'delete',
        schedule,
        job: ref(v.job),
        keepsRuns: opts.orphanOnDelete,
        reason: 'schedule removed from git',
      });
  }
  return change;
}

/**
 * The pure planner: what to do so that `actual` matches `desired`. No I/O; the same inputs give
 * the same plan. An unchanged config gives a plan with no steps.
 */
export function plan(desired: Target, actual: ActualState, opts: PlanOptions): Plan {
  const result: Plan = { namespace: desired.namespace, experimentSteps: [], changes: [], warnings: [] };
  if (
    actual.experiments.length === 0 &&
    actual.jobs.length === 0 &&
    desired.schedules.length + desired.experiments.length > 0
  ) {
    // Normal for a first apply, but also what a typo in the namespace (or credentials that see nothing) looks like.
    result.warnings.push(
      `Namespace '${desired.namespace}' has no experiments and no recurring runs in KFP at all, so everything is planned as new. If it should have some, check the namespace name (a typo?) and that the credentials can see it.`,
    );
  }
  // A create step names its experiment by id, or as the create-experiment step making it: apply needs no observation.
  const refOf = (name: string, found = findByName(actual.experiments, name, (a) => a.name)): ExperimentRef =>
    found ? { id: found.id, name } : { created: name, name };
  const experimentRefs = new Map<string, ExperimentRef>();
  for (const e of desired.experiments) {
    // As KFP's unique index matches it: creating 'EXP-A' next to 'exp-a' would fail with 409 on every run.
    const found = findByName(actual.experiments, e.name, (a) => a.name);
    experimentRefs.set(e.name, refOf(e.name, found));
    if (!found) {
      result.experimentSteps.push({ op: 'create-experiment', experiment: e.name, description: e.description });
      continue;
    }
    if (found.name !== e.name) {
      result.warnings.push(
        `Experiment '${e.name}' is '${found.name}' in KFP: KFP compares experiment names ignoring case and accents, so that experiment is used. Rename it to '${found.name}' in git to match.`,
      );
    }
    if (found.archived)
      result.experimentSteps.push({ op: 'unarchive-experiment', experimentId: found.id, experiment: e.name });
    if (found.description !== e.description) {
      result.warnings.push(
        `Experiment '${e.name}' has description ${JSON.stringify(found.description)} in KFP but ${JSON.stringify(e.description)} in git; KFP cannot update it (recreate the experiment to change it).`,
      );
    }
  }

  const groups = versionsBySchedule(actual.jobs);
  const taken = new Set(actual.jobs.map((j) => j.name));
  const experimentNames = new Map(actual.experiments.map((e) => [e.id, e.name]));
  for (const d of desired.schedules)
    result.changes.push(
      planSchedule(
        d,
        groups.get(d.name) ?? [],
        experimentRefs.get(d.experiment) ?? refOf(d.experiment),
        experimentNames,
        taken,
        opts,
        result.warnings,
      ),
    );

  const wanted = new Set(desired.schedules.map((d) => d.name));
  for (const [schedule, versions] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    if (!wanted.has(schedule)) result.changes.push(planOrphan(schedule, versions, opts));
  }
  return result;
}

/** Number of write calls the plan makes. */
export function countSteps(p: Plan): number {
  return (
    (p.pipelines ?? []).reduce((n, c) => n + c.steps.length, 0) +
    p.experimentSteps.length +
    p.changes.reduce((n, c) => n + c.steps.length, 0)
  );
}

/** Whether the plan deletes a version (the only step whose effect depends on the server's release). */
export function hasDeletes(p: Plan): boolean {
  return p.changes.some((c) => c.steps.some((s) => s.op === 'delete'));
}
