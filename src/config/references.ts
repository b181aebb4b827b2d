import type { Diagnostic, SourceLocation } from '../lib/errors.js';
import { UserError } from '../lib/errors.js';
import { MAX_PARAMETER_BYTES, MAX_PIPELINE_BYTES, type Pipeline, parsePipeline } from '../pipeline/pipeline.js';
import { type FileSource, type ResolvedPipeline, describeSource } from './types.js';
import type { RawFileRef, RawParameter, RunEntry } from './raw.js';
import type { FileRequest, SourceReader } from './file-sources.js';

/**
 * The files a config names (`pipeline_source`, `valueFrom`, a pipelines.yaml `source`): which file each
 * key names, and reading it through the `SourceReader` (inside the checkout, or GitHub at a pinned SHA).
 */

const GITHUB_KEYS = ['github_owner', 'github_repo', 'git_reference'] as const;

/** Reading files for a folder's entries; shared by all of them, so each file is read and reported once. */
export interface FileAccess {
  reader: SourceReader;
  /** Pipeline files whose own errors were already reported (several entries may share one). */
  reportedPipelines: Set<string>;
  /** Pipeline files parsed so far: entries naming one file share its parse (a parsed 49 KB IR holds ~0.7 MB). */
  parsedPipelines: Map<string, Pipeline>;
}

/** `path` reads this repository; mixing it with GitHub keys is ambiguous. */
export function isAmbiguous(ref: RawFileRef): boolean {
  return ref.path !== undefined && GITHUB_KEYS.some((k) => ref[k] !== undefined);
}

/** The error of an ambiguous reference `what` (a config key), at `location`. */
export function checkFileRef(ref: RawFileRef, location: SourceLocation, what: string): Diagnostic[] {
  if (!isAmbiguous(ref)) return [];
  const github = GITHUB_KEYS.filter((k) => ref[k] !== undefined);
  return [
    {
      message: `${what} has 'path' (a file in this repository) and ${github.map((k) => `'${k}'`).join(', ')} (a GitHub repository).`,
      location,
      fix: `keep 'path' for a file in this repository, or replace it with ${what === 'valueFrom' ? "'file_path'" : "'file_path' and all of github_owner, github_repo, git_reference"} for a file in GitHub.`,
    },
  ];
}

/** `pipeline_source` names one file. */
export function checkPipelineSource(run: RunEntry): Diagnostic[] {
  return checkFileRef(run.value.pipeline_source, run.at(['pipeline_source']), 'pipeline_source');
}

/** The file `pipeline_source` names (after `checkFileRef` found it unambiguous). */
/** The key under a pipeline source that a problem with its file points at (`field`: a GitHub key). */
export const pipelineSourceKey = (source: RawFileRef, field?: string): string =>
  source.path !== undefined ? 'path' : (field ?? 'file_path');

export function pipelineRequest(source: RawFileRef): FileRequest {
  return source.path
    ? { type: 'local', path: source.path }
    : {
        type: 'github',
        owner: source.github_owner!,
        repo: source.github_repo!,
        ref: source.git_reference!,
        path: source.file_path!,
      };
}

/**
 * The file a `valueFrom` names: a `path` is in this repository; a `file_path` is beside the pipeline, with
 * each GitHub key it leaves out taken from `pipeline_source`.
 */
export function valueFromRequest(
  vf: RawFileRef,
  source: RawFileRef,
  location: SourceLocation,
): FileRequest | Diagnostic {
  if (vf.path !== undefined) return { type: 'local', path: vf.path };
  // The pipeline is in this repository (or registered from it), so is its parameter file.
  if (
    (source.path !== undefined || source.kfp_pipeline !== undefined) &&
    GITHUB_KEYS.every((key) => vf[key] === undefined)
  )
    return { type: 'local', path: vf.file_path! };
  const owner = vf.github_owner ?? source.github_owner;
  const repo = vf.github_repo ?? source.github_repo;
  const ref = vf.git_reference ?? source.git_reference;
  if (owner && repo && ref) return { type: 'github', owner, repo, ref, path: vf.file_path! };
  const missing = GITHUB_KEYS.filter((key) => (vf[key] ?? source[key]) === undefined);
  return {
    message: `valueFrom names a GitHub repository but ${missing.map((m) => `'${m}'`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing (the pipeline is in this repository, so there is nothing to default to).`,
    location,
    fix: `add ${missing.join(', ')}, or use 'path' for a file in this repository.`,
  };
}

/** Read and parse a pipeline file; `where(field)` locates the config key a problem is about. */
export async function readPipeline(
  req: FileRequest,
  where: (field?: string) => SourceLocation,
  files: FileAccess,
  out: Diagnostic[],
): Promise<ResolvedPipeline | undefined> {
  const file = await files.reader.read(req, MAX_PIPELINE_BYTES);
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
    const parsed = files.parsedPipelines.get(sourceKey(file.source));
    pipeline = parsed?.text === file.text ? parsed : parsePipeline(file.text, display);
    files.parsedPipelines.set(sourceKey(file.source), pipeline);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    const key = sourceKey(file.source);
    if (file.source.type === 'local') {
      // The errors point into the pipeline file itself; report them once however many entries use it.
      if (!files.reportedPipelines.has(key))
        out.push(...err.diagnostics.map((d) => ({ ...d, message: `Not a valid KFP pipeline: ${d.message}` })));
      files.reportedPipelines.add(key);
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

/** The value of the `k`th parameter of an entry: as written, or its `valueFrom` file's text. */
export async function readParameter(
  run: RunEntry,
  k: number,
  files: FileAccess,
  out: Diagnostic[],
): Promise<string | undefined> {
  const p: RawParameter = run.value.pipeline_parameters![k]!;
  if (p.value !== undefined) return p.value;
  const vf = p.valueFrom!;
  const req = valueFromRequest(vf, run.value.pipeline_source, run.at(['pipeline_parameters', k, 'valueFrom']));
  if ('message' in req) {
    out.push(req);
    return undefined;
  }
  const file = await files.reader.read(req, MAX_PARAMETER_BYTES);
  if (!file.ok) {
    const key = vf.path !== undefined ? 'path' : file.field && vf[file.field] !== undefined ? file.field : 'file_path';
    out.push({
      message: `Parameter '${p.name}': ${file.message}`,
      location: run.at(['pipeline_parameters', k, 'valueFrom', key]),
      fix: file.fix,
    });
    return undefined;
  }
  return file.text;
}
