import type { GitHub } from './github.js';
import { UserError } from './errors.js';
import { COMMENT_LIMIT, truncate } from './markdown.js';

/**
 * One comment per pull request per purpose, updated in place on every run (the CML watermark /
 * sticky-pull-request-comment pattern): found by a hidden marker, so several workflows (keys) can
 * each keep their own comment on the same PR without spamming it.
 */

export interface StickyComment {
  owner: string;
  repo: string;
  issueNumber: number;
  /** What the comment is for, e.g. `quality-gate` or `plan:team-a`; one comment per key. */
  key: string;
  body: string;
}

export interface StickyCommentResult {
  operation: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
}

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;

/** The hidden marker that identifies the comment for `key`. */
export function stickyMarker(key: string): string {
  if (!KEY_PATTERN.test(key)) {
    throw new UserError(
      `Comment key "${key}" is not usable in a hidden marker. Fix: use letters, digits and . _ : / @ - only (e.g. quality-gate or plan:team-a).`,
    );
  }
  return `<!-- kfp-gitops:${key} -->`;
}

/** The full comment text: marker first (so truncation never drops it), body cut to GitHub's limit. */
export function stickyBody(key: string, body: string): string {
  const marker = stickyMarker(key);
  return `${marker}\n${truncate(body, COMMENT_LIMIT - marker.length - 1, "comment truncated at GitHub's 65,536-character limit")}`;
}

const normalize = (s: string) => s.replace(/\r\n/g, '\n');

/** Create the comment for `key`, or update it in place when its text differs; no write when equal. */
export async function upsertStickyComment(gh: GitHub, c: StickyComment): Promise<StickyCommentResult> {
  const marker = stickyMarker(c.key);
  const body = stickyBody(c.key, c.body);
  const where = { owner: c.owner, repo: c.repo, issue_number: c.issueNumber };
  try {
    const comments = await gh.paginate(gh.rest.issues.listComments, { ...where, per_page: 100 });
    // The most recent one wins if a race ever left two (as CML does); a quote of the marker does not start with it.
    const existing = comments.filter((x) => (x.body ?? '').startsWith(marker)).pop();
    if (existing && normalize(existing.body ?? '') === normalize(body)) {
      return { operation: 'unchanged', id: existing.id, url: existing.html_url };
    }
    if (existing) {
      const { data } = await gh.rest.issues.updateComment({
        owner: c.owner,
        repo: c.repo,
        comment_id: existing.id,
        body,
      });
      return { operation: 'updated', id: data.id, url: data.html_url };
    }
    const { data } = await gh.rest.issues.createComment({ ...where, body });
    return { operation: 'created', id: data.id, url: data.html_url };
  } catch (err) {
    if (err instanceof UserError) throw err;
    // Loaded like every other use of github.ts outside a client: each bundle then keeps one copy, in one chunk.
    const { describeGitHubError } = await import('./github.js');
    throw describeGitHubError(err, `Posting the ${c.key} comment on ${c.owner}/${c.repo}#${c.issueNumber}`);
  }
}
