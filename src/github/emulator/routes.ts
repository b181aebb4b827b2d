import type { TreeChange } from './git-store.js';
import { GitObjectError } from './git-store.js';
import { WEB, isoNow, nodeId, user, type Urls } from './objects.js';
import {
  HttpError,
  notFound,
  person,
  validationFailed,
  type CheckRunState,
  type IssueState,
  type RepoState,
  type WorkflowRunState,
} from './state.js';
import {
  CONTENTS_INLINE_LIMIT,
  base64Lines,
  checkRunObject,
  commentObject,
  commitObject,
  contentEntry,
  gitCommitObject,
  labelObject,
  pullObject,
  refObject,
  repoApi,
  repoObject,
  simplePull,
  teamObject,
  treeObject,
  workflowRunObject,
} from './responses.js';

/** What the emulator knows beyond one repository. */
export interface World {
  urls: Urls;
  /** Lower-cased owner/name → repository (GitHub matches names case-insensitively). */
  repos: Map<string, RepoState>;
  /** The login requests act as (the author of PRs, comments, commits). */
  login: string;
  now(): Date;
  nextId(): number;
}

export interface RouteContext {
  world: World;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The request URL (path and query) as received, for Link headers. */
  url: URL;
  body: any;
  token?: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (ctx: RouteContext, repo: RepoState) => Reply;

const ok = (body: unknown, status = 200): Reply => ({ status, body });

// ───────────────────────────── helpers ─────────────────────────────

/** One page of `items` with GitHub's Link header (per_page ≤ 100, default 30). */
function paginate(ctx: RouteContext, items: unknown[], wrap: (page: unknown[]) => unknown = (p) => p): Reply {
  const perPage = Math.min(100, Math.max(1, Number(ctx.query.get('per_page') ?? 30) || 30));
  const page = Math.max(1, Number(ctx.query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string) => {
    const u = new URL(ctx.url.href);
    u.searchParams.set('page', String(p));
    return `<${ctx.world.urls.api}${u.pathname}${u.search}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  return {
    status: 200,
    body: wrap(items.slice((page - 1) * perPage, page * perPage)),
    headers: links.length ? { link: links.join(', ') } : {},
  };
}

function me(ctx: RouteContext) {
  return person(
    ctx.world.login,
    `${ctx.world.login.replace(/\[bot\]$/, '')}@users.noreply.github.com`,
    ctx.world.now(),
  );
}

function requireBranch(repo: RepoState, branch: string): string {
  const sha = repo.branchSha(branch);
  if (!sha) throw new HttpError(404, 'Branch not found');
  return sha;
}

function gitError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof GitObjectError) throw new HttpError(422, err.message);
    throw err;
  }
}

function fullRef(ref: string): string {
  return ref.startsWith('refs/') ? ref : `refs/${ref}`;
}

function newIssue(ctx: RouteContext, repo: RepoState, title: string, body: string | null): IssueState {
  const at = isoNow(ctx.world.now());
  const issue: IssueState = {
    number: repo.nextNumber++,
    id: ctx.world.nextId(),
    title,
    body,
    state: 'open',
    user: ctx.world.login,
    createdAt: at,
    updatedAt: at,
    closedAt: null,
    labels: [],
    comments: [],
  };
  repo.issues.set(issue.number, issue);
  return issue;
}

function touch(ctx: RouteContext, issue: IssueState) {
  issue.updatedAt = isoNow(ctx.world.now());
}

function addLabels(ctx: RouteContext, repo: RepoState, issue: IssueState, body: unknown) {
  const raw = Array.isArray(body) ? body : ((body as { labels?: unknown[] } | undefined)?.labels ?? []);
  for (const l of raw) {
    const name = typeof l === 'string' ? l : (l as { name: string }).name;
    if (!repo.labels.has(name.toLowerCase()))
      repo.labels.set(name.toLowerCase(), { id: ctx.world.nextId(), name, color: 'ededed', description: '' });
    if (!issue.labels.some((n) => n.toLowerCase() === name.toLowerCase()))
      issue.labels.push(repo.labels.get(name.toLowerCase())!.name);
  }
  touch(ctx, issue);
}

// ───────────────────────────── routes ─────────────────────────────

const R = '/repos/{owner}/{repo}';

export const handlers: Record<string, Handler> = {
  [`GET ${R}`]: (ctx, repo) => ok(repoObject(ctx, repo)),

  [`PATCH ${R}`]: (ctx, repo) => {
    const b = ctx.body ?? {};
    if (b.default_branch !== undefined) {
      if (!repo.branchSha(b.default_branch))
        throw validationFailed('Repository', { code: 'invalid', field: 'default_branch' });
      repo.info.defaultBranch = b.default_branch;
    }
    if (b.description !== undefined) repo.info.description = b.description;
    if (b.private !== undefined) repo.info.private = b.private;
    if (b.allow_auto_merge !== undefined) repo.info.allowAutoMerge = b.allow_auto_merge;
    repo.info.updatedAt = isoNow(ctx.world.now());
    return ok(repoObject(ctx, repo));
  },

  [`DELETE ${R}`]: (ctx, repo) => {
    ctx.world.repos.delete(repo.fullName.toLowerCase());
    return { status: 204 };
  },

  // ── git database ──
  [`POST ${R}/git/blobs`]: (ctx, repo) => {
    const { content, encoding = 'utf-8' } = ctx.body;
    const buf = encoding === 'base64' ? Buffer.from(content, 'base64') : Buffer.from(content, 'utf8');
    const sha = repo.store.writeBlob(buf);
    return ok({ sha, url: `${repoApi(ctx, repo)}/git/blobs/${sha}` }, 201);
  },

  [`POST ${R}/git/trees`]: (ctx, repo) => {
    const { tree, base_tree } = ctx.body as { tree: TreeChange[]; base_tree?: string };
    const sha = gitError(() => repo.store.applyChanges(base_tree, tree));
    return ok(treeObject(ctx, repo, sha, false), 201);
  },

  [`GET ${R}/git/trees/{tree_sha}`]: (ctx, repo) => {
    repo.requireCommits();
    let sha = ctx.params.tree_sha!;
    if (!repo.store.trees.has(sha)) {
      const commit = repo.resolve(sha);
      if (!commit) throw notFound();
      sha = repo.commit(commit).tree;
    }
    const recursive = ctx.query.has('recursive') && !['0', 'false'].includes(ctx.query.get('recursive')!);
    return ok(treeObject(ctx, repo, sha, recursive));
  },

  [`POST ${R}/git/commits`]: (ctx, repo) => {
    const b = ctx.body;
    const who = me(ctx);
    const author = b.author ? { name: b.author.name, email: b.author.email, date: b.author.date ?? who.date } : who;
    const committer = b.committer
      ? { name: b.committer.name, email: b.committer.email, date: b.committer.date ?? who.date }
      : author;
    const parents: string[] = b.parents ?? [];
    for (const p of parents)
      if (!repo.store.commits.has(p)) throw new HttpError(422, 'Parent SHA does not exist or is not a commit object');
    if (!repo.store.trees.has(b.tree)) throw new HttpError(422, 'Tree SHA does not exist');
    const c = repo.store.writeCommit({ tree: b.tree, parents, message: b.message, author, committer });
    return ok(gitCommitObject(ctx, repo, c), 201);
  },

  [`GET ${R}/git/commits/{commit_sha}`]: (ctx, repo) => {
    repo.requireCommits();
    const c = repo.store.commits.get(ctx.params.commit_sha!);
    if (!c) throw notFound();
    return ok(gitCommitObject(ctx, repo, c));
  },

  [`GET ${R}/git/ref/{ref}`]: (ctx, repo) => {
    repo.requireCommits();
    const full = fullRef(ctx.params.ref!);
    const sha = repo.refs.get(full);
    if (!sha) throw notFound();
    return ok(refObject(ctx, repo, full, sha));
  },

  [`POST ${R}/git/refs`]: (ctx, repo) => {
    const { ref, sha } = ctx.body as { ref: string; sha: string };
    if (!/^refs\/.+\/.+/.test(ref))
      throw new HttpError(422, "Reference name must start with 'refs/' and have at least two slashes.");
    if (repo.refs.has(ref)) throw new HttpError(422, 'Reference already exists');
    if (!repo.store.commits.has(sha)) throw new HttpError(422, 'Object does not exist');
    repo.refs.set(ref, sha);
    return { ...ok(refObject(ctx, repo, ref, sha), 201), headers: { location: `${repoApi(ctx, repo)}/git/${ref}` } };
  },

  [`PATCH ${R}/git/refs/{ref}`]: (ctx, repo) => {
    const full = fullRef(ctx.params.ref!);
    const current = repo.refs.get(full);
    const { sha, force = false } = ctx.body as { sha: string; force?: boolean };
    if (!current) throw new HttpError(422, 'Reference does not exist');
    if (!repo.store.commits.has(sha)) throw new HttpError(422, 'Object does not exist');
    if (!force && !repo.store.isAncestor(current, sha)) throw new HttpError(422, 'Update is not a fast forward');
    repo.refs.set(full, sha);
    return ok(refObject(ctx, repo, full, sha));
  },

  [`DELETE ${R}/git/refs/{ref}`]: (ctx, repo) => {
    const full = fullRef(ctx.params.ref!);
    if (!repo.refs.has(full)) throw new HttpError(422, 'Reference does not exist');
    repo.refs.delete(full);
    closePullsOfDeletedBranch(ctx, repo, full);
    return { status: 204 };
  },

  // ── contents, commits, branches ──
  [`GET ${R}/contents/{path}`]: (ctx, repo) => {
    repo.requireCommits();
    const ref = ctx.query.get('ref') || repo.info.defaultBranch;
    const sha = repo.resolve(ref);
    if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`);
    const path = ctx.params.path!.replace(/^\/+|\/+$/g, '');
    const entry = repo.entryAt(sha, path);
    if (!entry) throw notFound();
    if (entry.type === 'tree') {
      const list = repo.store.trees
        .get(entry.sha)!
        .map((e) => contentEntry(ctx, repo, path ? `${path}/${e.name}` : e.name, e, ref));
      return ok(list);
    }
    const base = contentEntry(ctx, repo, path, entry, ref);
    if (base.type === 'file') {
      const blob = repo.store.blobs.get(entry.sha)!;
      // Over 1 MB GitHub leaves the content out (encoding "none"); clients must ask for the raw media type.
      if (blob.length > CONTENTS_INLINE_LIMIT) return ok({ ...base, content: '', encoding: 'none' });
      return ok({ ...base, content: base64Lines(blob), encoding: 'base64' });
    }
    if (base.type === 'symlink') return ok({ ...base, target: repo.store.blobs.get(entry.sha)!.toString('utf8') });
    return ok({ ...base, submodule_git_url: `${WEB}/${repo.fullName}-submodule.git` });
  },

  [`PUT ${R}/contents/{path}`]: (ctx, repo) => {
    const b = ctx.body;
    const path = ctx.params.path!;
    const branch = b.branch ?? repo.info.defaultBranch;
    const parent = repo.branchSha(branch);
    if (!parent && !repo.isEmpty) throw new HttpError(404, `Branch ${branch} not found`);
    const existing = parent ? repo.entryAt(parent, path) : undefined;
    if (existing && !b.sha) throw new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    if (existing && b.sha !== existing.sha) throw new HttpError(409, `${path} does not match ${b.sha}`);
    const who = me(ctx);
    const c = repo.store.writeCommit({
      tree: repo.store.applyChanges(parent ? repo.commit(parent).tree : undefined, [
        { path, mode: '100644', type: 'blob', content: Buffer.from(b.content, 'base64').toString('utf8') },
      ]),
      parents: parent ? [parent] : [],
      message: b.message,
      author: b.author ? { ...b.author, date: b.author.date ?? who.date } : who,
      committer: b.committer ? { ...b.committer, date: b.committer.date ?? who.date } : who,
    });
    repo.refs.set(`refs/heads/${branch}`, c.sha);
    const entry = repo.entryAt(c.sha, path)!;
    return ok(
      { content: contentEntry(ctx, repo, path, entry, branch), commit: gitCommitObject(ctx, repo, c) },
      existing ? 200 : 201,
    );
  },

  [`DELETE ${R}/contents/{path}`]: (ctx, repo) => {
    repo.requireCommits();
    const b = ctx.body;
    const path = ctx.params.path!;
    const branch = b.branch ?? repo.info.defaultBranch;
    const parent = requireBranch(repo, branch);
    const existing = repo.entryAt(parent, path);
    if (!existing) throw notFound();
    if (b.sha !== existing.sha) throw new HttpError(409, `${path} does not match ${b.sha}`);
    const c = repo.commitFiles(parent, { [path]: null }, b.message, me(ctx));
    repo.refs.set(`refs/heads/${branch}`, c.sha);
    return ok({ content: null, commit: gitCommitObject(ctx, repo, c) });
  },

  [`GET ${R}/commits/{ref}`]: (ctx, repo) => {
    repo.requireCommits();
    const sha = repo.resolve(ctx.params.ref!);
    if (!sha) throw new HttpError(422, `No commit found for SHA: ${ctx.params.ref}`);
    return ok(commitObject(ctx, repo, repo.commit(sha)));
  },

  [`GET ${R}/branches/{branch}`]: (ctx, repo) => {
    const name = ctx.params.branch!;
    const sha = requireBranch(repo, name);
    const api = repoApi(ctx, repo);
    return ok({
      name,
      commit: commitObject(ctx, repo, repo.commit(sha)),
      _links: { self: `${api}/branches/${encodeURIComponent(name)}`, html: `${WEB}/${repo.fullName}/tree/${name}` },
      protected: false,
      protection: { enabled: false, required_status_checks: { enforcement_level: 'off', contexts: [], checks: [] } },
      protection_url: `${api}/branches/${encodeURIComponent(name)}/protection`,
    });
  },

  // ── pull requests ──
  [`GET ${R}/pulls`]: (ctx, repo) => {
    const state = ctx.query.get('state') ?? 'open';
    const head = ctx.query.get('head');
    const base = ctx.query.get('base');
    let pulls = [...repo.issues.values()].filter((i) => i.pull && (state === 'all' || i.state === state));
    // GitHub ignores a head filter without the `owner:` part (a classic client bug: it then lists every PR).
    if (head?.includes(':')) {
      const [owner, ...rest] = head.split(':');
      const ref = rest.join(':');
      pulls = pulls.filter(
        (i) => i.pull!.headRepo.split('/')[0]!.toLowerCase() === owner!.toLowerCase() && i.pull!.headRef === ref,
      );
    }
    if (base) pulls = pulls.filter((i) => i.pull!.baseRef === base);
    const sort = ctx.query.get('sort') ?? 'created';
    const key = (i: IssueState) => (sort === 'updated' ? i.updatedAt : i.createdAt) + String(i.number).padStart(9, '0');
    const direction = ctx.query.get('direction') ?? (sort === 'created' ? 'desc' : 'asc');
    pulls.sort((a, b) => (key(a) < key(b) ? -1 : 1) * (direction === 'asc' ? 1 : -1));
    return paginate(
      ctx,
      pulls.map((i) => pullObject(ctx, repo, i)),
    );
  },

  [`POST ${R}/pulls`]: (ctx, repo) => {
    const b = ctx.body;
    const [headOwner, headRef] = b.head.includes(':') ? b.head.split(/:(.*)/s) : [repo.info.owner, b.head];
    const headRepoName =
      b.head_repo ??
      (headOwner.toLowerCase() === repo.info.owner.toLowerCase() ? repo.fullName : `${headOwner}/${repo.info.name}`);
    const headRepo = ctx.world.repos.get(headRepoName.toLowerCase());
    const baseSha = repo.branchSha(b.base);
    if (!baseSha) throw validationFailed('PullRequest', { field: 'base', code: 'invalid' });
    const headSha = headRepo?.branchSha(headRef);
    if (!headSha) throw validationFailed('PullRequest', { field: 'head', code: 'invalid' });
    if (!b.title && !b.issue) throw validationFailed('PullRequest', { field: 'title', code: 'missing_field' });
    const dup = [...repo.issues.values()].find(
      (i) =>
        i.state === 'open' &&
        i.pull &&
        i.pull.headRepo.toLowerCase() === headRepoName.toLowerCase() &&
        i.pull.headRef === headRef &&
        i.pull.baseRef === b.base,
    );
    if (dup)
      throw validationFailed('PullRequest', {
        code: 'custom',
        message: `A pull request already exists for ${headOwner}:${headRef}.`,
      });
    if (headRepo!.store === repo.store && repo.store.isAncestor(headSha, baseSha)) {
      throw validationFailed('PullRequest', { code: 'custom', message: `No commits between ${b.base} and ${headRef}` });
    }
    const issue = newIssue(ctx, repo, b.title, b.body ?? null);
    issue.pull = {
      headRef,
      headRepo: headRepo!.fullName,
      baseRef: b.base,
      draft: b.draft ?? false,
      merged: false,
      mergedAt: null,
      mergedBy: null,
      mergeCommitSha: null,
      maintainerCanModify: b.maintainer_can_modify ?? true,
      reviewers: [],
      teamReviewers: [],
    };
    const body = pullObject(ctx, repo, issue);
    return { status: 201, body, headers: { location: body.url } };
  },

  [`GET ${R}/pulls/{pull_number}`]: (ctx, repo) => ok(pullObject(ctx, repo, repo.pull(Number(ctx.params.pull_number)))),

  [`PATCH ${R}/pulls/{pull_number}`]: (ctx, repo) => {
    const issue = repo.pull(Number(ctx.params.pull_number));
    const b = ctx.body ?? {};
    if (b.title !== undefined) issue.title = b.title;
    if (b.body !== undefined) issue.body = b.body;
    if (b.base !== undefined) {
      if (!repo.branchSha(b.base)) throw validationFailed('PullRequest', { field: 'base', code: 'invalid' });
      issue.pull.baseRef = b.base;
    }
    if (b.maintainer_can_modify !== undefined) issue.pull.maintainerCanModify = b.maintainer_can_modify;
    if (b.state !== undefined && b.state !== issue.state) setPullState(ctx, repo, issue, b.state);
    touch(ctx, issue);
    return ok(pullObject(ctx, repo, issue));
  },

  [`GET ${R}/pulls/{pull_number}/requested_reviewers`]: (ctx, repo) => {
    const { pull } = repo.pull(Number(ctx.params.pull_number));
    return ok({
      users: pull.reviewers.map((r) => user(ctx.world.urls, r)),
      teams: pull.teamReviewers.map((t) => teamObject(ctx, repo, t)),
    });
  },

  [`POST ${R}/pulls/{pull_number}/requested_reviewers`]: (ctx, repo) => {
    const issue = repo.pull(Number(ctx.params.pull_number));
    const { reviewers = [], team_reviewers = [] } = (ctx.body ?? {}) as {
      reviewers?: string[];
      team_reviewers?: string[];
    };
    if (reviewers.some((r) => r.toLowerCase() === issue.user.toLowerCase()))
      throw new HttpError(422, 'Review cannot be requested from pull request author.');
    for (const r of reviewers) if (!issue.pull.reviewers.includes(r)) issue.pull.reviewers.push(r);
    for (const t of team_reviewers) if (!issue.pull.teamReviewers.includes(t)) issue.pull.teamReviewers.push(t);
    touch(ctx, issue);
    return ok(simplePull(pullObject(ctx, repo, issue)), 201);
  },

  [`DELETE ${R}/pulls/{pull_number}/requested_reviewers`]: (ctx, repo) => {
    const issue = repo.pull(Number(ctx.params.pull_number));
    const { reviewers = [], team_reviewers = [] } = (ctx.body ?? {}) as {
      reviewers?: string[];
      team_reviewers?: string[];
    };
    issue.pull.reviewers = issue.pull.reviewers.filter((r) => !reviewers.includes(r));
    issue.pull.teamReviewers = issue.pull.teamReviewers.filter((t) => !team_reviewers.includes(t));
    touch(ctx, issue);
    return ok(simplePull(pullObject(ctx, repo, issue)));
  },

  // ── issue comments and labels ──
  [`GET ${R}/issues/{issue_number}/comments`]: (ctx, repo) => {
    const issue = repo.issue(Number(ctx.params.issue_number));
    const since = ctx.query.get('since');
    const comments = issue.comments.filter((c) => !since || c.updatedAt >= since);
    return paginate(
      ctx,
      comments.map((c) => commentObject(ctx, repo, c)),
    );
  },

  [`POST ${R}/issues/{issue_number}/comments`]: (ctx, repo) => {
    const issue = repo.issue(Number(ctx.params.issue_number));
    const body = checkCommentBody(ctx.body.body);
    const at = isoNow(ctx.world.now());
    const c = {
      id: ctx.world.nextId(),
      issueNumber: issue.number,
      body,
      user: ctx.world.login,
      createdAt: at,
      updatedAt: at,
    };
    issue.comments.push(c);
    const obj = commentObject(ctx, repo, c);
    return { status: 201, body: obj, headers: { location: obj.url } };
  },

  [`GET ${R}/issues/comments/{comment_id}`]: (ctx, repo) =>
    ok(commentObject(ctx, repo, findComment(repo, ctx.params.comment_id!).comment)),

  [`PATCH ${R}/issues/comments/{comment_id}`]: (ctx, repo) => {
    const { comment } = findComment(repo, ctx.params.comment_id!);
    comment.body = checkCommentBody(ctx.body.body);
    comment.updatedAt = isoNow(ctx.world.now());
    return ok(commentObject(ctx, repo, comment));
  },

  [`DELETE ${R}/issues/comments/{comment_id}`]: (ctx, repo) => {
    const { issue, comment } = findComment(repo, ctx.params.comment_id!);
    issue.comments.splice(issue.comments.indexOf(comment), 1);
    return { status: 204 };
  },

  [`GET ${R}/issues/{issue_number}/labels`]: (ctx, repo) => {
    const issue = repo.issue(Number(ctx.params.issue_number));
    return paginate(
      ctx,
      issue.labels.map((n) => labelObject(ctx, repo, n)),
    );
  },

  [`POST ${R}/issues/{issue_number}/labels`]: (ctx, repo) => {
    const issue = repo.issue(Number(ctx.params.issue_number));
    addLabels(ctx, repo, issue, ctx.body);
    return ok(issue.labels.map((n) => labelObject(ctx, repo, n)));
  },

  [`PUT ${R}/issues/{issue_number}/labels`]: (ctx, repo) => {
    const issue = repo.issue(Number(ctx.params.issue_number));
    issue.labels = [];
    addLabels(ctx, repo, issue, ctx.body);
    return ok(issue.labels.map((n) => labelObject(ctx, repo, n)));
  },

  [`DELETE ${R}/issues/{issue_number}/labels`]: (ctx, repo) => {
    const issue = repo.issue(Number(ctx.params.issue_number));
    issue.labels = [];
    touch(ctx, issue);
    return { status: 204 };
  },

  // ── checks, statuses, workflows ──
  [`POST ${R}/check-runs`]: (ctx, repo) => {
    const b = ctx.body;
    if (!repo.store.commits.has(b.head_sha)) throw validationFailed('CheckRun', { field: 'head_sha', code: 'invalid' });
    const status = b.conclusion ? 'completed' : (b.status ?? 'queued');
    const at = isoNow(ctx.world.now());
    const run: CheckRunState = {
      id: ctx.world.nextId(),
      name: b.name,
      headSha: b.head_sha,
      status,
      conclusion: b.conclusion ?? null,
      startedAt: b.started_at ?? at,
      completedAt: status === 'completed' ? (b.completed_at ?? at) : null,
      detailsUrl: b.details_url ?? null,
      externalId: b.external_id ?? '',
      output: {
        title: b.output?.title ?? null,
        summary: b.output?.summary ?? null,
        text: b.output?.text ?? null,
        annotations: b.output?.annotations ?? [],
      },
    };
    checkOutput(run);
    repo.checkRuns.set(run.id, run);
    return ok(checkRunObject(ctx, repo, run), 201);
  },

  [`GET ${R}/check-runs/{check_run_id}`]: (ctx, repo) =>
    ok(checkRunObject(ctx, repo, findCheckRun(repo, ctx.params.check_run_id!))),

  [`PATCH ${R}/check-runs/{check_run_id}`]: (ctx, repo) => {
    const run = findCheckRun(repo, ctx.params.check_run_id!);
    const b = ctx.body ?? {};
    const at = isoNow(ctx.world.now());
    if (b.name !== undefined) run.name = b.name;
    if (b.details_url !== undefined) run.detailsUrl = b.details_url;
    if (b.external_id !== undefined) run.externalId = b.external_id;
    if (b.started_at !== undefined) run.startedAt = b.started_at;
    if (b.status !== undefined) run.status = b.status;
    if (b.conclusion !== undefined) {
      run.conclusion = b.conclusion;
      run.status = 'completed';
    }
    if (run.status === 'completed') run.completedAt = b.completed_at ?? run.completedAt ?? at;
    if (b.output) {
      // Annotations accumulate across updates, as GitHub documents; the rest is replaced.
      run.output = {
        title: b.output.title ?? run.output.title,
        summary: b.output.summary ?? run.output.summary,
        text: b.output.text ?? run.output.text,
        annotations: [...run.output.annotations, ...(b.output.annotations ?? [])],
      };
      checkOutput(run, b.output.annotations?.length ?? 0);
    }
    return ok(checkRunObject(ctx, repo, run));
  },

  [`POST ${R}/statuses/{sha}`]: (ctx, repo) => {
    const sha = ctx.params.sha!;
    if (!repo.store.commits.has(sha))
      throw validationFailed('Status', { field: 'sha', code: 'invalid', message: `No commit found for SHA: ${sha}` });
    const b = ctx.body;
    const s = {
      id: ctx.world.nextId(),
      sha,
      state: b.state,
      description: b.description ?? null,
      targetUrl: b.target_url ?? null,
      context: b.context ?? 'default',
      creator: ctx.world.login,
      createdAt: isoNow(ctx.world.now()),
    };
    repo.statuses.push(s);
    return ok(
      {
        url: `${repoApi(ctx, repo)}/statuses/${sha}`,
        avatar_url: user(ctx.world.urls, s.creator).avatar_url,
        id: s.id,
        node_id: nodeId('SC_', s.id),
        state: s.state,
        description: s.description,
        target_url: s.targetUrl,
        context: s.context,
        created_at: s.createdAt,
        updated_at: s.createdAt,
        creator: user(ctx.world.urls, s.creator),
      },
      201,
    );
  },

  [`POST ${R}/actions/workflows/{workflow_id}/dispatches`]: (ctx, repo) => {
    const workflowId = ctx.params.workflow_id!;
    const {
      ref,
      inputs = {},
      return_run_details,
    } = ctx.body as { ref: string; inputs?: Record<string, unknown>; return_run_details?: boolean };
    const sha = repo.resolve(ref);
    if (!sha) throw new HttpError(422, `No ref found for: ${ref}`);
    const at = isoNow(ctx.world.now());
    const branch = ref.replace(/^refs\/(heads|tags)\//, '');
    const run: WorkflowRunState = {
      id: ctx.world.nextId(),
      runNumber: repo.runs.length + 1,
      workflowId,
      path: /^\d+$/.test(workflowId)
        ? `.github/workflows/workflow-${workflowId}.yml`
        : `.github/workflows/${workflowId}`,
      name: workflowId.replace(/\.ya?ml$/, ''),
      event: 'workflow_dispatch',
      status: 'queued',
      conclusion: null,
      headBranch: branch,
      headSha: sha,
      inputs,
      actor: ctx.world.login,
      createdAt: at,
      updatedAt: at,
    };
    repo.runs.push(run);
    repo.dispatches.push({ workflowId, ref, inputs, runId: run.id });
    if (!return_run_details) return { status: 204 };
    const api = repoApi(ctx, repo);
    return ok({
      workflow_run_id: run.id,
      run_url: `${api}/actions/runs/${run.id}`,
      html_url: `${WEB}/${repo.fullName}/actions/runs/${run.id}`,
    });
  },

  [`GET ${R}/actions/runs`]: (ctx, repo) => {
    const q = ctx.query;
    const runs = [...repo.runs]
      .reverse()
      .filter(
        (r) =>
          (!q.get('branch') || r.headBranch === q.get('branch')) &&
          (!q.get('event') || r.event === q.get('event')) &&
          (!q.get('actor') || r.actor === q.get('actor')) &&
          (!q.get('head_sha') || r.headSha === q.get('head_sha')) &&
          (!q.get('status') || r.status === q.get('status') || r.conclusion === q.get('status')),
      );
    const all = runs.map((r) => workflowRunObject(ctx, repo, r));
    return paginate(ctx, all, (page) => ({ total_count: all.length, workflow_runs: page }));
  },
};

function setPullState(ctx: RouteContext, repo: RepoState, issue: IssueState, state: 'open' | 'closed') {
  const pr = issue.pull!;
  if (state === 'closed') {
    const headRepo = ctx.world.repos.get(pr.headRepo.toLowerCase()) ?? repo;
    pr.frozenHeadSha = headRepo.branchSha(pr.headRef) ?? pr.frozenHeadSha;
    pr.autoMerge = undefined; // closing disarms auto-merge; reopening does not re-arm it
    issue.state = 'closed';
    issue.closedAt = isoNow(ctx.world.now());
    return;
  }
  if (pr.merged)
    throw validationFailed('PullRequest', {
      code: 'custom',
      field: 'state',
      message: 'state cannot be changed. The pull request has been merged.',
    });
  if (!repo.branchSha(pr.headRef))
    throw validationFailed('PullRequest', {
      code: 'custom',
      field: 'state',
      message: 'state cannot be changed. The head branch has been deleted.',
    });
  pr.frozenHeadSha = undefined;
  issue.state = 'open';
  issue.closedAt = null;
}

/** Deleting a PR's head branch closes the PR, as on GitHub. */
function closePullsOfDeletedBranch(ctx: RouteContext, repo: RepoState, full: string) {
  for (const issue of repo.issues.values()) {
    if (
      issue.pull &&
      issue.state === 'open' &&
      `refs/heads/${issue.pull.headRef}` === full &&
      issue.pull.headRepo === repo.fullName
    ) {
      issue.pull.autoMerge = undefined;
      issue.state = 'closed';
      issue.closedAt = isoNow(ctx.world.now());
    }
  }
}

export const COMMENT_BODY_LIMIT = 65536;

function checkCommentBody(body: string): string {
  if (body.length > COMMENT_BODY_LIMIT) {
    throw validationFailed('IssueComment', {
      code: 'custom',
      field: 'body',
      message: `body is too long (maximum is ${COMMENT_BODY_LIMIT} characters)`,
    });
  }
  return body;
}

function findComment(repo: RepoState, id: string) {
  for (const issue of repo.issues.values()) {
    const comment = issue.comments.find((c) => String(c.id) === id);
    if (comment) return { issue, comment };
  }
  throw notFound();
}

function findCheckRun(repo: RepoState, id: string): CheckRunState {
  const run = repo.checkRuns.get(Number(id));
  if (!run) throw notFound();
  return run;
}

/** GitHub's limits on check-run output: 65,535 characters of summary/text, 50 annotations per request. */
function checkOutput(run: CheckRunState, added = run.output.annotations.length) {
  for (const [field, value] of [
    ['summary', run.output.summary],
    ['text', run.output.text],
  ] as const) {
    if (value && value.length > 65535)
      throw validationFailed('CheckRun', {
        code: 'custom',
        field: `output.${field}`,
        message: `Only 65535 characters are allowed; ${value.length} were supplied.`,
      });
  }
  if (added > 50)
    throw validationFailed('CheckRun', {
      code: 'custom',
      field: 'output.annotations',
      message: 'Only 50 annotations are allowed per request.',
    });
}

/** Tests merge a pull request through the emulator (there is no merge route in the description). */
export function mergePull(
  world: World,
  repo: RepoState,
  number: number,
  opts: { squash?: boolean; method?: MergeMethod } = {},
): string {
  const issue = repo.pull(number);
  if (issue.state !== 'open') throw new Error(`pull #${number} is not open`);
  const pr = issue.pull;
  if (pr.headRepo !== repo.fullName)
    throw new Error('merging a pull request from another repository is not supported by the emulator');
  const method = opts.method ?? (opts.squash ? 'squash' : 'merge');
  const head = repo.branchSha(pr.headRef)!;
  const base = repo.branchSha(pr.baseRef)!;
  const who = person(world.login, `${world.login}@users.noreply.github.com`, world.now());
  const headCommit = repo.commit(head);
  // squash: one commit with the head's tree; rebase (of this one-commit branch): the head replayed on base.
  const merge =
    method === 'squash'
      ? repo.store.writeCommit({
          tree: headCommit.tree,
          parents: [base],
          message: `${issue.title} (#${number})\n\n${headCommit.message.split('\n').slice(2).join('\n')}`,
          author: who,
          committer: who,
        })
      : method === 'rebase'
        ? repo.store.writeCommit({
            tree: headCommit.tree,
            parents: [base],
            message: headCommit.message,
            author: headCommit.author,
            committer: who,
          })
        : repo.store.writeCommit({
            tree: headCommit.tree,
            parents: [base, head],
            message: `Merge pull request #${number} from ${repo.info.owner}/${pr.headRef}\n\n${issue.title}`,
            author: who,
            committer: who,
          });
  repo.refs.set(`refs/heads/${pr.baseRef}`, merge.sha);
  const at = isoNow(world.now());
  Object.assign(pr, {
    merged: true,
    mergedAt: at,
    mergedBy: world.login,
    mergeCommitSha: merge.sha,
    frozenHeadSha: head,
    autoMerge: undefined,
  });
  Object.assign(issue, { state: 'closed', closedAt: at, updatedAt: at });
  return merge.sha;
}

export type MergeMethod = 'merge' | 'squash' | 'rebase';
