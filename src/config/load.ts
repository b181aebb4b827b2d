import path from 'node:path';
import type { Diagnostic } from '../lib/errors.js';
import type { ApiVersion } from '../kfp/types.js';
import type { DataPath } from './data-path.js';
import { checkExperiments } from './experiments.js';
import { CONFIG_FILES, type ConfigFileName, findConfigFile, relPath } from './folders.js';
import type { ConfigDoc } from './located.js';
import { type DesiredFolder, type DesiredState, deepFreeze } from './types.js';
import { loadPipelines } from './pipelines-file.js';
import { readConfigDoc } from './read.js';
import { checkRuns } from './recurring-runs.js';
import type { FileAccess } from './references.js';
import { checkSharedPipelines } from './pipeline-entries.js';
import { type RemoteFiles, SourceReader } from './file-sources.js';
import { checkText } from './text.js';

export { DEFAULT_KEEP_HISTORY } from './recurring-runs.js';
export { DEFAULT_KEEP_VERSIONS } from './pipelines-file.js';

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

/**
 * Load, validate and resolve config folders (absolute paths or relative to `root`) into the desired
 * state. Never throws for bad content: every problem becomes a located diagnostic, collected across
 * all folders; only entries without errors appear in the result. Contacts GitHub only for remote
 * sources, and never KFP.
 *
 * Per folder: read each file once into a located document (read.ts, located.ts) → the schema and text
 * checks (schema.ts, text.ts) → experiments (experiments.ts), pipelines.yaml (pipelines-file.ts), then each
 * recurring run (recurring-runs.ts: the pure checks of run-checks.ts, then its files through references.ts,
 * then parameters.ts) → the model (model.ts).
 */
export async function loadDesiredState(folders: readonly string[], opts: LoadOptions): Promise<DesiredState> {
  const files: FileAccess = {
    reader: new SourceReader(opts.root, opts.github),
    reportedPipelines: new Set(),
    parsedPipelines: new Map(),
  };
  const now = opts.now ?? new Date();
  const namespaces: DesiredFolder[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const folder of folders) {
    const r = await loadFolder(path.resolve(opts.root, folder), opts, now, files);
    if (r.folder) namespaces.push(r.folder);
    diagnostics.push(...sortByLocation(r.diagnostics));
  }
  diagnostics.push(...checkSharedPipelines(namespaces));
  return deepFreeze({ namespaces, diagnostics });
}

async function loadFolder(
  abs: string,
  opts: LoadOptions,
  now: Date,
  files: FileAccess,
): Promise<{ folder?: DesiredFolder; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const docs: Partial<Record<ConfigFileName, ConfigDoc>> = {};
  const paths: Partial<Record<ConfigFileName, string>> = {};
  for (const name of CONFIG_FILES) {
    const found = await findConfigFile(abs, name, opts.root);
    if ('diagnostic' in found) {
      diagnostics.push(found.diagnostic);
      continue;
    }
    const file = relPath(opts.root, found.file);
    paths[name] = file;
    const read = await readConfigDoc(found.file, file, { single: true, dates: true });
    diagnostics.push(...read.diagnostics);
    if (read.doc) docs[name] = read.doc;
  }

  const { validateSchema } = await import('./schema.js');
  const failed: Partial<Record<ConfigFileName, DataPath[]>> = {};
  for (const name of CONFIG_FILES) {
    const doc = docs[name];
    if (!doc) continue;
    const r = validateSchema(name, doc);
    const text = checkText(name, doc, r.failedPaths);
    diagnostics.push(...r.diagnostics, ...text.diagnostics);
    failed[name] = [...r.failedPaths, ...text.failedPaths];
  }

  const checked = docs.experiments && checkExperiments(docs.experiments, failed.experiments ?? []);
  if (checked) diagnostics.push(...checked.diagnostics);
  const experiments = checked?.experiments;
  const pipelines = await loadPipelines(abs, opts.root, opts.apiVersion, files, diagnostics);
  const runs = docs.recurring_runs
    ? await checkRuns(
        docs.recurring_runs,
        failed.recurring_runs ?? [],
        {
          ...(experiments ? { experiments } : {}),
          ...(pipelines ? { pipelines: pipelines.list } : {}),
          now,
          apiVersion: opts.apiVersion ?? 'v1beta1',
        },
        files,
        opts.parallelism ?? 8,
      )
    : undefined;
  if (runs) diagnostics.push(...runs.diagnostics);
  if (!paths.experiments || !paths.recurring_runs) return { diagnostics };
  return {
    folder: {
      folder: relPath(opts.root, abs),
      namespace: path.basename(abs),
      experimentsFile: paths.experiments,
      recurringRunsFile: paths.recurring_runs,
      experiments: experiments?.list ?? [],
      jobs: runs?.jobs ?? [],
      ...(pipelines ? { pipelinesFile: pipelines.file, pipelines: pipelines.list } : {}),
    },
    diagnostics,
  };
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
