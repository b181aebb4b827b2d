import type { Diagnostic } from '../lib/errors.js';
import { collationKey } from '../kfp/collation.js';
import type { DataPath } from './data-path.js';
import type { ConfigDoc } from './located.js';
import type { DesiredExperiment } from './types.js';

/** What experiments.yaml declares, as the checks of recurring runs need it. */
export interface Experiments {
  list: DesiredExperiment[];
  names: Set<string>;
  /** False when the file is too broken to say which experiments exist (skip reference checks). */
  usable: boolean;
}

/**
 * The experiments of experiments.yaml: names unique as KFP compares them; entries that failed the schema
 * (`failed`) are known by name but left out of the list.
 */
export function checkExperiments(
  doc: ConfigDoc,
  failed: readonly DataPath[],
): { experiments: Experiments; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const usable = Array.isArray((doc.data as { experiments?: unknown } | null)?.experiments);
  const list: DesiredExperiment[] = [];
  const names = new Set<string>();
  // Keyed as KFP's unique index compares names (MySQL utf8mb4_0900_ai_ci): 'EXP-A' and 'exp-á' collide.
  const byKey = new Map<string, { name: string; index: number }>();
  for (const entry of doc.entries<{ name?: unknown; description?: string } | null>('experiments')) {
    const name = entry.value?.name;
    if (typeof name !== 'string' || name === '') continue;
    const seen = byKey.get(collationKey(name));
    if (seen !== undefined) {
      const line = doc.at(['experiments', seen.index]).line;
      diagnostics.push(
        seen.name === name
          ? {
              message: `Experiment '${name}' is declared twice (first at line ${line}).`,
              location: entry.at(['name']),
              fix: 'remove one of the two entries; experiment names are unique in a namespace.',
            }
          : {
              message: `Experiment '${name}' collides with '${seen.name}' (line ${line}): KFP compares experiment names ignoring case and accents, so it refuses the second one (HTTP 409).`,
              location: entry.at(['name']),
              fix: `give it a name that differs from '${seen.name}' by more than case or accents, or use '${seen.name}'.`,
            },
      );
      continue;
    }
    byKey.set(collationKey(name), { name, index: entry.index });
    names.add(name);
    if (failed.some((p) => p[0] === 'experiments' && p[1] === entry.index)) continue;
    list.push({ name, description: entry.value?.description ?? '', at: entry.at() });
  }
  return { experiments: { list, names, usable }, diagnostics };
}
