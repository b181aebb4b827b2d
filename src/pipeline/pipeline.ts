import jsYaml from 'js-yaml';
import { type Diagnostic, type SourceLocation, UserError } from '../lib/errors.js';
import { isPlainObject, locate, parseYaml, toData } from '../lib/yaml.js';
import { didYouMean } from '../lib/suggest.js';
import { IR_SCHEMA_VERSION } from '../kfp/limits.js';

/**
 * A compiled KFP pipeline file, as KFP's API server tells the two formats apart:
 * - `v1`: an Argo `Workflow` (KFP SDK 1.x, or v2 SDK in v1 mode). Inputs come from
 *   `spec.arguments.parameters`, refined by the `pipelines.kubeflow.org/pipeline_spec` annotation.
 * - `v2`: a PipelineSpec IR (KFP SDK 2.x), optionally followed by a second YAML document with
 *   the PlatformSpec (`platforms:`). Inputs come from `root.inputDefinitions.parameters`.
 */
export type PipelineKind = 'v1' | 'v2';

/** KFP's limit for an uploaded pipeline package; pipelines are read up to this size. */
export const MAX_PIPELINE_BYTES = 32 * 1024 * 1024;
/** Largest parameter value file read (`valueFrom`, `params/<name>`): a short text, not a data set. */
export const MAX_PARAMETER_BYTES = 1024 * 1024;

export interface PipelineInput {
  readonly name: string;
  /** v1: the annotation's `type` (String, Integer…); v2: `parameterType` (STRING, NUMBER_INTEGER…). */
  readonly type?: string;
  /** The declared default, as written in the file (v1: a string; v2: any JSON value). */
  readonly default?: unknown;
  /** False when a run must give a value: no default and not declared optional. */
  readonly required: boolean;
  readonly description?: string;
}

export interface Pipeline {
  readonly kind: PipelineKind;
  /** v1: the annotation's name, else metadata.name/generateName; v2: pipelineInfo.name. */
  readonly name: string;
  readonly description?: string;
  readonly inputs: readonly PipelineInput[];
  /** The parsed first document: the Argo Workflow (v1) or the PipelineSpec (v2). */
  readonly workflow: Readonly<Record<string, unknown>>;
  /** v2 only: the PlatformSpec document, when the file has one. */
  readonly platformSpec?: Readonly<Record<string, unknown>>;
  /** The file's text, unchanged. */
  readonly text: string;
}

const ARGO_API_VERSION = 'argoproj.io/v1alpha1';
const PIPELINE_SPEC_ANNOTATION = 'pipelines.kubeflow.org/pipeline_spec';
/** Top-level fields of the PipelineSpec proto (KFP rejects any other, as protojson does). */
export const V2_TOP_LEVEL_KEYS = [
  'pipelineInfo',
  'deploymentSpec',
  'sdkVersion',
  'schemaVersion',
  'components',
  'root',
  'defaultPipelineRoot',
];
const V2_PLATFORM_KEYS = ['platforms'];

/**
 * Read a compiled pipeline file. Throws a UserError whose diagnostics point into `file` (line and
 * column) when the text is not YAML, or is neither a KFP v1 Argo Workflow nor a KFP v2 IR.
 */
export function parsePipeline(text: string, file: string): Pipeline {
  const src = readSource(text, file);
  if (src.docs.length === 0) {
    throw UserError.at(
      'The pipeline file is empty.',
      { file, line: 1, column: 1 },
      'commit the compiled pipeline (KFP v1 Argo Workflow or KFP v2 IR YAML), or point at the right file.',
    );
  }
  const first = src.docs[0];
  if (!isPlainObject(first)) {
    throw UserError.at(
      'The pipeline file is not a YAML mapping.',
      src.at([]),
      'point at a compiled pipeline: a KFP v1 Argo Workflow or a KFP v2 IR YAML.',
    );
  }
  if ('apiVersion' in first || 'kind' in first) return parseArgo(src, first);
  if (V2_TOP_LEVEL_KEYS.some((k) => k in first)) return parseIr(src, first);
  throw UserError.at(
    'Neither a KFP v1 Argo Workflow (apiVersion/kind) nor a KFP v2 IR (pipelineInfo/root).',
    src.at([]),
    'point at the compiled pipeline file (e.g. RENDERED_PIPELINE/workflow.yaml or pipeline.yaml), not its source or a component.',
  );
}

