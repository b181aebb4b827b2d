import { type Diagnostic, type SourceLocation, formatLocation } from '../lib/errors.js';
import { collationKey } from '../kfp/collation.js';
import type { DesiredFolder } from './types.js';

/**
 * What pipelines.yaml entries add to the config checks across folders: a shared pipeline has one owner among
 * the folders checked together. (An entry's `source` takes the forms of pipeline_source: references.ts.)
 */

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
