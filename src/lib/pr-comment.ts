import type { ActionContext } from './action.js';

/**
 * Post (or update in place) this action's sticky comment on the pull request the workflow runs
 * for. Outside a pull request it only says so. GitHub code is loaded only when a comment is posted.
 */
export async function commentOnPullRequest(ctx: ActionContext, opts: { key: string; body: string; token: string | undefined }): Promise<string | undefined> {
  const { pullRequestFromEvent, repoFromEnv, createGitHub } = await import('./github.js');
  const number = pullRequestFromEvent(ctx.env);
  const repo = repoFromEnv(ctx.env);
  if (!number || !repo) {
    ctx.host.info('Not running for a pull request: no comment posted.');
    return undefined;
  }
  if (!opts.token) {
    ctx.host.warning('No token to comment with: set the `github-token` input (and `pull-requests: write` permission).');
    return undefined;
  }
  const { upsertStickyComment } = await import('./sticky-comment.js');
  const gh = await createGitHub({ token: opts.token, apiUrl: ctx.env.GITHUB_API_URL, host: ctx.host });
  const r = await upsertStickyComment(gh, { ...repo, issueNumber: number, key: opts.key, body: opts.body });
  ctx.host.info(`Pull request comment ${r.operation}: ${r.url}`);
  return r.url;
}
