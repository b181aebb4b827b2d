import { type Diagnostic, formatLocation } from '../lib/errors.js';
import { SUMMARY_LIMIT, code, table, text, truncate } from '../lib/markdown.js';
import { nextFireTimes } from '../kfp/cron.js';
import { describeCron } from '../kfp/cron-words.js';
import { formatUtc } from './dates.js';
import { formatDurationExact } from '../lib/duration.js';
import {
  type DesiredJob,
  type DesiredPipelineEntry,
  type DesiredState,
  type Trigger,
  describeSource,
} from './types.js';

/** The trigger in words, with its window. */
export function describeTrigger(t: Trigger): string {
  const what =
    t.type === 'cron'
      ? `${describeCron(t.schedule)} (${code(t.cron)})`
      : `Every ${formatDurationExact(t.intervalSeconds)}`;
  const window = [t.start ? `from ${formatUtc(t.start)}` : '', t.end ? `until ${formatUtc(t.end)}` : '']
    .filter(Boolean)
    .join(' ');
  return window ? `${what}, ${window}` : what;
}

/**
 * The next `count` times KFP would start a run, as the scheduled-workflow controller computes them:
 * the first slot after max(now, start_date), none after end_date. An interval counts from when each
 * new version is created unless start_date is later, so without a future start_date there are no
 * fixed times to show (undefined).
 */
export function nextRuns(t: Trigger, now: Date, count = 3): Date[] | undefined {
  const from = t.start && t.start.getTime() > now.getTime() ? t.start : now;
  let times: Date[];
  if (t.type === 'cron') {
    times = nextFireTimes(t.schedule, count, from);
  } else {
    if (!t.start || t.start.getTime() <= now.getTime()) return undefined;
    times = Array.from({ length: count }, (_, i) => new Date(t.start!.getTime() + (i + 1) * t.intervalSeconds * 1000));
  }
  return times.filter((d) => !t.end || d.getTime() <= t.end.getTime());
}

/** Minutes, plus seconds when a cron fires within the minute (KFP crons start with a seconds field). */
const formatRun = (d: Date) =>
  d.getUTCSeconds() ? `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC` : formatUtc(d);

function nextRunsCell(job: DesiredJob, now: Date): string {
  if (!job.enabled) return '— (disabled)';
  const times = nextRuns(job.trigger, now);
  if (times === undefined)
    return `every ${formatDurationExact((job.trigger as { intervalSeconds: number }).intervalSeconds)} after each new version is created`;
  if (times.length === 0)
    return job.trigger.end ? 'none before end_date' : 'none (KFP finds no time within five years)';
  return times.map(formatRun).join('<br>');
}

/** What `shared: true` means: the check does not contact KFP, so it cannot tell whether KFP is multi-user. */
export const SHARED_NOTE =
  "Shared pipelines: on multi-user KFP they have no namespace, every namespace can read and run them, and writing them needs permission in KFP's own namespace (e.g. `kubeflow`); on single-user KFP every pipeline is shared, so `shared: true` changes nothing there.";

function pipelinesLine(pipelines: readonly DesiredPipelineEntry[]): string {
  const names = pipelines.map(
    (p) => `${code(p.name)}${p.shared ? ' (shared)' : ''} from ${code(describeSource(p.pipeline.source))}`,
  );
  let md = `Pipelines: ${names.join(', ') || 'none'}.\n\n`;
  if (pipelines.some((p) => p.shared)) md += `${SHARED_NOTE}\n\n`;
  return md;
}

/** Job-summary markdown: the outcome, one table per config folder, then every problem. */
export function desiredStateMarkdown(state: DesiredState, now: Date): string {
  const errors = state.diagnostics.filter((d) => d.severity !== 'warning');
  const warnings = state.diagnostics.filter((d) => d.severity === 'warning');
  const schedules = state.namespaces.reduce((n, f) => n + f.jobs.length, 0);
  let md = errors.length
    ? `## ❌ Schedule configs: ${errors.length} error(s)\n\n`
    : `## ✅ Schedule configs are valid: ${schedules} schedule(s) in ${state.namespaces.length} folder(s)\n\n`;
  if (warnings.length) md += `${warnings.length} warning(s) below.\n\n`;
  for (const f of state.namespaces) {
    md += `### ${code(f.namespace)} (${code(f.folder)})\n\n`;
    md += `Experiments: ${f.experiments.map((e) => code(e.name)).join(', ') || 'none'}.\n\n`;
    if (f.pipelines) md += pipelinesLine(f.pipelines);
    if (f.jobs.length === 0) {
      md += 'No valid schedules.\n\n';
      continue;
    }
    md += table(
      ['schedule', 'experiment', 'pipeline', 'trigger', 'next runs (UTC)', 'enabled', 'keep_history'],
      f.jobs.map((j) => [
        code(j.name),
        code(j.experiment),
        j.pipelineRef
          ? `${code(`kfp:${j.pipelineRef.name}@${j.pipelineRef.version}`)}<br>${j.pipelineRef.declared ? 'registered from pipelines.yaml' : 'looked up in KFP by name'}`
          : `${text(j.pipeline!.name)} (KFP ${j.pipeline!.kind})<br>${code(describeSource(j.pipeline!.source))}`,
        describeTrigger(j.trigger),
        nextRunsCell(j, now),
        j.enabled ? 'yes' : 'no',
        j.keepHistory === -1 ? 'all' : j.keepHistory === 0 ? 'newest only' : `newest + ${j.keepHistory}`,
      ]),
    );
    md += '\n';
  }
  if (state.diagnostics.length) {
    md += `### Problems\n\n`;
    md += table(
      ['', 'where', 'problem', 'fix'],
      state.diagnostics.map((d: Diagnostic) => [
        d.severity === 'warning' ? '⚠️' : '❌',
        d.location ? code(formatLocation(d.location)) : '',
        text(d.message),
        text(d.fix ?? ''),
      ]),
    );
  }
  return truncate(md, SUMMARY_LIMIT - 1024, 'summary truncated');
}
