import { UserError } from '../lib/errors.js';
import { normalizeTime } from './model.js';

/**
 * The current time. `KFP_GITOPS_NOW` (ISO 8601 or epoch seconds/ms) pins it, so tests and the demo
 * get the same answer on every run.
 */
export function now(env: NodeJS.ProcessEnv): Date {
  const pinned = env.KFP_GITOPS_NOW?.trim();
  if (!pinned) return new Date();
  const t = normalizeTime(pinned);
  if (!t)
    throw new UserError(
      `KFP_GITOPS_NOW="${pinned}" is not a time. Fix: use an ISO 8601 time (2026-01-31T12:00:00Z) or epoch seconds, or unset it.`,
    );
  return t;
}
