import { code, escapeCell, table, truncate, SUMMARY_LIMIT } from '../lib/markdown.js';
import type { Experiment, Run } from '../kfp/types.js';
import { formatDuration } from '../lib/duration.js';
import type { ParameterSource } from './parameters.js';
import type { PreparedRun } from './prepare.js';
import type { WaitResult } from './wait.js';

export interface RunReport {
  prepared: PreparedRun;
  experiment: Experiment;
  run: Run;
  url: string;
  /** Absent when the action did not wait. */
  waited?: WaitResult;
  timeout?: string;
  /** Set when the action terminated the KFP run: after a cancelled wait, or after the timeout (`on-timeout: terminate`). */
  terminated?: { ok: true } | { ok: false; error: string };
}

/** What became of the run after a cancelled or timed-out wait. */
function fate(r: RunReport): string {
  if (!r.terminated) return 'it keeps running in KFP';
  return r.terminated.ok
    ? `the KFP run was terminated (${r.run.state})`
    : `terminating the KFP run failed (${r.terminated.error}); it may still be running`;
}

/** One line of what happened, for the log and the failure message. */
export function verdict(r: RunReport): { icon: string; text: string } {
  const name = r.run.name;
  if (!r.waited) return { icon: '🚀', text: `Run ${name} submitted (${r.run.state}); not waiting for it` };
  const took = formatDuration(r.waited.elapsedMs / 1000);
  if (r.waited.outcome === 'succeeded') return { icon: '✅', text: `Run ${name} ${r.run.state} after ${took}` };
  if (r.waited.outcome === 'failed')
    return {
      icon: '❌',
      text: `Run ${name} ended ${r.run.state} after ${took}${r.run.error ? `: ${r.run.error}` : ''}`,
    };
  if (r.waited.outcome === 'cancelled')
    return { icon: '🛑', text: `Waiting for run ${name} was cancelled after ${took}: ${fate(r)}` };
  const within = `Run ${name} did not finish within ${r.timeout ?? took}`;
  return { icon: '⏱️', text: r.terminated ? `${within}; ${fate(r)}` : `${within}: still ${r.run.state}; ${fate(r)}` };
}

const sourceText = (s: ParameterSource) =>
  s.kind === 'file' ? code(s.file) : s.kind === 'input' ? 'input `parameters`' : 'pipeline default';
const valueText = (v: unknown) => (v === undefined ? '' : code(typeof v === 'string' ? v : JSON.stringify(v)));

/** The job summary: the run and its link, its parameters and where each came from, its final state. */
export function runMarkdown(r: RunReport): string {
  const v = verdict(r);
  const { prepared, experiment } = r;
  let md = `## ${v.icon} ${escapeCell(v.text)}\n\n`;
  md += table(
    ['', ''],
    [
      ['run', `[${r.run.name}](${r.url})`],
      ['run id', code(r.run.id)],
      ['state', `**${r.run.state}**`],
      [
        'pipeline',
        `${code(prepared.pipeline.name)} from ${code(prepared.file)} (KFP ${prepared.pipeline.kind === 'v1' ? 'v1 Argo workflow' : 'v2 IR'})`,
      ],
      [
        'experiment',
        `${code(experiment.name)}${experiment.namespace ? ` in namespace ${code(experiment.namespace)}` : ''}`,
      ],
      ...(r.waited ? [['waited', formatDuration(r.waited.elapsedMs / 1000)]] : []),
    ],
  );
  const rows = prepared.parameters.rows;
  md += `\n### Parameters\n\n`;
  md += rows.length
    ? table(
        ['name', 'value', 'from'],
        rows.map((p) => [code(p.name), valueText(p.value), sourceText(p.source)]),
      )
    : 'The pipeline takes no parameters.\n';
  return truncate(md, SUMMARY_LIMIT - 1024, 'summary truncated');
}
