import type { ActionContext } from './action.js';
import { UserError } from './errors.js';

/**
 * Post (or update in place) an action's sticky comment on the pull request the workflow runs for:
 * the one place actions comment. Outside a pull request it only says so; a comment GitHub refuses
 * (e.g. a fork's read-only token) is a warning, since the check's verdict does not depend on it.
 * GitHub code is loaded only when a comment is posted.
 */
export async function commentOnPullRequest(
  ctx: ActionContext,
  opts: { key: string; body: string; token: string | undefined; what: string },
): Promise<string | undefined> {
  const { pullRequestFromEvent, repoFromEnv, createGitHub } = await import('./github.js');
  const number = pullRequestFromEvent(ctx.env);
  const repo = repoFromEnv(ctx.env);
  if (!number || !repo) {
    ctx.host.info(`Not a pull request run: no PR comment (the ${opts.what} is in the job summary).`);
    return undefined;
  }
  const token = opts.token ?? ctx.env.GITHUB_TOKEN;
  if (!token) {
    ctx.host.warning(
      `The ${opts.what} was not posted on pull request #${number}: no token. Fix: pass a token input with \`pull-requests: write\` permission.`,
    );
    return undefined;
  }
  const { upsertStickyComment } = await import('./sticky-comment.js');
  try {
    const gh = await createGitHub({ token, apiUrl: ctx.env.GITHUB_API_URL, host: ctx.host });
    const r = await upsertStickyComment(gh, {
      ...repo,
      issueNumber: number,
      key: opts.key,
      body: ctx.host.redact(opts.body),
    });
    ctx.host.info(`PR comment ${r.operation}: ${r.url}`);
    return r.url;
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    ctx.host.warning(`The ${opts.what} was not posted on pull request #${number}: ${err.message}`);
    return undefined;
  }
}
