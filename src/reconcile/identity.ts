/**
 * deployKF's identity scheme, kept so teams migrating from its script keep their jobs:
 * a version of schedule `name` is the KFP job `GIT::{name}__{YYYY-MM-DDTHH-MM-SSZ}` (UTC).
 */
const VERSION = /^GIT::(.*)__(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ)$/s;

export interface VersionName {
  schedule: string;
  /** The timestamp text; sorts chronologically. */
  stamp: string;
}

export function parseVersionName(jobName: string): VersionName | undefined {
  const m = VERSION.exec(jobName);
  return m ? { schedule: m[1]!, stamp: m[2]! } : undefined;
}

export function stampOf(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/:/g, '-') + 'Z';
}

export function versionName(schedule: string, date: Date): string {
  return `GIT::${schedule}__${stampOf(date)}`;
}

/** A version name at `now` that no existing job uses (a racing run may have taken this second). */
export function freshVersionName(schedule: string, now: Date, taken: ReadonlySet<string>): string {
  for (let t = now.getTime(); ; t += 1000) {
    const name = versionName(schedule, new Date(t));
    if (!taken.has(name)) return name;
  }
}

/**
 * Lineage: created versions carry the commit and config file in a description suffix (the only
 * free-text field KFP keeps on a job). It is stripped before comparing, so a new commit alone
 * never makes a new version.
 */
const LINEAGE = /\n*\[kfp-gitops: [^\]\n]*\]$/;

export function withLineage(description: string, lineage: string | undefined): string {
  if (!lineage) return description;
  return `${description}${description ? '\n\n' : ''}[kfp-gitops: ${lineage}]`;
}

export function withoutLineage(description: string): string {
  return description.replace(LINEAGE, '');
}
