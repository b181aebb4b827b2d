import { UserError } from '../lib/errors.js';
import { type GitHub, type RepoRef, checkShape, describeGitHubError } from '../lib/github.js';
import { COMMENT_LIMIT, truncate } from '../lib/markdown.js';
import { type GitTreeEntry, blobSha, treeShaWithBlob } from './git-objects.js';
import { type PinLocator, type PinMatch, setPin } from './pin.js';
import { type Operation, type Plan, type PrState, planModelPr } from './pr-plan.js';

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
  /** Title and body of the PR; `body` may be a function of the value pinned on base now. */
  title: string;
  body: (current: string) => string;
  commitMessage: (current: string) => string;
  labels: string[];
  reviewers: string[];
  draft: boolean;
  log: (message: string) => void;
  /** Called when the PR is authored by github-actions[bot] (GITHUB_TOKEN: its PRs trigger no workflows). */
  onDefaultToken: () => void;
}

export interface ModelPrResult {
  operation: Operation;
  base: string;
  current: string;
  /** Where the value sits in the base file. */
  match: PinMatch;
  pr?: { number: number; url: string };
  headSha?: string;
  why: string;
}

interface PullLike {
  number: number;
  html_url: string;
  title: string;
  body?: string | null;
  merged_at?: string | null;
  head: { sha: string; ref: string; repo?: { full_name: string } | null };
  labels: { name?: string }[];
  user?: { login: string } | null;
}

const DEFAULT_TOKEN_LOGIN = 'github-actions[bot]';
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
  const base = req.base || (await call('Reading the repository', () => gh.rest.repos.get({ owner, repo }), ['default_branch'])).default_branch;
  if (base === req.branch) throw new UserError(`branch '${req.branch}' is the base branch. Fix: set branch to a dedicated branch such as auto-update-model.`);

  // ── read: base head, the trees along the file's path, the file ──
  const baseSha = await refSha(gh, req.repo, base);
  if (!baseSha) throw new UserError(`The base branch '${base}' does not exist in ${owner}/${repo}. Fix: set base to an existing branch.`);
  const baseTree = (await call('Reading the base commit', () => gh.rest.git.getCommit({ owner, repo, commit_sha: baseSha }), ['tree.sha'])).tree.sha;
  const names = req.path.split('/').filter(Boolean);
  const levels: GitTreeEntry[][] = [];
  let treeSha: string | undefined = baseTree;
  let fileEntry: GitTreeEntry | undefined;
  for (const [i, name] of names.entries()) {
    const sha: string = treeSha!;
    const tree = await call('Reading a tree of the base branch', () => gh.rest.git.getTree({ owner, repo, tree_sha: sha }), ['tree[]']);
    const entries = tree.tree.map((e) => ({ path: e.path!, mode: e.mode!, type: e.type as GitTreeEntry['type'], sha: e.sha! }));
    levels.push(entries);
    const entry = entries.find((e) => e.path === name);
    const last = i === names.length - 1;
    if (!entry || (last ? entry.type !== 'blob' : entry.type !== 'tree')) {
      throw new UserError(`config-file '${req.path}' does not exist on ${base} of ${owner}/${repo}${entry ? ` ('${names.slice(0, i + 1).join('/')}' is a ${entry.type})` : ''}. Fix: give the file's path from the repository root.`);
    }
    if (last) fileEntry = entry;
    treeSha = entry.sha;
  }
  const content = await call('Reading the config file', () => gh.rest.repos.getContent({ owner, repo, path: req.path, ref: baseSha }));
  const baseText = fileText(content, req.path);

  const { text: newText, match } = setPin(baseText, req.path, req.locator, req.desired);
  const current = match.value;
  const title = req.title;
  const body = truncate(req.body(current), COMMENT_LIMIT - 512, 'body truncated');
  const want = { title, body, labels: req.labels };

  const openPr = await findPull(gh, req.repo, req.branch, base, 'open');
  let plan: Plan;
  let branch: { sha: string; tree: string } | undefined;
  let closedPr: PrState | undefined;
  const expectedTree = treeShaWithBlob(levels, names, blobSha(newText), fileEntry!.mode);
  if (current === req.desired) {
    plan = planModelPr({ current, desired: req.desired, expectedTree, openPr: openPr && prState(openPr), want });
  } else {
    const branchSha = await refSha(gh, req.repo, req.branch);
    if (branchSha) branch = { sha: branchSha, tree: (await call('Reading the PR branch', () => gh.rest.git.getCommit({ owner, repo, commit_sha: branchSha }), ['tree.sha'])).tree.sha };
    if (!openPr && branch?.tree === expectedTree) {
      const closed = await findPull(gh, req.repo, req.branch, base, 'closed');
      if (closed && !closed.merged_at) closedPr = prState(closed);
    }
    plan = planModelPr({ current, desired: req.desired, expectedTree, branch, openPr: openPr && prState(openPr), closedPr, want });
  }
  req.log(plan.why);

  // ── write only what the plan asks ──
  let headSha = branch?.sha;
  if (plan.push) {
    headSha = await commitEdit(gh, req, { baseSha, baseTree, newText, mode: fileEntry!.mode, message: req.commitMessage(current), branchExists: branch !== undefined });
    req.log(`Branch ${req.branch} now points at ${headSha.slice(0, 7)} (base ${base} ${baseSha.slice(0, 7)} + the edit of ${req.path}).`);
  }
  let pr: PullLike | undefined = openPr;
  let operation = plan.operation;
  switch (plan.pr.action) {
    case 'create': {
      pr = await call('Creating the pull request', async () => {
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
      }, PR_FIELDS);
      if (operation === 'created' && req.reviewers.length) {
        const users = req.reviewers.filter((r) => !r.includes('/'));
        const teams = req.reviewers.filter((r) => r.includes('/')).map((r) => r.slice(r.indexOf('/') + 1));
        await call('Requesting reviewers', () => gh.rest.pulls.requestReviewers({ owner, repo, pull_number: pr!.number, reviewers: users, team_reviewers: teams }));
      }
      break;
    }
    case 'update': {
      const { number, title: t, body: b } = plan.pr;
      pr = await call('Updating the pull request', () => gh.rest.pulls.update({ owner, repo, pull_number: number, ...(t !== undefined ? { title: t } : {}), ...(b !== undefined ? { body: b } : {}) }), PR_FIELDS);
      break;
    }
    case 'close': {
      const number = plan.pr.number;
      await call('Commenting on the redundant pull request', () =>
        gh.rest.issues.createComment({ owner, repo, issue_number: number, body: `Closing: \`${base}\` already pins \`${req.desired}\` in \`${req.path}\`, the newest model, so this PR has nothing left to propose. (kfp-gitops open-model-pr)` }),
      );
      pr = await call('Closing the redundant pull request', () => gh.rest.pulls.update({ owner, repo, pull_number: number, state: 'closed' }));
      break;
    }
    default:
      break;
  }
  const labels = plan.pr.action === 'create' ? missingLabels(req.labels, pr?.labels ?? []) : plan.addLabels;
  if (pr && labels.length && plan.pr.action !== 'close') {
    await call('Adding labels', () => gh.rest.issues.addLabels({ owner, repo, issue_number: pr!.number, labels }));
  }
  if (pr?.user?.login === DEFAULT_TOKEN_LOGIN && plan.pr.action !== 'none') req.onDefaultToken();
  return { operation, base, current, match, pr: pr ? { number: pr.number, url: pr.html_url } : undefined, headSha, why: plan.why };
}

