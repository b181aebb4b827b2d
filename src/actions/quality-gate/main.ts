import type { ActionContext, ContextOf } from '../../lib/action.js';
import { CheckFailed, UserError, errorMessage } from '../../lib/errors.js';
import { COMMENT_LIMIT, SUMMARY_LIMIT } from '../../lib/markdown.js';
import { reportDiagnostics } from '../../lib/report.js';
import { commentOnPullRequest } from '../../lib/pr-comment.js';
import { evaluate } from '../../gate/evaluate.js';
import { trendCharts } from '../../gate/chart.js';
import { metricsHistory } from '../../gate/history.js';
import { pairedOutcomes } from '../../gate/paired.js';
import { formatNumber } from '../../gate/numbers.js';
import {
  notEvaluatedMarkdown,
  gateMarkdown,
  resultsJson,
  ruleDiagnostics,
  sortForReport,
  verdict,
} from '../../gate/report.js';
import {
  type LoadContext,
  forAnnotations,
  loadMetrics,
  loadThresholds,
  mlflowMetrics,
  parseMetricsSource,
} from '../../gate/metrics-sources.js';
import type { spec } from './spec.js';

type Context = ContextOf<typeof spec>;

/** Room left in a comment for the sticky marker and in a PR body for open-model-pr's own text. */
const REPORT_LIMIT = COMMENT_LIMIT - 4096;

