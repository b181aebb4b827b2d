import { code, table, text } from '../lib/markdown.js';
import { formatDuration } from '../lib/duration.js';
import type { Model } from './model.js';
import type { ModelPrResult, PinnedTime } from './model-pr.js';

/** The PR body: deterministic for a given model (no "checked at" times), so re-runs do not edit it. */
export function prBody(a: {
  userBody?: string;
  current: string;
  currentModel?: Model;
  pinned?: PinnedTime;
  latest: Model;
  desired: string;
  path: string;
  branch: string;
  origin: string;
}): string {
  const intro = a.userBody ?? `Pins the newest trained model in ${code(a.path)}. Merging deploys it.`;
  const pinnedCreated = a.pinned?.created ?? a.currentModel?.created;
  const rows = [
    ['current', a.current ? code(a.current) : '(empty)', pinnedCreated?.toISOString() ?? '—'],
    ['proposed', code(a.desired), a.latest.created?.toISOString() ?? '—'],
  ];
  return [
    intro,
    '',
    table(['', `${code(a.path)}`, 'model created'], rows).trimEnd(),
    '',
    `Model ${code(a.latest.id)} from ${a.origin}.`,
    ...upgradeNote(a.current, pinnedCreated, a.latest.created),
    '',
    `<sub>Opened by kfp-gitops open-model-pr. The branch ${code(a.branch)} is rebuilt from the base branch on every run: commits pushed to it by hand are overwritten.</sub>`,
  ].join('\n');
}

/** Whether this is an upgrade, said only when it cannot be told or it is a downgrade (allow-downgrade). */
function upgradeNote(current: string, pinned: Date | undefined, proposed: Date | undefined): string[] {
  if (!current) return [];
  if (!pinned || !proposed) {
    const unknown = !proposed
      ? "the proposed model's creation time is unknown"
      : `${code(current)} is not a model this action can date (the model source does not list it and no merged PR or commit trailer of this action records it)`;
    return ['', `⚠️ Cannot tell whether this is an upgrade: ${unknown}. Check the pinned model before merging.`];
  }
  return proposed.getTime() < pinned.getTime()
    ? ['', `⚠️ This is a downgrade: the proposed model is older than the pinned one (allow-downgrade is set).`]
    : [];
}

export function modelPrMarkdown(a: {
  result: ModelPrResult;
  latest: Model;
  desired: string;
  currentModel?: Model;
  path: string;
  clock: Date;
  repo: string;
}): string {
  const { result: r } = a;
  const age = (m?: Model) =>
    m?.created ? formatDuration(Math.max(0, (a.clock.getTime() - m.created.getTime()) / 1000)) : '—';
  const head =
    r.operation === 'created'
      ? '🆕 Opened a model PR'
      : r.operation === 'updated'
        ? '🔄 Updated the model PR'
        : r.operation === 'closed'
          ? '✅ Closed the redundant model PR'
          : '✅ No change needed';
  let md = `## ${head}\n\n${text(r.why)}\n\n`;
  md += table(
    ['', 'pinned value', 'model', 'age'],
    [
      [
        `current (${code(r.base)})`,
        r.current ? code(r.current) : '(empty)',
        a.currentModel ? code(a.currentModel.id) : '—',
        age(a.currentModel),
      ],
      ['latest', code(a.desired), code(a.latest.id), age(a.latest)],
    ],
  );
  md += `\nFile: ${code(a.path)} line ${r.match.location.line} in ${a.repo}.`;
  if (r.pr)
    md += ` Pull request: [#${r.pr.number}](${r.pr.url}) (${r.operation === 'none' ? 'unchanged' : r.operation}).`;
  return `${md}\n`;
}
