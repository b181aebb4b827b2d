import { type Diagnostic, type SourceLocation, formatLocation } from '../lib/errors.js';
import { collationKey } from '../kfp/collation.js';
import type { DesiredFolder } from './types.js';
import type { FileRequest } from './file-sources.js';

/**
 * What pipelines.yaml entries add to the config checks: where an entry's file is read from (a path in
 * this repository or the GitHub form recurring_runs.yaml's pipeline_source accepts), and that a shared
 * pipeline has one owner across the folders checked together.
 */

/** `source` once it passed the schema: `path`, or all four GitHub keys. */
export interface RawPipelineSource {
  path?: string;
  github_owner?: string;
  github_repo?: string;
  git_reference?: string;
  file_path?: string;
}

/** The file request for an entry's source, and the key under `source` a problem with it points at. */
export function pipelineSourceRequest(source: RawPipelineSource): {
  req: FileRequest;
  key: (field?: string) => string;
} {
  if (source.path !== undefined) return { req: { type: 'local', path: source.path }, key: () => 'path' };
  return {
    req: {
      type: 'github',
      owner: source.github_owner!,
      repo: source.github_repo!,
      ref: source.git_reference!,
      path: source.file_path!,
    },
    key: (field) => field ?? 'file_path',
  };
}

/**
 * A shared pipeline (no namespace) is one object for the whole KFP: declared in two folders, each
 * reconcile would upload its own versions and prune the other's. Refused at the second declaration.
 */
export function checkSharedPipelines(folders: readonly DesiredFolder[]): Diagnostic[] {
  const owner = new Map<string, SourceLocation>();
  const out: Diagnostic[] = [];
  for (const f of folders) {
    for (const p of f.pipelines ?? []) {
      if (!p.shared) continue;
      const key = collationKey(p.name);
      const first = owner.get(key);
      if (!first) {
        owner.set(key, p.at);
        continue;
      }
      out.push({
        message: `Shared pipeline '${p.name}' is also declared at ${formatLocation(first)}: a shared pipeline is one object for every namespace, so two folders would upload and prune each other's versions.`,
        location: p.at,
        fix: `declare it in one folder only, or drop 'shared: true' here to register a pipeline of this folder's namespace.`,
      });
    }
  }
  return out;
}
