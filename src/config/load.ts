import path from 'node:path';
import { type Diagnostic, type SourceLocation, UserError } from '../lib/errors.js';
import { type YamlFile, locate, readYamlFile, toData } from '../lib/yaml.js';
import { didYouMean } from '../lib/suggest.js';
import { mapLimit } from '../lib/concurrency.js';
import { collationKey } from '../kfp/collation.js';
import { nextFireTime, parseCron } from '../kfp/cron.js';
import { MAX_ARGO_PARAMETERS_BYTES, argoParametersBytes } from '../kfp/limits.js';
import type { ApiVersion } from '../kfp/types.js';
import {
  MAX_PARAMETER_BYTES,
  MAX_PIPELINE_BYTES,
  type Pipeline,
  parsePipeline,
  typedParameterValue,
} from '../pipeline/pipeline.js';
import { type DataPath, humanPath } from './data-path.js';
import fs from 'node:fs/promises';
import { CONFIG_FILES, type ConfigFileName, PIPELINES_FILE, findConfigFile, relPath } from './folders.js';
import { formatUtc, parseConfigDate } from './dates.js';
import { checkText } from './text.js';
import { type RawPipelineRef, checkPipelineRef } from './pipeline-ref.js';
import { type FileRequest, type RemoteFiles, SourceReader } from './sources.js';
import {
  type DesiredExperiment,
  type DesiredFolder,
  type DesiredJob,
  type DesiredPipelineEntry,
  type DesiredState,
  type FileSource,
  type JobField,
  type ResolvedPipeline,
  type Trigger,
  deepFreeze,
  describeSource,
} from './model.js';

export interface LoadOptions {
  /** Repository root: the base of `path` sources and of every path in diagnostics. */
  root: string;
  /** Creates the GitHub reader on first use; without it, remote sources are reported as errors. */
  github?: () => Promise<RemoteFiles>;
  /** The current time, for warnings about dates in the past. Default: now. */
  now?: Date;
  /** How many files are read at once. Default 8. */
  parallelism?: number;
  /** The KFP API push-reconcile uses: v2beta1 cannot take the parameters of Argo (v1) pipelines. Default v1beta1. */
  apiVersion?: ApiVersion;
}

/** Default of `keep_history`: older versions kept besides the newest. */
export const DEFAULT_KEEP_HISTORY = 5;
/** Default of `keep_versions`: older pipeline versions kept besides the newest. */
export const DEFAULT_KEEP_VERSIONS = 10;

/**
 * Load, validate and resolve config folders (absolute paths or relative to `root`) into the desired
 * state. Never throws for bad content: every problem becomes a located diagnostic, collected across
 * all folders; only entries without errors appear in the result. Contacts GitHub only for remote
 * sources, and never KFP.
 */
export async function loadDesiredState(folders: readonly string[], opts: LoadOptions): Promise<DesiredState> {
  const ctx: Context = {
    ...opts,
    now: opts.now ?? new Date(),
    reader: new SourceReader(opts.root, opts.github),
    reportedPipelines: new Set(),
  };
  const namespaces: DesiredFolder[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const folder of folders) {
    const r = await loadFolder(path.resolve(opts.root, folder), ctx);
    if (r.folder) namespaces.push(r.folder);
    diagnostics.push(...sortByLocation(r.diagnostics));
  }
  return deepFreeze({ namespaces, diagnostics });
}

interface Context extends LoadOptions {
  now: Date;
  reader: SourceReader;
  /** Pipeline files whose own errors were already reported (several entries may share one). */
  reportedPipelines: Set<string>;
}

/** The shape recurring_runs.yaml has once it passed the schema. */
interface RawFileRef extends RawPipelineRef {
  path?: string;
  github_owner?: string;
  github_repo?: string;
  git_reference?: string;
  file_path?: string;
}
interface RawParameter {
  name: string;
  value?: string;
  valueFrom?: RawFileRef;
}
interface RawRun {
  keep_history?: number;
  pipeline_source: RawFileRef;
  pipeline_parameters?: RawParameter[];
  job: {
    enabled: boolean;
    name: string;
    description?: string | null;
    experiment: string;
    max_concurrency: number;
    service_account?: string | null;
    trigger: {
      catchup: boolean;
      start_date?: string | null;
      end_date?: string | null;
      cron?: string | null;
      interval_seconds?: number | null;
    };
  };
}

