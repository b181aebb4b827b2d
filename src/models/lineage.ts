import { normalizeTime } from '../lib/clock.js';

/**
 * What open-model-pr writes so a later run can read back which model a commit or PR proposed:
 * git trailers in its commit message and a hidden marker at the top of the PR body. Pure text in,
 * text out; the GitHub side lives in model-pr.ts.
 */
export interface Lineage {
  id: string;
  uri: string;
  /** Undefined when the model's creation time was not known (a bare `model` input). */
  created?: Date;
}

const BODY_MARKER = 'kfp-gitops:open-model-pr';
const MARKER_RE = /<!-- kfp-gitops:open-model-pr (\{.*?\}) -->/;
/** Put at the top of a PR's body when the action closes it itself: its close is not a person's rejection. */
export const CLOSED_BY_ACTION = '<!-- kfp-gitops:open-model-pr closed-by-action -->';

export function lineageTrailers(l: Lineage): string {
  return [
    `Model-Id: ${oneLine(l.id)}`,
    `Model-Uri: ${oneLine(l.uri)}`,
    ...(l.created ? [`Model-Created: ${l.created.toISOString()}`] : []),
  ].join('\n');
}

/** The lineage in a commit message's trailers, or undefined. */
export function lineageFromMessage(message: string): Lineage | undefined {
  const get = (key: string) => new RegExp(`^${key}: (.+)$`, 'm').exec(message)?.[1]?.trim();
  const id = get('Model-Id');
  const uri = get('Model-Uri');
  if (!id || !uri) return undefined;
  const created = normalizeTime(get('Model-Created'));
  return { id, uri, ...(created ? { created } : {}) };
}

/** A hidden HTML comment; `<`/`>` are escaped inside the JSON so a URI cannot end the comment. */
export function lineageMarker(l: Lineage): string {
  const json = JSON.stringify({ id: l.id, uri: l.uri, ...(l.created ? { created: l.created.toISOString() } : {}) });
  return `<!-- ${BODY_MARKER} ${json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e')} -->`;
}

export function lineageFromBody(body: string | null | undefined): Lineage | undefined {
  const m = MARKER_RE.exec(body ?? '');
  if (!m) return undefined;
  try {
    const data = JSON.parse(m[1]!) as { id?: unknown; uri?: unknown; created?: unknown };
    if (typeof data.id !== 'string' || typeof data.uri !== 'string') return undefined;
    const created = normalizeTime(data.created);
    return { id: data.id, uri: data.uri, ...(created ? { created } : {}) };
  } catch {
    return undefined;
  }
}

/** The reviewers the action requested for the model the body proposes (a second hidden marker). */
export function reviewersMarker(reviewers: readonly string[]): string {
  return `<!-- ${BODY_MARKER} reviewers-requested ${JSON.stringify(reviewers).replace(/</g, '\\u003c').replace(/>/g, '\\u003e')} -->`;
}

export function reviewersFromBody(body: string | null | undefined): string[] | undefined {
  const m = /<!-- kfp-gitops:open-model-pr reviewers-requested (\[.*?\]) -->/.exec(body ?? '');
  if (!m) return undefined;
  try {
    const list = JSON.parse(m[1]!) as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : undefined;
  } catch {
    return undefined;
  }
}

export function closedByAction(body: string | null | undefined): boolean {
  return (body ?? '').includes(CLOSED_BY_ACTION);
}

/** Does this lineage name the pinned value (by URI or id, as pins are written)? */
export function lineagePins(l: Lineage, value: string): boolean {
  return value === l.uri || value === l.id;
}

/** Strictly newer by creation time; undefined when either time is unknown. */
export function isNewer(a: { created?: Date } | undefined, b: { created?: Date } | undefined): boolean | undefined {
  if (!a?.created || !b?.created) return undefined;
  return a.created.getTime() > b.created.getTime();
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
