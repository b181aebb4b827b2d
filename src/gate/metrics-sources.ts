import fs from 'node:fs/promises';
import path from 'node:path';
import { type Diagnostic, UserError, formatLocation } from '../lib/errors.js';
import { readInputFile } from '../lib/files.js';
import { git, repoRoot } from '../lib/git.js';
import { resolveInside } from '../lib/inside.js';
import { runProcess } from '../lib/proc.js';
import { parseYaml, readYamlFile } from '../lib/yaml.js';
import { MlflowError, type MlflowClient } from '../mlflow/client.js';
import { formatOf, parseMetricsText } from './metrics.js';
import { type Rule, parseThresholds } from './thresholds.js';

/**
 * Where metrics come from, as written in the `metrics` and `baseline` inputs:
 *   path/to/metrics.json            a file (JSON, YAML or TOML), relative to working-directory
 *   git:<ref>                       the candidate metrics file as it is at <ref> (`git show <ref>:<path>`)
 *   git:<ref>:<path>                another file at <ref>, relative to working-directory
 *   mlflow:<run-id>                 a run's latest metrics
 *   mlflow:models:/<name>@<alias>   the metrics of the run behind a registered model's alias (the champion)
 */
export type MetricsSource =
  | { kind: 'file'; path: string }
  | { kind: 'git'; ref: string; path?: string }
  | { kind: 'mlflow-run'; runId: string }
  | { kind: 'mlflow-model'; name: string; alias: string };

export function parseMetricsSource(value: string, input: 'metrics' | 'baseline'): MetricsSource {
  if (value.startsWith('git:')) {
    if (input === 'metrics')
      throw new UserError(
        `Input 'metrics' cannot be a git: reference; the candidate is the file in the checkout. Fix: give the metrics file's path (git:<ref> is for 'baseline').`,
      );
    const rest = value.slice(4);
    const colon = rest.indexOf(':'); // a ref cannot contain ':' (git check-ref-format)
    const ref = colon >= 0 ? rest.slice(0, colon) : rest;
    const file = colon >= 0 ? rest.slice(colon + 1) : undefined;
    if (!ref || file === '')
      throw new UserError(
        `Input '${input}' "${value}" is not git:<ref> or git:<ref>:<path>. Fix: write e.g. git:origin/main.`,
      );
    return { kind: 'git', ref, path: file };
  }
  if (value.startsWith('mlflow:')) {
    const rest = value.slice(7);
    const model = /^models:\/([^@/]+)@([^/@]+)$/.exec(rest);
    if (model) return { kind: 'mlflow-model', name: model[1]!, alias: model[2]! };
    if (rest.startsWith('models:'))
      throw new UserError(
        `Input '${input}' "${value}" is not mlflow:models:/<name>@<alias>. Fix: write e.g. mlflow:models:/label-bot@champion.`,
      );
    if (!/^[\w-]+$/.test(rest))
      throw new UserError(
        `Input '${input}' "${value}" is not mlflow:<run-id>. Fix: give the run id, e.g. mlflow:4f1c2a9e0b7d4c3e8a6b5d2f1e0c9b8a.`,
      );
    return { kind: 'mlflow-run', runId: rest };
  }
  return { kind: 'file', path: value };
}

export interface LoadedMetrics {
  /** undefined when the source holds no metrics yet (a first model: no file at the base ref, no alias); `label` then says so. */
  metrics?: Map<string, unknown>;
  /** For the report: `metrics/candidate.json`, `metrics/candidate.json at origin/main`. */
  label: string;
}

export interface LoadContext {
  workdir: string;
  /** The checkout root that annotation paths are relative to. */
  workspace: string;
  /** The candidate metrics file (for `git:<ref>` without a path). */
  candidatePath?: string;
  /** Reads from MLflow; absent when MLflow is not available. */
  mlflow?: (source: Extract<MetricsSource, { kind: 'mlflow-run' | 'mlflow-model' }>) => Promise<LoadedMetrics>;
}

/** The real path of a file an input names, refused when it leads outside the checkout (symlinks included). */
function insideCheckout(given: string, workdir: string, workspace: string, input: string): string {
  const inside = resolveInside(workspace, given, workdir);
  if (!inside.ok) throw new UserError(`Input '${input}': ${inside.message} Fix: ${inside.fix}`);
  return inside.path;
}

/** A path as annotations and messages show it: relative to the checkout, with forward slashes. */
export function displayPath(abs: string, workspace: string): string {
  const rel = path.relative(workspace, abs);
  return (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs).split(path.sep).join('/');
}

export async function loadMetrics(
  source: MetricsSource,
  ctx: LoadContext,
  input: 'metrics' | 'baseline' | 'paired-predictions',
): Promise<LoadedMetrics> {
  switch (source.kind) {
    case 'file': {
      const abs = insideCheckout(source.path, ctx.workdir, ctx.workspace, input);
      const shown = displayPath(abs, ctx.workspace);
      const text = await readInputFile(abs, shown, { kind: input }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT')
          throw new UserError(
            `The ${input} file '${shown}' does not exist. Fix: check the '${input}' input (paths are relative to working-directory).`,
          );
        throw err;
      });
      return { metrics: await parseMetricsText(text, shown), label: code(shown) };
    }
    case 'git':
      return loadFromGit(source, ctx);
    default:
      if (!ctx.mlflow)
        throw new UserError(
          `Input '${input}': mlflow: sources are not supported yet. Fix: export the run's metrics to a JSON file and pass its path.`,
        );
      return ctx.mlflow(source);
  }
}

