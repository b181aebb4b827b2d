import { UserError } from './errors.js';

/**
 * The current time. `KFP_GITOPS_NOW` (ISO 8601 or epoch seconds/ms) pins it, so tests and the demo
 * get the same answer on every run. Actions read it as `ctx.now()` (src/lib/action.ts), never `new Date()`.
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

/** Epoch values below this are seconds, above it milliseconds (1e11 s is the year 5138). */
const SECONDS_CUTOFF = 1e11;

/**
 * A creation time from any source: epoch milliseconds (MLflow), epoch seconds (GitLab's MLflow API,
 * many CLIs), either as a number or a numeric string (int64 as JSON string), or an ISO 8601 string.
 * Returns undefined when the value is not a time.
 */
export function normalizeTime(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value === 'number' || (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value))) {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) return undefined;
    return new Date(n < SECONDS_CUTOFF ? n * 1000 : n);
  }
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value.trim())) {
    const text = value.trim();
    // A date-time without a zone is read as UTC, not as the runner's local time.
    const zoned = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text) ? `${text}Z` : text;
    const ms = Date.parse(zoned);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  return undefined;
}
