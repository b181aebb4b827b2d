import { UserError } from '../../lib/errors.js';
import { MlflowClient, type MlflowModelVersion, mlflowOptions } from '../../mlflow/client.js';
import { normalizeTime } from '../../lib/clock.js';
import type { Model } from '../model.js';
import type { ModelListing, ModelSourceContext } from './types.js';

/** Pages of 20 versions; stop after this many without a READY one (something is badly wrong then). */
const MAX_PAGES = 10;

/**
 * `mlflow:<registered-model>`: the READY version with the highest version number.
 * `mlflow:<registered-model>@<alias>`: the version the alias points to (must be READY).
 */
export async function listMlflowModels(
  name: string,
  alias: string | undefined,
  ctx: ModelSourceContext,
): Promise<ModelListing> {
  const opts = mlflowOptions(ctx.mlflow, ctx.env);
  const client = new MlflowClient(opts);
  const origin = `MLflow registry ${opts.trackingUri}, model '${name}'${alias ? ` alias @${alias}` : ''}`;
  if (alias) {
    const v = await client.versionByAlias(name, alias);
    if (v.status && v.status !== 'READY') {
      throw new UserError(
        `${name}@${alias} points at version ${v.version}, whose status is ${v.status}${v.status_message ? ` (${v.status_message})` : ''}. Fix: wait for the registration to finish or move the alias to a READY version.`,
      );
    }
    return { models: [await toModel(client, v)], notes: [], origin };
  }
  const notes: string[] = [];
  const ready: MlflowModelVersion[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await client.searchModelVersions(name, { pageToken });
    for (const v of r.versions) {
      if (v.status === 'READY' || v.status === undefined) ready.push(v);
      else if (ready.length === 0)
        notes.push(`version ${v.version} is ${v.status}; skipped (only READY versions are used)`);
    }
    pageToken = r.nextPageToken;
    if (ready.length > 0 || !pageToken) break;
  }
  // Only the newest READY version is resolved (its URI may need one more request); the rest of the
  // page still helps to date the currently pinned model.
  const models = await Promise.all(ready.map((v, i) => (i === 0 ? toModel(client, v) : toModel(undefined, v))));
  return { models: models.filter((m): m is Model => m !== undefined), notes, origin };
}

async function toModel(client: MlflowClient | undefined, v: MlflowModelVersion): Promise<Model> {
  let uri = v.source ?? '';
  // MLflow 3 registers logged models with a `models:/m-…` source, which serving cannot load;
  // the download URI is the immutable artifact location.
  if ((uri.startsWith('models:/') || uri === '') && client) uri = await client.downloadUri(v.name, v.version);
  const created = normalizeTime(v.creation_timestamp);
  return {
    id: `models:/${v.name}/${v.version}`,
    uri: uri || `models:/${v.name}/${v.version}`,
    ...(created ? { created } : {}),
    version: v.version,
    ...(v.run_id ? { runId: v.run_id } : {}),
  };
}
