import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContextOf } from '../../lib/action.js';
import { CheckFailed, errorMessage } from '../../lib/errors.js';
import { reportDiagnostics } from '../../lib/report.js';
import { checkedOutCommit, status } from '../../lib/git.js';
import { commentOnPullRequest } from '../../lib/pr-comment.js';
import { loadConfigFolders } from '../../config/for-action.js';
import type { DesiredFolder } from '../../config/types.js';
import { createKfpClient } from '../../kfp/client.js';
import { KfpApiError } from '../../kfp/http.js';
import { kfpOptionsFromInputs } from '../../kfp/inputs.js';
import type { ApplyResult } from '../../reconcile/apply.js';
import { toTarget } from '../../reconcile/config-adapter.js';
import { countSteps } from '../../reconcile/plan.js';
import { namespaceResolver } from '../../reconcile/namespaces.js';
import { applyPlanned, observeAndPlanEach } from '../../reconcile/reconcile.js';
import { planFileJson } from '../../reconcile/shards.js';
import {
  type NamespaceError,
  describePipelineStep,
  planJson,
  planCommentKey,
  planMarkdown,
  planText,
  retriedText,
} from '../../reconcile/report.js';
import type { spec } from './spec.js';

export async function run(ctx: ContextOf<typeof spec>): Promise<void> {
  const { inputs, host, env } = ctx;
  const { mode, prune, parallelism } = inputs;
  const maxParallelRequests = inputs['max-parallel-requests'];
  const maxCatchupRuns = inputs['max-catchup-runs'];
  const defaultServiceAccount = inputs['default-service-account'];
  const ignoreKeys = inputs['ignore-keys'];
  const wantComment = inputs.comment;
  const token = inputs['github-token'] ?? env.GITHUB_TOKEN;
  const kfpOptions = kfpOptionsFromInputs(inputs);
  const now = ctx.now();

  // 1. Validate every config first: one error anywhere and nothing is written.
  const { root, state: loaded } = await loadConfigFolders(ctx, {
    patterns: inputs['config-folders'],
    token,
    now,
    apiVersion: kfpOptions.apiVersion,
  });
  const diagnostics = loaded.diagnostics;
  reportDiagnostics(host, diagnostics);
  const errors = diagnostics.filter((d) => d.severity !== 'warning');
  if (errors.length) {
    host.setOutput('plan', '[]');
    host.setOutput('changes', '0');
    host.setOutput('applied', 'false');
    throw new CheckFailed(`${errors.length} error(s) in the schedule configs; nothing was sent to KFP.`);
  }
  const namespaceOf = namespaceResolver(inputs['namespace-map'], kfpOptions.namespace, loaded.namespaces.length);

  // 2. Observe (one listing of experiments and of recurring runs per namespace, all namespaces at once) and plan.
  const client = createKfpClient({ ...kfpOptions, maxParallelRequests }, host);
  try {
    const desired = loaded.namespaces.map((folder) => toTarget(folder, namespaceOf(folder), defaultServiceAccount));
    // Uploaded pipeline versions are named after the commit; schedules-only configs never ask git.
    const commit =
      env.GITHUB_SHA || (desired.some((d) => d.pipelines?.length) ? await checkedOutCommit(root) : undefined);
    const { planned, failed } = await observeAndPlanEach(client, desired, {
      now,
      prune,
      ignoreKeys,
      maxCatchupRuns,
      defaultServiceAccount,
      commit,
    });
    // A namespace KFP would not list is reported on its own; the others go on.
    const errors: NamespaceError[] = failed.map((f) => ({ namespace: f.namespace, error: errorMessage(f.error) }));
    for (const e of errors) host.error(`${e.namespace}: cannot observe the namespace: ${e.error}`);
    const plans = planned.map((p) => p.plan);
    const changes = plans.reduce((n, p) => n + countSteps(p), 0);
    host.info(planText(plans));
    for (const p of plans) for (const w of p.warnings) host.warning(w);
    host.setOutput('plan', planJson(plans));
    host.setOutput('changes', String(changes));
    const observeFailed = () =>
      new CheckFailed(
        `${errors.length} namespace(s) could not be observed (${errors.map((e) => e.namespace).join(', ')}); see the errors above.`,
      );

    // 3. Apply.
    if (mode === 'plan' || changes === 0) {
      host.setOutput('applied', String(mode === 'apply' && errors.length === 0));
      const md = planMarkdown(plans, { mode, errors, retries: client.retries() });
      if (retriedText(client.retries())) host.info(retriedText(client.retries()));
      await host.appendSummary(md);
      await writePlanFile(ctx.workspace, inputs['plan-file'], {
        mode,
        plans,
        results: {},
        errors,
        retries: client.retries(),
      });
      if (mode === 'plan' && wantComment)
        await commentOnPullRequest(ctx, {
          key: planCommentKey(desired.map((d) => d.namespace)),
          body: md,
          token,
          what: 'plan',
        });
      if (errors.length) throw observeFailed();
      return;
    }
    const applied = commit || (await checkedOutCommit(root));
    const dirty = await uncommittedInputs(root, loaded.namespaces);
    if (dirty.length && applied) {
      host.warning(
        `Applying uncommitted changes (${dirty.slice(0, 5).join(', ')}${dirty.length > 5 ? ', …' : ''}): the lineage written to KFP names commit ${applied.slice(0, 12)}, which does not hold them. Commit first so KFP points at what it runs.`,
      );
    }
    // Every namespace at once: the client's max-parallel-requests bounds the requests in flight for the whole run.
    const results = new Map<string, ApplyResult>();
    await Promise.all(
      planned.map(async ({ plan: p, ...rest }) => {
        if (countSteps(p) === 0) return;
        host.info(`Applying ${countSteps(p)} write(s) to namespace ${p.namespace}`);
        const result = await applyPlanned(
          client,
          { plan: p, ...rest },
          {
            parallelism,
            lineage: (step) => lineage(applied, step.origin),
            pipelines: {
              lineage: (step) => lineage(applied, step.origin),
              onStep: (step, outcome, error) =>
                host.info(
                  `${outcome === 'failed' ? '✗' : '✓'} ${p.namespace}: ${describePipelineStep(step)}${error ? ` — ${error}` : ''}`,
                ),
            },
            // Refused credentials or permissions refuse every later write too: stop at the first.
            stopsAll: (err) => err instanceof KfpApiError && (err.status === 401 || err.status === 403),
            onStep: (step, outcome, error) =>
              host.info(
                `${outcome === 'failed' ? '✗' : outcome === 'undone' ? '↺' : '✓'} ${p.namespace}: ${step.op} ${'version' in step ? step.version : 'job' in step ? step.job.name : 'experiment' in step ? step.experiment : ''}${error ? ` — ${error}` : ''}`,
              ),
          },
        ).catch((err: unknown) => {
          errors.push({ namespace: p.namespace, error: errorMessage(err) });
          return undefined;
        });
        if (!result) return;
        results.set(p.namespace, result);
        const next = result.stopped ? ' No further write was tried in this namespace.' : ' The next run converges.';
        for (const f of result.failures)
          host.error(
            `${p.namespace}/${f.schedule}: ${f.step.op} failed: ${f.error}${f.undo ? ` (${f.undo})` : ''}.${next}`,
          );
      }),
    );
    const failures = [...results.values()].reduce((n, r) => n + r.failures.length, 0);
    const writes = [...results.values()].reduce((n, r) => n + r.writes, 0);
    host.setOutput('applied', String(failures === 0 && errors.length === 0));
    const retries = client.retries();
    if (retriedText(retries)) host.info(retriedText(retries));
    await host.appendSummary(planMarkdown(plans, { mode, results, errors, retries }));
    const planFile = { mode, plans, results: Object.fromEntries(results), errors, retries };
    await writePlanFile(ctx.workspace, inputs['plan-file'], planFile);
    const stopped = [...results.values()].some((r) => r.stopped !== undefined);
    const failedNamespaces = [
      ...new Set([
        ...[...results].filter(([, r]) => r.failures.length).map(([ns]) => ns),
        ...errors.map((e) => e.namespace),
      ]),
    ].sort();
    if (failures || errors.length) {
      throw new CheckFailed(
        `${failures} step(s) failed after ${writes} write(s)${errors.length ? `, ${errors.length} namespace(s) not reconciled` : ''} (namespaces: ${failedNamespaces.join(', ')}); the other namespaces were reconciled. See the errors above.${stopped ? ' Fix the credentials or permissions KFP refused, then re-run.' : ' The next run converges.'}`,
      );
    }
    host.info(`Applied ${writes} write(s).`);
  } finally {
    client.close();
  }
}

