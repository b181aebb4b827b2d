import type { Diagnostic, SourceLocation } from '../lib/errors.js';
import { mapLimit } from '../lib/concurrency.js';
import type { DataPath } from './data-path.js';
import type { ConfigDoc } from './located.js';
import type { DesiredJob, JobField, PipelineRef, ResolvedPipeline, Trigger } from './types.js';
import { checkPipelineRef } from './pipeline-ref.js';
import { checkKfpAccepts, checkParameters } from './parameters.js';
import type { RawRun, RunEntry } from './raw.js';
import {
  type FileAccess,
  isAmbiguous,
  pipelineRequest,
  pipelineSourceKey,
  readParameter,
  readPipeline,
} from './references.js';
import { type FolderFacts, RUN_CHECKS } from './run-checks.js';
import { toTrigger } from './trigger.js';

/** Default of `keep_history`: older versions kept besides the newest. */
export const DEFAULT_KEEP_HISTORY = 5;

/**
 * The jobs of recurring_runs.yaml: every entry that passed the schema (`failed` holds what did not) is
 * checked, and its pipeline and parameter files read; an entry with any error is left out.
 */
export async function checkRuns(
  doc: ConfigDoc,
  failed: readonly DataPath[],
  folder: FolderFacts,
  files: FileAccess,
  parallelism: number,
): Promise<{ jobs: DesiredJob[]; diagnostics: Diagnostic[] }> {
  const entries = doc.entries<RawRun>('recurring_runs');
  const valid = (i: number) =>
    !failed.some((p) => p.length === 0 || (p[0] === 'recurring_runs' && (p.length === 1 || p[1] === i)));
  const { repeats, diagnostics } = checkJobNames(doc);
  const resolved = await mapLimit(entries, parallelism, async (run) => {
    const r = valid(run.index) ? await resolveRun(run, folder, files) : { diagnostics: [] };
    return { job: repeats.has(run.index) ? undefined : r.job, diagnostics: r.diagnostics };
  });
  const jobs: DesiredJob[] = [];
  for (const r of resolved) {
    diagnostics.push(...r.diagnostics);
    // Without a readable experiments file no entry's experiment can be verified.
    if (r.job && folder.experiments?.usable) jobs.push(r.job);
  }
  return { jobs, diagnostics };
}

/** Reports each repeated job.name; `repeats` holds the indices of the repeats. */
export function checkJobNames(doc: ConfigDoc): { repeats: Set<number>; diagnostics: Diagnostic[] } {
  const repeats = new Set<number>();
  const diagnostics: Diagnostic[] = [];
  const first = new Map<string, number>();
  for (const entry of doc.entries<{ job?: { name?: unknown } } | null>('recurring_runs')) {
    const name = entry.value?.job?.name;
    if (typeof name !== 'string' || name === '') continue;
    const seen = first.get(name);
    if (seen === undefined) {
      first.set(name, entry.index);
      continue;
    }
    repeats.add(entry.index);
    diagnostics.push({
      message: `Duplicate job name '${name}' (also at line ${doc.at(['recurring_runs', seen, 'job', 'name']).line}).`,
      location: entry.at(['job', 'name']),
      fix: 'give each recurring run its own job.name; KFP versions are found by this name.',
    });
  }
  return { repeats, diagnostics };
}

