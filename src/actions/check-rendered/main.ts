import type { ContextOf } from '../../lib/action.js';
import { CheckFailed } from '../../lib/errors.js';
import { checkRendered } from '../../render/check.js';
import { renderCheckMarkdown } from '../../render/report.js';
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
  await host.appendSummary(renderCheckMarkdown(result));

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