/** The documents of a pipeline file and a way to say where a value in the first one is. */
interface Source {
  file: string;
  text: string;
  /** Non-empty documents as data. */
  docs: unknown[];
  at(path: (string | number)[], key?: boolean): SourceLocation;
}

function readSource(text: string, file: string): Source {
  try {
    const yf = parseYaml(text, file, { maxBytes: MAX_PIPELINE_BYTES });
    const docs = yf.docs.filter((d) => d.contents !== null);
    return {
      file,
      text,
      docs: docs.map((d) => toData(yf, d)),
      at: (path, key = false) => locate(yf, path, { doc: docs[0], key }),
    };
  } catch (err) {
    // KFP writes pipelines with PyYAML and reads them with Go's yaml, both lenient about the indentation
    // of quoted multi-line scalars; `yaml` follows the spec and refuses some real compiled files.
    // Such a file is valid for KFP, so read it as KFP does (js-yaml 4 has the same leniency).
    if (!(err instanceof UserError) || !err.diagnostics.some((d) => d.message.startsWith('YAML syntax error')))
      throw err;
    let docs: unknown[];
    try {
      docs = jsYaml
        .loadAll(text, undefined, { schema: jsYaml.CORE_SCHEMA, json: false })
        .filter((d) => d !== null && d !== undefined);
    } catch {
      throw err;
    }
    if (docs.some((d) => exceedsNodes(d, MAX_FALLBACK_NODES_PER_BYTE * text.length + 1000))) {
      throw UserError.at(
        'YAML refused: its aliases expand to far more data than the file holds.',
        { file, line: 1, column: 1 },
        'expand the anchors/aliases or reduce their use.',
      );
    }
    const lines = text.split('\n');
    const at = (path: (string | number)[]): SourceLocation => {
      // Without a position map, find top-level keys by their line; anything deeper points at line 1.
      const i = path.length === 1 ? lines.findIndex((l) => l.startsWith(`${String(path[0])}:`)) : -1;
      return { file, line: i >= 0 ? i + 1 : 1, column: 1 };
    };
    return { file, text, docs, at };
  }
}

/** js-yaml shares aliased nodes instead of expanding them; cap what a walk (or JSON) would expand to. */
const MAX_FALLBACK_NODES_PER_BYTE = 1;

function exceedsNodes(value: unknown, cap: number): boolean {
  let count = 0;
  const walk = (v: unknown): boolean => {
    if (++count > cap) return true;
    if (Array.isArray(v)) return v.some(walk);
    if (v && typeof v === 'object') return Object.values(v).some(walk);
    return false;
  };
  return walk(value);
}

function fail(diagnostics: Diagnostic[], file: string): never {
  throw new UserError(`${file}: not a valid KFP pipeline`, diagnostics);
}

