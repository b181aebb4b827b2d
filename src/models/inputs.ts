import { type ActionContext, workingDirectory } from '../lib/action.js';
import type { ActionSpec } from '../lib/spec.js';
import type { ModelSourceContext } from './sources/types.js';

/** Inputs shared by the actions that read trained models (model-freshness, open-model-pr). */
export const modelSourceInputs: ActionSpec['inputs'] = {
  'model-source': {
    description:
      'Where trained models are listed: `mlflow:<registered-model>` (newest READY version by version number), `mlflow:<name>@<alias>`, `file:<path-or-https-url>` (a JSON/YAML pointer `{id, uri, created}`, a list of them, or `{models: [...]}`, written by the training job; a missing file means no model yet), or `command:<cmd>` (run with bash from working-directory, printing that JSON).',
  },
  'mlflow-tracking-uri': {
    description:
      'MLflow tracking server URL for `mlflow:` sources. Defaults to the MLFLOW_TRACKING_URI environment variable.',
  },
  'mlflow-token': {
    description:
      'Bearer token for the MLflow server. Defaults to MLFLOW_TRACKING_TOKEN (MLFLOW_TRACKING_USERNAME/PASSWORD give basic auth).',
    secret: true,
  },
  'working-directory': {
    description: 'Folder that `file:` paths and `command:` commands are relative to.',
    default: '.',
  },
};

/** What model sources may use, from the shared inputs (working-directory, mlflow-*). */
export function modelSourceContext(ctx: ActionContext): ModelSourceContext {
  const { inputs, host, env } = ctx;
  return {
    workspace: workingDirectory(ctx),
    root: ctx.workspace,
    env,
    mlflow: { trackingUri: inputs.optional('mlflow-tracking-uri'), token: inputs.optional('mlflow-token') },
    log: (m: string) => host.info(m),
  };
}
