import { findByName } from '../kfp/collation.js';
import { parsePipeline } from '../pipeline/pipeline.js';
import type { ActualPipeline, PipelineChange } from './pipelines.js';
import type { ActualState, TargetSchedule, VersionRef } from './types.js';

/**
 * Schedules that run a registered pipeline (`pipeline_source.kfp_pipeline`), pure: each reference resolved
 * to the ids KFP should hold, against the pipeline plan and what KFP has, before the schedules are planned.
 * - `current`: the version whose content equals git's, i.e. the newest one or the one this plan uploads
 *   (for a pipeline not declared in git: its newest version);
 * - `latest`: no version id, so KFP runs the newest version at each run (KFP ≥ 2.5; else as `current`);
 * - any other value: the version with that name.
 * A pipeline or version that cannot be found is an error naming it: nothing is applied in the namespace.
 */
export interface RefContext {
  namespace: string;
  /** The namespace's pipeline plan (declared pipelines). */
  changes: readonly PipelineChange[];
  /** Declared and referenced pipelines as observed, versions newest first. */
  observed: readonly ActualPipeline[];
  /** Whether KFP runs the newest version for a reference without a version id. */
  latestSupported: boolean;
  /** The server's release, for the note when `latest` is not supported. */
  release?: string;
}

export interface ResolvedRefs {
  schedules: TargetSchedule[];
  /** Plan notes, e.g. `latest` pinned as `current` on an older KFP. */
  warnings: string[];
  /** References that cannot be resolved: the namespace is not applied. */
  errors: string[];
}

const where = (s: TargetSchedule) => (s.origin ? ` (${s.origin.file}${s.origin.line ? `:${s.origin.line}` : ''})` : '');

/** The registered pipelines some schedule references, and the version names pinned by name. */
export function referencedPipelines(schedules: readonly TargetSchedule[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const s of schedules) {
    const ref = s.spec.pipeline.ref;
    if (!ref) continue;
    const pinned = out.get(ref.pipeline) ?? new Set<string>();
    if (ref.mode && ref.mode !== 'current' && ref.mode !== 'latest') pinned.add(ref.mode);
    out.set(ref.pipeline, pinned);
  }
  return out;
}

/** Whether some schedule asks for `latest` (only then is the server's release asked). */
export const wantsLatest = (schedules: readonly TargetSchedule[]) =>
  schedules.some((s) => s.spec.pipeline.ref?.mode === 'latest');

export function resolveRefs(schedules: readonly TargetSchedule[], ctx: RefContext): ResolvedRefs {
  const warnings: string[] = [];
  const errors: string[] = [];
  const out = schedules.map((s) => {
    const want = s.spec.pipeline.ref;
    if (!want) return s;
    const change = ctx.changes.find((c) => c.pipeline === want.pipeline && c.kind !== 'orphan');
    const seen = findByName(ctx.observed, want.pipeline, (p) => p.name);
    if (!change && !seen) {
      errors.push(
        `Schedule '${s.name}'${where(s)} runs pipeline '${want.pipeline}', which is not declared in pipelines.yaml and not registered in KFP namespace '${ctx.namespace}' or among the shared pipelines. Declare it in pipelines.yaml, or register it in KFP first (e.g. through Argo CD); nothing was applied in this namespace.`,
      );
      return s;
    }
    let mode = want.mode ?? 'current';
    if (mode === 'latest' && !ctx.latestSupported) {
      warnings.push(
        `Schedule '${s.name}' asks for version: latest, but KFP ${ctx.release ?? '(release unknown)'} runs a pipeline's newest version at each run only from 2.5.0 on the v2beta1 API: it is pinned to the current version instead and moved to each new one.`,
      );
      mode = 'current';
    }
    const ref: VersionRef = {
      pipeline: want.pipeline,
      mode: want.mode,
      pipelineId: change?.pipelineId ?? seen?.id ?? '',
    };
    const versions = seen?.versions ?? [];
    const upload = change?.steps.find((st) => st.op === 'upload-version');
    if (mode === 'current' && upload?.op === 'upload-version') {
      Object.assign(ref, { versionId: '', version: upload.version });
    } else if (mode !== 'latest') {
      const v = mode === 'current' ? versions[0] : versions.find((x) => x.name === mode);
      if (!v) {
        errors.push(
          mode === 'current'
            ? `Schedule '${s.name}'${where(s)} runs pipeline '${want.pipeline}', which has no version in KFP; nothing was applied in this namespace.`
            : `Schedule '${s.name}'${where(s)} pins version '${mode}' of pipeline '${want.pipeline}', which KFP does not have (${versions.length ? `newest: ${versions[0]!.name}` : 'it has no version'}). Fix pipeline_source.version; nothing was applied in this namespace.`,
        );
        return s;
      }
      Object.assign(ref, { versionId: v.id, version: v.name });
    }
    // A pipeline managed elsewhere: its parameters are typed by the inputs of the version it runs now.
    const running = seen && !change ? versions.find((v) => v.id === (ref.versionId ?? versions[0]?.id)) : undefined;
    const inputs = s.spec.pipeline.inputs ?? inputsOf(running?.content?.data, want.pipeline);
    return {
      ...s,
      spec: { ...s.spec, pipeline: { ...s.spec.pipeline, ...(inputs ? { inputs } : {}), ref } },
    };
  });
  return { schedules: out, warnings, errors };
}

function inputsOf(data: unknown, name: string) {
  if (!data || typeof data !== 'object') return undefined;
  try {
    return parsePipeline(JSON.stringify(data), name).inputs;
  } catch {
    return undefined;
  }
}

/** Observed jobs' references named after the pipelines and versions observed, for readable plans. */
export function nameRefs(actual: ActualState, observed: readonly ActualPipeline[]): ActualState {
  const pipelines = new Map(observed.map((p) => [p.id, p]));
  return {
    ...actual,
    jobs: actual.jobs.map((j) => {
      const ref = j.spec?.pipeline.ref;
      const p = ref?.pipelineId ? pipelines.get(ref.pipelineId) : undefined;
      if (!j.spec || !ref || !p) return j;
      const v = ref.versionId ? p.versions.find((x) => x.id === ref.versionId) : undefined;
      const named: VersionRef = { ...ref, pipeline: p.name, ...(v ? { version: v.name } : {}) };
      return { ...j, spec: { ...j.spec, pipeline: { ...j.spec.pipeline, ref: named } } };
    }),
  };
}

/** Ids of what this apply's pipeline steps registered: pipelines by name, versions by pipeline and name. */
export type Registered = Map<string, string>;
export const registeredKey = (pipeline: string, version?: string) => JSON.stringify([pipeline, version ?? null]);

/** A desired reference with the ids this apply's pipeline steps made filled in; throws when a step failed. */
export function fillRef(ref: VersionRef, registered: Registered): VersionRef {
  const pipelineId = ref.pipelineId || registered.get(registeredKey(ref.pipeline));
  if (!pipelineId) throw new Error(`pipeline ${ref.pipeline} was not created`);
  if (ref.versionId !== '') return { ...ref, pipelineId };
  const versionId = registered.get(registeredKey(ref.pipeline, ref.version));
  if (!versionId)
    throw new Error(
      `version ${ref.version} of pipeline ${ref.pipeline} was not uploaded: the schedule keeps its version`,
    );
  return { ...ref, pipelineId, versionId };
}
