import fs from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import type { ContextOf } from '../../lib/action.js';
import { CheckFailed, UserError } from '../../lib/errors.js';
import { repoRoot } from '../../lib/git.js';
import { resolveInside } from '../../lib/inside.js';
import { commentOnPullRequest } from '../../lib/pr-comment.js';
import { reportDiagnostics } from '../../lib/report.js';
import { missingInputMessage } from '../../lib/inputs.js';
import { relPath, resolveConfigFolders } from '../../config/folders.js';
import { namespaceResolver } from '../../reconcile/namespaces.js';
import { countSteps } from '../../reconcile/plan.js';
import { planCommentKey, planJson, planMarkdown, planText, retriedText } from '../../reconcile/report.js';
import { cutShards, gatherPlanFiles, parsePlanFile, parseShards } from '../../reconcile/shards.js';
import { spec } from './spec.js';

type Context = ContextOf<typeof spec>;

const GLOB = /[*?[\]{}]/;

export async function run(ctx: Context): Promise<void> {
  await (ctx.inputs.step === 'list' ? list(ctx) : gather(ctx));
}

/** The config folders as push-reconcile resolves them, cut into shards. */
async function list(ctx: Context): Promise<void> {
  const { inputs, host } = ctx;
  const patterns = inputs['config-folders'];
  if (patterns.length === 0) throw new UserError(missingInputMessage(spec, 'config-folders'));
  const size = inputs['shard-size'];
  const workdir = inputs['working-directory'];
  const root = await repoRoot(workdir).catch(() => ctx.workspace);
  const found = await resolveConfigFolders(workdir, patterns, root);
  reportDiagnostics(host, found.diagnostics);
  if (found.diagnostics.length)
    throw new CheckFailed(`${found.diagnostics.length} error(s) in config-folders; no shard was listed.`);
  const namespaceOf = namespaceResolver(inputs['namespace-map'], inputs.namespace, found.folders.length);
  const entries = found.folders.map((abs) => {
    const folder = relPath(workdir, abs);
    // A shard passes its folders on as config-folders, where such a name would be read as a glob.
    if (GLOB.test(folder))
      throw new UserError(
        `Config folder '${folder}' has a glob character (* ? [ ] { }) in its name, so a shard cannot name it alone. Fix: rename the folder.`,
      );
    return { folder, namespace: namespaceOf({ folder: relPath(root, abs), namespace: path.basename(abs) }) };
  });
  const shards = cutShards(entries, size || entries.length);
  host.setOutput('shards', JSON.stringify(shards));
  host.setOutput('count', String(shards.length));
  for (const s of shards) host.info(`Shard ${s.index}: ${s.namespaces}`);
  host.info(`${entries.length} config folder(s) in ${shards.length} shard(s) of at most ${size || entries.length}.`);
}

/** Every shard's plan file as one report: one comment, one summary, one verdict. */
async function gather(ctx: Context): Promise<void> {
  const { inputs, host, env } = ctx;
  const { mode } = inputs;
  const patterns = inputs.plans;
  if (patterns.length === 0) throw new UserError(missingInputMessage(spec, 'plans'));
  const shards = inputs.shards === undefined ? undefined : parseShards(inputs.shards);
  const wantComment = inputs.comment;
  const workdir = inputs['working-directory'];
  const files = await planFiles(ctx.workspace, workdir, patterns);
  if (files.length === 0 && !shards)
    throw new UserError(
      `No plan file matches plans (${patterns.join(', ')}). Fix: give the files push-reconcile's plan-file wrote.`,
    );
  const read = await Promise.all(
    files.map(async (file) => {
      const name = relPath(ctx.workspace, file);
      return { file: name, content: parsePlanFile(await fs.readFile(file, 'utf8'), name) };
    }),
  );
  const { plans, results, errors, retries } = gatherPlanFiles(read, { mode, shards });
  host.info(`Gathered ${read.length} plan file(s): ${plans.length} namespace(s).`);
  for (const e of errors) host.error(`${e.namespace}: ${e.error}`);
  host.info(planText(plans));
  if (retriedText(retries)) host.info(retriedText(retries));
  const failures = [...results.values()].reduce((n, r) => n + r.failures.length, 0);
  host.setOutput('plan', planJson(plans));
  host.setOutput('changes', String(plans.reduce((n, p) => n + countSteps(p), 0)));
  host.setOutput('applied', String(mode === 'apply' && failures === 0 && errors.length === 0));
  const md = planMarkdown(plans, { mode, results, errors, retries });
  await host.appendSummary(md);
  if (mode === 'plan' && wantComment) {
    const namespaces = shards
      ? shards.flatMap((s) => s.namespaces.split(' ').filter(Boolean))
      : [...plans, ...errors].map((x) => x.namespace);
    const token = inputs['github-token'] ?? env.GITHUB_TOKEN;
    await commentOnPullRequest(ctx, { key: planCommentKey(namespaces), body: md, token, what: 'plan' });
  }
  if (failures || errors.length) {
    const failed = [
      ...new Set([
        ...[...results].filter(([, r]) => r.failures.length).map(([ns]) => ns),
        ...errors.map((e) => e.namespace),
      ]),
    ].sort();
    throw new CheckFailed(
      `${failed.length} namespace(s) failed (${failed.join(', ')}); the other namespaces' shards were reconciled. See the errors above and each shard's log.`,
    );
  }
}

/** The files `plans` names (paths or globs relative to working-directory), each inside the checkout. */
async function planFiles(workspace: string, workdir: string, patterns: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    const matches = GLOB.test(pattern)
      ? (await glob(pattern, { cwd: workdir, absolute: true, onlyFiles: true })).sort()
      : [path.resolve(workdir, pattern)];
    for (const m of matches) {
      const inside = resolveInside(workspace, m);
      if (!inside.ok) throw new UserError(`Input 'plans': ${inside.message} Fix: ${inside.fix}`);
      if (!inside.exists)
        throw new UserError(
          `Input 'plans': ${relPath(workspace, m)} does not exist. Fix: correct the path or use a glob.`,
        );
      files.push(inside.path);
    }
  }
  return [...new Set(files)];
}