async function commitEdit(
  gh: GitHub,
  req: ModelPrRequest,
  a: { baseSha: string; baseTree: string; newText: string; mode: string; message: string; branchExists: boolean },
): Promise<string> {
  const { owner, repo } = req.repo;
  try {
    const what = `Pushing the edit to branch ${req.branch}`;
    const blob = checkShape(await gh.rest.git.createBlob({ owner, repo, content: Buffer.from(a.newText, 'utf8').toString('base64'), encoding: 'base64' }), what, ['data.sha']);
    const tree = checkShape(await gh.rest.git.createTree({ owner, repo, base_tree: a.baseTree, tree: [{ path: req.path, mode: a.mode as '100644', type: 'blob', sha: blob.data.sha }] }), what, ['data.sha']);
    const commit = checkShape(await gh.rest.git.createCommit({ owner, repo, message: a.message, tree: tree.data.sha, parents: [a.baseSha] }), what, ['data.sha']);
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
async function findPull(gh: GitHub, r: RepoRef, branch: string, base: string, state: 'open' | 'closed', scan = false): Promise<PullLike | undefined> {
  try {
    const { data } = await gh.rest.pulls.list({ owner: r.owner, repo: r.repo, state, head: `${r.owner}:${branch}`, base, per_page: 10 });
    checkShape(data, 'Listing pull requests', ['[]']);
    if (data[0]) checkShape(data[0], 'Listing pull requests', PR_FIELDS);
    if (data[0] || !scan) return data[0] as PullLike | undefined;
    for await (const page of gh.paginate.iterator(gh.rest.pulls.list, { owner: r.owner, repo: r.repo, state, base, per_page: 100 })) {
      const hit = (page.data as PullLike[]).find((p) => p.head.ref === branch && p.head.repo?.full_name?.toLowerCase() === `${r.owner}/${r.repo}`.toLowerCase());
      if (hit) return hit;
    }
    return undefined;
  } catch (err) {
    throw describeGitHubError(err, 'Listing pull requests');
  }
}

function prState(p: PullLike): PrState {
  return { number: p.number, title: p.title, body: p.body ?? '', headSha: p.head.sha, labels: p.labels.map((l) => l.name ?? '').filter(Boolean) };
}

function missingLabels(want: string[], have: { name?: string }[]): string[] {
  const lower = new Set(have.map((l) => (l.name ?? '').toLowerCase()));
  return want.filter((l) => !lower.has(l.toLowerCase()));
}

function isAlreadyExists(err: unknown): boolean {
  const e = err as { status?: number; message?: string; response?: { data?: { errors?: { message?: string }[] } } };
  return e.status === 422 && [e.message ?? '', ...(e.response?.data?.errors ?? []).map((x) => x.message ?? '')].some((m) => m.includes('A pull request already exists'));
}

function fileText(content: unknown, path: string): string {
  const c = content as { type?: string; content?: string; encoding?: string };
  if (Array.isArray(content) || c.type !== 'file') throw new UserError(`config-file '${path}' is not a file. Fix: give the path of the YAML file that pins the model.`);
  if (c.encoding !== 'base64' || c.content === undefined) throw new UserError(`config-file '${path}' is too large to edit through the API (over 1 MB). Fix: pin the model in a smaller file.`);
  return Buffer.from(c.content, 'base64').toString('utf8');
}
