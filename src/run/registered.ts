import { UserError } from '../lib/errors.js';
import { didYouMean } from '../lib/suggest.js';
import { findByName } from '../kfp/collation.js';
import { specText } from '../kfp/client.js';
import type { KfpClient, KfpPipeline, KfpPipelineVersion } from '../kfp/types.js';

/**
 * `pipeline: kfp:<name>[@<version>]`: a pipeline registered in KFP (by pipelines.yaml and push-reconcile,
 * the KFP UI or KFP's Kubernetes-native API), run by version instead of from a file in the checkout.
 */
export interface RegisteredRef {
  name: string;
  /** A version name; absent: the newest version. */
  version?: string;
}

const PREFIX = 'kfp:';

/** The reference a `kfp:` input names, or undefined for a file path. */
export function parseRegisteredRef(input: string): RegisteredRef | undefined {
  if (!input.startsWith(PREFIX)) return undefined;
  const rest = input.slice(PREFIX.length).trim();
  const at = rest.lastIndexOf('@');
  const name = (at > 0 ? rest.slice(0, at) : rest).trim();
  const version = at > 0 ? rest.slice(at + 1).trim() : undefined;
  if (!name || version === '')
    throw new UserError(
      `Input 'pipeline': '${input}' names no ${name ? 'version after @' : 'pipeline'}. Fix: write kfp:<pipeline name> to run its newest version, or kfp:<pipeline name>@<version name>.`,
    );
  return version ? { name, version } : { name };
}

export interface RegisteredVersion {
  pipeline: KfpPipeline;
  version: KfpPipelineVersion;
  /** The version's pipeline file as KFP stores it. */
  text: string;
  /** How reports name it: `kfp:<pipeline>@<version>`. */
  display: string;
}

/**
 * Find the pipeline (the namespace's first, then the shared ones: pipeline_server.go listPipelines answers
 * the shared pipelines for an empty namespace) and its version: the one named, else the newest.
 */
export async function findRegistered(
  client: KfpClient,
  ref: RegisteredRef,
  namespace: string,
): Promise<RegisteredVersion> {
  const own = namespace ? await client.listPipelines(namespace) : [];
  const shared = await client.listPipelines('');
  const pipeline = findByName(own, ref.name, (p) => p.name) ?? findByName(shared, ref.name, (p) => p.name);
  if (!pipeline) {
    const names = [...new Set([...own, ...shared].map((p) => p.name))];
    const where = namespace ? `in namespace '${namespace}' nor among the shared pipelines` : 'in KFP';
    throw new UserError(
      `Pipeline '${ref.name}' is not registered ${where}.${didYouMean(ref.name, names)} Fix: register it first (an entry in the config folder's pipelines.yaml, applied by push-reconcile), or name a registered pipeline${names.length ? ` (${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''})` : ''}; a compiled file in the checkout is given as a path, without kfp:.`,
    );
  }
  const versions = await client.listPipelineVersions(pipeline.id); // newest first
  const newest = versions[0];
  if (!newest)
    throw new UserError(
      `Pipeline '${pipeline.name}' has no version to run. Fix: upload one (push-reconcile with pipelines.yaml, or the KFP UI).`,
    );
  const version = ref.version ? findByName(versions, ref.version, (v) => v.name) : newest;
  if (!version) {
    const names = versions.map((v) => v.name);
    throw new UserError(
      `Pipeline '${pipeline.name}' has no version '${ref.version}'.${didYouMean(ref.version!, names)} Its newest versions: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}. Fix: give one of them after @, or write kfp:${pipeline.name} to run the newest (${newest.name}).`,
    );
  }
  const text = version.spec ? specText(version.spec) : await client.getPipelineVersionSpec(pipeline.id, version.id);
  return { pipeline, version, text, display: `kfp:${pipeline.name}@${version.name}` };
}
