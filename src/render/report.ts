import path from 'node:path';
import { code, details, fence, table, truncate, SUMMARY_LIMIT } from '../lib/markdown.js';
import type { RenderCheckResult } from './check.js';

/** check-rendered's job summary: stale files with their diffs, non-deterministic renders. */
export function renderCheckMarkdown(r: RenderCheckResult): string {
  const ok = r.stale.length === 0 && r.nondeterministic.length === 0;
  let md = `## ${ok ? '✅' : '❌'} Rendered pipelines are ${r.stale.length ? 'stale' : 'fresh'}\n\n`;
  md += `Ran ${r.scripts.length} render script(s): ${r.scripts.map(code).join(', ')}.\n\n`;
  if (r.stale.length) {
    md += table(
      ['file', 'change', 'produced by', 'fix'],
      r.stale.map((s) => [
        code(s.path),
        s.change,
        s.script ? code(s.script) : '?',
        s.script
          ? `run \`${path.basename(s.script)}\` in \`${path.dirname(s.script)}\` and commit`
          : 'render and commit',
      ]),
    );
    md += '\n';
    for (const s of r.stale) md += details(`diff of ${code(s.path)}`, fence(s.diff, 'diff')) + '\n';
  }
  if (r.nondeterministic.length) {
    md += `### Non-deterministic renders\n\n`;
    md += table(
      ['file', 'script', 'differing keys'],
      r.nondeterministic.map((n) => [
        code(n.path),
        n.script ? code(n.script) : '?',
        n.keys.map(code).join(', ') || '(text differs)',
      ]),
    );
  }
  if (r.restored.length)
    md += `\n${r.restored.length} file(s) differed only in ignored keys and were left as committed.\n`;
  return truncate(md, SUMMARY_LIMIT - 1024, 'summary truncated');
}
