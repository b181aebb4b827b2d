/** Inputs shared by the actions that compare pipeline files (check-rendered, push-reconcile). */

/** Keys the KFP SDK rewrites on every compile (the time, its own version): a difference there is no change. */
export const DEFAULT_IGNORE_KEYS = [
  'pipelines.kubeflow.org/pipeline_compilation_time',
  'pipelines.kubeflow.org/kfp_sdk_version',
];
