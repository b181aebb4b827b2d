/**
 * Interval arithmetic for proportions measured on a sample (accuracy, precision, recall over n examples).
 * Pure functions; the gate uses them to tell a real regression from evaluation noise.
 */

/** A closed interval [lo, hi]. */
export interface Interval {
  lo: number;
  hi: number;
}

// Acklam's coefficients, highest power first.
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** z for a two-sided 95 % interval: Φ⁻¹(0.975). */
export const Z95 = normalQuantile(0.975);

/**
 * Φ⁻¹(p), the standard normal quantile, by Acklam's rational approximation (relative error < 1.2e-9,
 * far below what a gate decision needs). p must be in (0, 1).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1 (got ${p})`);
  const low = 0.02425;
  if (p < low) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - low) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const r = (p - 0.5) * (p - 0.5);
  return ((p - 0.5) * horner(A, r)) / (horner(B, r) * r + 1);
}

function horner(coefficients: readonly number[], x: number): number {
  return coefficients.reduce((acc, k) => acc * x + k, 0);
}

function tail(q: number): number {
  return horner(C, q) / (horner(D, q) * q + 1);
}

/**
 * Wilson's score interval for a proportion p observed on n examples (Wilson 1927; method 3 of Newcombe
 * 1998, "Two-sided confidence intervals for the single proportion"). Unlike p ± z·√(p(1−p)/n) it stays
 * inside [0, 1] and does not collapse to a point at p = 0 or 1, which matters for labels with a handful
 * of examples. n = 0 says nothing: [0, 1].
 */
export function wilson(p: number, n: number, z = Z95): Interval {
  if (n <= 0) return { lo: 0, hi: 1 };
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lo: Math.max(0, centre - half), hi: Math.min(1, centre + half) };
}

/**
 * Newcombe's hybrid score interval for p1 − p2, two independent proportions (method 10 of Newcombe 1998,
 * "Interval estimation for the difference between independent proportions: comparison of eleven
 * methods"): with Wilson intervals (l1, u1) and (l2, u2) at the same z,
 *   lower = (p1 − p2) − √((p1 − l1)² + (u2 − p2)²),
 *   upper = (p1 − p2) + √((u1 − p1)² + (p2 − l2)²).
 * Assumes the two samples are independent (different examples, or the same examples scored as if they
 * were not: then the interval is conservative, i.e. wider than a paired test's).
 */
export function newcombeDifference(p1: number, n1: number, p2: number, n2: number, z = Z95): Interval {
  const w1 = wilson(p1, n1, z);
  const w2 = wilson(p2, n2, z);
  const d = p1 - p2;
  return {
    lo: Math.max(-1, d - Math.hypot(p1 - w1.lo, w2.hi - p2)),
    hi: Math.min(1, d + Math.hypot(w1.hi - p1, p2 - w2.lo)),
  };
}

/**
 * The interval for candidate − baseline whose one end is a one-sided bound at confidence 1 − α: the
 * two-sided interval at confidence 1 − 2α (z = Φ⁻¹(1 − α)). "Worse beyond the tolerance with confidence
 * 1 − α" is then "the better end of this interval is still beyond the tolerance".
 */
export function changeInterval(
  cand: number,
  candN: number,
  base: number,
  baseN: number,
  significance: number,
): Interval {
  return newcombeDifference(cand, candN, base, baseN, normalQuantile(1 - significance));
}

/** Φ(x), the standard normal CDF (Abramowitz & Stegun 7.1.26 for erf; absolute error < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/** Below this many discordant examples the exact binomial test is used (the χ² approximation is poor). */
export const MCNEMAR_EXACT_BELOW = 25;

export interface PairedTest {
  /** Examples where the candidate is worse (e.g. the baseline was right and the candidate wrong). */
  losses: number;
  /** Examples where the candidate is better. */
  wins: number;
  /** One-sided p-value of "the candidate is worse". */
  p: number;
  method: 'exact' | 'normal';
}

/**
 * McNemar's test, one-sided, of "the candidate is worse than the baseline" on the same examples. Only
 * discordant examples count: `losses` where the candidate is worse, `wins` where it is better. With
 * fewer than 25 of them, the exact binomial (sign) test: p = P(X ≥ losses), X ~ Binomial(losses + wins, ½).
 * Otherwise the normal form of the χ² statistic with Edwards' continuity correction,
 * z = (losses − wins − 1) / √(losses + wins), p = 1 − Φ(z) (so z² = (|b − c| − 1)² / (b + c) when the
 * candidate lost more). No discordant examples: p = 1.
 */
export function mcnemarWorse(losses: number, wins: number): PairedTest {
  const n = losses + wins;
  if (n === 0) return { losses, wins, p: 1, method: 'exact' };
  if (n < MCNEMAR_EXACT_BELOW) {
    // C(n, k) for n < 25 is an exact integer in a double, so the tail is exact up to the final division.
    let coefficient = 1; // C(n, 0)
    let tail = 0;
    for (let k = 0; k <= n; k++) {
      if (k >= losses) tail += coefficient;
      coefficient = (coefficient * (n - k)) / (k + 1);
    }
    return { losses, wins, p: Math.min(1, tail / 2 ** n), method: 'exact' };
  }
  const z = (losses - wins - 1) / Math.sqrt(n);
  return { losses, wins, p: 1 - normalCdf(z), method: 'normal' };
}
