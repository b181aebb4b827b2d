import { UserError } from '../lib/errors.js';
import { type GitHub, type RepoRef, checkShape, describeGitHubError } from '../lib/github.js';
import { COMMENT_LIMIT, truncate } from '../lib/markdown.js';
import { type GitTreeEntry, blobSha, treeShaWithBlob } from './git-objects.js';
import {
  CLOSED_BY_ACTION,
  type Lineage,
  lineageFromBody,
  lineageFromMessage,
  lineageMarker,
  lineagePins,
  lineageTrailers,
  reviewersFromBody,
  reviewersMarker,
} from './lineage.js';
import { type PinLocator, type PinMatch, setPin } from './pin.js';
import {
  type ClosedPr,
  type Operation,
  type PrState,
  missingLabels,
  pinnedFromMergedPrs,
  planModelPr,
} from './pr-plan.js';

/**
 * open-model-pr's GitHub side: read the base branch through the REST API, decide with planModelPr,
 * then write only what the plan asks — commits through the Git Database API (blob → tree → commit →
 * ref), so no checkout or local git is needed and App/GITHUB_TOKEN commits are verified.
 */
export interface ModelPrRequest {
  repo: RepoRef;
  /** Base branch; the repository's default branch when undefined. */
  base?: string;
  branch: string;
  /** Repository-relative path of the config file. */
  path: string;
  locator: PinLocator;
  /** The value to pin. */
  desired: string;
  /** The model proposed: recorded in the commit's trailers and the PR body's marker. */
  latest: Lineage;
  /** Title and body of the PR; `body` may depend on the value pinned on base now and its creation time. */
  title: string;
  body: (now: { current: string; pinned?: PinnedTime }) => string;
  commitMessage: (current: string) => string;
  labels: string[];
  reviewers: string[];
  draft: boolean;
  /** Creation time of a pinned value from the model source, when it lists that model. */
  pinnedCreated?: (current: string) => Date | undefined;
  /** Is this model gone from the model source? undefined when the run cannot tell (a `model` input). */
  isWithdrawn?: (model: Lineage) => boolean | undefined;
  allowDowngrade?: boolean;
  reconsiderRejected?: boolean;
  log: (message: string) => void;
  /** Called when the PR is authored by github-actions[bot] (GITHUB_TOKEN: its PRs trigger no workflows). */
  onDefaultToken: () => void;
  /** Waits between retries (tests may shorten it). */
  sleep?: (ms: number) => Promise<void>;
}

export interface PinnedTime {
  created: Date;
  /** Where the time was learnt: the model source, a merged PR, a commit trailer. */
  from: string;
}

export interface ModelPrResult {
  operation: Operation;
  base: string;
  branch: string;
  current: string;
  /** Where the value sits in the base file. */
  match: PinMatch;
  pr?: PrRef;
  /** Head commit of the PR branch after the run, when it exists. */
  headSha?: string;
  /** Creation time of the model pinned on base, when known. */
  pinned?: PinnedTime;
  why: string;
}

/** The PR this run ended with: open or closed, its node id (for GraphQL) and whether auto-merge is armed. */
export interface PrRef {
  number: number;
  url: string;
  open: boolean;
  nodeId?: string;
  /** The armed auto-merge's method (`merge`, `squash`, `rebase`); undefined when not armed. */
  autoMerge?: string;
}

interface PullLike {
  number: number;
  html_url: string;
  node_id?: string;
  state?: string;
  auto_merge?: { merge_method?: string } | null;
  title: string;
  body?: string | null;
  merged_at?: string | null;
  head: { sha: string; ref: string; repo?: { full_name: string } | null };
  labels: { name?: string }[];
  user?: { login: string } | null;
  requested_reviewers?: { login: string }[] | null;
  requested_teams?: { slug: string }[] | null;
}

