import fs from 'node:fs/promises';
import path from 'node:path';
import { type Diagnostic, type SourceLocation, UserError, formatDiagnostic } from '../lib/errors.js';
import { isPlainObject, locate, parseYaml, toData, type YamlFile } from '../lib/yaml.js';
import { didYouMean } from '../lib/suggest.js';
import { resolveInside } from '../lib/inside.js';
import { MAX_PARAMETER_BYTES, MAX_PIPELINE_BYTES, type Pipeline, typedParameterValue } from '../pipeline/pipeline.js';

/** Where a parameter value came from: a `params/<name>` file, the `parameters` input, or the pipeline's own default. */
export type ParameterSource = { kind: 'file'; file: string } | { kind: 'input' } | { kind: 'default' };

/** A value as given (text), before it is typed for the pipeline. */
export interface GivenValue {
  text: string;
  source: ParameterSource;
}

export interface ResolvedParameter {
  name: string;
  /** What is sent to KFP: a string for v1 (Argo) pipelines, the typed JSON value for v2. */
  value: unknown;
  source: ParameterSource;
}

export interface ResolvedParameters {
  /** The parameters to send (pipeline defaults are left to KFP). */
  values: Record<string, unknown>;
  /** Every pipeline input with its value and where it came from, for reports. */
  rows: ResolvedParameter[];
}

/**
 * deployKF's layout: `params/` next to the rendered pipeline holds one file per parameter, named
 * like it, whose content is the value (read as is, like the reconciler's valueFrom). Dot files
 * (.gitkeep) are skipped. A missing folder means no values.
 */
export async function readParamsFolder(
  dir: string,
  display: string,
  root: string = dir,
): Promise<Map<string, GivenValue>> {
  const out = new Map<string, GivenValue>();
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  for (const e of entries
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && !e.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))) {
    const file = path.posix.join(display, e.name);
    // A link is followed only while it stays inside the checkout (a link to /proc/self/environ is refused).
    const inside = resolveInside(root, path.join(dir, e.name));
    if (!inside.ok) throw UserError.at(`Parameter file: ${inside.message}`, { file }, inside.fix);
    const stat = inside.exists ? await fs.stat(inside.path) : undefined;
    if (!stat?.isFile()) continue;
    if (stat.size > MAX_PARAMETER_BYTES) {
      throw UserError.at(
        `Parameter file is ${stat.size} bytes, over the ${MAX_PARAMETER_BYTES}-byte limit.`,
        { file },
        'a parameter value is a short text; pass a path or URI to large data instead.',
      );
    }
    out.set(e.name, { text: await fs.readFile(inside.path, 'utf8'), source: { kind: 'file', file } });
  }
  return out;
}

/** The `parameters` input: a YAML or JSON mapping of input names to values (lists and objects become JSON). */
export function parseParametersInput(text: string, input = 'parameters'): Map<string, GivenValue> {
  const out = new Map<string, GivenValue>();
  if (text.trim() === '') return out;
  let yf: YamlFile;
  try {
    yf = parseYaml(text, `input '${input}'`);
  } catch (err) {
    const first =
      err instanceof UserError && err.diagnostics[0] ? formatDiagnostic(err.diagnostics[0]) : (err as Error).message;
    throw new UserError(`Input '${input}' is not valid YAML or JSON: ${first}`);
  }
  const data = yf.docs.length === 1 ? toData(yf) : undefined;
  if (!isPlainObject(data)) {
    throw new UserError(
      `Input '${input}' must be a mapping of pipeline inputs to values, e.g. '{"learning_rate": 0.01}' or 'learning_rate: 0.01' (one per line).`,
    );
  }
  for (const [name, value] of Object.entries(data)) {
    if (value === null || value === undefined)
      throw new UserError(
        `Input '${input}': parameter '${name}' has no value. Fix: give it a value, or leave it out to use the pipeline's default.`,
      );
    out.set(name, { text: typeof value === 'string' ? value : JSON.stringify(value), source: { kind: 'input' } });
  }
  return out;
}

/**
 * Check the given values against the pipeline's declared inputs and type them: unknown names,
 * values of the wrong type (v2) and missing required inputs are all reported at once, each at the
 * file it comes from (a params/ file, or the input's declaration in the pipeline file).
 */
