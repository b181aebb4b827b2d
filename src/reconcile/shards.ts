import { UserError } from '../lib/errors.js';
import type { ApplyResult } from './apply.js';
import type { Plan } from './types.js';
import { type NamespaceError, planReplacer } from './report.js';

/**
 * A reconcile spread over jobs (GitHub Actions' matrix, or one CronJob per shard): the config folders cut
 * into shards, and the plan file each shard writes so that one job can gather them into one report.
 * Nothing here schedules work; it only says what each job reconciles and reads back what it did.
 */

/** GitHub runs at most 256 jobs of one matrix. */
export const MAX_SHARDS = 256;

/** One shard: what one matrix job reconciles. */
export interface Shard {
  /** 1-based, stable for the same folders and shard size. */
  index: number;
  /** Config folders relative to working-directory, one per line (push-reconcile's config-folders). */
  folders: string;
  /** Its namespaces, space separated (concurrency groups, messages). */
  namespaces: string;
}

/**
 * Cut folders (in the order push-reconcile would reconcile them) into shards of `size`. Two folders
 * reconciling one namespace are refused: their shards could apply it at the same time.
 */
export function cutShards(entries: readonly { folder: string; namespace: string }[], size: number): Shard[] {
  const seen = new Map<string, string>();
  for (const e of entries) {
    const other = seen.get(e.namespace);
    if (other !== undefined)
      throw new UserError(
        `Config folders '${other}' and '${e.folder}' both reconcile namespace '${e.namespace}'. Fix: give each namespace one folder (check namespace-map).`,
      );
    seen.set(e.namespace, e.folder);
  }
  const count = Math.ceil(entries.length / size);
  if (count > MAX_SHARDS)
    throw new UserError(
      `${entries.length} folder(s) in shards of ${size} make ${count} jobs; GitHub runs at most ${MAX_SHARDS} per matrix. Fix: set shard-size to ${Math.ceil(entries.length / MAX_SHARDS)} or more.`,
    );
  return Array.from({ length: count }, (_, i) => {
    const part = entries.slice(i * size, (i + 1) * size);
    return {
      index: i + 1,
      folders: part.map((e) => e.folder).join('\n'),
      namespaces: part.map((e) => e.namespace).join(' '),
    };
  });
}

const FORMAT = 'kfp-gitops-plan/1';

/** What one push-reconcile run planned and did: everything the single-job summary is made of. */
export interface PlanFile {
  mode: 'plan' | 'apply';
  plans: Plan[];
  /** Apply results by namespace (apply mode). */
  results: Record<string, ApplyResult>;
  errors: NamespaceError[];
  retries: Record<string, number>;
}

export function planFileJson(f: PlanFile): string {
  return JSON.stringify({ format: FORMAT, ...f }, planReplacer);
}

/** Read a plan file back; a file of another kind or version is refused by name. */
export function parsePlanFile(text: string, file: string): PlanFile {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UserError(
      `${file} is not JSON (${(err as Error).message}). Fix: give the files push-reconcile's plan-file wrote.`,
    );
  }
  const d = doc as Partial<PlanFile> & { format?: unknown };
  if (
    !d ||
    d.format !== FORMAT ||
    (d.mode !== 'plan' && d.mode !== 'apply') ||
    !Array.isArray(d.plans) ||
    !Array.isArray(d.errors) ||
    typeof d.results !== 'object' ||
    typeof d.retries !== 'object'
  )
    throw new UserError(
      `${file} is not a kfp-gitops plan file (${FORMAT}). Fix: give the files push-reconcile's plan-file wrote, by the same kfp-gitops version.`,
    );
  return { mode: d.mode, plans: d.plans, results: d.results!, errors: d.errors, retries: d.retries! };
}

/**
 * Many shards' plan files as one run's: plans, results, errors and retries together. A namespace a shard
 * was given but no file reports (its job failed before planning, or its file was lost) is an error of
 * its own, so the gathered report never reads as complete when it is not.
 */
export function gatherPlanFiles(
  files: readonly { file: string; content: PlanFile }[],
  opts: { mode: 'plan' | 'apply'; shards?: readonly Shard[] },
): {
  plans: Plan[];
  results: Map<string, ApplyResult>;
  errors: NamespaceError[];
  retries: Record<string, number>;
} {
  const plans: Plan[] = [];
  const results = new Map<string, ApplyResult>();
  const errors: NamespaceError[] = [];
  const retries: Record<string, number> = {};
  const reported = new Map<string, string>();
  for (const { file, content } of files) {
    if (content.mode !== opts.mode)
      throw new UserError(
        `${file} was written in ${content.mode} mode, but mode is ${opts.mode}. Fix: gather the files of one run.`,
      );
    for (const ns of [...content.plans, ...content.errors].map((x) => x.namespace)) {
      const other = reported.get(ns);
      if (other !== undefined && other !== file)
        throw new UserError(`Namespace '${ns}' is in both ${other} and ${file}. Fix: gather the files of one run.`);
      reported.set(ns, file);
    }
    plans.push(...content.plans);
    for (const [ns, r] of Object.entries(content.results)) results.set(ns, r);
    errors.push(...content.errors);
    for (const [call, n] of Object.entries(content.retries)) retries[call] = (retries[call] ?? 0) + n;
  }
  for (const shard of opts.shards ?? [])
    for (const ns of shard.namespaces.split(' ').filter(Boolean))
      if (!reported.has(ns))
        errors.push({
          namespace: ns,
          error: `shard ${shard.index} reported no plan: its job failed before planning (e.g. invalid configs); see that job's log.`,
        });
  return { plans, results, errors, retries };
}

/** The shards a list step printed (the gather step's `shards` input), checked. */
export function parseShards(text: string): Shard[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    doc = undefined;
  }
  const ok = (s: unknown): s is Shard =>
    !!s &&
    typeof (s as Shard).index === 'number' &&
    typeof (s as Shard).folders === 'string' &&
    typeof (s as Shard).namespaces === 'string';
  if (!Array.isArray(doc) || !doc.every(ok))
    throw new UserError(
      "Input 'shards' is not the JSON the list step printed. Fix: pass the list step's `shards` output unchanged.",
    );
  return doc;
}
