import { type ActionContext, workingDirectory } from '../../lib/action.js';
import { CheckFailed } from '../../lib/errors.js';
import { reportDiagnostics } from '../../lib/report.js';
import { repoRoot } from '../../lib/git.js';
import { resolveConfigFolders } from '../../config/folders.js';
import { loadDesiredState } from '../../config/load.js';
import { summarizeDesiredState } from '../../config/summary.js';

export async function run(ctx: ActionContext): Promise<void> {
  const { inputs, host, env } = ctx;
  const patterns = inputs.list('config-folders');
  if (patterns.length === 0) inputs.required('config-folders');
  // The input is masked by Inputs (a secret); the CLI's fallback variable is masked here.
  const token = inputs.optional('github-token') ?? env.GITHUB_TOKEN;
  if (token && token === env.GITHUB_TOKEN) host.setSecret(token);
  const workdir = workingDirectory(ctx);
  // Paths inside configs are relative to the repository root, wherever working-directory points.
  const root = await repoRoot(workdir).catch(() => ctx.workspace);
  const now = new Date();

  const found = await resolveConfigFolders(workdir, patterns, root);
  const loaded = await host.group(`Checking ${found.folders.length} config folder(s)`, () =>
    loadDesiredState(found.folders, {
      root,
      now,
      github: async () => (await import('../../config/github-files.js')).gitHubFiles({ token, apiUrl: env.GITHUB_API_URL, host }),
    }),
  );
  const state = { ...loaded, diagnostics: [...found.diagnostics, ...loaded.diagnostics] };
  const errors = state.diagnostics.filter((d) => d.severity !== 'warning').length;
  const schedules = state.namespaces.reduce((n, f) => n + f.jobs.length, 0);

  reportDiagnostics(host, state.diagnostics);
  host.setOutput('errors', String(errors));
  host.setOutput('schedules', String(schedules));
  await host.appendSummary(summarizeDesiredState(state, now));
  if (errors > 0) throw new CheckFailed(`${errors} error(s) in the schedule configs. See the annotations and the job summary.`);
  host.info(`${schedules} schedule(s) in ${state.namespaces.length} config folder(s) are valid.`);
}
