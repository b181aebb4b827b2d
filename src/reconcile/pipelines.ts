import { createHash } from 'node:crypto';
import { withoutKeys } from '../lib/yaml.js';
import { pipelineDiff, type PipelineContent } from './pipeline-diff.js';
import type { Origin } from './types.js';

/**
 * Registered pipelines as a reconciled resource, pure: git's pipelines.yaml against what KFP holds.
 * A version is uploaded when git's content differs from the newest version's (compared by a digest of
 * the content without volatile keys, recorded in the version's description, or by the content itself
 * for a version uploaded by hand); versions beyond keep_versions are deleted oldest first, never one a
 * recurring run uses. A pipeline this toolkit registered that left git is reported, never deleted.
 * A shared pipeline (multi-user KFP: no namespace) is matched among the shared ones only. A created
 * pipeline records the namespace that declares it, so that only that namespace reports it when it leaves
 * git: a shared one is seen by every namespace, and single-user KFP shows every pipeline to every folder.
 */
export interface TargetPipeline {
  name: string;
  description: string;
  /** Older versions kept besides the newest; -1 keeps all. */
  keepVersions: number;
  /** A shared pipeline (no namespace) rather than one of the namespace. */
  shared?: boolean;
  content: PipelineContent;
  /** The file as committed (what is uploaded) and its base name (KFP reads YAML or JSON by extension). */
  text: string;
  filename: string;
  origin?: Origin;
}

export interface ActualPipelineVersion {
  id: string;
  name: string;
  description: string;
  /** The version's spec as KFP answers it, when it did. */
  content?: PipelineContent;
}

export interface ActualPipeline {
  id: string;
  name: string;
  description: string;
  /** Listed among the shared pipelines (in single-user KFP every pipeline is listed both ways). */
  shared?: boolean;
  /** The namespace KFP reports ('' for a shared pipeline and on single-user KFP). */
  namespace?: string;
  /** Newest first. Only listed for pipelines git declares. */
  versions: readonly ActualPipelineVersion[];
}

export type PipelineStep =
  | { op: 'create-pipeline'; pipeline: string; description: string; shared?: boolean }
  | {
      op: 'upload-version';
      pipeline: string;
      version: string;
      description: string;
      filename: string;
      text: string;
      origin?: Origin;
    }
  | { op: 'delete-version'; pipeline: string; pipelineId: string; versionId: string; version: string; reason: string };

export interface PipelineChange {
  pipeline: string;
  kind: 'create' | 'upload' | 'prune' | 'orphan' | 'unchanged';
  reasons: string[];
  /** What changed inside the pipeline against the newest version. */
  diff: string[];
  steps: PipelineStep[];
  /** The pipeline's id when it exists. */
  pipelineId?: string;
  origin?: Origin;
}

export interface PipelinePlanOptions {
  now: Date;
  /** The namespace planned: a shared pipeline records it as its owner. */
  namespace?: string;
  /** The commit being applied: the start of new version names. */
  commit?: string;
  ignoreKeys: ReadonlySet<string>;
  /** Version ids some recurring run references: never deleted. */
  referenced: ReadonlySet<string>;
}

/** Marks pipelines this toolkit registered, so one that left git can be told from one made by hand. */
export const MANAGED = '[kfp-gitops: managed in git]';

/** Marks a pipeline with the namespace whose config declares it. */
export const ownerMark = (namespace: string) => `[kfp-gitops: declared for namespace ${namespace}]`;
const OWNER = /\[kfp-gitops: declared for namespace [^\]]*\]/;

const DIGEST = /\bsha256:([0-9a-f]{16})\b/;

/** A digest of the content as compared: volatile keys removed, keys in a stable order. */
export function contentDigest(c: PipelineContent, ignoreKeys: ReadonlySet<string>): string {
  const stable = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(stable)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, stable((v as Record<string, unknown>)[k])]),
          )
        : v;
  const text = JSON.stringify(stable(withoutKeys({ data: c.data, platform: c.platform ?? null }, ignoreKeys)));
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Version names: readable, sortable and unique, e.g. `abc1234-20261203T084100Z`. */
export function pipelineVersionName(now: Date, commit: string | undefined, taken: ReadonlySet<string>): string {
  for (let t = now.getTime(); ; t += 1000) {
    const stamp = new Date(t).toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z';
    const name = commit ? `${commit.slice(0, 7)}-${stamp}` : stamp;
    if (!taken.has(name)) return name;
  }
}