const GITHUB_KEYS = ['github_owner', 'github_repo', 'git_reference'] as const;

async function loadFolder(abs: string, ctx: Context): Promise<{ folder?: DesiredFolder; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const files: Partial<Record<ConfigFileName, YamlFile>> = {};
  const data: Partial<Record<ConfigFileName, unknown>> = {};
  const paths: Partial<Record<ConfigFileName, string>> = {};
  for (const name of CONFIG_FILES) {
    const found = await findConfigFile(abs, name, ctx.root);
    if ('diagnostic' in found) {
      diagnostics.push(found.diagnostic);
      continue;
    }
    paths[name] = relPath(ctx.root, found.file);
    try {
      const yf = await readYamlFile(found.file, paths[name]);
      if (yf.docs.length > 1) {
        const second = yf.lineCounter.linePos(yf.docs[1]!.range[0]);
        diagnostics.push({
          message: `${paths[name]} holds ${yf.docs.length} YAML documents; a config file is one.`,
          location: { file: paths[name], line: second.line, column: second.col },
          fix: 'merge the documents into one (remove the --- separators).',
        });
        continue;
      }
      // A file with only comments has no document: treat it as empty (null).
      data[name] = yf.docs.length ? normalizeDates(toData(yf)) : null;
      files[name] = yf;
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      // File-level refusals (size, aliases) point at the file's first line, so they can be annotated.
      diagnostics.push(
        ...err.diagnostics.map((d) => ({
          ...d,
          location: { line: 1, column: 1, ...d.location, file: d.location?.file ?? paths[name]! },
        })),
      );
    }
  }

  const { validateSchema } = await import('./schema.js');
  const failed: Partial<Record<ConfigFileName, DataPath[]>> = {};
  for (const name of CONFIG_FILES) {
    if (!files[name]) continue;
    const r = validateSchema(name, data[name], files[name]);
    const text = checkText(name, data[name], files[name], r.failedPaths);
    diagnostics.push(...r.diagnostics, ...text.diagnostics);
    failed[name] = [...r.failedPaths, ...text.failedPaths];
  }

  const experiments = files.experiments
    ? checkExperiments(files.experiments, data.experiments, failed.experiments ?? [], diagnostics)
    : undefined;
  // Before the schedules: a schedule may run a pipeline declared there (pipeline_source.kfp_pipeline).
  const pipelines = await loadPipelines(abs, ctx, diagnostics);
  const jobs: DesiredJob[] = [];
  if (files.recurring_runs) {
    const yf = files.recurring_runs;
    const runs = (data.recurring_runs as { recurring_runs?: unknown } | null)?.recurring_runs;
    const items = Array.isArray(runs) ? runs : [];
    const ok = items.map(
      (_, i) =>
        !(failed.recurring_runs ?? []).some(
          (p) => p.length === 0 || (p[0] === 'recurring_runs' && (p.length === 1 || p[1] === i)),
        ),
    );
    const duplicates = checkJobNames(yf, items, diagnostics);
    const resolved = await mapLimit(items, ctx.parallelism ?? 8, async (item, i) => {
      const local: Diagnostic[] = [];
      const job = ok[i] ? await checkRun(yf, item as RawRun, i, experiments, ctx, local, pipelines?.list) : undefined;
      return { job: duplicates.has(i) ? undefined : job, local };
    });
    for (const r of resolved) {
      diagnostics.push(...r.local);
      // Without a readable experiments file no entry's experiment can be verified.
      if (r.job && experiments?.usable) jobs.push(r.job);
    }
  }
  if (!paths.experiments || !paths.recurring_runs) return { diagnostics };
  const folder = relPath(ctx.root, abs);
  return {
    folder: {
      folder,
      namespace: path.basename(abs),
      experimentsFile: paths.experiments,
      recurringRunsFile: paths.recurring_runs,
      experiments: experiments?.list ?? [],
      jobs,
      ...(pipelines ? { pipelinesFile: pipelines.file, pipelines: pipelines.list } : {}),
    },
    diagnostics,
  };
}