const DEFAULT_TOKEN_LOGIN = 'github-actions[bot]';
/** How many base commits (first parents) are read back for the trailer of the commit that pinned the value. */
const TRAILER_DEPTH = 20;
/** create-pull-request's retryWithBackoff (src/utils.ts): 2 retries, 1 s then 2 s. */
const RETRIES = 2;
const RETRY_BASE_MS = 1000;
/** What the code reads from a pull request GitHub returns. */
const PR_FIELDS = ['number', 'html_url', 'head.sha', 'labels[]'];

export async function reconcileModelPr(gh: GitHub, req: ModelPrRequest): Promise<ModelPrResult> {
  const { owner, repo } = req.repo;
  const call = async <T>(what: string, fn: () => Promise<{ data: T }>, fields: readonly string[] = []): Promise<T> => {
    let data: T;
    try {
      data = (await fn()).data;
    } catch (err) {
      throw describeGitHubError(err, what);
    }
    return checkShape(data, what, fields);
  };
  const base =
    req.base ||
    (await call('Reading the repository', () => gh.rest.repos.get({ owner, repo }), ['default_branch'])).default_branch;
  if (base === req.branch)
    throw new UserError(
      `branch '${req.branch}' is the base branch. Fix: set branch to a dedicated branch such as auto-update-model.`,
    );

  // ── read: base head, the trees along the file's path, the file ──
  const baseSha = await refSha(gh, req.repo, base);
  if (!baseSha)
    throw new UserError(
      `The base branch '${base}' does not exist in ${owner}/${repo}. Fix: set base to an existing branch.`,
    );
  const baseCommit = await call(
    'Reading the base commit',
    () => gh.rest.git.getCommit({ owner, repo, commit_sha: baseSha }),
    ['tree.sha', 'parents[]'],
  );
  const baseTree = baseCommit.tree.sha;
  const names = req.path.split('/').filter(Boolean);
  const levels: GitTreeEntry[][] = [];
  let treeSha: string | undefined = baseTree;
  let fileEntry: GitTreeEntry | undefined;
  for (const [i, name] of names.entries()) {
    const sha: string = treeSha!;
    const tree = await call(
      'Reading a tree of the base branch',
      () => gh.rest.git.getTree({ owner, repo, tree_sha: sha }),
      ['tree[]'],
    );
    const entries = tree.tree.map((e) => ({
      path: e.path!,
      mode: e.mode!,
      type: e.type as GitTreeEntry['type'],
      sha: e.sha!,
    }));
    levels.push(entries);
    const entry = entries.find((e) => e.path === name);
    const last = i === names.length - 1;
    if (!entry || (last ? entry.type !== 'blob' : entry.type !== 'tree')) {
      throw new UserError(
        `config-file '${req.path}' does not exist on ${base} of ${owner}/${repo}${entry ? ` ('${names.slice(0, i + 1).join('/')}' is a ${entry.type})` : ''}. Fix: give the file's path from the repository root.`,
      );
    }
    if (last) fileEntry = entry;
    treeSha = entry.sha;
  }
  const content = await call('Reading the config file', () =>
    gh.rest.repos.getContent({ owner, repo, path: req.path, ref: baseSha }),
  );
  const baseText = fileText(content, req.path);

  const { text: newText, match } = setPin(baseText, req.path, req.locator, req.desired);
  const current = match.value;
  const title = req.title;

  const openPull = await findPull(gh, req.repo, req.branch, base, 'open');
  const openPr = openPull && prState(openPull);
  let branch: { sha: string; tree: string; parents: string[] } | undefined;
  let closedPrs: ClosedPr[] = [];
  let pinned: PinnedTime | undefined;
  const expectedTree = treeShaWithBlob(levels, names, blobSha(newText), fileEntry!.mode);
  const branchSha = await refSha(gh, req.repo, req.branch);
  if (current !== req.desired) {
    if (branchSha) {
      const c = await call(
        'Reading the PR branch',
        () => gh.rest.git.getCommit({ owner, repo, commit_sha: branchSha }),
        ['tree.sha', 'parents[]'],
      );
      branch = { sha: branchSha, tree: c.tree.sha, parents: c.parents.map((p) => p.sha) };
    }
    closedPrs = await closedPulls(gh, req.repo, req.branch, base);
    const fromSource = req.pinnedCreated?.(current);
    pinned = fromSource
      ? { created: fromSource, from: 'listed by the model source' }
      : pinnedFromMergedPrs(closedPrs, current);
    if (!pinned && req.latest.created && current)
      pinned = await pinnedFromTrailers(
        gh,
        req.repo,
        { sha: baseSha, message: baseCommit.message, parents: baseCommit.parents.map((p) => p.sha) },
        current,
      );
  }
  // The markers go first, so truncating a long body never cuts them. The body claims the reviewers as
  // requested; a run that fails to request them takes the claim back.
  const userBody = req.body({ current, ...(pinned ? { pinned } : {}) });
  const bodyFor = (claim: boolean) =>
    truncate(
      `${lineageMarker(req.latest)}\n${claim && req.reviewers.length ? `${reviewersMarker(req.reviewers)}\n` : ''}${userBody}`,
      COMMENT_LIMIT - 512,
      'body truncated',
    );
  const body = bodyFor(true);
  const openWithdrawn =
    openPr?.lineage && !lineagePins(openPr.lineage, req.desired) ? req.isWithdrawn?.(openPr.lineage) : undefined;
  const plan = planModelPr({
    current,
    desired: req.desired,
    latest: req.latest,
    expectedTree,
    baseSha,
    baseName: base,
    branch,
    openPr,
    closedPrs,
    ...(pinned ? { pinned } : {}),
    ...(openWithdrawn !== undefined ? { openPrWithdrawn: openWithdrawn } : {}),
    allowDowngrade: req.allowDowngrade ?? false,
    reconsiderRejected: req.reconsiderRejected ?? false,
    want: { title, body, labels: req.labels },
  });
  req.log(plan.why);

  // ── write only what the plan asks ──
  let headSha = branchSha;
  if (plan.push) {
    const message = `${req.commitMessage(current).trimEnd()}\n\n${lineageTrailers(req.latest)}\n`;
    headSha = await commitEdit(gh, req, {
      baseSha,
      baseTree,
      newText,
      mode: fileEntry!.mode,
      message,
      branchExists: branch !== undefined,
    });
    req.log(
      `Branch ${req.branch} now points at ${headSha.slice(0, 7)} (base ${base} ${baseSha.slice(0, 7)} + the edit of ${req.path}).`,
    );
  }
  let pr: PullLike | undefined = openPull;
  let operation = plan.operation;
  switch (plan.pr.action) {
    case 'create': {
      pr = await call(
        'Creating the pull request',
        async () => {
          try {
            return await gh.rest.pulls.create({ owner, repo, title, body, head: req.branch, base, draft: req.draft });
          } catch (err) {
            if (!isAlreadyExists(err)) throw err;
            // Another run opened it between our lookup and now: adopt it and update it instead.
            const existing = await findPull(gh, req.repo, req.branch, base, 'open', true);
            if (!existing) throw err;
            req.log(`PR #${existing.number} was opened concurrently; updating it instead.`);
            operation = 'updated';
            return gh.rest.pulls.update({ owner, repo, pull_number: existing.number, title, body });
          }
        },
        PR_FIELDS,
      );
      break;
    }
    case 'update': {
      const { number, title: t, body: b } = plan.pr;
      pr = await call(
        'Updating the pull request',
        () =>
          gh.rest.pulls.update({
            owner,
            repo,
            pull_number: number,
            ...(t !== undefined ? { title: t } : {}),
            ...(b !== undefined ? { body: b } : {}),
          }),
        PR_FIELDS,
      );
      break;
    }
    case 'close': {
      const { number, reason } = plan.pr;
      await call('Commenting on the pull request before closing it', () =>
        gh.rest.issues.createComment({
          owner,
          repo,
          issue_number: number,
          body: `Closing: ${reason} (kfp-gitops open-model-pr)`,
        }),
      );
      // The marker tells later runs that this close was the action's, not a person's rejection.
      const closedBody = truncate(
        `${CLOSED_BY_ACTION}\n${openPull?.body ?? ''}`,
        COMMENT_LIMIT - 512,
        'body truncated',
      );
      pr = await call('Closing the pull request', () =>
        gh.rest.pulls.update({ owner, repo, pull_number: number, state: 'closed', body: closedBody }),
      );
      break;
    }
    default:
      break;
  }
  if (pr && (plan.pr.action === 'create' || plan.pr.action === 'update' || plan.pr.action === 'keep')) {
    // Idempotent on every run (create-pull-request adds them on every run too): what is missing is added,
    // retried while GitHub has not caught up with a PR created a moment ago (create-pull-request#4356).
    const retrying = <T>(fn: () => Promise<T>) => retryEventualConsistency(fn, req.sleep ?? sleep, req.log);
    // Reviewers already requested for this model (claimed in the body) are not requested again: someone
    // who has reviewed, or whose request a person removed, is left alone until a new model is proposed.
    const sameModel =
      plan.pr.action === 'keep' || (openPr?.lineage !== undefined && lineagePins(openPr.lineage, req.desired));
    const claimed = new Set(
      (sameModel && plan.pr.action !== 'create' ? (reviewersFromBody(openPull?.body) ?? []) : []).map((r) =>
        r.toLowerCase(),
      ),
    );
    const { users, teams } = missingReviewers(
      req.reviewers.filter((r) => !claimed.has(r.toLowerCase())),
      pr,
    );
    if (users.length || teams.length) {
      try {
        await call('Requesting reviewers', () =>
          retrying(() =>
            gh.rest.pulls.requestReviewers({
              owner,
              repo,
              pull_number: pr!.number,
              reviewers: users,
              team_reviewers: teams,
            }),
          ),
        );
      } catch (err) {
        const wroteClaim = plan.pr.action === 'create' || (plan.pr.action === 'update' && plan.pr.body !== undefined);
        if (wroteClaim)
          await gh.rest.pulls
            .update({ owner, repo, pull_number: pr.number, body: bodyFor(false) })
            .catch(() => undefined);
        throw err;
      }
    }
    const have = (pr.labels ?? []).map((l) => l.name ?? '');
    const labels = plan.pr.action === 'create' ? missingLabels(req.labels, have) : plan.addLabels;
    if (labels.length)
      await call('Adding labels', () =>
        retrying(() => gh.rest.issues.addLabels({ owner, repo, issue_number: pr!.number, labels })),
      );
  }
  if (pr?.user?.login === DEFAULT_TOKEN_LOGIN && plan.pr.action !== 'none') req.onDefaultToken();
  return {
    operation,
    base,
    branch: req.branch,
    current,
    match,
    pr: pr ? prRef(pr) : undefined,
    ...(headSha ? { headSha } : {}),
    ...(pinned ? { pinned } : {}),
    why: plan.why,
  };
}

