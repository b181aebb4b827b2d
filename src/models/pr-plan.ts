/**
 * What open-model-pr should do, decided from what it read (no I/O here). The rules, learned from
 * create-pull-request and the label bot's mistakes:
 * - base already pins the target: nothing to propose; close a now-redundant open PR (with a comment);
 * - otherwise the branch must hold base + exactly the edit: push only when its tree differs, so a
 *   re-run with the same model writes nothing and triggers no CI;
 * - ONE PR from the fixed branch: create it, or update title/body of the open one when they differ;
 * - a PR a human closed for this very tree is not reopened (a newer model opens a new one).
 */
export type Operation = 'created' | 'updated' | 'closed' | 'none';

export interface PrState {
  number: number;
  title: string;
  body: string;
  headSha: string;
  labels: string[];
}

export interface PlanInput {
  /** Value pinned on the base branch now. */
  current: string;
  /** Value to pin (the latest model). */
  desired: string;
  /** Tree the branch must have: base tree + the edit. */
  expectedTree: string;
  /** Head commit of the PR branch, when the branch exists. */
  branch?: { sha: string; tree: string };
  openPr?: PrState;
  /** The latest closed, unmerged PR from the branch, when there is no open one. */
  closedPr?: PrState;
  want: { title: string; body: string; labels: string[] };
}

export interface Plan {
  operation: Operation;
  /** Commit base + edit and force-move the branch to it. */
  push: boolean;
  pr: { action: 'create' } | { action: 'update'; number: number; title?: string; body?: string } | { action: 'close'; number: number } | { action: 'keep'; number: number } | { action: 'none' };
  addLabels: string[];
  /** Why, in one sentence, for the log and the summary. */
  why: string;
}

export function planModelPr(input: PlanInput): Plan {
  const { current, desired, branch, openPr, closedPr, want } = input;
  if (current === desired) {
    if (openPr) return { operation: 'closed', push: false, pr: { action: 'close', number: openPr.number }, addLabels: [], why: `The base branch already pins ${desired}; PR #${openPr.number} is redundant and is closed.` };
    return { operation: 'none', push: false, pr: { action: 'none' }, addLabels: [], why: `The base branch already pins the latest model ${desired}.` };
  }
  const branchReady = branch !== undefined && branch.tree === input.expectedTree;
  const push = !branchReady;
  if (openPr) {
    const title = openPr.title !== want.title ? want.title : undefined;
    const body = openPr.body !== want.body ? want.body : undefined;
    const addLabels = missing(want.labels, openPr.labels);
    const changed = push || title !== undefined || body !== undefined;
    return {
      operation: changed ? 'updated' : 'none',
      push,
      pr: title !== undefined || body !== undefined ? { action: 'update', number: openPr.number, ...(title !== undefined ? { title } : {}), ...(body !== undefined ? { body } : {}) } : { action: 'keep', number: openPr.number },
      addLabels,
      why: changed
        ? `PR #${openPr.number} is updated to pin ${desired}${push ? ' (branch rebuilt from the base head)' : ''}.`
        : `PR #${openPr.number} already proposes ${desired} with the same tree; nothing was written.`,
    };
  }
  if (closedPr && branchReady && closedPr.headSha === branch!.sha) {
    return { operation: 'none', push: false, pr: { action: 'none' }, addLabels: [], why: `PR #${closedPr.number} proposing ${desired} was closed without merging; it is not reopened. A newer model will open a new PR.` };
  }
  return { operation: 'created', push, pr: { action: 'create' }, addLabels: want.labels, why: `A PR is opened to pin ${desired} (base pins ${current || '(empty)'}).` };
}

function missing(want: string[], have: string[]): string[] {
  const lower = new Set(have.map((l) => l.toLowerCase()));
  return want.filter((l) => !lower.has(l.toLowerCase()));
}