/** The plan and its outcome for a job that gathers shards (reconcile-shards gather); nothing when not asked. */
async function writePlanFile(
  workspace: string,
  file: string | undefined,
  content: Parameters<typeof planFileJson>[0],
): Promise<void> {
  if (!file) return;
  const where = path.resolve(workspace, file);
  await fs.mkdir(path.dirname(where), { recursive: true });
  await fs.writeFile(where, planFileJson(content));
}

/** "commit abc123 · file:line": what a created version or uploaded pipeline version records. */
function lineage(commit: string | undefined, origin: { file: string; line?: number } | undefined): string | undefined {
  return (
    [commit && `commit ${commit.slice(0, 12)}`, origin && `${origin.file}${origin.line ? `:${origin.line}` : ''}`]
      .filter(Boolean)
      .join(' · ') || undefined
  );
}

/** Config files and local pipeline files that differ from HEAD (none outside a git repository). */
async function uncommittedInputs(root: string, folders: readonly DesiredFolder[]): Promise<string[]> {
  const paths = new Set<string>();
  for (const f of folders) {
    paths.add(f.folder || '.');
    for (const j of f.jobs) if (j.pipeline?.source.type === 'local') paths.add(j.pipeline.source.path);
    for (const p of f.pipelines ?? []) if (p.pipeline.source.type === 'local') paths.add(p.pipeline.source.path);
  }
  const changed = await status(
    root,
    [...paths].map((p) => `:(literal)${p}`),
  ).catch(() => []);
  return changed.map((e) => e.path);
}
