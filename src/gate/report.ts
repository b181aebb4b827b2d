import { type Diagnostic, UserError, errorMessage, formatDiagnostic } from '../lib/errors.js';
import { code, escapeCell, text } from '../lib/markdown.js';
import type { GateResult, MetricResult, Status } from './evaluate.js';
import { metricCharts } from './chart.js';
import { formatBound, formatNumber, formatPercent, formatSigned } from './numbers.js';
import type { Interval } from './stats.js';

const ORDER: Record<Status, number> = { fail: 0, warn: 1, skip: 2, pass: 3 };
const ICON: Record<Status, string> = { fail: '❌', warn: '⚠️', skip: '➖', pass: '✅' };

/** Failures first, then warnings, skips and passes; the evaluation order within each. */
export function sortForReport(results: readonly MetricResult[]): MetricResult[] {
  return results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => ORDER[a.r.status] - ORDER[b.r.status] || a.i - b.i)
    .map(({ r }) => r);
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function names(results: readonly MetricResult[], status: Status, max = 3): string {
  const hit = results.filter((r) => r.status === status).map((r) => r.metric);
  return hit.slice(0, max).join(', ') + (hit.length > max ? ` and ${hit.length - max} more` : '');
}

/** One line that says it all: `❌ Quality gate failed: 2 of 54 checks failed (a, b); 1 warning (c).` */
export function verdict(result: GateResult, title = 'Quality gate'): string {
  const { counts, results } = result;
  const total = results.length;
  const extras: string[] = [];
  if (counts.warn) extras.push(`${plural(counts.warn, 'warning')} (${names(results, 'warn')})`);
  if (counts.skip) extras.push(`${counts.skip} skipped`);
  const tail = extras.length ? `; ${extras.join('; ')}` : '';
  if (!result.passed)
    return `❌ ${title} failed: ${counts.fail} of ${plural(total, 'check')} failed (${names(results, 'fail')})${tail}.`;
  return `${counts.warn ? '⚠️' : '✅'} ${title} passed: ${counts.pass} of ${plural(total, 'check')} passed${tail}.`;
}

const HEADERS = ['metric', 'baseline', 'candidate', 'Δ', 'Δ%', 'rule', 'status'];

/** `0.62 (0.474–0.751, n=45)`: a `{value, n}` metric with its 95 % Wilson interval. */
function valueCell(n: number | undefined, interval: Interval | undefined, count: number | undefined): string {
  if (n === undefined) return '—';
  if (!interval || count === undefined) return formatNumber(n);
  return `${formatNumber(n)} (${formatBound(interval.lo)}–${formatBound(interval.hi)}, n=${count})`;
}

function signedBound(n: number): string {
  return formatSigned(Number(n.toFixed(3)));
}

/** What the significance test saw: Newcombe's interval for Δ, or McNemar's p on paired predictions. */
function deltaNote(r: MetricResult): string {
  if (r.pairedTest) return ` (McNemar p=${formatNumber(Number(r.pairedTest.p.toPrecision(2)))})`;
  const di = r.deltaInterval;
  return di ? ` (${signedBound(di.lo)} to ${signedBound(di.hi)})` : '';
}

function row(r: MetricResult): string {
  const status = `${ICON[r.status]} ${r.status}${r.reasons.length ? `: ${r.reasons.join('; ')}` : ''}`;
  const cells = [
    code(r.metric),
    valueCell(r.baseline, r.baselineInterval, r.baselineN),
    valueCell(r.candidate, r.candidateInterval, r.candidateN),
    r.delta === undefined ? '—' : formatSigned(r.delta) + deltaNote(r),
    r.relativeDelta === undefined ? '—' : formatPercent(r.relativeDelta),
    r.ruleText,
    status,
  ];
  return `| ${cells.map(escapeCell).join(' | ')} |`;
}

export interface ReportOptions {
  title?: string;
  /** Lines under the verdict: where the metrics, baseline and thresholds came from. */
  sources?: string[];
  /** Largest size in characters (a comment: 65,536; a job summary: 1 MiB). */
  limit: number;
  /** Mermaid charts of candidate vs baseline per metric group above the table, in at most a quarter of `limit`. */
  charts?: boolean;
  /** Trend charts (the last champions and the candidate), shown after the group charts. */
  trends?: readonly string[];
}

/** The charts that fit in `room` characters, whole, and a note for those that do not. */
function chartsSection(result: GateResult, room: number, trends: readonly string[]): string {
  const charts = [...metricCharts(result.results), ...trends];
  if (!charts.length) return '';
  let md = '';
  let shown = 0;
  for (const c of charts) {
    if (md.length + c.length + 1 > room) break;
    md += `${c}\n`;
    shown++;
  }
  const left = charts.length - shown;
  return md + (left ? `… ${plural(left, 'chart')} not shown to stay within GitHub's size limit.\n\n` : '');
}

/**
 * The markdown report: a heading with the verdict, the sources, and the table
 * `metric | baseline | candidate | Δ | Δ% | rule | status` (with `{value, n}` metrics, the value's 95 %
 * Wilson interval, and Newcombe's interval for Δ when a rule has `significance`), failures, warnings and skips first;
 * passing rows follow in a collapsed `<details>` so a PR comment shows what matters. When the rows
 * do not fit in `limit`, the first ones are kept (the failures survive) and a note says how many
 * were left out.
 */
