import type { ActionContext } from '../lib/action.js';
import { repoRoot } from '../lib/git.js';
import { resolveConfigFolders } from './folders.js';
import { loadDesiredState } from './load.js';
import type { DesiredState } from './types.js';
import type { ApiVersion } from '../kfp/types.js';

/**
 * Load the config folders an action names (patterns relative to `working-directory`), as
 * check-reconcile-configs and push-reconcile both do: paths inside configs are relative to the
 * repository root; GitHub is contacted only for remote sources.
 */
export async function loadConfigFolders(
  ctx: ActionContext<{ readonly 'working-directory': string }>,
  opts: { patterns: string[]; token: string | undefined; now: Date; apiVersion?: ApiVersion },
): Promise<{ root: string; state: DesiredState }> {
  // The input is masked by parseInputs; a token from the environment (CLI) is masked here.
  if (opts.token) ctx.host.setSecret(opts.token);
  const workdir = ctx.inputs['working-directory'];
  const root = await repoRoot(workdir).catch(() => ctx.workspace);
  const found = await resolveConfigFolders(workdir, opts.patterns, root);
  const loaded = await loadDesiredState(found.folders, {
    root,
    now: opts.now,
    apiVersion: opts.apiVersion,
    github: async () =>
      (await import('./github-files.js')).gitHubFiles({
        token: opts.token,
        apiUrl: ctx.env.GITHUB_API_URL,
        host: ctx.host,
      }),
  });
  return { root, state: { ...loaded, diagnostics: [...found.diagnostics, ...loaded.diagnostics] } };
}
