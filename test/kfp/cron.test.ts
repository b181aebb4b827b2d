import { describe, expect, test } from '@jest/globals';
import { type CronSchedule, nextFireTimes, parseCron } from '../../src/kfp/cron.js';
import { describeCron } from '../../src/kfp/cron-words.js';
import { goAtoi, goParseDuration } from '../../src/kfp/go-parse.js';

// Expected values follow robfig/cron v1.2.0 (github.com/robfig/cron, tag v1.2.0): parser.go `Parse`, `getField`,
// `getRange`, `parseDescriptor`; spec.go `SpecSchedule.Next`, `dayMatches`; constantdelay.go `Every`, `Next`;
// and Go's time.ParseDuration (time/format.go). The shared corpus test (cron-conformance.test.ts) checks the
// same code against thousands of answers from robfig's own code; these name each rule.

const schedule = (expr: string): CronSchedule => {
  const r = parseCron(expr);
  if (!r.ok) throw new Error(`${JSON.stringify(expr)} refused: ${r.error}`);
  return r.schedule;
};
const next = (expr: string, n: number, from: string) =>
  nextFireTimes(schedule(expr), n, new Date(from)).map((d) => d.toISOString());
const error = (expr: string) => {
  const r = parseCron(expr);
  return r.ok ? undefined : r.error;
};

describe('parser.go getRange: "N/step" runs from N to the end of the field; steps may exceed the field', () => {
  test('0 0/15 * * * *: minutes 0, 15, 30, 45', () => {
    expect(next('0 0/15 * * * *', 4, '2030-01-01T00:00:00Z')).toEqual([
      '2030-01-01T00:15:00.000Z',
      '2030-01-01T00:30:00.000Z',
      '2030-01-01T00:45:00.000Z',
      '2030-01-01T01:00:00.000Z',
    ]);
  });

  test('0 0 1/6 * * *: hours 1, 7, 13, 19', () => {
    expect(next('0 0 1/6 * * *', 5, '2030-01-01T00:00:00Z')).toEqual([
      '2030-01-01T01:00:00.000Z',
      '2030-01-01T07:00:00.000Z',
      '2030-01-01T13:00:00.000Z',
      '2030-01-01T19:00:00.000Z',
      '2030-01-02T01:00:00.000Z',
    ]);
  });

  test('0 0 0 ? * Mon/2: Monday, Wednesday, Friday (names work before a step)', () => {
    // 2030-01-01 is a Tuesday.
    expect(next('0 0 0 ? * Mon/2', 4, '2030-01-01T00:00:00Z')).toEqual([
      '2030-01-02T00:00:00.000Z',
      '2030-01-04T00:00:00.000Z',
      '2030-01-07T00:00:00.000Z',
      '2030-01-09T00:00:00.000Z',
    ]);
  });

  test('0 0 */25 * * *: a step beyond the field keeps only its start (hour 0)', () => {
    expect(next('0 0 */25 * * *', 2, '2030-01-01T00:00:00Z')).toEqual([
      '2030-01-02T00:00:00.000Z',
      '2030-01-03T00:00:00.000Z',
    ]);
  });

  test('Sun-Sun is Sunday only, names are case-insensitive, month names work', () => {
    expect(next('0 0 0 * * Sun-Sun', 2, '2030-01-01T00:00:00Z')).toEqual([
      '2030-01-06T00:00:00.000Z',
      '2030-01-13T00:00:00.000Z',
    ]);
    expect(next('0 0 0 1 JAN,jul ?', 2, '2030-01-01T00:00:00Z')).toEqual([
      '2030-07-01T00:00:00.000Z',
      '2031-01-01T00:00:00.000Z',
    ]);
  });
});

describe('parser.go Parse: the string is taken byte for byte (no trimming)', () => {
  test.each([
    [' @daily', 'Expected 5 to 6 fields, found 1:  @daily'],
    ['@daily ', 'Unrecognized descriptor: @daily '],
    ['@daily\n', 'Unrecognized descriptor: @daily\n'],
    ['@every  1h', 'Failed to parse duration @every  1h: time: invalid duration " 1h"'],
    ['@every 1h ', 'Failed to parse duration @every 1h : time: unknown unit "h " in duration "1h "'],
    ['@every 3000000h', 'Failed to parse duration @every 3000000h: time: invalid duration "3000000h"'],
    ['* * *', 'Expected 5 to 6 fields, found 3: * * *'],
    ['', 'Empty spec string'],
    ['@DAILY', 'Unrecognized descriptor: @DAILY'],
    ['0 0 25 * * *', 'End of range (25) above maximum (23): 25'],
    ['0 0 0 0 * *', 'Beginning of range (0) below minimum (1): 0'],
    ['0 5-1 * * * *', 'Beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * * *', 'Step of range should be a positive number: */0'],
    ['1-2-3 * * * * *', 'Too many hyphens: 1-2-3'],
    ['1/2/3 * * * * *', 'Too many slashes: 1/2/3'],
    ['-5 * * * * *', 'Failed to parse int from : strconv.Atoi: parsing "": invalid syntax'],
    ['0 0 0 L * *', 'Failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'],
    ['0 0 0 ? * MONDAY', 'Failed to parse int from MONDAY: strconv.Atoi: parsing "MONDAY": invalid syntax'],
  ])('%j is refused: %s', (expr, message) => {
    expect(error(expr)).toBe(message);
  });

  test('whitespace between fields is any Go space; 5 or 6 fields', () => {
    expect(next('\t0 0 * * * *', 1, '2030-01-01T00:00:00Z')).toEqual(['2030-01-01T01:00:00.000Z']);
    expect(next('0 0 * * * * \n', 1, '2030-01-01T00:00:00Z')).toEqual(['2030-01-01T01:00:00.000Z']);
  });
});