export function gateMarkdown(result: GateResult, opts: ReportOptions): string {
  const head = `### ${verdict(result, opts.title)}\n\n${(opts.sources ?? []).map((s) => `${s}  \n`).join('')}${opts.sources?.length ? '\n' : ''}`;
  const tableHead = `| ${HEADERS.join(' | ')} |\n| ${HEADERS.map(() => '---').join(' | ')} |\n`;
  const sorted = sortForReport(result.results);
  const passing = sorted.filter((r) => r.status === 'pass').length;
  const openPasses = `${sorted.length > passing ? '\n' : ''}<details><summary>${ICON.pass} ${plural(passing, 'passing check')}</summary>\n\n${tableHead}`;
  const closePasses = '\n</details>\n';
  const note = (left: number, pass: number) =>
    `\n… ${plural(left, 'more row')} not shown (${pass} passing) to stay within GitHub's size limit; the \`results\` output has them all.\n`;

  let md = head + (opts.charts ? chartsSection(result, Math.floor(opts.limit / 4), opts.trends ?? []) : '');
  let inPasses = false;
  const room = opts.limit - note(sorted.length, sorted.length).length - closePasses.length;
  for (let i = 0; i < sorted.length; i++) {
    const r = sorted[i]!;
    let piece = '';
    if (i === 0 && r.status !== 'pass') piece += tableHead;
    if (r.status === 'pass' && !inPasses) piece += openPasses;
    piece += `${row(r)}\n`;
    if (md.length + piece.length > room) {
      const left = sorted.slice(i);
      return md + (inPasses ? closePasses : '') + note(left.length, left.filter((x) => x.status === 'pass').length);
    }
    md += piece;
    inPasses ||= r.status === 'pass';
  }
  return md + (inPasses ? closePasses : '');
}

/**
 * One annotation per rule that failed (or only warned), at the line of the check that failed in the
 * thresholds file, naming every metric it caught. Grouping by rule keeps a wildcard over 23 labels
 * from using up GitHub's 10 annotations per step.
 */
export function ruleDiagnostics(result: GateResult): Diagnostic[] {
  const byRule = new Map<string, { severity: 'error' | 'warning'; items: MetricResult[] }>();
  for (const r of result.results) {
    if (r.status !== 'fail' && r.status !== 'warn') continue;
    const severity = r.status === 'fail' ? 'error' : 'warning';
    const key = `${severity}\0${r.rule}`;
    const entry = byRule.get(key) ?? { severity, items: [] };
    entry.items.push(r);
    byRule.set(key, entry);
  }
  const out: Diagnostic[] = [];
  for (const { severity, items } of byRule.values()) {
    const first = items[0]!;
    const what = items
      .map((r) => (r.metric === r.rule ? r.reasons.join('; ') : `${r.metric}: ${r.reasons.join('; ')}`))
      .join(' · ');
    const label = first.metric === first.rule ? `'${first.rule}'` : `Rule '${first.rule}' (${first.ruleText})`;
    out.push({
      severity,
      message: `${label} ${severity === 'error' ? 'failed' : 'warns'}${items.length > 1 ? ` for ${items.length} metrics` : ''}: ${what}`,
      location: first.at,
    });
  }
  // Errors first so they get the annotation slots.
  return out.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/** The `results` output: JSON-safe (non-finite numbers as strings), stable field order. */
export function resultsJson(result: GateResult): string {
  const num = (n: number | undefined) => (n === undefined ? null : Number.isFinite(n) ? n : String(n));
  return JSON.stringify({
    passed: result.passed,
    counts: result.counts,
    results: result.results.map((r) => ({
      metric: r.metric,
      rule: r.rule,
      status: r.status,
      candidate: num(r.candidate),
      baseline: num(r.baseline),
      delta: num(r.delta),
      relative_delta: num(r.relativeDelta),
      condition: r.ruleText,
      reasons: r.reasons,
      ...(r.candidateN !== undefined ? { candidate_n: r.candidateN, candidate_interval: r.candidateInterval } : {}),
      ...(r.baselineN !== undefined ? { baseline_n: r.baselineN, baseline_interval: r.baselineInterval } : {}),
      ...(r.deltaInterval ? { delta_interval: r.deltaInterval } : {}),
      ...(r.pairedTest ? { paired_test: r.pairedTest } : {}),
      ...(r.at.line !== undefined ? { file: r.at.file, line: r.at.line } : {}),
    })),
  });
}

/** The report when the gate could not be evaluated: what to fix, each problem with its place. */
export function notEvaluatedMarkdown(title: string, err: unknown): string {
  const problems =
    err instanceof UserError && err.diagnostics.length > 1
      ? `\n${err.diagnostics.map((d) => `- ${escapeOutsideCode(formatDiagnostic(d))}`).join('\n')}\n`
      : '';
  return `### ❌ ${title}: not evaluated\n\n${escapeOutsideCode(errorMessage(err))}\n${problems}`;
}

/** Messages quote user text (`<path>`, names with `*` or `_`): escape it for markdown, outside their code spans. */
function escapeOutsideCode(message: string): string {
  return message
    .split(/(`[^`\n]*`)/)
    .map((part, i) => (i % 2 ? part : text(part)))
    .join('');
}
