import { describe, expect, test } from '@jest/globals';
import { describeCron, nextFireTimes, parseCron, parseGoDuration } from '../../src/kfp/cron.js';

const from = new Date('2026-01-01T00:00:00Z');
const next = (expr: string, n = 3) => {
  const r = parseCron(expr);
  if (!r.ok) throw new Error(r.error);
  return nextFireTimes(r.schedule, n, from).map((d) => d.toISOString());
};

describe('parseCron (robfig/cron v1 grammar, as KFP validates)', () => {
  test('6 fields, seconds first, multi-character fields', () => {
    expect(next('0 30 2 * * *')).toEqual(['2026-01-01T02:30:00.000Z', '2026-01-02T02:30:00.000Z', '2026-01-03T02:30:00.000Z']);
    expect(next('0 */15 * * * *')).toEqual(['2026-01-01T00:15:00.000Z', '2026-01-01T00:30:00.000Z', '2026-01-01T00:45:00.000Z']);
    expect(next('0 0 9 * * MON-FRI', 2)).toEqual(['2026-01-01T09:00:00.000Z', '2026-01-02T09:00:00.000Z']); // Thu, Fri
    expect(next('0 0 0 1 JAN,jul ?', 2)).toEqual(['2026-07-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  test('descriptors, including @every with Go durations', () => {
    expect(next('@daily', 1)).toEqual(['2026-01-02T00:00:00.000Z']);
    expect(next('@hourly', 1)).toEqual(['2026-01-01T01:00:00.000Z']);
    expect(next('@every 1h30m', 2)).toEqual(['2026-01-01T01:30:00.000Z', '2026-01-01T03:00:00.000Z']);
    expect(parseGoDuration('1.5h')).toBe(5400);
    expect(parseGoDuration('1 h')).toBeUndefined();
  });

  test('5 fields are accepted but warned about: KFP reads the first as seconds', () => {
    const r = parseCron('30 2 * * *');
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.schedule.warnings[0]).toContain("'0 30 2 * *");
      expect(nextFireTimes(r.schedule, 1, from)[0]!.toISOString()).toBe('2026-01-01T00:02:30.000Z') // second 30 of minute 2 of every hour;
    }
  });

  test.each([
    ['', 'empty'],
    ['* * * *', 'expected 6 fields'],
    ['0 60 * * * *', 'minute value 60 is outside 0-59'],
    ['0 0 25 * * *', 'hour value 25'],
    ['0 0 0 0 * *', 'day of month value 0'],
    ['0 0 0 * 13 *', 'month value 13'],
    ['0 0 0 * * 7', 'day of week value 7'],
    ['0 0 0 * * MONDAY', "'MONDAY' is not a number or a day of week name"],
    ['0 */0 * * * *', 'step'],
    ['0 5-1 * * * *', 'backwards'],
    ['0 0 0 L * *', "'L' is not a number"],
    ['@fortnightly', 'unknown descriptor'],
    ['@every forever', 'not a Go duration'],
  ])('%j is refused with the reason', (expr, reason) => {
    const r = parseCron(expr);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(reason);
  });

  test('described in words', () => {
    const r = parseCron('0 30 2 * * *');
    expect(r.ok && describeCron(r.schedule)).toBe('At 02:30');
    const e = parseCron('@every 6h');
    expect(e.ok && describeCron(e.schedule)).toBe('Every 6h');
  });
});
