import type { ContextOf } from '../../lib/action.js';
import { CheckFailed } from '../../lib/errors.js';
import { reportDiagnostics } from '../../lib/report.js';
import { loadConfigFolders } from '../../config/for-action.js';
import { SHARED_NOTE, desiredStateMarkdown } from '../../config/report.js';
import type { spec } from './spec.js';

export async function run(ctx: ContextOf<typeof spec>): Promise<void> {
  const { inputs, host, env } = ctx;
  const patterns = inputs['config-folders'];
  const token = inputs['github-token'] ?? env.GITHUB_TOKEN;
  const now = ctx.now(); // KFP_GITOPS_NOW pins it, for a reproducible next-runs preview
  const { state } = await host.group(`Checking config folder(s): ${patterns.join(', ')}`, () =>
    loadConfigFolders(ctx, { patterns, token, now, apiVersion: inputs['api-version'] }),
  );
  const errors = state.diagnostics.filter((d) => d.severity !== 'warning').length;
  const schedules = state.namespaces.reduce((n, f) => n + f.jobs.length, 0);

  reportDiagnostics(host, state.diagnostics);
  host.setOutput('errors', String(errors));
  host.setOutput('schedules', String(schedules));
  await host.appendSummary(desiredStateMarkdown(state, now));
  if (errors > 0)
    throw new CheckFailed(`${errors} error(s) in the schedule configs. See the annotations and the job summary.`);
  host.info(`${schedules} schedule(s) in ${state.namespaces.length} config folder(s) are valid.`);
  if (state.namespaces.some((f) => f.pipelines?.some((p) => p.shared))) host.info(SHARED_NOTE);
}
