import type { CommitObject, EntryType } from './git-store.js';
import { WEB, nodeId, repository, user } from './objects.js';
import type { CheckRunState, IssueState, RepoState, WorkflowRunState } from './state.js';
import type { RouteContext } from './routes.js';

/** GitHub's response objects built from the emulator's state, with every field the description requires. */
export function repoApi(ctx: RouteContext, repo: RepoState): string {
  return `${ctx.world.urls.api}/repos/${repo.fullName}`;
}

export function repoObject(ctx: RouteContext, repo: RepoState) {
  return repository(ctx.world.urls, { ...repo.info, openIssues: repo.openIssueCount() });
}

export function gitCommitObject(ctx: RouteContext, repo: RepoState, c: CommitObject) {
  const api = repoApi(ctx, repo);
  return {
    sha: c.sha,
    node_id: nodeId('C', c.sha.slice(0, 12)),
    url: `${api}/git/commits/${c.sha}`,
    html_url: `${WEB}/${repo.fullName}/commit/${c.sha}`,
    author: c.author,
    committer: c.committer,
    tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
    message: c.message,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${api}/git/commits/${p}`,
      html_url: `${WEB}/${repo.fullName}/commit/${p}`,
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  };
}

/** The "commit" object of the commits and branches APIs. */
export function commitObject(ctx: RouteContext, repo: RepoState, c: CommitObject) {
  const api = repoApi(ctx, repo);
  const parent = c.parents[0] ? repo.store.commits.get(c.parents[0]) : undefined;
  const files = diffFiles(repo, parent?.tree, c.tree);
  return {
    sha: c.sha,
    node_id: nodeId('C', c.sha.slice(0, 12)),
    url: `${api}/commits/${c.sha}`,
    html_url: `${WEB}/${repo.fullName}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${c.sha}`,
      author: c.author,
      committer: c.committer,
      message: c.message,
      comment_count: 0,
      tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
    },
    author: null,
    committer: null,
    parents: c.parents.map((p) => ({
      sha: p,
      url: `${api}/commits/${p}`,
      html_url: `${WEB}/${repo.fullName}/commit/${p}`,
    })),
    stats: { total: files.length, additions: 0, deletions: 0 },
    files: files.map((f) => ({
      sha: f.sha,
      filename: f.path,
      status: f.status,
      additions: 0,
      deletions: 0,
      changes: 0,
      blob_url: `${WEB}/${repo.fullName}/blob/${c.sha}/${f.path}`,
      raw_url: `${WEB}/${repo.fullName}/raw/${c.sha}/${f.path}`,
      contents_url: `${api}/contents/${f.path}?ref=${c.sha}`,
    })),
  };
}

export function diffFiles(repo: RepoState, from: string | undefined, to: string) {
  const a = from ? repo.store.flatten(from) : new Map();
  const b = repo.store.flatten(to);
  const out: { path: string; sha: string | null; status: 'added' | 'removed' | 'modified' }[] = [];
  for (const [path, e] of b)
    if (!a.has(path)) out.push({ path, sha: e.sha, status: 'added' });
    else if (a.get(path).sha !== e.sha) out.push({ path, sha: e.sha, status: 'modified' });
  for (const path of a.keys()) if (!b.has(path)) out.push({ path, sha: null, status: 'removed' });
  return out.sort((x, y) => (x.path < y.path ? -1 : 1));
}

export function refObject(ctx: RouteContext, repo: RepoState, full: string, sha: string) {
  const api = repoApi(ctx, repo);
  return {
    ref: full,
    node_id: nodeId('REF', full),
    url: `${api}/git/${full}`,
    object: { type: 'commit', sha, url: `${api}/git/commits/${sha}` },
  };
}

export function contentEntry(
  ctx: RouteContext,
  repo: RepoState,
  path: string,
  e: { sha: string; type: EntryType; mode: string },
  ref: string,
) {
  const api = repoApi(ctx, repo);
  const name = path.split('/').pop() ?? path;
  const type = e.type === 'tree' ? 'dir' : e.type === 'commit' ? 'submodule' : e.mode === '120000' ? 'symlink' : 'file';
  const size = e.type === 'blob' ? repo.store.blobs.get(e.sha)!.length : 0;
  const self = `${api}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
  const git = `${api}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`;
  const html = `${WEB}/${repo.fullName}/${e.type === 'tree' ? 'tree' : 'blob'}/${ref}/${encodePath(path)}`;
  return {
    type,
    size,
    name,
    path,
    sha: e.sha,
    url: self,
    git_url: git,
    html_url: html,
    download_url:
      type === 'file' ? `https://raw.githubusercontent.com/${repo.fullName}/${ref}/${encodePath(path)}` : null,
    _links: { self, git, html },
  };
}

/** The contents API inlines files up to 1 MB. */
export const CONTENTS_INLINE_LIMIT = 1024 * 1024;

export const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** GitHub wraps base64 content at 60 characters per line. */
export function base64Lines(buf: Buffer): string {
  return (buf.toString('base64').match(/.{1,60}/g) ?? ['']).join('\n') + '\n';
}

export function pullObject(ctx: RouteContext, repo: RepoState, issue: IssueState) {
  const pr = issue.pull!;
  const api = repoApi(ctx, repo);
  const headRepo = ctx.world.repos.get(pr.headRepo.toLowerCase()) ?? repo;
  const headSha = pr.frozenHeadSha ?? headRepo.branchSha(pr.headRef) ?? '0'.repeat(40);
  const baseSha = repo.branchSha(pr.baseRef) ?? '0'.repeat(40);
  const url = `${api}/pulls/${issue.number}`;
  const html = `${WEB}/${repo.fullName}/pull/${issue.number}`;
  const issueUrl = `${api}/issues/${issue.number}`;
  // Only a same-repository PR can be diffed here: a fork keeps its objects in its own store.
  const headTree = headRepo === repo ? repo.store.commits.get(headSha)?.tree : undefined;
  const changed = headTree ? diffFiles(repo, repo.store.commits.get(baseSha)?.tree, headTree) : [];
  return {
    url,
    id: issue.id,
    node_id: nodeId('PR_', issue.id),
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issueUrl,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${api}/pulls/comments{/number}`,
    comments_url: `${issueUrl}/comments`,
    statuses_url: `${api}/statuses/${headSha}`,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: user(ctx.world.urls, issue.user),
    body: issue.body,
    labels: issue.labels.map((n) => labelObject(ctx, repo, n)),
    milestone: null,
    active_lock_reason: null,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    closed_at: issue.closedAt,
    merged_at: pr.mergedAt,
    merge_commit_sha: pr.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: pr.reviewers.map((r) => user(ctx.world.urls, r)),
    requested_teams: pr.teamReviewers.map((t) => teamObject(ctx, repo, t)),
    head: {
      label: `${headRepo.info.owner}:${pr.headRef}`,
      ref: pr.headRef,
      sha: headSha,
      user: user(ctx.world.urls, headRepo.info.owner),
      repo: repoObject(ctx, headRepo),
    },
    base: {
      label: `${repo.info.owner}:${pr.baseRef}`,
      ref: pr.baseRef,
      sha: baseSha,
      user: user(ctx.world.urls, repo.info.owner),
      repo: repoObject(ctx, repo),
    },
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issueUrl },
      comments: { href: `${issueUrl}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${api}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${api}/statuses/${headSha}` },
    },
    author_association: 'OWNER',
    auto_merge: pr.autoMerge
      ? {
          enabled_by: user(ctx.world.urls, pr.autoMerge.enabledBy),
          merge_method: pr.autoMerge.method.toLowerCase(),
          commit_title: pr.autoMerge.commitHeadline ?? '',
          commit_message: pr.autoMerge.commitBody ?? '',
        }
      : null,
    draft: pr.draft,
    merged: pr.merged,
    mergeable: issue.state === 'open' ? true : null,
    rebaseable: issue.state === 'open' ? true : null,
    mergeable_state: issue.state === 'open' ? 'clean' : 'unknown',
    merged_by: pr.mergedBy ? user(ctx.world.urls, pr.mergedBy) : null,
    comments: issue.comments.length,
    review_comments: 0,
    maintainer_can_modify: pr.maintainerCanModify,
    commits: headRepo === repo ? countCommits(repo, headSha, baseSha) : 1,
    additions: 0,
    deletions: 0,
    changed_files: changed.length,
  };
}

export function countCommits(repo: RepoState, head: string, base: string): number {
  let n = 0;
  const seen = new Set<string>();
  const stack = [head];
  while (stack.length) {
    const s = stack.pop()!;
    if (seen.has(s) || repo.store.isAncestor(s, base)) continue;
    seen.add(s);
    n++;
    stack.push(...(repo.store.commits.get(s)?.parents ?? []));
  }
  return n;
}

export function labelObject(ctx: RouteContext, repo: RepoState, name: string) {
  const l = repo.labels.get(name.toLowerCase())!;
  return {
    id: l.id,
    node_id: nodeId('LA_', l.id),
    url: `${repoApi(ctx, repo)}/labels/${encodeURIComponent(l.name)}`,
    name: l.name,
    description: l.description,
    color: l.color,
    default: false,
  };
}

export function teamObject(ctx: RouteContext, repo: RepoState, slug: string) {
  const id = [...slug].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000, 7);
  const api = `${ctx.world.urls.api}/organizations/1/team/${id}`;
  return {
    id,
    node_id: nodeId('T_', id),
    url: api,
    html_url: `${WEB}/orgs/${repo.info.owner}/teams/${slug}`,
    name: slug,
    slug,
    description: null,
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    permission: 'pull',
    members_url: `${api}/members{/member}`,
    repositories_url: `${api}/repos`,
    type: 'organization',
    organization_id: 1,
    parent: null,
  };
}

export function commentObject(ctx: RouteContext, repo: RepoState, c: IssueState['comments'][number]) {
  const api = repoApi(ctx, repo);
  const issue = repo.issues.get(c.issueNumber)!;
  return {
    id: c.id,
    node_id: nodeId('IC_', c.id),
    url: `${api}/issues/comments/${c.id}`,
    html_url: `${WEB}/${repo.fullName}/${issue.pull ? 'pull' : 'issues'}/${c.issueNumber}#issuecomment-${c.id}`,
    body: c.body,
    user: user(ctx.world.urls, c.user),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    issue_url: `${api}/issues/${c.issueNumber}`,
    author_association: 'OWNER',
  };
}

export function checkRunObject(ctx: RouteContext, repo: RepoState, r: CheckRunState) {
  const api = repoApi(ctx, repo);
  return {
    id: r.id,
    node_id: nodeId('CR_', r.id),
    head_sha: r.headSha,
    external_id: r.externalId,
    url: `${api}/check-runs/${r.id}`,
    html_url: `${WEB}/${repo.fullName}/runs/${r.id}`,
    details_url: r.detailsUrl,
    status: r.status,
    conclusion: r.conclusion,
    started_at: r.startedAt,
    completed_at: r.completedAt,
    output: {
      title: r.output.title,
      summary: r.output.summary,
      text: r.output.text,
      annotations_count: r.output.annotations.length,
      annotations_url: `${api}/check-runs/${r.id}/annotations`,
    },
    name: r.name,
    check_suite: { id: r.id + 1 },
    app: {
      id: 15368,
      slug: 'github-actions',
      node_id: nodeId('A_', 15368),
      owner: user(ctx.world.urls, 'github', 'Organization'),
      name: 'GitHub Actions',
      description: 'Automate your workflow from idea to production',
      external_url: 'https://help.github.com/en/actions',
      html_url: `${WEB}/apps/github-actions`,
      created_at: '2018-07-30T09:30:17Z',
      updated_at: '2024-04-10T20:33:16Z',
      permissions: { checks: 'write', contents: 'write', pull_requests: 'write', statuses: 'write' },
      events: ['check_run', 'pull_request', 'push'],
    },
    pull_requests: [],
  };
}

export function workflowRunObject(ctx: RouteContext, repo: RepoState, r: WorkflowRunState) {
  const api = repoApi(ctx, repo);
  const c = repo.store.commits.get(r.headSha);
  const runUrl = `${api}/actions/runs/${r.id}`;
  return {
    id: r.id,
    name: r.name,
    node_id: nodeId('WFR_', r.id),
    check_suite_id: r.id + 1,
    check_suite_node_id: nodeId('CS_', r.id + 1),
    head_branch: r.headBranch,
    head_sha: r.headSha,
    path: r.path,
    display_title: r.name,
    run_number: r.runNumber,
    run_attempt: 1,
    event: r.event,
    status: r.status,
    conclusion: r.conclusion,
    workflow_id: workflowNumericId(r.workflowId),
    url: runUrl,
    html_url: `${WEB}/${repo.fullName}/actions/runs/${r.id}`,
    pull_requests: [],
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    run_started_at: r.createdAt,
    actor: user(ctx.world.urls, r.actor),
    triggering_actor: user(ctx.world.urls, r.actor),
    jobs_url: `${runUrl}/jobs`,
    logs_url: `${runUrl}/logs`,
    check_suite_url: `${api}/check-suites/${r.id + 1}`,
    artifacts_url: `${runUrl}/artifacts`,
    cancel_url: `${runUrl}/cancel`,
    rerun_url: `${runUrl}/rerun`,
    workflow_url: `${api}/actions/workflows/${workflowNumericId(r.workflowId)}`,
    head_commit: c
      ? {
          id: c.sha,
          tree_id: c.tree,
          message: c.message,
          timestamp: c.committer.date,
          author: { name: c.author.name, email: c.author.email },
          committer: { name: c.committer.name, email: c.committer.email },
        }
      : null,
    repository: repoObject(ctx, repo),
    head_repository: repoObject(ctx, repo),
  };
}

export function workflowNumericId(workflowId: string): number {
  return /^\d+$/.test(workflowId)
    ? Number(workflowId)
    : [...workflowId].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 10_000_000, 11);
}

