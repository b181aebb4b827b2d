import { UserError } from '../../lib/errors.js';
import { didYouMean } from '../../lib/suggest.js';
import { listCommandModels } from './command.js';
import { listFileModels } from './file.js';
import { listMlflowModels } from './mlflow.js';
import type { Host } from '../../lib/host.js';
import type { ModelListing, ModelSourceContext } from './types.js';

export type { ModelListing, ModelSourceContext } from './types.js';

/** A parsed `model-source` value. */
export type ModelSourceRef =
  | { kind: 'mlflow'; name: string; alias?: string }
  | { kind: 'file'; location: string }
  | { kind: 'command'; command: string };

const KINDS = ['mlflow', 'file', 'command'];
const FORMS = 'mlflow:<registered-model>[@alias], file:<path-or-https-url>, command:<command>';

export function parseModelSource(text: string): ModelSourceRef {
  const value = text.trim();
  const colon = value.indexOf(':');
  const kind = colon > 0 ? value.slice(0, colon) : '';
  const rest = value.slice(colon + 1).trim();
  if (!KINDS.includes(kind)) {
    throw new UserError(
      `model-source '${value}' has no known kind.${didYouMean(kind || value, KINDS)} Fix: use one of ${FORMS}.`,
    );
  }
  if (!rest)
    throw new UserError(`model-source '${value}' is missing what follows '${kind}:'. Fix: use one of ${FORMS}.`);
  if (kind === 'mlflow') {
    const at = rest.lastIndexOf('@');
    const name = at > 0 ? rest.slice(0, at) : rest;
    const alias = at > 0 ? rest.slice(at + 1) : undefined;
    if (alias === '')
      throw new UserError(
        `model-source '${value}' has an empty alias. Fix: write mlflow:${name}@<alias> or mlflow:${name}.`,
      );
    return { kind, name, ...(alias ? { alias } : {}) };
  }
  return kind === 'file' ? { kind, location: rest } : { kind: 'command', command: rest };
}

/** List the usable models of a source, newest first. */
export async function listModels(ref: ModelSourceRef, ctx: ModelSourceContext): Promise<ModelListing> {
  switch (ref.kind) {
    case 'mlflow':
      return listMlflowModels(ref.name, ref.alias, ctx);
    case 'file':
      return listFileModels(ref.location, ctx);
    case 'command':
      return listCommandModels(ref.command, ctx);
  }
}

/** The trained models of a source, newest first, listed in a log group that says where they came from. */
export function listTrainedModels(
  host: Host,
  source: ModelSourceRef,
  sourceCtx: ModelSourceContext,
): Promise<ModelListing> {
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
