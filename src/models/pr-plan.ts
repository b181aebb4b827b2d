import { type Lineage, closedByAction, isNewer, lineagePins } from './lineage.js';

/**
 * What open-model-pr should do, decided from what it read (no I/O here). The rules, learned from
 * create-pull-request and the label bot's mistakes:
 * - base already pins the target: nothing to propose; close a now-redundant open PR (with a comment);
 * - a model a person rejected (closed its PR, or merged it and reverted the pin) is not proposed again
 *   until a newer model exists, whatever happens to the branch or base; the action's own closes are
 *   not rejections;
 * - never rewind an open PR to an older model (a late run), never propose an older model than the
 *   pinned one (unless allowed);
 * - otherwise the branch must be exactly ONE commit, base head + the edit: push only when it is not,
 *   so a re-run with the same model writes nothing and triggers no CI;
 * - ONE PR from the fixed branch: create it, or update title/body of the open one when they differ.
 */
export type Operation = 'created' | 'updated' | 'closed' | 'none';

/** Label a person puts on a closed PR to take its rejection back. */
export const RECONSIDER_LABEL = 'reconsider';

export interface PrState {
  number: number;
  title: string;
  body: string;
  labels: string[];
  /** The model its body records (undefined for PRs from before lineage markers). */
  lineage?: Lineage;
}

export interface ClosedPr extends PrState {
  merged: boolean;
}

export interface ModelPrPlanInput {
  /** Value pinned on the base branch now. */
  current: string;
  /** Value to pin (the latest model). */
  desired: string;
  /** The model this run proposes. */
  latest?: Lineage;
  /** Tree the branch must have: base tree + the edit. */
  expectedTree: string;
  /** Head of the base branch: the PR branch must be exactly one commit on top of it. */
  baseSha?: string;
  /** Name of the base branch, for the close comment. */
  baseName?: string;
  /** Head commit of the PR branch, when the branch exists. */
  branch?: { sha: string; tree: string; parents?: string[] };
  openPr?: PrState;
  /** Closed PRs from the branch, newest first (for rejections). */
  closedPrs?: ClosedPr[];
  /** Creation time of the model pinned on base, when known, and where that was learnt. */
  pinned?: { created: Date; from: string };
  /** Is the open PR's model gone from the model source? undefined: cannot tell. */
  openPrWithdrawn?: boolean;
  allowDowngrade?: boolean;
  reconsiderRejected?: boolean;
  want: { title: string; body: string; labels: string[] };
}

export interface ModelPrPlan {
  operation: Operation;
  /** Commit base + edit and force-move the branch to it. */
  push: boolean;
  pr:
    | { action: 'create' }
    | { action: 'update'; number: number; title?: string; body?: string }
    | { action: 'close'; number: number; reason: string }
    | { action: 'keep'; number: number }
    | { action: 'none' };
  addLabels: string[];
  /** Why, in one sentence, for the log and the summary. */
  why: string;
}

