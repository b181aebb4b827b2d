import type { Diagnostic } from '../lib/errors.js';
import { didYouMean } from '../lib/suggest.js';
import { MAX_ARGO_PARAMETERS_BYTES, argoParametersBytes } from '../kfp/limits.js';
import type { ApiVersion } from '../kfp/types.js';
import { type Pipeline, typedParameterValue } from '../pipeline/pipeline.js';
import { checkFileRef } from './references.js';
import type { RunEntry } from './raw.js';

/** `pipeline_parameters` of one entry, against each other and against its pipeline and what KFP accepts. */

/** Each name given once; each `valueFrom` names one place. */
export function checkParameterEntries(run: RunEntry): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const first = new Map<string, number>();
  (run.value.pipeline_parameters ?? []).forEach((p, k) => {
    const seen = first.get(p.name);
    if (seen !== undefined)
      diagnostics.push({
        message: `Parameter '${p.name}' is given twice (also at line ${run.at(['pipeline_parameters', seen, 'name']).line}).`,
        location: run.at(['pipeline_parameters', k, 'name']),
        fix: 'keep one of the two entries.',
      });
    else first.set(p.name, k);
    if (p.valueFrom)
      diagnostics.push(...checkFileRef(p.valueFrom, run.at(['pipeline_parameters', k, 'valueFrom']), 'valueFrom'));
  });
  return diagnostics;
}

/**
 * Each parameter is an input of the pipeline, of its type (v2); every required input is given.
 * `values` holds the values that could be read (a missing value file is reported on its own).
 */
export function checkParameters(run: RunEntry, pipeline: Pipeline, values: Record<string, string>): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const params = run.value.pipeline_parameters ?? [];
  const inputs = new Map(pipeline.inputs.map((i) => [i.name, i]));
  const names = [...inputs.keys()];
  const what = `pipeline '${pipeline.name}'`;
  params.forEach((p, k) => {
    const input = inputs.get(p.name);
    if (!input) {
      diagnostics.push({
        message: `Parameter '${p.name}' is not an input of ${what}.${didYouMean(p.name, names)}`,
        location: run.at(['pipeline_parameters', k, 'name']),
        fix: names.length
          ? `remove it, or use one of its inputs: ${names.join(', ')}.`
          : 'remove it; this pipeline has no inputs.',
      });
      return;
    }
    const value = values[p.name];
    if (pipeline.kind === 'v2' && value !== undefined) {
      const typed = typedParameterValue(input, value);
      if (!typed.ok)
        diagnostics.push({
          message: `Parameter ${typed.reason}.`,
          location: run.at(['pipeline_parameters', k, p.valueFrom ? 'valueFrom' : 'value']),
          fix: `give a value of type ${input.type}.`,
        });
    }
  });
  // A parameter whose value file is missing was given (that error is reported on its own).
  const missing = pipeline.inputs.filter((i) => i.required && !params.some((p) => p.name === i.name));
  if (missing.length) {
    diagnostics.push({
      message: `${what} requires ${missing.map((m) => `'${m.name}'`).join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not given.`,
      location: run.value.pipeline_parameters !== undefined ? run.at(['pipeline_parameters'], true) : run.at(),
      fix: `add ${missing.map((m) => `{name: ${m.name}, value: …}`).join(', ')} to pipeline_parameters.`,
    });
  }
  return diagnostics;
}

/**
 * What KFP refuses on create beyond the pipeline's own declarations, for the values the reconciler sends
 * (empty values are not sent, as KFP drops them).
 */
export function checkKfpAccepts(
  run: RunEntry,
  pipeline: Pipeline,
  values: Record<string, string>,
  apiVersion: ApiVersion,
): Diagnostic[] {
  const sent = Object.entries(values).filter(([, v]) => v !== '');
  const location = run.at(['pipeline_parameters'], true);
  if (pipeline.kind === 'v2') {
    // template/v2_template.go validatePipelineJobInputs: a required input must have a value.
    return pipeline.inputs
      .filter((i) => i.required && values[i.name] === '')
      .map((i) => ({
        message: `Pipeline '${pipeline.name}' requires input '${i.name}', and its value is empty: an empty value is not sent, so KFP refuses the run.`,
        location,
        fix: `give '${i.name}' a value.`,
      }));
  }
  const diagnostics: Diagnostic[] = [];
  if (sent.length && apiVersion === 'v2beta1') {
    diagnostics.push({
      message: `'${pipeline.name}' is a KFP v1 (Argo) workflow with parameters, and KFP's v2beta1 API cannot pass parameters to v1 workflows: every apply would fail.`,
      location,
      fix: 'set api-version to v1beta1 for Argo workflows, or compile the pipeline with the KFP v2 SDK.',
    });
  }
  // server/api_converter.go toModelParameters: the serialized Argo parameters are capped (MAX_PARAMETER_BYTES).
  const bytes = argoParametersBytes(sent.map(([name, value]) => ({ name, value })));
  if (bytes > MAX_ARGO_PARAMETERS_BYTES) {
    diagnostics.push({
      message: `The parameters of '${pipeline.name}' take ${bytes} bytes as KFP stores them; KFP refuses more than ${MAX_ARGO_PARAMETERS_BYTES}.`,
      location,
      fix: 'pass large values by reference (a path or URI) instead of inline.',
    });
  }
  return diagnostics;
}