function prRef(p: PullLike): PrRef {
  return {
    number: p.number,
    url: p.html_url,
    open: p.state !== 'closed',
    ...(p.node_id ? { nodeId: p.node_id } : {}),
    ...(p.auto_merge?.merge_method ? { autoMerge: p.auto_merge.merge_method } : {}),
  };
}

/** Is this GitHub's "the new PR is not resolvable yet" answer (create-pull-request#4321)? */
export function isEventualConsistencyError(err: unknown): boolean {
  const e = err as { status?: number; message?: string };
  return e?.status === 422 && (e.message ?? '').includes('Could not resolve to a node');
}

async function retryEventualConsistency<T>(
  fn: () => Promise<T>,
  wait: (ms: number) => Promise<void>,
  log: (m: string) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= RETRIES || !isEventualConsistencyError(err)) throw err;
      const delay = RETRY_BASE_MS * 2 ** attempt;
      log(
        `GitHub has not caught up with the new pull request yet (422 "Could not resolve to a node"); retry ${attempt + 1}/${RETRIES} in ${delay} ms.`,
      );
      await wait(delay);
    }
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The creation time of the pinned value from the trailers of the commit that pinned it: the base
 * head and its first parents (and a merge's merged-in parent), at most TRAILER_DEPTH commits.
 */
async function pinnedFromTrailers(
  gh: GitHub,
  r: RepoRef,
  head: { sha: string; message: string; parents: string[] },
  current: string,
): Promise<PinnedTime | undefined> {
  const read = async (sha: string) => {
    try {
      const c = (await gh.rest.git.getCommit({ owner: r.owner, repo: r.repo, commit_sha: sha })).data;
      return { sha, message: c.message, parents: c.parents.map((p) => p.sha) };
    } catch (err) {
      throw describeGitHubError(err, 'Reading the base branch history');
    }
  };
  const found = (c: { sha: string; message: string }): PinnedTime | undefined => {
    const l = lineageFromMessage(c.message);
    return l?.created && lineagePins(l, current)
      ? { created: l.created, from: `trailer of commit ${c.sha.slice(0, 7)}` }
      : undefined;
  };
  let c: { sha: string; message: string; parents: string[] } | undefined = head;
  for (let i = 0; c && i < TRAILER_DEPTH; i++) {
    const hit = found(c) ?? (c.parents[1] ? found(await read(c.parents[1])) : undefined);
    if (hit) return hit;
    c = c.parents[0] ? await read(c.parents[0]) : undefined;
  }
  return undefined;
}

async function commitEdit(
  gh: GitHub,
  req: ModelPrRequest,
  a: { baseSha: string; baseTree: string; newText: string; mode: string; message: string; branchExists: boolean },
): Promise<string> {
  const { owner, repo } = req.repo;
  try {
    const what = `Pushing the edit to branch ${req.branch}`;
    const blob = checkShape(
      await gh.rest.git.createBlob({
        owner,
        repo,
        content: Buffer.from(a.newText, 'utf8').toString('base64'),
        encoding: 'base64',
      }),
      what,
      ['data.sha'],
    );
    const tree = checkShape(
      await gh.rest.git.createTree({
        owner,
        repo,
        base_tree: a.baseTree,
        tree: [{ path: req.path, mode: a.mode as '100644', type: 'blob', sha: blob.data.sha }],
      }),
      what,
      ['data.sha'],
    );
    const commit = checkShape(
      await gh.rest.git.createCommit({ owner, repo, message: a.message, tree: tree.data.sha, parents: [a.baseSha] }),
      what,
      ['data.sha'],
    );
    const sha = commit.data.sha;
    if (a.branchExists) {
      await gh.rest.git.updateRef({ owner, repo, ref: `heads/${req.branch}`, sha, force: true });
    } else {
      try {
        await gh.rest.git.createRef({ owner, repo, ref: `refs/heads/${req.branch}`, sha });
      } catch (err) {
        // Created meanwhile by a concurrent run: this run's commit is built from the current base, so it wins.
        if ((err as { status?: number }).status !== 422) throw err;
        await gh.rest.git.updateRef({ owner, repo, ref: `heads/${req.branch}`, sha, force: true });
      }
    }
    return sha;
  } catch (err) {
    throw describeGitHubError(err, `Pushing the edit to branch ${req.branch}`);
  }
}

async function refSha(gh: GitHub, r: RepoRef, branch: string): Promise<string | undefined> {
  try {
    const { data } = await gh.rest.git.getRef({ owner: r.owner, repo: r.repo, ref: `heads/${branch}` });
    return checkShape(data, `Reading branch ${branch}`, ['object.sha']).object.sha;
  } catch (err) {
    if ((err as { status?: number }).status === 404) return undefined;
    throw describeGitHubError(err, `Reading branch ${branch}`);
  }
}

/**
 * The most recent PR from `branch` into `base` in that state. `scan` also pages through every open
 * PR of the base matching head.ref (GitHub's head filter misses some same-owner fork cases).
 */
async function findPull(
  gh: GitHub,
  r: RepoRef,
  branch: string,
  base: string,
  state: 'open' | 'closed',
  scan = false,
): Promise<PullLike | undefined> {
  try {
    const { data } = await gh.rest.pulls.list({
      owner: r.owner,
      repo: r.repo,
      state,
      head: `${r.owner}:${branch}`,
      base,
      per_page: 10,
    });
    checkShape(data, 'Listing pull requests', ['[]']);
    if (data[0]) checkShape(data[0], 'Listing pull requests', PR_FIELDS);
    if (data[0] || !scan) return data[0] as PullLike | undefined;
    for await (const page of gh.paginate.iterator(gh.rest.pulls.list, {
      owner: r.owner,
      repo: r.repo,
      state,
      base,
      per_page: 100,
    })) {
      const hit = (page.data as PullLike[]).find(
        (p) => p.head.ref === branch && p.head.repo?.full_name?.toLowerCase() === `${r.owner}/${r.repo}`.toLowerCase(),
      );
      if (hit) return hit;
    }
    return undefined;
  } catch (err) {
    throw describeGitHubError(err, 'Listing pull requests');
  }
}

/** Closed PRs from the branch into base, newest first (one page: rejections are recent). */
async function closedPulls(gh: GitHub, r: RepoRef, branch: string, base: string): Promise<ClosedPr[]> {
  try {
    const { data } = await gh.rest.pulls.list({
      owner: r.owner,
      repo: r.repo,
      state: 'closed',
      head: `${r.owner}:${branch}`,
      base,
      per_page: 50,
    });
    return (data as PullLike[]).map((p) => ({ ...prState(p), merged: !!p.merged_at }));
  } catch (err) {
    throw describeGitHubError(err, 'Listing closed pull requests');
  }
}

function prState(p: PullLike): PrState {
  const lineage = lineageFromBody(p.body);
  return {
    number: p.number,
    title: p.title,
    body: p.body ?? '',
    labels: p.labels.map((l) => l.name ?? '').filter(Boolean),
    ...(lineage ? { lineage } : {}),
  };
}

function missingReviewers(want: string[], pr: PullLike): { users: string[]; teams: string[] } {
  const users = new Set((pr.requested_reviewers ?? []).map((u) => u.login.toLowerCase()));
  const teams = new Set((pr.requested_teams ?? []).map((t) => t.slug.toLowerCase()));
  const author = pr.user?.login.toLowerCase();
  return {
    users: want.filter((r) => !r.includes('/') && !users.has(r.toLowerCase()) && r.toLowerCase() !== author),
    teams: want
      .filter((r) => r.includes('/'))
      .map((r) => r.slice(r.indexOf('/') + 1))
      .filter((t) => !teams.has(t.toLowerCase())),
  };
}

function isAlreadyExists(err: unknown): boolean {
  const e = err as { status?: number; message?: string; response?: { data?: { errors?: { message?: string }[] } } };
  return (
    e.status === 422 &&
    [e.message ?? '', ...(e.response?.data?.errors ?? []).map((x) => x.message ?? '')].some((m) =>
      m.includes('A pull request already exists'),
    )
  );
}

function fileText(content: unknown, path: string): string {
  const c = content as { type?: string; content?: string; encoding?: string };
  if (Array.isArray(content) || c.type !== 'file')
    throw new UserError(
      `config-file '${path}' is not a file. Fix: give the path of the YAML file that pins the model.`,
    );
  if (c.encoding !== 'base64' || c.content === undefined)
    throw new UserError(
      `config-file '${path}' is too large to edit through the API (over 1 MB). Fix: pin the model in a smaller file.`,
    );
  return Buffer.from(c.content, 'base64').toString('utf8');
}