function sameContent(
  v: ActualPipelineVersion,
  desired: PipelineContent,
  digest: string,
  ignoreKeys: ReadonlySet<string>,
): boolean {
  const recorded = DIGEST.exec(v.description)?.[1];
  if (recorded) return recorded === digest;
  return !!v.content && pipelineDiff(v.content, desired, ignoreKeys).length === 0;
}

export function planPipelines(
  desired: readonly TargetPipeline[],
  actual: readonly ActualPipeline[],
  opts: PipelinePlanOptions,
): PipelineChange[] {
  const scoped = (name: string, shared: boolean | undefined) => `${shared ? 'shared' : 'ns'}:${name}`;
  const byName = new Map(actual.map((p) => [scoped(p.name, p.shared), p]));
  const changes: PipelineChange[] = [];
  for (const d of desired) {
    const a = byName.get(scoped(d.name, d.shared));
    const digest = contentDigest(d.content, opts.ignoreKeys);
    const versions = a?.versions ?? [];
    const newest = versions[0];
    const steps: PipelineStep[] = [];
    const reasons: string[] = [];
    let diff: string[] = [];
    if (!a) {
      const marks = opts.namespace !== undefined ? `${MANAGED}\n${ownerMark(opts.namespace)}` : MANAGED;
      steps.push({
        op: 'create-pipeline',
        pipeline: d.name,
        description: d.description ? `${d.description}\n\n${marks}` : marks,
        ...(d.shared ? { shared: true } : {}),
      });
      reasons.push(d.shared ? 'not in KFP (shared)' : 'not in KFP');
    }
    const upload = !newest || !sameContent(newest, d.content, digest, opts.ignoreKeys);
    if (upload) {
      if (a && newest) {
        diff = newest.content ? pipelineDiff(newest.content, d.content, opts.ignoreKeys) : ['content differs'];
        reasons.push(`git differs from the newest version ${newest.name}`);
      } else if (a) reasons.push('the pipeline has no version');
      const version = pipelineVersionName(opts.now, opts.commit, new Set(versions.map((v) => v.name)));
      steps.push({
        op: 'upload-version',
        pipeline: d.name,
        version,
        description: `sha256:${digest}`,
        filename: d.filename,
        text: d.text,
        ...(d.origin ? { origin: d.origin } : {}),
      });
    }
    // After an upload the new version is the newest, so every existing one counts as older.
    if (a && d.keepVersions >= 0) {
      const older = upload ? versions : versions.slice(1);
      const beyond = older.slice(d.keepVersions);
      const prunable = beyond.filter((v) => !opts.referenced.has(v.id));
      // Oldest first: a failure part-way keeps the newer ones.
      for (const v of [...prunable].reverse()) {
        steps.push({
          op: 'delete-version',
          pipeline: d.name,
          pipelineId: a.id,
          versionId: v.id,
          version: v.name,
          reason: `beyond keep_versions: ${d.keepVersions}`,
        });
      }
      if (prunable.length) reasons.push(`${prunable.length} version(s) beyond keep_versions: ${d.keepVersions}`);
      if (beyond.length > prunable.length)
        reasons.push(`${beyond.length - prunable.length} older version(s) kept: a recurring run uses them`);
    }
    const kind = !a ? 'create' : upload ? 'upload' : steps.length ? 'prune' : 'unchanged';
    changes.push({
      pipeline: d.name,
      kind,
      reasons,
      diff,
      steps,
      ...(a ? { pipelineId: a.id } : {}),
      ...(d.origin ? { origin: d.origin } : {}),
    });
  }
  const declared = new Set(desired.map((d) => d.name));
  const seen = new Set<string>();
  for (const a of actual) {
    // Single-user KFP lists every pipeline in both listings: one report each.
    if (seen.has(a.id)) continue;
    seen.add(a.id);
    if (declared.has(a.name) || !a.description.includes(MANAGED)) continue;
    // Reported by the namespace that declared it, not by every namespace that sees it. Without a mark
    // (registered by an earlier release) only a pipeline in this very namespace is known to be ours.
    const owner = OWNER.exec(a.description)?.[0];
    if (owner ? owner !== ownerMark(opts.namespace ?? '') : a.shared || (a.namespace ?? '') !== (opts.namespace ?? ''))
      continue;
    changes.push({
      pipeline: a.name,
      kind: 'orphan',
      reasons: [
        'registered from git, no longer in pipelines.yaml: left in KFP (delete it there if it is no longer needed)',
      ],
      diff: [],
      steps: [],
      pipelineId: a.id,
    });
  }
  return changes;
}