describe('robfig accepts what common cron parsers refuse', () => {
  test('1,,2 * * * * *: getField skips empty list items', () => {
    expect(next('1,,2 * * * * *', 3, '2030-01-01T00:00:00Z')).toEqual([
      '2030-01-01T00:00:01.000Z',
      '2030-01-01T00:00:02.000Z',
      '2030-01-01T00:01:01.000Z',
    ]);
  });

  test('*-5 * * * * *: getRange reads a leading * and ignores the rest', () => {
    expect(next('*-5 * * * * *', 2, '2030-01-01T00:00:00Z')).toEqual([
      '2030-01-01T00:00:01.000Z',
      '2030-01-01T00:00:02.000Z',
    ]);
  });

  test('+5 * * * * *: mustParseInt uses strconv.Atoi, which takes a sign', () => {
    expect(next('+5 * * * * *', 2, '2030-01-01T00:00:00Z')).toEqual([
      '2030-01-01T00:00:05.000Z',
      '2030-01-01T00:01:05.000Z',
    ]);
    expect(error('0/-1 * * * * *')).toBe('Negative number (-1) not allowed: -1');
  });
});

describe('spec.go dayMatches: day-of-month AND day-of-week when either starts with * or ?, OR otherwise', () => {
  test('0 0 0 */10 * Sun: */10 carries the star bit, so days 1, 11, 21, 31 that are Sundays', () => {
    expect(next('0 0 0 */10 * Sun', 3, '2030-01-01T00:00:00Z')).toEqual([
      '2030-03-31T00:00:00.000Z',
      '2030-04-21T00:00:00.000Z',
      '2030-07-21T00:00:00.000Z',
    ]);
  });

  test('0 0 0 1 * Mon: no star, so day 1 or any Monday', () => {
    expect(next('0 0 0 1 * Mon', 3, '2030-01-28T00:00:00Z')).toEqual([
      '2030-02-01T00:00:00.000Z',
      '2030-02-04T00:00:00.000Z',
      '2030-02-11T00:00:00.000Z',
    ]);
  });

  test('a star anywhere in the list (1,*) sets the star bit; 1-31 does not', () => {
    expect(next('0 0 0 1,* * Sun', 2, '2030-01-01T00:00:00Z')).toEqual([
      '2030-01-06T00:00:00.000Z',
      '2030-01-13T00:00:00.000Z',
    ]);
    expect(next('0 0 0 1-31 * Sun', 2, '2030-01-01T00:00:00Z')).toEqual([
      '2030-01-02T00:00:00.000Z',
      '2030-01-03T00:00:00.000Z',
    ]);
  });
});

describe('spec.go Next gives up after five years (zero time: KFP never fires)', () => {
  test('0 0 0 29 2 ? from 2096-03-01: 2100 is no leap year and 2104 is too far', () => {
    expect(next('0 0 0 29 2 ?', 3, '2096-03-01T00:00:00Z')).toEqual([]);
    expect(next('0 0 0 29 2 ?', 3, '2090-01-01T00:00:00Z')).toEqual([
      '2092-02-29T00:00:00.000Z',
      '2096-02-29T00:00:00.000Z',
    ]);
  });

  test('0 0 0 30 2 * and an empty field never fire', () => {
    expect(next('0 0 0 30 2 *', 1, '2030-01-01T00:00:00Z')).toEqual([]);
    expect(next(', * * * * *', 1, '2030-01-01T00:00:00Z')).toEqual([]);
  });
});

