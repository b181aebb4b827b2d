import { code, details, fence, table, text, truncate, COMMENT_LIMIT } from '../lib/markdown.js';
import type { ApplyResult } from './apply.js';
import { countSteps } from './plan.js';
import { MAX_COUNTED_SLOTS } from '../kfp/catchup.js';
import type { JobRef, Plan, ScheduleChange, Step } from './types.js';
import type { PipelineChange, PipelineStep } from './pipelines.js';

const SYMBOL: Record<Step['op'], string> = {
  'create-experiment': '+',
  'unarchive-experiment': '↺',
  create: '+',
  enable: '▶',
  disable: '⏸',
  delete: '−',
};

/**
 * One step in words. `stableNames` writes versions this plan would create as `GIT::<name>__{apply time}`:
 * their real names carry the time of the apply, and a plan comment should not change with the clock.
 */
export function describeStep(step: Step, opts: { stableNames?: boolean; markdown?: boolean } = {}): string {
  // In markdown, names go in code spans: `__` in a version name would otherwise start bold text.
  const name = (value: string) => (opts.markdown ? code(value) : value);
  const words = (value: string) => (opts.markdown ? text(value) : value);
  const label = (schedule: string, job: JobRef) =>
    name('created' in job && opts.stableNames ? `GIT::${schedule}__{apply time}` : job.name);
  switch (step.op) {
    case 'create-experiment':
      return `create experiment ${name(step.experiment)}`;
    case 'unarchive-experiment':
      return `unarchive experiment ${name(step.experiment)}`;
    case 'create':
      return `create ${name(opts.stableNames ? `GIT::${step.schedule}__{apply time}` : step.version)} (paused)`;
    case 'enable':
      return `enable ${label(step.schedule, step.job)}${step.backfill ? words(` — KFP then runs ${'id' in step.job || step.backfill >= MAX_COUNTED_SLOTS ? 'at least ' : ''}${step.backfill} missed run(s) at once (catchup: true)`) : ''}`;
    case 'disable':
      return `disable ${label(step.schedule, step.job)} — ${words(step.reason)}`;
    case 'delete':
      return `delete ${label(step.schedule, step.job)} — ${words(step.reason)}${step.keepsRuns ? '' : ' (KFP terminates its running runs: only the v2beta1 API on KFP 2.16.0 or later keeps them)'}`;
  }
}

const PIPELINE_SYMBOL: Record<PipelineStep['op'], string> = {
  'create-pipeline': '+',
  'upload-version': '↑',
  'delete-version': '−',
};

/** A pipeline step in words; the version an upload creates is `{commit}-{apply time}` in a plan comment. */
export function describePipelineStep(
  step: PipelineStep,
  opts: { stableNames?: boolean; markdown?: boolean } = {},
): string {
  const name = (value: string) => (opts.markdown ? code(value) : value);
  switch (step.op) {
    case 'create-pipeline':
      return `create ${step.shared ? 'shared ' : ''}pipeline ${name(step.pipeline)}`;
    case 'upload-version':
      return `upload version ${name(opts.stableNames ? '{commit}-{apply time}' : step.version)} of ${name(step.pipeline)}`;
    case 'delete-version':
      return `delete version ${name(step.version)} of ${name(step.pipeline)} — ${opts.markdown ? text(step.reason) : step.reason}`;
  }
}

const isPipelineStep = (s: Step | PipelineStep): s is PipelineStep =>
  s.op === 'create-pipeline' || s.op === 'upload-version' || s.op === 'delete-version';

/** Any step of a plan in words. */
export function describeAnyStep(
  step: Step | PipelineStep,
  opts: { stableNames?: boolean; markdown?: boolean } = {},
): string {
  return isPipelineStep(step) ? describePipelineStep(step, opts) : describeStep(step, opts);
}

const PIPELINE_HEAD: Record<PipelineChange['kind'], string> = {
  create: '+ create',
  upload: '↑ upload',
  prune: '− prune',
  orphan: '? not in git',
  unchanged: '= unchanged',
};

function pipelineLines(changes: readonly PipelineChange[], opts: { stableNames?: boolean }): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    if (c.kind === 'unchanged') continue;
    lines.push(
      `  ${PIPELINE_HEAD[c.kind]} pipeline ${c.pipeline}${c.reasons.length ? `  (${c.reasons.join('; ')})` : ''}`,
    );
    for (const d of c.diff) lines.push(`      ${d}`);
    for (const s of c.steps) lines.push(`      ${PIPELINE_SYMBOL[s.op]} ${describePipelineStep(s, opts)}`);
  }
  const unchanged = changes.filter((c) => c.kind === 'unchanged').length;
  if (unchanged) lines.push(`  = ${unchanged} pipeline(s) unchanged`);
  return lines;
}

