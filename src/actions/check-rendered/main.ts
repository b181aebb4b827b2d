import path from 'node:path';
import type { ContextOf } from '../../lib/action.js';
import { CheckFailed } from '../../lib/errors.js';
import { code, details, fence, table, truncate, SUMMARY_LIMIT } from '../../lib/markdown.js';
import { checkRendered, type RenderCheckResult } from '../../render/check.js';
import type { spec } from './spec.js';

export async function run(ctx: ContextOf<typeof spec>): Promise<void> {
  const { inputs, host } = ctx;
  const options = {
    workdir: inputs['working-directory'],
    scripts: inputs['render-scripts'],
    ignoreKeys: inputs['ignore-keys'],
    checkDeterminism: inputs['check-determinism'],
    parallelism: inputs.parallelism,
    maxDiffLines: inputs['max-diff-lines'],
  };

  const result = await host.group('Rendering pipelines', () => checkRendered({ ...options, log: (m) => host.info(m) }));
  const fresh = result.stale.length === 0 && result.nondeterministic.length === 0;
  host.setOutput('result', result.stale.length === 0 ? 'fresh' : 'stale');
  host.setOutput('stale-files', JSON.stringify(result.stale.map((s) => s.path)));

  for (const file of result.preexisting)
    host.warning(`${file} had uncommitted changes before rendering; it was left as it was and not checked.`, { file });
  for (const s of result.stale) {
    const fix = s.script
      ? `run ${s.script} and commit the result`
      : 'run the render script that writes it and commit the result';
    host.error(`Rendered file is stale (${s.change} by rendering). Fix: ${fix}.`, {
      file: s.path,
      line: s.line,
      title: 'Stale rendered pipeline',
    });
    host.info(s.diff);
  }
  for (const n of result.nondeterministic) {
    const keys = n.keys.length ? ` Differing keys: ${n.keys.join(', ')}.` : '';
    host.error(
      `Rendering is not deterministic: two renders of this file differ.${keys} Fix: make ${n.script ?? 'the render script'} produce the same output every run, or add the volatile key to ignore-keys.`,
      {
        file: n.path,
        title: 'Non-deterministic render',
      },
    );
  }
  await host.appendSummary(summarize(result));

  if (!fresh) {
    const parts = [];
    if (result.stale.length) parts.push(`${result.stale.length} rendered file(s) are stale`);
    if (result.nondeterministic.length)
      parts.push(`${result.nondeterministic.length} file(s) render non-deterministically`);
    throw new CheckFailed(`${parts.join('; ')}. See the annotations and the job summary.`);
  }
  host.info(
    `All ${result.scripts.length} render script(s) reproduce the committed files${result.restored.length ? ` (${result.restored.length} differed only in ignored keys)` : ''}.`,
  );
}

export function summarize(r: RenderCheckResult): string {
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
