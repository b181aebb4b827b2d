import { describe, expect, test } from '@jest/globals';
import {
  Z95,
  changeInterval,
  mcnemarWorse,
  newcombeDifference,
  normalCdf,
  normalQuantile,
  wilson,
} from '../../src/gate/stats.js';

const round4 = (i: { lo: number; hi: number }) => [Number(i.lo.toFixed(4)), Number(i.hi.toFixed(4))];

describe('normal quantile', () => {
  test('matches the tabulated values of Φ⁻¹', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.95)).toBeCloseTo(1.644854, 6);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326348, 6);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('Wilson score interval', () => {
  // Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
  // methods", Statistics in Medicine 17:857–872, Table I, method 3 (score, no continuity correction), 95 %.
  test.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i/%i → %f to %f (Newcombe 1998, Table I)', (x, n, lo, hi) => {
    expect(round4(wilson(x / n, n, Z95))).toEqual([lo, hi]);
  });

  test('stays inside [0, 1], and n = 0 says nothing', () => {
    expect(wilson(1, 5).hi).toBe(1);
    expect(wilson(1, 5).lo).toBeGreaterThan(0.5);
    expect(wilson(0.5, 0)).toEqual({ lo: 0, hi: 1 });
  });

  test('narrows as n grows', () => {
    const width = (n: number) => wilson(0.7, n).hi - wilson(0.7, n).lo;
    expect(width(8)).toBeGreaterThan(width(80));
    expect(width(80)).toBeGreaterThan(width(8000));
    expect(width(8000)).toBeLessThan(0.03);
  });
});

describe("Newcombe's hybrid score interval for a difference of proportions", () => {
  // Newcombe RG (1998), "Interval estimation for the difference between independent proportions:
  // comparison of eleven methods", Statistics in Medicine 17:873–890, Table II, method 10, 95 %.
  test.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ])('%i/%i − %i/%i → %f to %f (Newcombe 1998, Table II)', (x1, n1, x2, n2, lo, hi) => {
    expect(round4(newcombeDifference(x1 / n1, n1, x2 / n2, n2, Z95))).toEqual([lo, hi]);
  });

  test('is antisymmetric: swapping the samples mirrors the interval', () => {
    const a = newcombeDifference(0.8, 70, 0.6, 80);
    const b = newcombeDifference(0.6, 80, 0.8, 70);
    expect(b.lo).toBeCloseTo(-a.hi, 12);
    expect(b.hi).toBeCloseTo(-a.lo, 12);
  });

  test('changeInterval: a one-sided bound at 1 − α is the two-sided 1 − 2α interval (z = 1.645 at α = 0.05)', () => {
    const one = changeInterval(0.75, 8, 0.875, 8, 0.05);
    const two = newcombeDifference(0.75, 8, 0.875, 8, normalQuantile(0.95));
    expect(one).toEqual(two);
    const wider = newcombeDifference(0.75, 8, 0.875, 8, Z95);
    expect(wider.hi).toBeGreaterThan(one.hi);
  });
});

describe("McNemar's test, one-sided (is the candidate worse?)", () => {
  test('Φ inverts Φ⁻¹', () => {
    for (const p of [0.001, 0.025, 0.5, 0.9, 0.975]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
  });

  // Exact binomial (sign) test below 25 discordant pairs. 11 vs 3 discordant: one-tailed p = 470/16384 =
  // 0.0286865234375 (the death-penalty example of Calcugator's chi2_mcnemar, two-tailed 0.057373046875).
  test('exact: 11 lost vs 3 won → p = 470/16384', () => {
    expect(mcnemarWorse(11, 3)).toEqual({ losses: 11, wins: 3, p: 470 / 16384, method: 'exact' });
    expect(2 * mcnemarWorse(11, 3).p).toBeCloseTo(0.057373046875, 12);
  });

  test('exact: small counts as the binomial gives them', () => {
    expect(mcnemarWorse(5, 0).p).toBe(1 / 32);
    expect(mcnemarWorse(8, 2).p).toBe(56 / 1024);
    expect(mcnemarWorse(0, 3).p).toBe(1);
    expect(mcnemarWorse(0, 0).p).toBe(1);
  });

  // 121 vs 59 discordant pairs (the drug example of Wikipedia's "McNemar's test"; G. Cardillo's MATLAB
  // mcnemar gives χ² with the |b − c| − 1 correction = 20.672222, two-sided p = 0.000005).
  test("normal form with Edwards' correction at 25 or more: 121 vs 59 → χ² 20.672, p ≈ 5e-6 two-sided", () => {
    const t = mcnemarWorse(121, 59);
    expect(t.method).toBe('normal');
    const z = normalQuantile(1 - t.p);
    expect(z * z).toBeCloseTo(20.672222, 2); // Φ's 1.5e-7 absolute error shows this far in the tail
    expect(2 * t.p).toBeGreaterThan(0.0000045);
    expect(2 * t.p).toBeLessThan(0.0000065);
    expect(mcnemarWorse(59, 121).p).toBeGreaterThan(0.99);
  });
});