function parseArgo(src: Source, wf: Record<string, unknown>): Pipeline {
  const problems: Diagnostic[] = [];
  const at = src.at;
  if (wf.apiVersion !== ARGO_API_VERSION) {
    problems.push({
      message: `apiVersion is ${JSON.stringify(wf.apiVersion)}, not '${ARGO_API_VERSION}'.`,
      location: at(['apiVersion']),
      fix: `a KFP v1 pipeline is an Argo Workflow with apiVersion: ${ARGO_API_VERSION}.`,
    });
  }
  if (wf.kind !== 'Workflow') {
    problems.push({
      message: `kind is ${JSON.stringify(wf.kind)}, not 'Workflow'.`,
      location: at(['kind']),
      fix: 'a KFP v1 pipeline is an Argo Workflow (kind: Workflow); compile the pipeline, not a component.',
    });
  }
  for (const key of ['metadata', 'spec']) {
    if (!isPlainObject(wf[key]))
      problems.push({
        message: `The Argo Workflow has no '${key}' mapping.`,
        location: at([key]),
        fix: `recompile the pipeline; a KFP v1 workflow always has '${key}'.`,
      });
  }
  if (src.docs.length > 1)
    problems.push({
      message: 'A KFP v1 pipeline file holds one YAML document; this one has more.',
      location: { file: src.file, line: 1, column: 1 },
      fix: 'keep only the Argo Workflow in the file.',
    });
  if (problems.length) fail(problems, src.file);

  const metadata = wf.metadata as Record<string, unknown>;
  const spec = wf.spec as Record<string, unknown>;
  const annotations = isPlainObject(metadata.annotations) ? metadata.annotations : {};
  let annotation: { name?: unknown; description?: unknown; inputs?: unknown } | undefined;
  if (annotations[PIPELINE_SPEC_ANNOTATION] !== undefined) {
    try {
      const parsed: unknown = JSON.parse(String(annotations[PIPELINE_SPEC_ANNOTATION]));
      if (!isPlainObject(parsed)) throw new Error('not a JSON object');
      annotation = parsed;
    } catch (err) {
      fail(
        [
          {
            message: `The ${PIPELINE_SPEC_ANNOTATION} annotation is not a JSON object (${(err as Error).message}).`,
            location: at(['metadata', 'annotations', PIPELINE_SPEC_ANNOTATION]),
            fix: 'recompile the pipeline; do not edit this annotation by hand.',
          },
        ],
        src.file,
      );
    }
  }

  // Argo arguments: a parameter without `value` must be given by each run.
  const args =
    isPlainObject(spec.arguments) && Array.isArray(spec.arguments.parameters) ? spec.arguments.parameters : [];
  const inputs = new Map<string, PipelineInput>();
  for (const p of args) {
    if (!isPlainObject(p) || typeof p.name !== 'string') continue;
    inputs.set(p.name, {
      name: p.name,
      ...(p.value !== undefined && p.value !== null ? { default: String(p.value) } : {}),
      required: p.value === undefined || p.value === null,
    });
  }
  // The KFP SDK's own declaration, when present, says which inputs are optional and their types.
  if (annotation && Array.isArray(annotation.inputs)) {
    for (const i of annotation.inputs) {
      if (!isPlainObject(i) || typeof i.name !== 'string') continue;
      const fromArgs = inputs.get(i.name);
      const def = i.default !== undefined ? String(i.default) : fromArgs?.default;
      inputs.set(i.name, {
        name: i.name,
        ...(typeof i.type === 'string' ? { type: i.type } : {}),
        ...(def !== undefined ? { default: def } : {}),
        ...(typeof i.description === 'string' ? { description: i.description } : {}),
        required: i.optional !== true && def === undefined,
      });
    }
  }
  const name =
    (typeof annotation?.name === 'string' && annotation.name) ||
    (typeof metadata.name === 'string' && metadata.name) ||
    (typeof metadata.generateName === 'string' && metadata.generateName.replace(/-$/, '')) ||
    '';
  return {
    kind: 'v1',
    name,
    ...(typeof annotation?.description === 'string' ? { description: annotation.description } : {}),
    inputs: [...inputs.values()],
    workflow: wf,
    text: src.text,
  };
}