export async function run(ctx: Context): Promise<void> {
  const { inputs, host } = ctx;
  const title = inputs.title;
  let outputsSet = false;
  try {
    const missingBaseline = inputs['missing-baseline'];
    const wantComment = inputs.comment;
    const metricsInput = inputs.metrics;
    const thresholdsInput = inputs.thresholds;
    const baselineInput = inputs.baseline;
    const workdir = inputs['working-directory'];

    const { rules, file: thresholdsFile } = await loadThresholds(thresholdsInput, workdir, ctx.workspace);

    const candidateSource = parseMetricsSource(metricsInput, 'metrics');
    const baselineSource = baselineInput ? parseMetricsSource(baselineInput, 'baseline') : undefined;
    const load: LoadContext = {
      workdir,
      workspace: ctx.workspace,
      candidatePath: candidateSource.kind === 'file' ? candidateSource.path : undefined,
      mlflow:
        candidateSource.kind.startsWith('mlflow') || baselineSource?.kind.startsWith('mlflow')
          ? await mlflowLoader(ctx)
          : undefined,
    };
    const candidate = await loadMetrics(candidateSource, load, 'metrics');
    if (!candidate.metrics)
      throw new UserError(`No candidate metrics at ${plain(candidate.label)}. Fix: check the 'metrics' input.`);
    const baseline = baselineSource ? await loadMetrics(baselineSource, load, 'baseline') : undefined;
    const pairedInput = inputs['paired-predictions'];
    const paired = pairedInput
      ? await loadMetrics({ kind: 'file', path: pairedInput }, load, 'paired-predictions')
      : undefined;
    host.info(`Candidate: ${candidate.metrics.size} metric(s) from ${plain(candidate.label)}.`);
    if (baseline?.metrics) host.info(`Baseline: ${baseline.metrics.size} metric(s) from ${plain(baseline.label)}.`);
    else
      host.info(
        `Baseline: ${baseline ? plain(baseline.label) : 'none given'}; change checks ${missingBaseline} (missing-baseline: ${missingBaseline}).`,
      );

    const result = evaluate(rules, candidate.metrics, baseline?.metrics, {
      missingBaseline,
      paired: paired?.metrics && pairedOutcomes(paired.metrics, plain(paired.label)),
    });

    const sources = [
      `**Candidate:** ${candidate.label}`,
      `**Baseline:** ${baseline ? baseline.label : 'none'}${baseline?.metrics ? '' : ` — change checks ${missingBaseline} (\`missing-baseline: ${missingBaseline}\`)`}`,
      ...(paired ? [`**Paired predictions:** ${paired.label} (significance by McNemar's test)`] : []),
      `**Thresholds:** ${thresholdsFile ? `\`${thresholdsFile}\`` : 'inline'} (${rules.length} rule${rules.length === 1 ? '' : 's'})`,
    ];
    const trends = await championTrends(
      ctx,
      workdir,
      candidateSource.kind === 'file' ? candidateSource.path : undefined,
      candidate.metrics,
    );
    const report = gateMarkdown(result, { title, sources, limit: REPORT_LIMIT, charts: true, trends });
    host.setOutput('passed', String(result.passed));
    host.setOutput('results', resultsJson(result));
    host.setOutput('report', report);
    outputsSet = true;

    // The log lists what needs attention; every row, passes included, is in the job summary.
    await host.group(`${result.results.length} check(s)`, async () => {
      const rows = sortForReport(result.results);
      for (const r of rows.filter((r) => r.status !== 'pass')) {
        const value = r.candidate === undefined ? '—' : formatNumber(r.candidate);
        host.info(
          `${r.status.toUpperCase().padEnd(4)} ${r.metric} = ${value}  [${r.ruleText}]${r.reasons.length ? `  ${r.reasons.join('; ')}` : ''}`,
        );
      }
      const passed = rows.filter((r) => r.status === 'pass').length;
      if (passed) host.info(`PASS ${passed} check(s); every row is in the job summary.`);
    });
    reportDiagnostics(host, forAnnotations(thresholdsFile, ruleDiagnostics(result)));
    await host.appendSummary(
      gateMarkdown(result, { title, sources, limit: SUMMARY_LIMIT - 4096, charts: true, trends }),
    );
    if (wantComment)
      await commentOnPullRequest(ctx, {
        key: commentKey(title),
        body: report,
        token: inputs.token,
        what: 'report',
      });

    const line = verdict(result, title);
    if (!result.passed) throw new CheckFailed(line);
    host.info(line);
  } catch (err) {
    if (!outputsSet && !(err instanceof CheckFailed)) {
      const report = notEvaluatedMarkdown(title, err);
      host.setOutput('passed', 'false');
      host.setOutput('results', JSON.stringify({ passed: false, error: errorMessage(err) }));
      host.setOutput('report', report);
      // A sticky comment from an earlier run may still say "passed" while the check is now red: replace it.
      if (err instanceof UserError && (await inPullRequest(ctx)) && inputs.comment) {
        await commentOnPullRequest(ctx, {
          key: commentKey(title),
          body: report,
          token: inputs.token,
          what: 'report',
        });
      }
    }
    throw err;
  }
}

/** With `history: git:<ref>[:<path>]`, a trend chart per headline metric over the last champions. */
async function championTrends(
  ctx: Context,
  workdir: string,
  candidatePath: string | undefined,
  candidate: Map<string, unknown>,
): Promise<string[]> {
  const value = ctx.inputs.history;
  if (!value) return [];
  const m = /^git:([^:]+)(?::(.+))?$/.exec(value);
  if (!m)
    throw new UserError(
      `Input 'history' "${value}" is not git:<ref> or git:<ref>:<path>. Fix: write e.g. git:origin/main.`,
    );
  const file = m[2] ?? candidatePath;
  if (!file)
    throw new UserError(`Input 'history' ${value} needs the metrics file's path. Fix: write git:${m[1]}:<path>.`);
  const count = ctx.inputs['history-length'];
  const points = await metricsHistory(workdir, m[1]!, file, count);
  ctx.host.info(`History: ${points.length} champion(s) of ${file} on ${m[1]}.`);
  return trendCharts(points, candidate);
}

/** Outside a pull request the error path says nothing about comments (there is no report to point to). */
async function inPullRequest(ctx: ActionContext): Promise<boolean> {
  const { pullRequestFromEvent } = await import('../../lib/github.js');
  try {
    return pullRequestFromEvent(ctx.env) !== undefined;
  } catch {
    return false;
  }
}

function plain(label: string): string {
  return label.replace(/`/g, '');
}

async function mlflowLoader(ctx: Context): Promise<LoadContext['mlflow']> {
  const { MlflowClient, mlflowOptions } = await import('../../mlflow/client.js');
  const options = mlflowOptions(
    { trackingUri: ctx.inputs['mlflow-tracking-uri'], token: ctx.inputs['mlflow-token'] },
    ctx.env,
  );
  for (const secret of [options.token, options.password]) if (secret) ctx.host.setSecret(secret);
  return mlflowMetrics(new MlflowClient(options));
}

/** One sticky comment per gate title: `quality-gate`, or `quality-gate:label-bot` for title "Label bot". */
export function commentKey(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug === 'quality-gate' || !slug ? 'quality-gate' : `quality-gate:${slug}`;
}
