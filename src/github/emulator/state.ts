import { GitStore, type CommitObject, type Person, type TreeEntry } from './git-store.js';
import { errorBody, isoNow, type RepoInfo } from './objects.js';

/** A response the handlers throw to end a request the way GitHub would (404, 409, 422…). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
  }

  get body() {
    return errorBody(this.status, this.message, this.errors);
  }
}

export const notFound = () => new HttpError(404, 'Not Found');

/** "Validation Failed" with one error entry, as GitHub reports a bad field. */
export function validationFailed(resource: string, entry: Record<string, unknown>): HttpError {
  return new HttpError(422, 'Validation Failed', [{ resource, ...entry }]);
}

export interface CommentState {
  id: number;
  issueNumber: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface PullState {
  headRef: string;
  /** owner/name of the repository the head branch lives in (this one unless a fork). */
  headRepo: string;
  baseRef: string;
  /** The head commit when the PR was closed; an open PR follows its branch. */
  frozenHeadSha?: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergedBy: string | null;
  mergeCommitSha: string | null;
  maintainerCanModify: boolean;
  reviewers: string[];
  teamReviewers: string[];
  /** Auto-merge armed on the PR (enablePullRequestAutoMerge); GitHub disarms it when the PR closes. */
  autoMerge?: AutoMergeState;
}

export interface AutoMergeState {
  method: 'MERGE' | 'SQUASH' | 'REBASE';
  enabledBy: string;
  enabledAt: string;
  commitHeadline: string | null;
  commitBody: string | null;
}

export interface IssueState {
  number: number;
  id: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  user: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  labels: string[];
  comments: CommentState[];
  pull?: PullState;
}

export interface LabelState {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface CheckRunState {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  startedAt: string | null;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null; annotations: unknown[] };
}

export interface StatusState {
  id: number;
  sha: string;
  state: string;
  description: string | null;
  targetUrl: string | null;
  context: string;
  creator: string;
  createdAt: string;
}

export interface WorkflowRunState {
  id: number;
  runNumber: number;
  workflowId: string;
  /** Path of the workflow file, e.g. `.github/workflows/train.yml`. */
  path: string;
  name: string;
  event: string;
  status: 'queued' | 'in_progress' | 'completed' | 'waiting' | 'requested' | 'pending';
  conclusion: string | null;
  headBranch: string;
  headSha: string;
  inputs?: Record<string, unknown>;
  actor: string;
  createdAt: string;
  updatedAt: string;
}

export interface DispatchState {
  workflowId: string;
  ref: string;
  inputs: Record<string, unknown>;
  runId: number;
}

/** One repository: git objects and refs, issues and pull requests, checks, statuses and runs. */
export class RepoState {
  readonly store = new GitStore();
  /** Full ref name (`refs/heads/main`) → commit SHA. */
  readonly refs = new Map<string, string>();
  readonly issues = new Map<number, IssueState>();
  readonly labels = new Map<string, LabelState>();
  readonly checkRuns = new Map<number, CheckRunState>();
  readonly statuses: StatusState[] = [];
  readonly runs: WorkflowRunState[] = [];
  readonly dispatches: DispatchState[] = [];
  nextNumber = 1;

  constructor(
    readonly info: RepoInfo,
    /** Tokens that may see a private repository (undefined: any token). */
    readonly readers?: string[],
  ) {}

  get fullName(): string {
    return `${this.info.owner}/${this.info.name}`;
  }

  get isEmpty(): boolean {
    return this.refs.size === 0;
  }

  /** 409 "Git Repository is empty." for git reads of a repository without commits, like GitHub. */
  requireCommits(): void {
    if (this.isEmpty) throw new HttpError(409, 'Git Repository is empty.');
  }

  branchSha(branch: string): string | undefined {
    return this.refs.get(`refs/heads/${branch}`);
  }

  /** A branch, tag, full ref or (possibly short) commit SHA → commit SHA. */
  resolve(ref: string): string | undefined {
    const r = ref.replace(/^refs\//, '');
    for (const full of [`refs/${r}`, `refs/heads/${r}`, `refs/tags/${r}`]) {
      const sha = this.refs.get(full);
      if (sha) return sha;
    }
    if (/^[0-9a-f]{40}$/.test(ref)) return this.store.commits.has(ref) ? ref : undefined;
    if (/^[0-9a-f]{7,39}$/.test(ref)) {
      const hits = [...this.store.commits.keys()].filter((s) => s.startsWith(ref));
      return hits.length === 1 ? hits[0] : undefined;
    }
    return undefined;
  }

  commit(sha: string): CommitObject {
    const c = this.store.commits.get(sha);
    if (!c) throw notFound();
    return c;
  }

  /** Commit file changes (`null` deletes) on top of `parent`, returning the new commit. */
  commitFiles(
    parent: string | undefined,
    files: Record<string, string | null>,
    message: string,
    who: Person,
  ): CommitObject {
    const base = parent ? this.commit(parent).tree : undefined;
    const changes = Object.entries(files).map(([path, content]) =>
      content === null
        ? { path, mode: '100644', type: 'blob' as const, sha: null }
        : { path, mode: '100644', type: 'blob' as const, content },
    );
    const tree = this.store.applyChanges(base, changes);
    return this.store.writeCommit({ tree, parents: parent ? [parent] : [], message, author: who, committer: who });
  }

  issue(number: number): IssueState {
    const issue = this.issues.get(number);
    if (!issue) throw notFound();
    return issue;
  }

  pull(number: number): IssueState & { pull: PullState } {
    const issue = this.issues.get(number);
    if (!issue?.pull) throw notFound();
    return issue as IssueState & { pull: PullState };
  }

  openIssueCount(): number {
    return [...this.issues.values()].filter((i) => i.state === 'open').length;
  }

  /** The entry at `path` in the tree of commit `sha`. */
  entryAt(sha: string, path: string): TreeEntry | undefined {
    return this.store.lookup(this.commit(sha).tree, path);
  }
}

export function person(name: string, email: string, now: Date): Person {
  return { name, email, date: isoNow(now) };
}