async function loadFromGit(source: { ref: string; path?: string }, ctx: LoadContext): Promise<LoadedMetrics> {
  const rel = source.path ?? ctx.candidatePath;
  if (!rel)
    throw new UserError(
      `Input 'baseline' git:${source.ref} needs the metrics file's path. Fix: write git:${source.ref}:<path>.`,
    );
  const root = await repoRoot(ctx.workdir).catch(() => {
    throw new UserError(
      `Input 'baseline' git:${source.ref}: ${ctx.workdir} is not inside a git repository. Fix: check out the repository (actions/checkout) or give a baseline file.`,
    );
  });
  insideCheckout(rel, ctx.workdir, root, 'baseline'); // read from git objects, but named like a checkout path
  const inRepo = path.relative(root, path.resolve(ctx.workdir, rel)).split(path.sep).join('/');
  const label = `${code(inRepo)} at ${code(source.ref)}`;
  const verify = await runProcess('git', ['rev-parse', '--verify', '--quiet', `${source.ref}^{commit}`], { cwd: root });
  if (verify.code !== 0) {
    throw new UserError(
      `Input 'baseline': git ref '${source.ref}' does not exist in this checkout. Fix: fetch it first (actions/checkout with fetch-depth: 0, or \`git fetch origin ${source.ref.replace(/^origin\//, '')}\`), or correct the ref.`,
    );
  }
  const shown = await runProcess('git', ['show', `${source.ref}:${inRepo}`], { cwd: root });
  if (shown.code !== 0) {
    // The file is not there at the base: a first model, handled by missing-baseline.
    const exists = await git(root, ['ls-tree', '--name-only', source.ref, '--', inRepo]).catch(() => '');
    if (!exists.trim()) return { metrics: undefined, label: `no ${label}` };
    throw new UserError(`git show ${source.ref}:${inRepo} failed: ${shown.stderr.trim()}`);
  }
  return { metrics: await parseMetricsText(shown.stdout, `${inRepo}@${source.ref}`, formatOf(inRepo)), label };
}

/**
 * Reads `mlflow:` sources with the MLflow client: a run's latest metrics, or those of the run behind a
 * model alias. An alias that does not exist yet (no champion) is a missing baseline, not an error.
 */
export function mlflowMetrics(
  client: Pick<MlflowClient, 'getRunMetrics' | 'versionByAlias'>,
): NonNullable<LoadContext['mlflow']> {
  return async (source) => {
    if (source.kind === 'mlflow-run') {
      return {
        metrics: new Map(Object.entries(await client.getRunMetrics(source.runId))),
        label: `MLflow run ${code(source.runId)}`,
      };
    }
    const uri = `models:/${source.name}@${source.alias}`;
    let version;
    try {
      version = await client.versionByAlias(source.name, source.alias);
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST')
        return { metrics: undefined, label: `no ${code(uri)} in MLflow` };
      throw err;
    }
    if (!version.run_id) {
      throw new UserError(
        `MLflow ${uri} (version ${version.version}) was registered without a run, so it has no metrics. Fix: register the model from a run (mlflow.register_model("runs:/<run-id>/model", …)), or give the baseline as a file.`,
      );
    }
    const metrics = await client.getRunMetrics(version.run_id);
    return {
      metrics: new Map(Object.entries(metrics)),
      label: `${code(uri)} (version ${version.version}, run ${code(version.run_id)})`,
    };
  };
}

function code(s: string): string {
  return `\`${s}\``;
}

export interface LoadedThresholds {
  rules: Rule[];
  /** The file's path as annotations show it; undefined for inline YAML. */
  file?: string;
}

/**
 * The `thresholds` input: a path to a YAML file, or the rules themselves as inline YAML (anything
 * with a newline, a leading `{` or a `key: value`). Problems are located in the file, or for inline
 * YAML by line in the message.
 */
export async function loadThresholds(value: string, workdir: string, workspace: string): Promise<LoadedThresholds> {
  const inline = value.includes('\n') || /^\s*\{/.test(value) || /:\s/.test(value);
  if (inline) {
    try {
      return { rules: parseThresholds(parseYaml(value, INLINE_THRESHOLDS)) };
    } catch (err) {
      if (err instanceof UserError) throw new UserError(err.message, forAnnotations(undefined, [...err.diagnostics]));
      throw err;
    }
  }
  const abs = insideCheckout(value, workdir, workspace, 'thresholds');
  const shown = displayPath(abs, workspace);
  const exists = await fs.stat(abs).then(
    () => true,
    () => false,
  );
  if (!exists)
    throw new UserError(
      `The thresholds file '${shown}' does not exist. Fix: check the 'thresholds' input (a YAML file relative to working-directory, or the rules as inline YAML).`,
    );
  return { rules: parseThresholds(await readYamlFile(abs, shown)), file: shown };
}

/** The file name used in messages about inline thresholds (no such file exists, so no annotation points at it). */
export const INLINE_THRESHOLDS = 'thresholds input';

/** Diagnostics ready to annotate: for inline thresholds the line goes into the message, not a file annotation. */
export function forAnnotations(file: string | undefined, diagnostics: Diagnostic[]): Diagnostic[] {
  if (file) return diagnostics;
  return diagnostics.map((d) =>
    d.location
      ? {
          ...d,
          message: `${d.message} (${formatLocation({ ...d.location, file: INLINE_THRESHOLDS })})`,
          location: undefined,
        }
      : d,
  );
}