export function treeObject(ctx: RouteContext, repo: RepoState, sha: string, recursive: boolean) {
  const api = repoApi(ctx, repo);
  const entries: { path: string; mode: string; type: string; sha: string; size?: number; url: string }[] = [];
  const walk = (treeSha: string, prefix: string) => {
    for (const e of repo.store.trees.get(treeSha) ?? []) {
      const path = prefix + e.name;
      const size = e.type === 'blob' ? repo.store.blobs.get(e.sha)?.length : undefined;
      entries.push({
        path,
        mode: e.mode,
        type: e.type,
        sha: e.sha,
        ...(size !== undefined ? { size } : {}),
        url: `${api}/git/${e.type === 'tree' ? 'trees' : 'blobs'}/${e.sha}`,
      });
      if (recursive && e.type === 'tree') walk(e.sha, `${path}/`);
    }
  };
  walk(sha, '');
  return { sha, url: `${api}/git/trees/${sha}`, tree: entries, truncated: false };
}

/** The pull-request-simple shape: the full pull without the counters only `GET pull` returns. */
export function simplePull(full: ReturnType<typeof pullObject>) {
  const {
    merged: _m,
    mergeable: _a,
    rebaseable: _r,
    mergeable_state: _s,
    merged_by: _b,
    comments: _c,
    review_comments: _rc,
    maintainer_can_modify: _mm,
    commits: _cm,
    additions: _ad,
    deletions: _d,
    changed_files: _f,
    ...simple
  } = full;
  return simple;
}
