import { formatDuration } from '../lib/duration.js';
import { code, table } from '../lib/markdown.js';
import type { FreshnessDecision } from './freshness.js';
import type { InFlight } from './in-flight.js';
import type { Model } from './model.js';

/** model-freshness's job summary: the decision, the newest model and why. */
export function freshnessMarkdown(r: {
  decision: FreshnessDecision;
  newest?: Model;
  origin: string;
  maxAgeSeconds: number;
  clock: Date;
  inFlight?: InFlight;
  notes: string[];
}): string {
  const { decision: d, newest } = r;
  const head = d.needsRetrain
    ? '🔁 Retrain needed'
    : d.reason === 'training-in-flight'
      ? '⏳ Training already in flight'
      : '✅ Model is fresh';
  const rows = [
    ['source', r.origin],
    ['newest model', newest ? `${code(newest.id)}\n${code(newest.uri)}` : '(none)'],
    ['created', newest?.created?.toISOString() ?? '—'],
    ['age', d.ageSeconds === undefined ? '—' : formatDuration(d.ageSeconds)],
    ['max-age', formatDuration(r.maxAgeSeconds)],
    ...(r.inFlight ? [['in flight', `${r.inFlight.active ? 'yes' : 'no'} (${r.inFlight.detail})`]] : []),
    ['decision', `needs-retrain=${d.needsRetrain}, reason=${d.reason}`],
  ];
  let md = `## ${head}\n\n${d.explanation}\n\n`;
  md += table(['item', 'value'], rows);
  if (r.notes.length) md += `\n${r.notes.map((n) => `- ${n}`).join('\n')}\n`;
  md += `\n<sub>Checked at ${r.clock.toISOString()}.</sub>\n`;
  return md;
}