function parseIr(src: Source, spec: Record<string, unknown>): Pipeline {
  const problems: Diagnostic[] = [];
  for (const key of Object.keys(spec)) {
    if (!V2_TOP_LEVEL_KEYS.includes(key)) {
      problems.push({
        message: `Unknown top-level key '${key}' in a KFP v2 pipeline spec.${didYouMean(key, V2_TOP_LEVEL_KEYS)}`,
        location: src.at([key], true),
        fix: `KFP rejects unknown fields; the known ones are ${V2_TOP_LEVEL_KEYS.join(', ')}. Recompile the pipeline instead of editing it.`,
      });
    }
  }
  const info = spec.pipelineInfo;
  if (!isPlainObject(info) || typeof info.name !== 'string' || info.name.trim() === '') {
    problems.push({
      message: 'pipelineInfo.name is missing or empty; KFP refuses a pipeline without a name.',
      location: src.at(isPlainObject(info) ? ['pipelineInfo', 'name'] : ['pipelineInfo']),
      fix: 'give the pipeline a name (@dsl.pipeline(name=…)) and recompile.',
    });
  }
  if (!isPlainObject(spec.root)) {
    problems.push({
      message: "The KFP v2 pipeline spec has no 'root' mapping.",
      location: src.at(['root']),
      fix: 'recompile the pipeline; a KFP v2 IR always has root.',
    });
  }
  if (spec.schemaVersion !== IR_SCHEMA_VERSION) {
    // template/v2_template.go NewV2SpecTemplate refuses any other schema version.
    problems.push({
      message: `schemaVersion is ${spec.schemaVersion === undefined ? 'missing' : JSON.stringify(spec.schemaVersion)}; KFP takes only pipeline specs of schema version ${IR_SCHEMA_VERSION}.`,
      location: src.at('schemaVersion' in spec ? ['schemaVersion'] : []),
      fix: `recompile the pipeline with the KFP SDK 2.x, which writes schemaVersion ${IR_SCHEMA_VERSION}.`,
    });
  }
  const rest = src.docs.slice(1);
  if (
    rest.length > 1 ||
    (rest.length === 1 && !(isPlainObject(rest[0]) && Object.keys(rest[0]).every((k) => V2_PLATFORM_KEYS.includes(k))))
  ) {
    problems.push({
      message:
        'After the pipeline spec, a KFP v2 file may hold only one more document: the platform spec (platforms:).',
      location: { file: src.file, line: 1, column: 1 },
      fix: 'keep the pipeline spec and at most its platform spec in the file.',
    });
  }
  if (problems.length) fail(problems, src.file);

  const root = spec.root as Record<string, unknown>;
  const defs =
    isPlainObject(root.inputDefinitions) && isPlainObject(root.inputDefinitions.parameters)
      ? root.inputDefinitions.parameters
      : {};
  const inputs: PipelineInput[] = Object.entries(defs).map(([name, d]) => {
    const def = isPlainObject(d) ? d : {};
    // schemaVersion 2.0.0 wrote `type` (STRING, INT, DOUBLE); 2.1.0 writes `parameterType`.
    const type =
      typeof def.parameterType === 'string' ? def.parameterType : typeof def.type === 'string' ? def.type : undefined;
    return {
      name,
      ...(type ? { type } : {}),
      ...(def.defaultValue !== undefined ? { default: def.defaultValue } : {}),
      ...(typeof def.description === 'string' ? { description: def.description } : {}),
      required: def.isOptional !== true && def.defaultValue === undefined,
    };
  });
  const info2 = spec.pipelineInfo as Record<string, unknown>;
  return {
    kind: 'v2',
    name: info2.name as string,
    ...(typeof info2.description === 'string' ? { description: info2.description } : {}),
    inputs,
    workflow: spec,
    ...(rest.length === 1 ? { platformSpec: rest[0] as Record<string, unknown> } : {}),
    text: src.text,
  };
}

export type ParameterValue = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * A parameter value (always a string in the config) as the pipeline input's type wants it. v1 takes
 * strings as they are; v2 typed inputs take JSON (numbers, booleans, lists, structs). The reconciler
 * sends `value` in v2 runtime_config; the check uses the reason to refuse a value KFP would refuse.
 */
export function typedParameterValue(input: PipelineInput | undefined, text: string): ParameterValue {
  switch (input?.type) {
    case 'NUMBER_INTEGER':
    case 'INT': {
      const t = text.trim();
      return /^[-+]?\d+$/.test(t)
        ? { ok: true, value: Number(t) }
        : { ok: false, reason: `'${input.name}' is an integer input; '${text}' is not a whole number` };
    }
    case 'NUMBER_DOUBLE':
    case 'DOUBLE': {
      const t = text.trim();
      return t !== '' && Number.isFinite(Number(t))
        ? { ok: true, value: Number(t) }
        : { ok: false, reason: `'${input.name}' is a number input; '${text}' is not a number` };
    }
    case 'BOOLEAN': {
      const t = text.trim().toLowerCase();
      return t === 'true' || t === 'false'
        ? { ok: true, value: t === 'true' }
        : { ok: false, reason: `'${input.name}' is a boolean input; use true or false, not '${text}'` };
    }
    case 'LIST':
    case 'STRUCT': {
      const want = input.type === 'LIST' ? 'a JSON list' : 'a JSON object';
      try {
        const v: unknown = JSON.parse(text);
        if (input.type === 'LIST' ? Array.isArray(v) : isPlainObject(v)) return { ok: true, value: v };
      } catch {
        // reported below
      }
      return {
        ok: false,
        reason: `'${input.name}' takes ${want}; '${text.length > 60 ? `${text.slice(0, 60)}…` : text}' is not`,
      };
    }
    default:
      return { ok: true, value: text };
  }
}
