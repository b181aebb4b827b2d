import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../lib/errors.js';
import { resolveInside } from '../lib/inside.js';
import { MAX_ARGO_PARAMETERS_BYTES, argoParametersBytes } from '../kfp/limits.js';
import type { ApiVersion, KfpClient } from '../kfp/types.js';
import { type RegisteredRef, findRegistered } from './registered.js';
import { MAX_PIPELINE_BYTES, type Pipeline, parsePipeline } from '../pipeline/pipeline.js';
import {
  type GivenValue,
  type ResolvedParameters,
  parseParametersInput,
  readParamsFolder,
  resolveParameters,
} from './parameters.js';

/** A pipeline file read and checked, with the parameters to run it with: ready to submit. */
export interface PreparedRun {
  pipeline: Pipeline;
  /** Repo-relative path of the pipeline file, or `kfp:<pipeline>@<version>` for a registered one. */
  file: string;
  parameters: ResolvedParameters;
  /** A registered pipeline version, run by reference rather than inline. */
  registered?: { pipelineId: string; versionId: string; pipeline: string; version: string };
}

/** File names a rendered-pipeline folder holds (deployKF: workflow.yaml; KFP v2 renders: pipeline.yaml). */
const PIPELINE_FILES = ['workflow.yaml', 'pipeline.yaml', 'workflow.yml', 'pipeline.yml'];

export interface PrepareOptions {
  /** Folder the `pipeline` path is relative to. */
  workdir: string;
  /** Repository root: file names in messages are relative to it. */
  root: string;
  /** The pipeline file, or the rendered folder holding it. */
  pipeline: string;
  /** The `parameters` input text (YAML/JSON mapping); overrides params/ files. */
  parameters: string;
  apiVersion: ApiVersion;
}

/**
 * Read the pipeline and its parameters (params/ next to the file, overridden by the input) and
 * check everything KFP would refuse, before any call is made.
 */
export async function prepareRun(opts: PrepareOptions): Promise<PreparedRun> {
  const fromInput = parseParametersInput(opts.parameters);
  const abs = await pipelineFile(opts.root, opts.workdir, opts.pipeline);
  const file = toPosix(path.relative(opts.root, abs));
  const stat = await fs.stat(abs);
  if (stat.size > MAX_PIPELINE_BYTES)
    throw UserError.at(
      `The pipeline file is ${stat.size} bytes, over KFP's ${MAX_PIPELINE_BYTES}-byte limit.`,
      { file },
      'point at the compiled pipeline.',
    );
  const pipeline = parsePipeline(await fs.readFile(abs, 'utf8'), file);

  const paramsDisplay = path.posix.join(path.posix.dirname(file), 'params');
  const given = new Map<string, GivenValue>([
    ...(await readParamsFolder(path.join(path.dirname(abs), 'params'), paramsDisplay, opts.root)),
    ...fromInput,
  ]);
  return checkedRun(pipeline, file, given, paramsDisplay, opts.apiVersion);
}

/**
 * A registered pipeline version (`pipeline: kfp:<name>[@<version>]`): the parameters input is read
 * before the first call; the version's spec, as KFP stores it, is checked like a file.
 */
export async function prepareRegistered(
  client: KfpClient,
  ref: RegisteredRef,
  opts: { parameters: string; apiVersion: ApiVersion; namespace: string },
): Promise<PreparedRun> {
  const given = parseParametersInput(opts.parameters);
  const found = await findRegistered(client, ref, opts.namespace);
  const pipeline = parsePipeline(found.text, found.display);
  return {
    ...checkedRun(pipeline, found.display, given, undefined, opts.apiVersion),
    registered: {
      pipelineId: found.pipeline.id,
      versionId: found.version.id,
      pipeline: found.pipeline.name,
      version: found.version.name,
    },
  };
}

/** Parameters resolved against the pipeline's inputs, and what KFP would refuse for this API version. */
function checkedRun(
  pipeline: Pipeline,
  file: string,
  given: ReadonlyMap<string, GivenValue>,
  paramsDisplay: string | undefined,
  apiVersion: ApiVersion,
): PreparedRun {
  const parameters = resolveParameters(pipeline, file, given, paramsDisplay);

  if (pipeline.kind === 'v1' && apiVersion === 'v2beta1' && Object.keys(parameters.values).length) {
    throw UserError.at(
      "This is a KFP v1 (Argo) workflow with parameters, and KFP's v2beta1 API silently ignores the parameters of v1 workflows.",
      { file, line: 1, column: 1 },
      'set api-version to v1beta1 for Argo workflows, or compile the pipeline with the KFP v2 SDK.',
    );
  }
  if (pipeline.kind === 'v1') {
    // server/api_converter.go toModelParameters caps the serialized Argo parameters (MAX_PARAMETER_BYTES).
    const bytes = argoParametersBytes(
      Object.entries(parameters.values).map(([name, value]) => ({ name, value: String(value) })),
    );
    if (bytes > MAX_ARGO_PARAMETERS_BYTES) {
      throw UserError.at(
        `The parameters take ${bytes} bytes as KFP stores them; KFP refuses more than ${MAX_ARGO_PARAMETERS_BYTES}.`,
        { file, line: 1, column: 1 },
        'pass large values by reference (a path or URI) instead of inline.',
      );
    }
  }
  return { pipeline, file, parameters };
}

/** The file itself, or the pipeline file inside a rendered folder: its real path, inside the checkout. */
async function pipelineFile(root: string, workdir: string, given: string): Promise<string> {
  const real = (p: string) => {
    const inside = resolveInside(root, p, workdir);
    if (!inside.ok) throw new UserError(`Input 'pipeline': ${inside.message} Fix: ${inside.fix}`);
    return inside;
  };
  const target = real(given);
  const stat = target.exists ? await fs.stat(target.path).catch(() => undefined) : undefined;
  if (!stat)
    throw new UserError(
      `Input 'pipeline': '${given}' does not exist. Fix: give the compiled pipeline file (e.g. pipelines/<name>/RENDERED_PIPELINE/workflow.yaml), relative to working-directory.`,
    );
  if (!stat.isDirectory()) return target.path;
  for (const name of PIPELINE_FILES) {
    const candidate = real(path.join(target.path, name));
    if (candidate.exists && (await fs.stat(candidate.path).catch(() => undefined))?.isFile()) return candidate.path;
  }
  throw new UserError(
    `Input 'pipeline': the folder '${given}' holds none of ${PIPELINE_FILES.join(', ')}. Fix: point at the compiled pipeline file itself.`,
  );
}

const toPosix = (p: string) => p.split(path.sep).join('/');