/** The checks of one schema-valid entry, then its pipeline and parameter files; the job when all pass. */
export async function resolveRun(
  run: RunEntry,
  folder: FolderFacts,
  files: FileAccess,
): Promise<{ job?: DesiredJob; diagnostics: Diagnostic[] }> {
  const diagnostics = RUN_CHECKS.flatMap((check) => check(run, folder));
  const source = run.value.pipeline_source;
  // Problems above do not stop the file checks below, unless they are about where the files are.
  if (isAmbiguous(source)) return { diagnostics };

  // A registered pipeline (kfp_pipeline): declared in pipelines.yaml (its file types the parameters) or looked up
  // by name when planning.
  const beforeRef = diagnostics.length;
  const referenced = checkPipelineRef(
    source,
    (p) => run.at(p),
    folder.pipelines,
    (message, location, fix) => diagnostics.push({ message, location, fix }),
  );
  // Like an ambiguous source: where the pipeline comes from is unclear, so its files are not read.
  if (diagnostics.length > beforeRef) return { diagnostics };

  // Files: the pipeline and every valueFrom, read concurrently (and once each, through the reader).
  const params = run.value.pipeline_parameters ?? [];
  const pipelineAt = (field?: string) => run.at(['pipeline_source', pipelineSourceKey(source, field)]);
  const [pipeline, values] = await Promise.all([
    source.kfp_pipeline === undefined
      ? readPipeline(pipelineRequest(source), pipelineAt, files, diagnostics)
      : referenced?.pipeline,
    Promise.all(params.map((_, k) => readParameter(run, k, files, diagnostics))),
  ]);
  if (!pipeline && !referenced) return { diagnostics };

  const parameters: Record<string, string> = {};
  const parameterAt: Record<string, SourceLocation> = {};
  params.forEach((p, k) => {
    const value = values[k];
    if (value !== undefined) parameters[p.name] = value;
    parameterAt[p.name] = run.at(['pipeline_parameters', k, p.valueFrom ? 'valueFrom' : 'value']);
  });
  // Names are checked even when a value file could not be read, so one run reports every problem. A registered
  // pipeline not declared in the folder is read from KFP when planning: its inputs are unknown here.
  if (pipeline)
    diagnostics.push(
      ...checkParameters(run, pipeline, parameters),
      ...checkKfpAccepts(run, pipeline, parameters, folder.apiVersion),
    );
  const trigger = toTrigger(run.value.job.trigger);
  if (diagnostics.some((d) => d.severity !== 'warning') || !trigger) return { diagnostics };
  return { job: toJob(run, trigger, { pipeline, ref: referenced?.ref }, parameters, parameterAt), diagnostics };
}

/** Where each field of a job is written, for the fields written (not defaulted). */
const FIELDS: [JobField, DataPath][] = [
  ['name', ['job', 'name']],
  ['experiment', ['job', 'experiment']],
  ['description', ['job', 'description']],
  ['enabled', ['job', 'enabled']],
  ['keepHistory', ['keep_history']],
  ['maxConcurrency', ['job', 'max_concurrency']],
  ['serviceAccount', ['job', 'service_account']],
  ['catchup', ['job', 'trigger', 'catchup']],
  ['trigger', ['job', 'trigger']],
  ['cron', ['job', 'trigger', 'cron']],
  ['intervalSeconds', ['job', 'trigger', 'interval_seconds']],
  ['start', ['job', 'trigger', 'start_date']],
  ['end', ['job', 'trigger', 'end_date']],
  ['pipelineSource', ['pipeline_source']],
  ['parameters', ['pipeline_parameters']],
];

function toJob(
  run: RunEntry,
  trigger: Trigger,
  source: { pipeline?: ResolvedPipeline; ref?: PipelineRef },
  parameters: Record<string, string>,
  parameterAt: Record<string, SourceLocation>,
): DesiredJob {
  const { job } = run.value;
  const fieldAt: Partial<Record<JobField, SourceLocation>> = {};
  for (const [field, p] of FIELDS) if (run.has(p)) fieldAt[field] = run.at(p);
  return {
    name: job.name,
    experiment: job.experiment,
    ...(job.description ? { description: job.description } : {}),
    enabled: job.enabled,
    keepHistory: run.value.keep_history ?? DEFAULT_KEEP_HISTORY,
    maxConcurrency: job.max_concurrency,
    ...(job.service_account ? { serviceAccount: job.service_account } : {}),
    catchup: job.trigger.catchup,
    trigger,
    parameters,
    parameterAt,
    ...(source.pipeline ? { pipeline: source.pipeline } : {}),
    ...(source.ref ? { pipelineRef: source.ref } : {}),
    at: run.at(),
    fieldAt,
  };
}