/** The folder's optional pipelines.yaml: schema, unique names, and that each source is a KFP pipeline in the checkout. */
async function loadPipelines(
  abs: string,
  ctx: Context,
  diagnostics: Diagnostic[],
): Promise<{ file: string; list: DesiredPipelineEntry[] } | undefined> {
  const exists = async (ext: string) =>
    (await fs.stat(path.join(abs, `${PIPELINES_FILE}.${ext}`)).catch(() => undefined)) !== undefined;
  if (!(await exists('yaml')) && !(await exists('yml'))) return undefined;
  const found = await findConfigFile(abs, PIPELINES_FILE, ctx.root);
  if ('diagnostic' in found) {
    diagnostics.push(found.diagnostic);
    return undefined;
  }
  const file = relPath(ctx.root, found.file);
  let yf: YamlFile;
  try {
    yf = await readYamlFile(found.file, file);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    diagnostics.push(
      ...err.diagnostics.map((d) => ({
        ...d,
        location: { line: 1, column: 1, ...d.location, file: d.location?.file ?? file },
      })),
    );
    return undefined;
  }
  const data = yf.docs.length ? toData(yf) : null;
  const { validateSchema } = await import('./schema.js');
  const schema = validateSchema('pipelines', data, yf);
  diagnostics.push(...schema.diagnostics);
  if (ctx.apiVersion === 'v1beta1') {
    // Registered pipelines and their versions are reconciled through KFP's v2beta1 API only.
    diagnostics.push({
      message: `${file} registers pipelines, which needs KFP's v2beta1 API; api-version is v1beta1.`,
      location: { file, line: 1, column: 1 },
      fix: 'set api-version: v2beta1 (KFP 2.x), or remove pipelines.yaml.',
    });
  }
  const items = (data as { pipelines?: unknown } | null)?.pipelines;
  const list: DesiredPipelineEntry[] = [];
  const seen = new Map<string, number>();
  const raw = Array.isArray(items)
    ? (items as { name: string; description?: string; keep_versions?: number; source: { path: string } }[])
    : [];
  for (const [i, item] of raw.entries()) {
    if (schema.failedPaths.some((p) => p.length === 0 || (p[0] === 'pipelines' && (p.length === 1 || p[1] === i))))
      continue;
    const at = (p: DataPath) => locate(yf, ['pipelines', i, ...p]);
    const key = collationKey(item.name);
    const first = seen.get(key);
    if (first !== undefined) {
      diagnostics.push({
        message: `Pipeline '${item.name}' is declared twice (first at line ${locate(yf, ['pipelines', first]).line}).`,
        location: at(['name']),
        fix: 'remove one of the two entries; KFP pipeline names are unique in a namespace (ignoring case and accents).',
      });
      continue;
    }
    seen.set(key, i);
    const before = diagnostics.length;
    const pipeline = await readPipeline(
      { type: 'local', path: item.source.path },
      () => at(['source', 'path']),
      ctx,
      diagnostics,
    );
    if (!pipeline || diagnostics.length > before) continue;
    const read = await ctx.reader.read({ type: 'local', path: item.source.path }, MAX_PIPELINE_BYTES);
    if (!read.ok) continue;
    list.push({
      name: item.name,
      description: item.description ?? '',
      keepVersions: item.keep_versions ?? DEFAULT_KEEP_VERSIONS,
      pipeline,
      text: read.text,
      at: at([]),
    });
  }
  return { file, list };
}

/** YAML 1.1 documents (`%YAML 1.1`) turn timestamps into Dates; the schema expects their text. */
function normalizeDates(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalizeDates);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeDates(v)]));
  return value;
}

interface Experiments {
  list: DesiredExperiment[];
  names: Set<string>;
  /** False when the file is too broken to say which experiments exist (skip reference checks). */
  usable: boolean;
}