describe('parser.go parseDescriptor and constantdelay.go', () => {
  test.each([
    ['@yearly', ['2031-01-01T00:00:00.000Z', '2032-01-01T00:00:00.000Z']],
    ['@annually', ['2031-01-01T00:00:00.000Z', '2032-01-01T00:00:00.000Z']],
    ['@monthly', ['2030-02-01T00:00:00.000Z', '2030-03-01T00:00:00.000Z']],
    ['@weekly', ['2030-01-06T00:00:00.000Z', '2030-01-13T00:00:00.000Z']],
    ['@daily', ['2030-01-02T00:00:00.000Z', '2030-01-03T00:00:00.000Z']],
    ['@midnight', ['2030-01-02T00:00:00.000Z', '2030-01-03T00:00:00.000Z']],
    ['@hourly', ['2030-01-01T01:00:00.000Z', '2030-01-01T02:00:00.000Z']],
  ])('%s', (expr, times) => {
    expect(next(expr, 2, '2030-01-01T00:00:00Z')).toEqual(times);
  });

  test('@every 0 and @every -1h: Every() raises anything below one second to one second', () => {
    expect(schedule('@every 0').everySeconds).toBe(1);
    expect(schedule('@every -1h').everySeconds).toBe(1);
    expect(schedule('@every 0').warnings[0]).toMatch(/shorter than one second/);
  });

  test('@every .5h is 30 minutes; Next drops the sub-second part of the start', () => {
    expect(next('@every .5h', 2, '2030-01-01T00:00:00.750Z')).toEqual([
      '2030-01-01T00:30:00.000Z',
      '2030-01-01T01:00:00.000Z',
    ]);
  });

  test('@every 4.1m is exactly 246 s each time: no drift', () => {
    const times = nextFireTimes(schedule('@every 4.1m'), 50, new Date('2030-01-01T00:00:00.400Z')).map((d) =>
      d.getTime(),
    );
    expect(new Set(times.slice(1).map((t, i) => t - times[i]!))).toEqual(new Set([246_000]));
    expect(times[49]).toBe(Date.parse('2030-01-01T00:00:00Z') + 50 * 246_000);
  });

  test('@every 1.5s drops the fraction (with a warning)', () => {
    expect(schedule('@every 1.5s')).toMatchObject({
      everySeconds: 1,
      warnings: [expect.stringMatching(/drops the fraction/)],
    });
  });
});

describe("Go's time.ParseDuration and strconv.Atoi", () => {
  test.each([
    ['1h30m', 5_400_000_000_000n],
    ['.5h', 1_800_000_000_000n],
    ['1.h', 3_600_000_000_000n],
    ['-1h', -3_600_000_000_000n],
    ['+0', 0n],
    ['1\u00b5s', 1000n],
    ['1\u03bcs', 1000n],
    ['2562047h', 9_223_369_200_000_000_000n],
  ])('%s', (text, ns) => {
    expect(goParseDuration(text)).toBe(ns);
  });

  test.each([
    ['', 'time: invalid duration ""'],
    ['1', 'time: missing unit in duration "1"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['.s', 'time: invalid duration ".s"'],
    ['2562048h', 'time: invalid duration "2562048h"'],
    ['1\u00b5x', 'time: unknown unit "\\xc2\\xb5x" in duration "1\\xc2\\xb5x"'],
  ])('%j is refused: %s', (text, message) => {
    expect(() => goParseDuration(text)).toThrow(message);
  });

  test('Atoi: sign, int64 range, Go quoting', () => {
    expect(goAtoi('+5')).toBe(5n);
    expect(goAtoi('-0')).toBe(0n);
    expect(() => goAtoi('9223372036854775808')).toThrow(
      'strconv.Atoi: parsing "9223372036854775808": value out of range',
    );
    expect(() => goAtoi('1\u200b')).toThrow('strconv.Atoi: parsing "1\\u200b": invalid syntax');
  });
});

describe('5 fields are accepted and read seconds first (DowOptional), with a warning', () => {
  test('30 2 * * * fires at second 30 of minute 2 of every hour', () => {
    expect(next('30 2 * * *', 2, '2030-01-01T00:00:00Z')).toEqual([
      '2030-01-01T00:02:30.000Z',
      '2030-01-01T01:02:30.000Z',
    ]);
    expect(schedule('30 2 * * *').warnings[0]).toContain("Add a leading seconds field, e.g. '0 30 2 * * *'");
    expect(schedule('0 30 2 * * *').warnings).toEqual([]);
  });
});

describe('describeCron says what KFP does', () => {
  test.each([
    ['0 30 2 * * *', 'At 02:30'],
    ['0 0/15 * * * *', 'Every 15 minutes'],
    ['0 0 */25 * * *', 'At 00:00'],
    ['0 0 0 * * Sun-Sun', 'At 00:00, only on Sunday'],
    ['0 0 0 */10 * Sun', 'At 00:00, on day 1, 11, 21, and 31 of the month, if it is a Sunday'],
    ['0 0 0 1 * Mon', 'At 00:00, on day 1 of the month or on any Monday'],
    ['0 0 0 1,15 3 1-5', 'At 00:00, only in March, on day 1 and 15 of the month or on any Monday to Friday'],
    ['0 0 0 1-31 * Sun', 'At 00:00'],
    ['@weekly', 'At 00:00, only on Sunday'],
    ['@every 4.1m', 'Every 4 min 6 s'],
    ['@every 6h', 'Every 6 h'],
  ])('%s: %s', (expr, words) => {
    expect(describeCron(schedule(expr))).toBe(words);
  });
});