function pipelineMarkdown(
  changes: readonly PipelineChange[],
  cells: { stableNames?: boolean; markdown: boolean },
): string {
  const rows = changes
    .filter((c) => c.kind !== 'unchanged')
    .map((c) => [
      PIPELINE_HEAD[c.kind],
      code(c.pipeline),
      [text(c.reasons.join('; ')), ...c.diff.map(text)].filter(Boolean).join('<br>'),
      c.steps.map((s) => `${PIPELINE_SYMBOL[s.op]} ${describePipelineStep(s, cells)}`).join('<br>'),
    ]);
  const unchanged = changes.filter((c) => c.kind === 'unchanged').length;
  return (
    (rows.length ? table(['change', 'pipeline', 'what changed', 'steps'], rows) + '\n' : '') +
    `${unchanged} pipeline(s) unchanged.\n\n`
  );
}

const HEAD: Record<ScheduleChange['kind'], string> = {
  create: '+ create',
  replace: '~ replace',
  enable: '▶ enable',
  disable: '⏸ disable',
  prune: '− prune',
  repair: '⏸ repair',
  orphan: '? orphan',
  unchanged: '= unchanged',
};

/** The plan for the `plan` output: the pipeline of a created version as its kind, not its whole body. */
export function planJson(plans: readonly Plan[]): string {
  return JSON.stringify(plans, planReplacer);
}

/** planJson's replacer, for documents that embed plans (a shard's plan file). */
export function planReplacer(key: string, value: unknown): unknown {
  if (key === 'pipeline' && value && typeof value === 'object' && 'data' in value && 'kind' in value)
    return { kind: value.kind };
  // An uploaded file's text: the plan names it, the file is in git.
  if (key === 'text' && typeof value === 'string') return undefined;
  return value;
}

/** `terraform plan`-style text for the log. */
export function planText(plans: readonly Plan[], opts: { stableNames?: boolean } = {}): string {
  const lines: string[] = [];
  for (const p of plans) {
    lines.push(`Namespace ${p.namespace}:`);
    if (p.pipelines) lines.push(...pipelineLines(p.pipelines, opts));
    for (const s of p.experimentSteps) lines.push(`  ${SYMBOL[s.op]} ${describeStep(s, opts)}`);
    for (const c of p.changes) {
      if (c.kind === 'unchanged') continue;
      lines.push(`  ${HEAD[c.kind]} ${c.schedule}${c.reasons.length ? `  (${c.reasons.join('; ')})` : ''}`);
      for (const f of c.fields) lines.push(`      ${f.field}: ${f.actual} → ${f.desired}`);
      for (const s of c.steps) lines.push(`      ${SYMBOL[s.op]} ${describeStep(s, opts)}`);
    }
    const unchanged = p.changes.filter((c) => c.kind === 'unchanged').length;
    if (unchanged) lines.push(`  = ${unchanged} schedule(s) unchanged`);
    for (const w of p.warnings) lines.push(`  ! ${w}`);
  }
  const writes = plans.reduce((n, p) => n + countSteps(p), 0);
  lines.push(writes === 0 ? 'No changes. KFP matches git.' : `Plan: ${writes} write call(s).`);
  return lines.join('\n');
}

/** What the KFP client retried, per call kind ("ListRecurringRuns ×3, CreateRecurringRun ×1"), or '' when nothing. */
export function retriedText(retries: Record<string, number> = {}): string {
  const parts = Object.entries(retries).map(([call, n]) => `${call} ×${n}`);
  return parts.length ? `Retried KFP calls (429/5xx answers, connection resets): ${parts.join(', ')}.` : '';
}

/**
 * The sticky comment key of a plan over these namespaces (in config-folders order): the same for one job and
 * for shards gathered, so sharding a reconcile keeps its comment. `/` joins them (a marker allows no comma).
 */
export function planCommentKey(namespaces: readonly string[]): string {
  return `plan:${namespaces.join('/')}`;
}

/** A namespace that could not be observed or applied as a whole (its API answers broken, …). */
export interface NamespaceError {
  namespace: string;
  error: string;
}

export interface MarkdownOptions {
  mode: 'plan' | 'apply';
  /** The apply result of a single namespace (or of every plan given, when only one). */
  result?: ApplyResult;
  /** Apply results per namespace, for a run over many. */
  results?: ReadonlyMap<string, ApplyResult>;
  /** Namespaces that failed before or outside their steps; the others are reported as usual. */
  errors?: readonly NamespaceError[];
  title?: string;
  retries?: Record<string, number>;
}

const byNamespace = <T extends { namespace: string }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));

/**
 * Markdown for the job summary and the sticky PR comment: one document however many namespaces. Over
 * several namespaces a count table comes first, namespaces are sorted, and those with nothing to do
 * share one line.
 */