function checkExperiments(yf: YamlFile, data: unknown, failed: DataPath[], diagnostics: Diagnostic[]): Experiments {
  const items = (data as { experiments?: unknown } | null)?.experiments;
  const usable = Array.isArray(items);
  const list: DesiredExperiment[] = [];
  const first = new Map<string, number>();
  // Keyed as KFP's unique index compares names (MySQL utf8mb4_0900_ai_ci): 'EXP-A' and 'exp-á' collide.
  const byKey = new Map<string, { name: string; index: number }>();
  (usable ? items : []).forEach((item: unknown, i: number) => {
    const name = (item as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || name === '') return;
    const seen = byKey.get(collationKey(name));
    if (seen !== undefined) {
      const line = locate(yf, ['experiments', seen.index]).line;
      diagnostics.push(
        seen.name === name
          ? {
              message: `Experiment '${name}' is declared twice (first at line ${line}).`,
              location: locate(yf, ['experiments', i, 'name']),
              fix: 'remove one of the two entries; experiment names are unique in a namespace.',
            }
          : {
              message: `Experiment '${name}' collides with '${seen.name}' (line ${line}): KFP compares experiment names ignoring case and accents, so it refuses the second one (HTTP 409).`,
              location: locate(yf, ['experiments', i, 'name']),
              fix: `give it a name that differs from '${seen.name}' by more than case or accents, or use '${seen.name}'.`,
            },
      );
      return;
    }
    byKey.set(collationKey(name), { name, index: i });
    first.set(name, i);
    if (failed.some((p) => p[0] === 'experiments' && p[1] === i)) return;
    const description = (item as { description?: string }).description ?? '';
    list.push({ name, description, at: locate(yf, ['experiments', i]) });
  });
  return { list, names: new Set(first.keys()), usable };
}

/** Reports each repeated job.name; returns the indices of the repeats. */
function checkJobNames(yf: YamlFile, items: unknown[], diagnostics: Diagnostic[]): Set<number> {
  const repeats = new Set<number>();
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const name = (item as { job?: { name?: unknown } } | null)?.job?.name;
    if (typeof name !== 'string' || name === '') return;
    const seen = first.get(name);
    if (seen === undefined) {
      first.set(name, i);
      return;
    }
    repeats.add(i);
    diagnostics.push({
      message: `Duplicate job name '${name}' (also at line ${locate(yf, ['recurring_runs', seen, 'job', 'name']).line}).`,
      location: locate(yf, ['recurring_runs', i, 'job', 'name']),
      fix: 'give each recurring run its own job.name; KFP versions are found by this name.',
    });
  });
  return repeats;
}

