import type { ActionContext } from '../../lib/action.js';
import { CheckFailed } from '../../lib/errors.js';
import { reportDiagnostics } from '../../lib/report.js';
import { loadConfigFolders } from '../../config/for-action.js';
import { SHARED_NOTE, summarizeDesiredState } from '../../config/summary.js';
import { now as clock } from '../../models/clock.js';
import { API_VERSIONS } from '../../kfp/types.js';

export async function run(ctx: ActionContext): Promise<void> {
  const { inputs, host, env } = ctx;
  const patterns = inputs.list('config-folders');
  if (patterns.length === 0) inputs.required('config-folders');
  const token = inputs.optional('github-token') ?? env.GITHUB_TOKEN;
  const now = clock(env); // KFP_GITOPS_NOW pins it, for a reproducible next-runs preview
  const { state } = await host.group(`Checking config folder(s): ${patterns.join(', ')}`, () =>
    loadConfigFolders(ctx, { patterns, token, now, apiVersion: inputs.oneOf('api-version', API_VERSIONS) }),
  );
  const errors = state.diagnostics.filter((d) => d.severity !== 'warning').length;
  const schedules = state.namespaces.reduce((n, f) => n + f.jobs.length, 0);

  reportDiagnostics(host, state.diagnostics);
  host.setOutput('errors', String(errors));
  host.setOutput('schedules', String(schedules));
  await host.appendSummary(summarizeDesiredState(state, now));
  if (errors > 0)
    throw new CheckFailed(`${errors} error(s) in the schedule configs. See the annotations and the job summary.`);
  host.info(`${schedules} schedule(s) in ${state.namespaces.length} config folder(s) are valid.`);
  if (state.namespaces.some((f) => f.pipelines?.some((p) => p.shared))) host.info(SHARED_NOTE);
}