export function planMarkdown(plans: readonly Plan[], opts: MarkdownOptions): string {
  const words = { stableNames: opts.mode === 'plan' };
  const cells = { ...words, markdown: true };
  const sorted = byNamespace(plans);
  const errors = byNamespace(opts.errors ?? []);
  const resultOf = (p: Plan) => opts.results?.get(p.namespace) ?? (plans.length === 1 ? opts.result : undefined);
  const writes = plans.reduce((n, p) => n + countSteps(p), 0);
  const applied = opts.result?.writes ?? [...(opts.results?.values() ?? [])].reduce((n, r) => n + r.writes, 0);
  const failed =
    (opts.result?.failures.length ?? 0) +
    [...(opts.results?.values() ?? [])].reduce((n, r) => n + r.failures.length, 0) +
    errors.length;
  const icon = failed ? '❌' : writes === 0 ? '✅' : opts.mode === 'apply' ? '✅' : '📝';
  let md = `## ${icon} ${opts.title ?? 'KFP schedules'}: ${writes === 0 ? 'no changes' : opts.mode === 'apply' ? `${applied} of ${writes} write(s) applied` : `${writes} write(s) planned`}\n\n`;
  const many = plans.length + errors.length > 1;
  const quiet = (p: Plan) => countSteps(p) === 0 && !p.warnings.length && !resultOf(p)?.failures.length;
  if (many) {
    const count = (p: Plan, kind: ScheduleChange['kind']) => p.changes.filter((c) => c.kind === kind).length;
    const status = (p: Plan) => {
      const r = resultOf(p);
      if (r?.failures.length) return `❌ ${r.failures.length} step(s) failed`;
      if (countSteps(p) === 0) return '✅ in sync';
      return opts.mode === 'apply' ? `✅ ${r?.writes ?? 0} write(s) applied` : `📝 ${countSteps(p)} write(s) planned`;
    };
    const rows = [
      ...sorted.map((p) => [
        code(p.namespace),
        String(countSteps(p)),
        String(p.changes.length - count(p, 'unchanged')),
        String(count(p, 'unchanged')),
        status(p),
      ]),
      ...errors.map((e) => [code(e.namespace), '', '', '', `❌ ${text(e.error)}`]),
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    md += table(['namespace', 'writes', 'changed', 'unchanged', 'status'], rows) + '\n';
    const still = sorted.filter(quiet);
    if (still.length) {
      md += `**${still.length} namespace(s) unchanged** (${still.reduce((n, p) => n + p.changes.length, 0)} schedule(s)): ${still.map((p) => code(p.namespace)).join(', ')}.\n\n`;
    }
  }
  for (const p of sorted) {
    if (many && quiet(p)) continue;
    const rows = p.changes
      .filter((c) => c.kind !== 'unchanged')
      .map((c) => [
        HEAD[c.kind],
        code(c.schedule),
        text(c.reasons.join('; ')) +
          (c.fields.length
            ? `<br>${c.fields.map((f) => `${code(f.field)}: ${text(f.actual)} → ${text(f.desired)}`).join('<br>')}`
            : ''),
        c.steps.map((s) => `${SYMBOL[s.op]} ${describeStep(s, cells)}`).join('<br>'),
      ]);
    const unchanged = p.changes.filter((c) => c.kind === 'unchanged').length;
    md += `### Namespace ${code(p.namespace)}\n\n`;
    if (p.pipelines) md += pipelineMarkdown(p.pipelines, cells);
    // `- + …` would be read as a nested list: the symbol is escaped.
    if (p.experimentSteps.length)
      md +=
        p.experimentSteps
          .map((s) => `- ${SYMBOL[s.op].replace(/^[+-]/, '\\$&')} ${describeStep(s, cells)}`)
          .join('\n') + '\n\n';
    if (rows.length) md += table(['change', 'schedule', 'why', 'steps'], rows) + '\n';
    md += `${unchanged} schedule(s) unchanged.\n\n`;
    for (const w of p.warnings) md += `> ⚠️ ${text(w)}\n\n`;
    const failures = resultOf(p)?.failures ?? [];
    if (failures.length) {
      md +=
        `#### Failures${many ? ` in ${code(p.namespace)}` : ''}\n\n` +
        table(
          ['schedule', 'step', 'error', 'recovery'],
          failures.map((f) => [
            code(f.schedule),
            describeAnyStep(f.step, { markdown: true }),
            text(f.error),
            text(f.undo ?? ''),
          ]),
        ) +
        '\nThe next run converges from here.\n\n';
    }
  }
  for (const e of errors)
    md += `### Namespace ${code(e.namespace)}\n\n❌ ${text(e.error)}\n\nNothing was applied to this namespace; the others were reconciled on their own.\n\n`;
  const retried = retriedText(opts.retries);
  if (retried) md += `\n${text(retried)}\n`;
  md += '\n' + details('Plan as text', fence(planText(sorted, words)));
  return truncate(md, COMMENT_LIMIT - 200, 'plan truncated; the full plan is in the job log');
}