export function planModelPr(input: ModelPrPlanInput): ModelPrPlan {
  const { current, desired, branch, openPr, want } = input;
  const base = `\`${input.baseName ?? 'base'}\``;
  const keep = (why: string): ModelPrPlan =>
    openPr
      ? {
          operation: 'none',
          push: false,
          pr: { action: 'keep', number: openPr.number },
          addLabels: missingLabels(want.labels, openPr.labels),
          why,
        }
      : { operation: 'none', push: false, pr: { action: 'none' }, addLabels: [], why };
  const close = (why: string, reason: string): ModelPrPlan => ({
    operation: 'closed',
    push: false,
    pr: { action: 'close', number: openPr!.number, reason },
    addLabels: [],
    why,
  });

  const openModel = openPr?.lineage;
  const openProposesDesired = openModel !== undefined && lineagePins(openModel, desired);
  // A late run (an older model than the open PR's, even the pinned one) never rewinds or closes it.
  if (openModel && !openProposesDesired && input.openPrWithdrawn !== true && isNewer(openModel, input.latest)) {
    return keep(
      `PR #${openPr!.number} proposes ${openModel.id} (created ${iso(openModel.created)}), newer than this run's model ${input.latest!.id} (created ${iso(input.latest!.created)}): the PR is not rewound.`,
    );
  }
  if (current === desired) {
    if (openPr)
      return close(
        `The base branch already pins ${desired}; PR #${openPr.number} is redundant and is closed.`,
        `${base} already pins \`${desired}\`, the newest model, so this PR has nothing left to propose.`,
      );
    return keep(`The base branch already pins the latest model ${desired}.`);
  }

  const rejection =
    openProposesDesired || input.reconsiderRejected ? undefined : findRejection(input.closedPrs ?? [], desired);
  if (rejection) {
    const how = rejection.merged
      ? `was merged and then reverted on the base branch`
      : `was closed without merging by a person`;
    const why = `PR #${rejection.number} proposing ${desired} ${how}: the model counts as rejected and is not proposed again until a newer model exists (label PR #${rejection.number} '${RECONSIDER_LABEL}' or set reconsider-rejected: true to take that back).`;
    if (openPr && input.openPrWithdrawn)
      return close(
        why,
        `the model it proposes is no longer listed by the model source, and the newest model \`${desired}\` was rejected in #${rejection.number}.`,
      );
    return keep(why);
  }

  if (!input.allowDowngrade && input.pinned && isNewer(input.pinned, input.latest)) {
    const why = `The base branch pins ${current || '(empty)'}, created ${iso(input.pinned.created)} (${input.pinned.from}); the newest model ${desired}, created ${iso(input.latest!.created)}, is older and is not proposed (set allow-downgrade: true to propose it).`;
    if (openPr && (openProposesDesired || input.openPrWithdrawn))
      return close(
        why,
        `${base} pins a newer model (\`${current}\`) than \`${desired}\`: merging this PR would downgrade it.`,
      );
    return keep(why);
  }

  const onBase =
    branch !== undefined &&
    (input.baseSha === undefined || (branch.parents?.length === 1 && branch.parents[0] === input.baseSha));
  const branchReady = onBase && branch!.tree === input.expectedTree;
  const push = !branchReady;
  if (openPr) {
    const title = openPr.title !== want.title ? want.title : undefined;
    const body = openPr.body !== want.body ? want.body : undefined;
    const addLabels = missingLabels(want.labels, openPr.labels);
    const changed = push || title !== undefined || body !== undefined;
    return {
      operation: changed ? 'updated' : 'none',
      push,
      pr:
        title !== undefined || body !== undefined
          ? {
              action: 'update',
              number: openPr.number,
              ...(title !== undefined ? { title } : {}),
              ...(body !== undefined ? { body } : {}),
            }
          : { action: 'keep', number: openPr.number },
      addLabels,
      why: changed
        ? `PR #${openPr.number} is updated to pin ${desired}${push ? ' (branch rebuilt as one commit on the base head)' : ''}.`
        : `PR #${openPr.number} already proposes ${desired} as one commit on the base head; nothing was written.`,
    };
  }
  return {
    operation: 'created',
    push,
    pr: { action: 'create' },
    addLabels: want.labels,
    why: `A PR is opened to pin ${desired} (base pins ${current || '(empty)'}).`,
  };
}

/**
 * The closed PR that rejects `desired`. The newest closed PR proposing it decides: closed by a person
 * without merging, or merged while base no longer pins it (reverted), rejects it; closed by the action
 * itself, or labelled 'reconsider' by a person, does not.
 */
export function findRejection(
  closed: readonly ClosedPr[],
  desired: string,
): { number: number; merged: boolean } | undefined {
  const p = closed.find((c) =>
    c.lineage ? lineagePins(c.lineage, desired) : c.body.includes(`| proposed | \`${desired}\` |`),
  );
  if (!p || p.labels.some((l) => l.toLowerCase() === RECONSIDER_LABEL)) return undefined;
  if (p.merged) return { number: p.number, merged: true };
  return closedByAction(p.body) ? undefined : { number: p.number, merged: false };
}

/** The creation time of the pinned value, from the lineage of a merged PR that pinned it. */
export function pinnedFromMergedPrs(
  closed: readonly ClosedPr[],
  current: string,
): { created: Date; from: string } | undefined {
  const p = closed.find((c) => c.merged && c.lineage?.created && lineagePins(c.lineage, current));
  return p ? { created: p.lineage!.created!, from: `recorded by merged PR #${p.number}` } : undefined;
}

function iso(d: Date | undefined): string {
  return d ? d.toISOString() : 'unknown';
}

/** The labels of `want` that `have` lacks; GitHub compares label names case-insensitively. */
export function missingLabels(want: string[], have: string[]): string[] {
  const lower = new Set(have.map((l) => l.toLowerCase()));
  return want.filter((l) => !lower.has(l.toLowerCase()));
}
