import { formatDuration } from '../lib/duration.js';
import type { Model } from './model.js';

export type FreshnessReason = 'no-model' | 'too-old' | 'fresh' | 'training-in-flight';

export interface FreshnessDecision {
  needsRetrain: boolean;
  reason: FreshnessReason;
  /** One sentence for logs and the summary. */
  explanation: string;
  /** Age of the newest model in whole seconds (0 when its time is in the future); undefined with no model. */
  ageSeconds?: number;
  /** Set when the newest model's creation time is ahead of the clock. */
  clockSkewSeconds?: number;
}

/**
 * needs-retrain = (no model, or the newest is older than max-age) and no training already running
 * or queued (the label bot retrained over and over without that last check).
 */
export function decideFreshness(args: {
  newest?: Model;
  now: Date;
  maxAgeSeconds: number;
  inFlight?: { active: boolean; detail: string };
}): FreshnessDecision {
  const { newest, now, maxAgeSeconds, inFlight } = args;
  const window = formatDuration(maxAgeSeconds);
  let age: number | undefined;
  let skew: number | undefined;
  let stale: { reason: FreshnessReason; explanation: string } | undefined;
  if (!newest) {
    stale = { reason: 'no-model', explanation: 'There is no trained model yet.' };
  } else {
    const raw = (now.getTime() - (newest.created?.getTime() ?? now.getTime())) / 1000;
    if (raw < 0) skew = Math.round(-raw);
    age = Math.max(0, Math.floor(raw));
    if (age > maxAgeSeconds)
      stale = {
        reason: 'too-old',
        explanation: `The newest model ${newest.id} is ${formatDuration(age)} old, older than max-age ${window}.`,
      };
  }
  const extra = skew !== undefined ? { clockSkewSeconds: skew } : {};
  const ageField = age !== undefined ? { ageSeconds: age } : {};
  if (!stale) {
    return {
      needsRetrain: false,
      reason: 'fresh',
      explanation: `The newest model ${newest!.id} is ${formatDuration(age!)} old, within max-age ${window}.`,
      ...ageField,
      ...extra,
    };
  }
  if (inFlight?.active) {
    return {
      needsRetrain: false,
      reason: 'training-in-flight',
      explanation: `${stale.explanation} A training run is already in flight (${inFlight.detail}), so no new one is requested.`,
      ...ageField,
      ...extra,
    };
  }
  return { needsRetrain: true, reason: stale.reason, explanation: stale.explanation, ...ageField, ...extra };
}
