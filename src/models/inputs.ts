import { type ActionContext, workingDirectory } from '../lib/action.js';
import type { Host } from '../lib/host.js';
import { type ModelListing, type SourceContext, type SourceRef, listModels } from './sources/index.js';

/** What model sources may use, from the shared inputs (working-directory, mlflow-*). */
export function modelSourceContext(ctx: ActionContext): SourceContext {
  const { inputs, host, env } = ctx;
  return {
    workspace: workingDirectory(ctx),
    root: ctx.workspace,
    env,
    mlflow: { trackingUri: inputs.optional('mlflow-tracking-uri'), token: inputs.optional('mlflow-token') },
    log: (m: string) => host.info(m),
  };
}

/** The trained models of a source, newest first, listed in a log group that says where they came from. */
export function listTrainedModels(host: Host, source: SourceRef, sourceCtx: SourceContext): Promise<ModelListing> {
  return host.group('Listing trained models', async () => {
    const l = await listModels(source, sourceCtx);
    host.info(`Source: ${l.origin}`);
    for (const n of l.notes) host.info(`note: ${n}`);
    const newest = l.models[0];
    const created = newest?.created?.toISOString();
    host.info(newest ? `Newest model: ${newest.id} (${newest.uri}), created ${created}` : 'No trained model found.');
    return l;
  });
}
