/**
 * What KFP refuses when an object is created, for the checks that must refuse it first (the config
 * checker, run-pipeline) and for the emulator that refuses it as KFP does. Paths are in
 * kubeflow/pipelines backend/src/apiserver, tag 2.17.0.
 */

/** validation/length.go: Experiment.Name ≤ 128, counted by Go's len(): bytes of UTF-8, not characters. */
export const MAX_EXPERIMENT_NAME_BYTES = 128;

/** The only IR schema KFP takes (template/v2_template.go NewV2SpecTemplate). */
export const IR_SCHEMA_VERSION = '2.1.0';

/** common/util/consts.go GetMaxParameterBytes: the default of MAX_PARAMETER_BYTES. */
export const MAX_ARGO_PARAMETERS_BYTES = 10_000;

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/**
 * The size KFP measures for v1 Argo parameters (server/api_converter.go toModelParameters): the list
 * marshalled by Go's encoding/json, where an empty value is omitted and <, >, & are written as \u003c….
 */
export function argoParametersBytes(parameters: readonly { name: string; value: string }[]): number {
  const json = JSON.stringify(
    parameters.map((p) => (p.value === '' ? { name: p.name } : { name: p.name, value: p.value })),
  );
  return utf8Bytes(json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
