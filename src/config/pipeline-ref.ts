import type { SourceLocation } from '../lib/errors.js';
import { findByName } from '../kfp/collation.js';
import type { DataPath } from './data-path.js';
import type { DesiredPipelineEntry, PipelineRef, ResolvedPipeline } from './types.js';

/** `pipeline_source` as the schema let it through, for the keys that reference a registered pipeline. */
export interface RawPipelineRef {
  kfp_pipeline?: string;
  version?: string;
}

/** `version` when none is given: pinned to the version whose content equals git's. */
export const DEFAULT_REF_VERSION = 'current';

/**
 * `pipeline_source: {kfp_pipeline, version}` of one recurring run, checked without KFP: the pipeline is
 * declared in the folder's pipelines.yaml (its file then types the parameters) or is looked up by name when
 * the plan is made. Returns undefined for a file source (and for a reference with an error, reported).
 */
export function checkPipelineRef(
  source: RawPipelineRef,
  at: (p: DataPath) => SourceLocation,
  declared: readonly DesiredPipelineEntry[] | undefined,
  error: (message: string, location: SourceLocation, fix: string) => void,
): { ref: PipelineRef; pipeline?: ResolvedPipeline } | undefined {
  if (source.kfp_pipeline === undefined) {
    if (source.version !== undefined)
      error(
        `pipeline_source.version '${source.version}' is only read with kfp_pipeline (a pipeline registered in KFP).`,
        at(['pipeline_source', 'version']),
        'remove version, or replace the file with kfp_pipeline: <name of a registered pipeline>.',
      );
    return undefined;
  }
  const name = source.kfp_pipeline;
  const entry = findByName(declared ?? [], name, (e) => e.name);
  const ref: PipelineRef = {
    name: entry?.name ?? name,
    version: source.version ?? DEFAULT_REF_VERSION,
    declared: !!entry,
  };
  return entry ? { ref, pipeline: entry.pipeline } : { ref };
}
