import type { Diagnostic } from '../lib/errors.js';
import { didYouMean } from '../lib/suggest.js';
import type { ApiVersion } from '../kfp/types.js';
import type { Experiments } from './experiments.js';
import type { DesiredPipelineEntry } from './types.js';
import { checkParameterEntries } from './parameters.js';
import type { RunEntry } from './raw.js';
import { checkPipelineSource } from './references.js';
import { checkCron, checkTriggerDates } from './trigger.js';

/** What a check of one recurring run may know besides the entry: the rest of its folder, and the time. */
export interface FolderFacts {
  /** experiments.yaml; absent when the folder has none. */
  experiments?: Experiments;
  /** pipelines.yaml's entries that passed their checks; absent when the folder has none. */
  pipelines?: readonly DesiredPipelineEntry[];
  now: Date;
  apiVersion: ApiVersion;
}

/** A check of one schema-valid entry: pure, from its located values to what is wrong with them. */
export type RunCheck = (run: RunEntry, folder: FolderFacts) => Diagnostic[];

/**
 * The checks of every schema-valid recurring run, in this order, before its files are read (recurring-runs.ts).
 * Adding a check is a function here, or in its concern's module, and its line in this list.
 */
export const RUN_CHECKS: readonly RunCheck[] = [
  experimentDeclared,
  checkTriggerDates,
  checkCron,
  checkPipelineSource,
  checkParameterEntries,
];

/** `job.experiment` names an experiment of the folder's experiments.yaml. */
export function experimentDeclared(run: RunEntry, folder: FolderFacts): Diagnostic[] {
  const { experiments } = folder;
  const name = run.value.job.experiment;
  if (!experiments?.usable || experiments.names.has(name)) return [];
  const known = [...experiments.names];
  return [
    {
      message: `Experiment '${name}' is not declared in experiments.yaml of this folder.${didYouMean(name, known)}`,
      location: run.at(['job', 'experiment']),
      fix: known.length
        ? `use one of ${known.map((n) => `'${n}'`).join(', ')}, or add it to experiments.yaml.`
        : `add '- name: ${name}' to experiments.yaml.`,
    },
  ];
}