/** Semantic checks of one schema-valid entry, then its pipeline and parameter files. */
async function checkRun(
  yf: YamlFile,
  run: RawRun,
  i: number,
  experiments: Experiments | undefined,
  ctx: Context,
  out: Diagnostic[],
  declaredPipelines?: readonly DesiredPipelineEntry[],
): Promise<DesiredJob | undefined> {
  const base: DataPath = ['recurring_runs', i];
  const at = (p: DataPath, key = false): SourceLocation => locate(yf, [...base, ...p], { key });
  const errorsBefore = out.filter((d) => d.severity !== 'warning').length;
  const error = (message: string, location: SourceLocation, fix: string) => out.push({ message, location, fix });
  const warn = (message: string, location: SourceLocation, fix: string) =>
    out.push({ message, location, fix, severity: 'warning' });
  const { job } = run;
  const t = job.trigger;

  if (experiments?.usable && !experiments.names.has(job.experiment)) {
    const known = [...experiments.names];
    error(
      `Experiment '${job.experiment}' is not declared in experiments.yaml of this folder.${didYouMean(job.experiment, known)}`,
      at(['job', 'experiment']),
      known.length
        ? `use one of ${known.map((n) => `'${n}'`).join(', ')}, or add it to experiments.yaml.`
        : `add '- name: ${job.experiment}' to experiments.yaml.`,
    );
  }

  let trigger: Trigger | undefined;
  let start: Date | undefined;
  let end: Date | undefined;
  for (const key of ['start_date', 'end_date'] as const) {
    const text = t[key];
    if (text === null || text === undefined) continue;
    const date = parseConfigDate(text);
    if (!date)
      error(
        `${humanPath([...base, 'job', 'trigger', key], yf.file)} '${text}' is not a real date.`,
        at(['job', 'trigger', key]),
        'check the month and day (e.g. 2024-02-29 exists, 2023-02-29 does not).',
      );
    else if (date.getTime() === 0) {
      // The zero Timestamp: KFP answers it as no date (model/cron_schedule.go IsEmpty, protojson), so the
      // schedule would never look up to date and every apply would replace it.
      error(
        `${key} '${text}' is the zero timestamp (1970-01-01T00:00:00Z): KFP reads it back as no ${key}, so the schedule would be replaced on every apply.`,
        at(['job', 'trigger', key]),
        key === 'start_date'
          ? 'remove start_date (a version then starts when it is created).'
          : 'remove end_date, or set job.enabled: false to stop the schedule.',
      );
    }
    if (key === 'start_date') start = date;
    else end = date;
  }
  if (start && end && start.getTime() >= end.getTime()) {
    error(
      `start_date (${formatUtc(start)}) is not before end_date (${formatUtc(end)}); the schedule would never run.`,
      at(['job', 'trigger', 'end_date']),
      'move end_date after start_date, or remove one of them.',
    );
  }
  if (end && end.getTime() <= ctx.now.getTime() && job.enabled) {
    warn(
      `end_date (${formatUtc(end)}) is in the past: this schedule will not run again.`,
      at(['job', 'trigger', 'end_date']),
      'move end_date, or set job.enabled: false.',
    );
  }
  if (t.catchup && start && start.getTime() < ctx.now.getTime()) {
    warn(
      `catchup: true with a start_date in the past: every new version of this schedule (each change to this entry) runs every slot since ${formatUtc(start)}.`,
      at(['job', 'trigger', 'catchup']),
      'set catchup: false, or move start_date to the future.',
    );
  }
  if (typeof t.cron === 'string') {
    const parsed = parseCron(t.cron);
    const shown = showCron(t.cron);
    if (!parsed.ok) {
      const fix =
        t.cron !== t.cron.trim()
          ? 'remove the surrounding whitespace: KFP does not trim the cron (a `|` block scalar adds a newline; quote the cron instead).'
          : 'write \'second minute hour day-of-month month day-of-week\' (e.g. "0 30 2 * * *" is 02:30 UTC daily) or a descriptor (@daily, @every 1h).';
      const field = parsed.field ? ` in the ${parsed.field} field` : '';
      error(
        `Invalid cron ${shown}: KFP refuses it${field} (robfig/cron: ${escapeControls(parsed.error)}).`,
        at(['job', 'trigger', 'cron']),
        fix,
      );
    } else {
      const from = start && start.getTime() > ctx.now.getTime() ? start : ctx.now;
      if (!nextFireTime(parsed.schedule, from)) {
        error(
          `Cron ${shown} never fires: KFP accepts it, but robfig/cron finds no time matching it within five years after ${formatUtc(from)}, so no run would ever start.`,
          at(['job', 'trigger', 'cron']),
          'check that the day of the month exists in the months given (e.g. no 30 February); when both day fields are restricted, a day matches either unless one starts with * or ?.',
        );
      }
      for (const w of parsed.schedule.warnings)
        warn(
          `cron ${shown}: ${w}`,
          at(['job', 'trigger', 'cron']),
          parsed.schedule.spec
            ? 'KFP reads the first field as seconds; use 6 fields.'
            : 'write a whole number of seconds, at least 1s.',
        );
      trigger = { type: 'cron', cron: t.cron, schedule: parsed.schedule, ...window(start, end) };
    }
  } else if (typeof t.interval_seconds === 'number') {
    trigger = { type: 'interval', intervalSeconds: t.interval_seconds, ...window(start, end) };
  }

  const sourceErrors = out.length;
  checkFileRef(run.pipeline_source, at(['pipeline_source']), 'pipeline_source', error);
  const referenced = checkPipelineRef(run.pipeline_source, at, declaredPipelines, ctx.apiVersion ?? 'v1beta1', error);
  const sourceOk = out.length === sourceErrors;
  const params = run.pipeline_parameters ?? [];
  const firstParam = new Map<string, number>();
  params.forEach((p, k) => {
    const seen = firstParam.get(p.name);
    if (seen !== undefined)
      error(
        `Parameter '${p.name}' is given twice (also at line ${at(['pipeline_parameters', seen, 'name']).line}).`,
        at(['pipeline_parameters', k, 'name']),
        'keep one of the two entries.',
      );
    else firstParam.set(p.name, k);
    if (p.valueFrom) checkFileRef(p.valueFrom, at(['pipeline_parameters', k, 'valueFrom']), 'valueFrom', error);
  });
  // Problems above do not stop the file checks below, unless they are about where the files are.
  if (!sourceOk) return undefined;

  // Files: the pipeline and every valueFrom, read concurrently (and once each, through the reader).
  const source = run.pipeline_source;
  const pipelineRequest: FileRequest = source.path
    ? { type: 'local', path: source.path }
    : {
        type: 'github',
        owner: source.github_owner!,
        repo: source.github_repo!,
        ref: source.git_reference!,
        path: source.file_path!,
      };
  const pipelineAt = (field?: string) => at(['pipeline_source', source.path ? 'path' : (field ?? 'file_path')]);
  const [pipeline, values] = await Promise.all([
    source.kfp_pipeline === undefined ? readPipeline(pipelineRequest, pipelineAt, ctx, out) : referenced?.pipeline,
    Promise.all(params.map((p, k) => readParameter(p, k, source, at, ctx, out))),
  ]);
  if (!pipeline && !referenced) return undefined;

  const parameters: Record<string, string> = {};
  const parameterAt: Record<string, SourceLocation> = {};
  params.forEach((p, k) => {
    if (values[k] !== undefined) parameters[p.name] = values[k];
    parameterAt[p.name] = at(['pipeline_parameters', k, p.valueFrom ? 'valueFrom' : 'value']);
  });
  // Names are checked even when a value file could not be read, so one run reports every problem.
  // A registered pipeline not declared in the folder is read from KFP when planning: its inputs are unknown here.
  if (pipeline) {
    checkParameters(pipeline, params, parameters, at, run.pipeline_parameters !== undefined, error);
    checkKfpAccepts(pipeline, parameters, at, ctx.apiVersion ?? 'v1beta1', error);
  }
  if (out.filter((d) => d.severity !== 'warning').length > errorsBefore || !trigger) return undefined;

  const fieldAt: Partial<Record<JobField, SourceLocation>> = {};
  const fields: [JobField, DataPath][] = [
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
  for (const [field, p] of fields) if (has(run, p)) fieldAt[field] = at(p);

  return {
    name: job.name,
    experiment: job.experiment,
    ...(job.description ? { description: job.description } : {}),
    enabled: job.enabled,
    keepHistory: run.keep_history ?? DEFAULT_KEEP_HISTORY,
    maxConcurrency: job.max_concurrency,
    ...(job.service_account ? { serviceAccount: job.service_account } : {}),
    catchup: t.catchup,
    trigger,
    parameters,
    parameterAt,
    ...(pipeline ? { pipeline } : {}),
    ...(referenced ? { pipelineRef: referenced.ref } : {}),
    at: locate(yf, base),
    fieldAt,
  };
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const ESCAPED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** Control characters (a newline from a `|` block scalar) shown escaped, so a message stays on one line. */
function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => ESCAPED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The cron in quotes; JSON-quoted when whitespace around it or control characters would be invisible. */
function showCron(cron: string): string {
  return cron === cron.trim() && !cron.match(CONTROL) ? `'${cron}'` : JSON.stringify(cron);
}

function window(start: Date | undefined, end: Date | undefined): { start?: Date; end?: Date } {
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

function has(value: unknown, p: DataPath): boolean {
  let node = value;
  for (const seg of p) {
    if (!node || typeof node !== 'object' || !(String(seg) in node)) return false;
    node = (node as Record<string, unknown>)[String(seg)];
  }
  return node !== null && node !== undefined;
}

/** `path` reads this repository; mixing it with GitHub keys is ambiguous. */
function checkFileRef(
  ref: RawFileRef,
  location: SourceLocation,
  what: string,
  error: (m: string, l: SourceLocation, f: string) => void,
): void {
  const github = GITHUB_KEYS.filter((k) => ref[k] !== undefined);
  if (ref.path !== undefined && github.length > 0) {
    error(
      `${what} has 'path' (a file in this repository) and ${github.map((k) => `'${k}'`).join(', ')} (a GitHub repository).`,
      location,
      `keep 'path' for a file in this repository, or replace it with ${what === 'valueFrom' ? "'file_path'" : "'file_path' and all of github_owner, github_repo, git_reference"} for a file in GitHub.`,
    );
  }
}

async function readPipeline(
  req: FileRequest,
  where: (field?: string) => SourceLocation,
  ctx: Context,
  out: Diagnostic[],
): Promise<ResolvedPipeline | undefined> {
  const file = await ctx.reader.read(req, MAX_PIPELINE_BYTES);
  if (!file.ok) {
    out.push({ message: `Pipeline file: ${file.message}`, location: where(file.field), fix: file.fix });
    return undefined;
  }
  const configAt = where();
  const display =
    file.source.type === 'local'
      ? file.source.path
      : `github.com/${file.source.owner}/${file.source.repo}/blob/${file.source.sha}/${file.source.path}`;
  let pipeline: Pipeline;
  try {
    pipeline = parsePipeline(file.text, display);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const key = sourceKey(file.source);
    if (file.source.type === 'local') {
      // The errors point into the pipeline file itself; report them once however many entries use it.
      if (!ctx.reportedPipelines.has(key))
        out.push(...err.diagnostics.map((d) => ({ ...d, message: `Not a valid KFP pipeline: ${d.message}` })));
      ctx.reportedPipelines.add(key);
    } else {
      // A remote file cannot be annotated: point at the entry that names it.
      out.push(
        ...err.diagnostics.map((d) => ({
          message: `${describeSource(file.source)} is not a valid KFP pipeline${d.location?.line ? ` (line ${d.location.line})` : ''}: ${d.message}`,
          location: configAt,
          ...(d.fix ? { fix: d.fix } : {}),
        })),
      );
    }
    return undefined;
  }
  return { ...pipeline, source: file.source };
}

function sourceKey(s: FileSource): string {
  return s.type === 'local' ? s.path : `${s.owner}/${s.repo}@${s.sha}:${s.path}`;
}

async function readParameter(
  p: RawParameter,
  k: number,
  source: RawFileRef,
  at: (p: DataPath, key?: boolean) => SourceLocation,
  ctx: Context,
  out: Diagnostic[],
): Promise<string | undefined> {
  if (p.value !== undefined) return p.value;
  const vf = p.valueFrom!;
  let req: FileRequest;
  if (vf.path !== undefined) {
    req = { type: 'local', path: vf.path };
  } else if (
    (source.path !== undefined || source.kfp_pipeline !== undefined) &&
    GITHUB_KEYS.every((key) => vf[key] === undefined)
  ) {
    // The pipeline is in this repository (or registered from it), so is its parameter file.
    req = { type: 'local', path: vf.file_path! };
  } else {
    const owner = vf.github_owner ?? source.github_owner;
    const repo = vf.github_repo ?? source.github_repo;
    const ref = vf.git_reference ?? source.git_reference;
    const missing = GITHUB_KEYS.filter((key) => (vf[key] ?? source[key]) === undefined);
    if (!owner || !repo || !ref) {
      out.push({
        message: `valueFrom names a GitHub repository but ${missing.map((m) => `'${m}'`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (the pipeline is in this repository, so there is nothing to default to).`,
        location: at(['pipeline_parameters', k, 'valueFrom']),
        fix: `add ${missing.join(', ')}, or use 'path' for a file in this repository.`,
      });
      return undefined;
    }
    req = { type: 'github', owner, repo, ref, path: vf.file_path! };
  }
  const file = await ctx.reader.read(req, MAX_PARAMETER_BYTES);
  if (!file.ok) {
    const key = vf.path !== undefined ? 'path' : file.field && vf[file.field] !== undefined ? file.field : 'file_path';
    out.push({
      message: `Parameter '${p.name}': ${file.message}`,
      location: at(['pipeline_parameters', k, 'valueFrom', key]),
      fix: file.fix,
    });
    return undefined;
  }
  return file.text;
}

function checkParameters(
  pipeline: Pipeline,
  params: RawParameter[],
  values: Record<string, string>,
  at: (p: DataPath, key?: boolean) => SourceLocation,
  hasParamsKey: boolean,
  error: (m: string, l: SourceLocation, f: string) => void,
): void {
  const inputs = new Map(pipeline.inputs.map((i) => [i.name, i]));
  const names = [...inputs.keys()];
  const what = `pipeline '${pipeline.name}'`;
  params.forEach((p, k) => {
    const input = inputs.get(p.name);
    if (!input) {
      error(
        `Parameter '${p.name}' is not an input of ${what}.${didYouMean(p.name, names)}`,
        at(['pipeline_parameters', k, 'name']),
        names.length
          ? `remove it, or use one of its inputs: ${names.join(', ')}.`
          : 'remove it; this pipeline has no inputs.',
      );
      return;
    }
    const value = values[p.name];
    if (pipeline.kind === 'v2' && value !== undefined) {
      const typed = typedParameterValue(input, value);
      if (!typed.ok)
        error(
          `Parameter ${typed.reason}.`,
          at(['pipeline_parameters', k, p.valueFrom ? 'valueFrom' : 'value']),
          `give a value of type ${input.type}.`,
        );
    }
  });
  // A parameter whose value file is missing was given (that error is reported on its own).
  const missing = pipeline.inputs.filter((i) => i.required && !params.some((p) => p.name === i.name));
  if (missing.length) {
    error(
      `${what} requires ${missing.map((m) => `'${m.name}'`).join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not given.`,
      hasParamsKey ? at(['pipeline_parameters'], true) : at([]),
      `add ${missing.map((m) => `{name: ${m.name}, value: …}`).join(', ')} to pipeline_parameters.`,
    );
  }
}

/**
 * What KFP refuses on create beyond the pipeline's own declarations, for the values the reconciler sends
 * (empty values are not sent, as KFP drops them).
 */
function checkKfpAccepts(
  pipeline: Pipeline,
  values: Record<string, string>,
  at: (p: DataPath, key?: boolean) => SourceLocation,
  apiVersion: ApiVersion,
  error: (m: string, l: SourceLocation, f: string) => void,
): void {
  const sent = Object.entries(values).filter(([, v]) => v !== '');
  const where = at(['pipeline_parameters'], true);
  if (pipeline.kind === 'v2') {
    // template/v2_template.go validatePipelineJobInputs: a required input must have a value.
    const empty = pipeline.inputs.filter((i) => i.required && values[i.name] === '');
    for (const i of empty) {
      error(
        `Pipeline '${pipeline.name}' requires input '${i.name}', and its value is empty: an empty value is not sent, so KFP refuses the run.`,
        where,
        `give '${i.name}' a value.`,
      );
    }
    return;
  }
  if (sent.length && apiVersion === 'v2beta1') {
    error(
      `'${pipeline.name}' is a KFP v1 (Argo) workflow with parameters, and KFP's v2beta1 API cannot pass parameters to v1 workflows: every apply would fail.`,
      where,
      'set api-version to v1beta1 for Argo workflows, or compile the pipeline with the KFP v2 SDK.',
    );
  }
  // server/api_converter.go toModelParameters: the serialized Argo parameters are capped (MAX_PARAMETER_BYTES).
  const bytes = argoParametersBytes(sent.map(([name, value]) => ({ name, value })));
  if (bytes > MAX_ARGO_PARAMETERS_BYTES) {
    error(
      `The parameters of '${pipeline.name}' take ${bytes} bytes as KFP stores them; KFP refuses more than ${MAX_ARGO_PARAMETERS_BYTES}.`,
      where,
      'pass large values by reference (a path or URI) instead of inline.',
    );
  }
}

function sortByLocation(ds: Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => [d.location?.file ?? '', d.location?.line ?? 0, d.location?.column ?? 0] as const;
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const [fa, la, ca] = key(a.d);
      const [fb, lb, cb] = key(b.d);
      return fa.localeCompare(fb) || la - lb || ca - cb || a.i - b.i;
    })
    .map((x) => x.d);
}