export function resolveParameters(
  pipeline: Pipeline,
  pipelineFile: string,
  given: ReadonlyMap<string, GivenValue>,
  /** The params/ folder values may come from; undefined when there is none (a registered pipeline). */
  paramsDisplay: string | undefined,
): ResolvedParameters {
  const declared = new Map(pipeline.inputs.map((i) => [i.name, i]));
  const names = [...declared.keys()];
  const declarationOf = declarationLocator(pipeline, pipelineFile);
  const from = (s: ParameterSource) => (s.kind === 'file' ? `file ${s.file}` : "input 'parameters'");
  const where = (name: string, s: ParameterSource): SourceLocation =>
    s.kind === 'file' ? { file: s.file, line: 1, column: 1 } : declarationOf(name);
  const problems: Diagnostic[] = [];
  const typed = new Map<string, unknown>();

  for (const [name, g] of given) {
    const input = declared.get(name);
    if (!input) {
      problems.push({
        message: `Parameter '${name}' (from ${from(g.source)}) is not an input of pipeline '${pipeline.name}'.${didYouMean(name, names)}`,
        location: where(name, g.source),
        fix: names.length
          ? `remove it, or use one of the pipeline's inputs: ${names.join(', ')}.`
          : 'remove it; this pipeline has no inputs.',
      });
      continue;
    }
    const value = pipeline.kind === 'v2' ? typedParameterValue(input, g.text) : ({ ok: true, value: g.text } as const);
    if (value.ok) typed.set(name, value.value);
    else
      problems.push({
        message: `Parameter ${value.reason} (from ${from(g.source)}).`,
        location: where(name, g.source),
        fix: `give a value of type ${input.type}.`,
      });
  }
  // Sent and shown in the order the pipeline declares its inputs.
  const values: Record<string, unknown> = {};
  const rows: ResolvedParameter[] = [];
  for (const input of pipeline.inputs) {
    const g = given.get(input.name);
    if (g) {
      if (typed.has(input.name)) values[input.name] = typed.get(input.name);
      rows.push({ name: input.name, value: values[input.name], source: g.source });
    } else if (!input.required) {
      rows.push({ name: input.name, value: input.default, source: { kind: 'default' } });
    } else {
      problems.push({
        message: `Pipeline '${pipeline.name}' requires input '${input.name}'${input.type ? ` (${input.type})` : ''}, which is not given.`,
        location: declarationOf(input.name),
        fix: `add '${input.name}: <value>' to the 'parameters' input${paramsDisplay ? `, or a file ${paramsDisplay}/${input.name} holding the value` : ''}.`,
      });
    }
  }
  if (problems.length)
    throw new UserError(
      `${problems.length} parameter problem(s) for pipeline '${pipeline.name}' (${pipelineFile}); nothing was submitted.`,
      problems,
    );
  return { values, rows };
}

/** Where an input is declared in the pipeline file (v1: spec.arguments.parameters; v2: root.inputDefinitions.parameters). */
function declarationLocator(pipeline: Pipeline, file: string): (name: string) => SourceLocation {
  let yf: YamlFile | undefined;
  try {
    yf = parseYaml(pipeline.text, file, { maxBytes: MAX_PIPELINE_BYTES });
  } catch {
    // Read leniently (js-yaml) by parsePipeline: no positions, point at the file.
  }
  return (name) => {
    if (!yf) return { file, line: 1, column: 1 };
    if (pipeline.kind === 'v2') {
      const base = ['root', 'inputDefinitions', 'parameters'];
      const defs = (
        pipeline.workflow.root as { inputDefinitions?: { parameters?: Record<string, unknown> } } | undefined
      )?.inputDefinitions?.parameters;
      return locate(yf, defs && name in defs ? [...base, name] : base, { key: true });
    }
    const base = ['spec', 'arguments', 'parameters'];
    const list = (pipeline.workflow.spec as { arguments?: { parameters?: unknown[] } } | undefined)?.arguments
      ?.parameters;
    const i = Array.isArray(list) ? list.findIndex((p) => isPlainObject(p) && p.name === name) : -1;
    return locate(yf, i >= 0 ? [...base, i, 'name'] : base);
  };
}
