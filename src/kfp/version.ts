/**
 * KFP server versions (healthz `tag_name`, e.g. `2.17.0`) and the behaviours that depend on them,
 * in one place for the client and the emulator.
 */
export type KfpVersion = readonly [number, number, number];

/** The version the emulator plays unless told otherwise. */
export const DEFAULT_KFP_VERSION = '2.17.0';

/** v2 `DELETE …/recurringruns/{id}?propagation_policy=ORPHAN` keeps in-flight runs only from here (#12573). */
export const ORPHAN_DELETE_SINCE: KfpVersion = [2, 16, 0];

/** `2.17.0`, `v2.16.1`, `2.16.0-rc.1` → [major, minor, patch]; undefined for `unknown`, `master`, … */
export function parseKfpVersion(text: string | undefined): KfpVersion | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec((text ?? '').trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function versionAtLeast(version: KfpVersion, min: KfpVersion): boolean {
  for (let i = 0; i < 3; i++) if (version[i] !== min[i]) return version[i]! > min[i]!;
  return true;
}

/**
 * A recurring run referencing a pipeline without a version id runs the pipeline's newest version at each
 * run only from here (#11542): earlier, resource_manager.go CreateJob pinned the newest version at creation.
 */
export const LATEST_VERSION_REF_SINCE: KfpVersion = [2, 5, 0];
