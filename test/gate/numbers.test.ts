import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  EPSILON,
  atLeast,
  atMost,
  formatNumber,
  formatPercent,
  formatSigned,
  nearlyEqual,
  toNumber,
} from '../../src/gate/numbers.js';

describe('comparisons at a boundary do not flap', () => {
  test('0.1 + 0.2 meets min 0.3 and max 0.3', () => {
    expect(0.1 + 0.2 >= 0.3).toBe(true); // the float itself is just above…
    expect(0.1 + 0.2 <= 0.3).toBe(false); // …so a naive max check would fail
    expect(atLeast(0.1 + 0.2, 0.3)).toBe(true);
    expect(atMost(0.1 + 0.2, 0.3)).toBe(true);
    expect(atLeast(0.7 - 0.4, 0.3)).toBe(true); // 0.29999999999999993
  });

  test('real differences beyond the tolerance still count', () => {
    expect(atLeast(0.3 - 1e-9, 0.3)).toBe(false);
    expect(atMost(0.3 + 1e-9, 0.3)).toBe(false);
    expect(atLeast(1e6 - 1e-3, 1e6)).toBe(false);
    expect(atLeast(1e6 - 1e-7, 1e6)).toBe(true); // relative tolerance at large magnitudes
  });

  test('NaN never passes; infinities compare as themselves', () => {
    expect(atLeast(NaN, 0)).toBe(false);
    expect(atMost(NaN, 0)).toBe(false);
    expect(atLeast(-Infinity, 0.85)).toBe(false);
    expect(atLeast(Infinity, 0.85)).toBe(true);
    expect(atMost(Infinity, 50)).toBe(false);
  });

  test('property: a value always meets itself and anything within EPSILON', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.double({ min: -0.9, max: 0.9, noNaN: true }),
        (x, f) => {
          const near = x + f * EPSILON * Math.max(1, Math.abs(x));
          return atLeast(x, x) && atMost(x, x) && nearlyEqual(near, x);
        },
      ),
    );
  });

  test('property: for clearly separated values exactly one direction holds', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
        (x, gap) => {
          const y = x + gap * Math.max(1, Math.abs(x));
          return atLeast(y, x) && !atLeast(x, y) && atMost(x, y) && !atMost(y, x);
        },
      ),
    );
  });
});

describe('toNumber: metrics as people and Python write them', () => {
  test.each([
    [0.93, 0.93],
    ['0.93', 0.93],
    [' 12 ', 12],
    ['-1.5e-3', -0.0015],
    ['.5', 0.5],
    ['NaN', NaN],
    ['nan', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['inf', Infinity],
    ['-inf', -Infinity],
    ['.NaN', NaN],
  ])('%j → %p', (input, expected) => {
    expect(toNumber(input)).toBe(expected);
  });

  test.each([['abc'], ['0.9x'], [''], [true], [null], [{}], [[1]], ['1,5']])('%j is not a number', (input) => {
    expect(toNumber(input)).toBeUndefined();
  });
});

describe('formatting', () => {
  test('numbers, signed changes and percentages', () => {
    expect(formatNumber(0.912)).toBe('0.912');
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(41.5)).toBe('41.5');
    expect(formatNumber(1234567)).toBe('1234567');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatSigned(0.912 - 0.905)).toBe('+0.007');
    expect(formatSigned(-0.02)).toBe('−0.02');
    expect(formatSigned(0.3 - (0.1 + 0.2))).toBe('0');
    expect(formatPercent(0.0427)).toBe('+4.27%');
    expect(formatPercent(-0.1)).toBe('−10%');
    expect(formatPercent(-Infinity)).toBe('−∞%');
    expect(formatPercent(0)).toBe('0%');
  });
});
