import { type GitHub, type RepoRef, describeGitHubError } from '../lib/github.js';
import { code } from '../lib/markdown.js';
import { lineageFromBody, lineagePins } from './lineage.js';
import type { PrRef } from './model-pr.js';

/**
 * open-model-pr's `auto-merge`: arm GitHub's auto-merge on the model PR (GraphQL
 * enablePullRequestAutoMerge), so it merges itself once the required checks — the quality gate — pass.
 * Armed on every run that finds the PR open and not armed: a person may have disarmed it, and GitHub
 * disarms it when the PR is closed or someone without write access pushes to it or changes its base
 * (docs.github.com, "Automatically merging a pull request"); the action's own force-push keeps it armed.
 */

/** The values of open-model-pr's `auto-merge` input (declared in its spec). */
export type AutoMergeMethod = 'merge' | 'squash' | 'rebase';

/** The `auto-merge` output: armed, not allowed by the repository, refused otherwise, or the PR merged. */
export type AutoMergeState = 'armed' | 'not-allowed' | 'refused' | 'merged';

export interface AutoMergeResult {
  state: AutoMergeState;
  /** The method armed (may differ from the one asked for when a person armed it first). */
  method?: string;
  /** What happened, for the log and the job summary. */
  note: string;
  /** Log it as a warning (the PR was left open without auto-merge). */
  warn: boolean;
}

const ENABLE = `mutation EnableAutoMerge($pullRequestId: ID!, $mergeMethod: PullRequestMergeMethod!, $expectedHeadOid: GitObjectID) {
  enablePullRequestAutoMerge(input: {pullRequestId: $pullRequestId, mergeMethod: $mergeMethod, expectedHeadOid: $expectedHeadOid}) {
    pullRequest { number autoMergeRequest { mergeMethod enabledAt } }
  }
}`;

const NOT_ALLOWED = /auto.?merge is not allowed/i;
const CLEAN = /clean status/i;

export async function armAutoMerge(
  gh: GitHub,
  a: { repo: RepoRef; pr: PrRef; headSha?: string; method: AutoMergeMethod; base: string },
): Promise<AutoMergeResult> {
  const { repo, pr } = a;
  const ref = `#${pr.number}`;
  if (pr.autoMerge) {
    const other = pr.autoMerge !== a.method ? ` (armed by someone with ${code(pr.autoMerge)}, left as it is)` : '';
    return {
      state: 'armed',
      method: pr.autoMerge,
      note: `Auto-merge is armed on ${ref}${other}: GitHub merges it once the required checks pass.`,
      warn: false,
    };
  }
  try {
    await gh.graphql(ENABLE, {
      pullRequestId: pr.nodeId,
      mergeMethod: a.method.toUpperCase(),
      ...(a.headSha ? { expectedHeadOid: a.headSha } : {}),
    });
    return {
      state: 'armed',
      method: a.method,
      note: `Auto-merge (${a.method}) is armed on ${ref}: GitHub merges it once the required checks pass.`,
      warn: false,
    };
  } catch (err) {
    const messages = graphqlMessages(err);
    if (!messages) throw describeGitHubError(err, `Enabling auto-merge on pull request ${ref}`);
    // The PR's state tells more than the message: it may have merged or closed meanwhile.
    const now = (
      await gh.rest.pulls.get({ owner: repo.owner, repo: repo.repo, pull_number: pr.number }).catch(() => undefined)
    )?.data;
    if (now?.merged) return { state: 'merged', note: `${ref} is already merged.`, warn: false };
    if (now?.auto_merge)
      return {
        state: 'armed',
        method: now.auto_merge.merge_method,
        note: `Auto-merge is armed on ${ref}.`,
        warn: false,
      };
    const said = messages.join('; ');
    if (NOT_ALLOWED.test(said)) {
      return {
        state: 'not-allowed',
        note: `Auto-merge is not allowed in ${repo.owner}/${repo.repo}, so ${ref} stays open for a person to merge (GitHub: "${said}"). Fix: turn on Settings → General → Pull Requests → "Allow auto-merge".`,
        warn: true,
      };
    }
    const clean = CLEAN.test(said)
      ? ` Nothing required is pending on ${code(a.base)}, so there is nothing to wait for: make the quality gate a required status check of ${code(a.base)} (branch protection or a ruleset).`
      : '';
    return {
      state: 'refused',
      note: `GitHub refused to arm auto-merge on ${ref}: ${said}. The PR stays open.${clean}`,
      warn: true,
    };
  }
}

/**
 * When no PR is open: the most recent PR from the branch, if it was merged and pinned `desired` (auto-merge
 * did its job, or a person merged it).
 */
export async function mergedModelPr(
  gh: GitHub,
  a: { repo: RepoRef; branch: string; base: string; desired: string },
): Promise<{ number: number; url: string } | undefined> {
  try {
    const { data } = await gh.rest.pulls.list({
      owner: a.repo.owner,
      repo: a.repo.repo,
      state: 'closed',
      head: `${a.repo.owner}:${a.branch}`,
      base: a.base,
      per_page: 1,
    });
    const last = data[0];
    const lineage = last && lineageFromBody(last.body);
    return last?.merged_at && lineage && lineagePins(lineage, a.desired)
      ? { number: last.number, url: last.html_url }
      : undefined;
  } catch (err) {
    throw describeGitHubError(err, 'Listing closed pull requests');
  }
}

/** The messages of a GraphQL error response (octokit's GraphqlResponseError); undefined for an HTTP failure. */
function graphqlMessages(err: unknown): string[] | undefined {
  const errors = (err as { errors?: { message?: string }[] })?.errors;
  return Array.isArray(errors) && errors.length ? errors.map((e) => e.message ?? 'error') : undefined;
}
