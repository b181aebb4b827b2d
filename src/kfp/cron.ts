import { formatDurationExact } from '../lib/duration.js';
import { goAtoi, goParseDuration } from './go-parse.js';

/**
 * KFP 2.x validates and fires recurring-run crons with github.com/robfig/cron v1.2.0 `cron.Parse` (API server
 * `toModelJob`, controller `cron_schedule.go`), in UTC. This module is a port of that parser and of
 * `Schedule.Next`, written here because no cron library has its exact semantics: no trimming, 5 or 6 fields
 * seconds first, `N/step` running to the field's end, steps beyond the field, `*-5` read as `*`, empty list items
 * ignored, the "star bit" that ANDs day-of-month and day-of-week when either starts with `*` or `?` (OR otherwise),
 * Go's `time.ParseDuration` for `@every` with robfig's rounding, and the five-year give-up of `Next`.
 * Same design as robfig: one 64-bit set per field, bit n for value n, bit 63 when the field used `*` or `?`.
 */

/** robfig's `SpecSchedule`: one bit set per field. */
export interface SpecFields {
  readonly second: bigint;
  readonly minute: bigint;
  readonly hour: bigint;
  readonly dom: bigint;
  readonly month: bigint;
  readonly dow: bigint;
}

export interface CronSchedule {
  /** The expression exactly as given (KFP does not trim it). */
  expression: string;
  /** The field bit sets, or undefined for `@every`. */
  spec?: SpecFields;
  /** `@every`: the delay in whole seconds, as robfig rounds it (at least 1). */
  everySeconds?: number;
  /** Problems that do not stop KFP but probably surprise the user (5 fields read seconds first). */
  warnings: string[];
}

/** On refusal: robfig's error text, and which field it is about (robfig's text does not say). */
export type CronParse = { ok: true; schedule: CronSchedule } | { ok: false; error: string; field?: string };

/** robfig's star bit: the field was written starting with `*` or `?` (spec.go dayMatches). */
export const STAR = 1n << 63n;

export interface Bounds {
  min: number;
  max: number;
  names?: ReadonlyMap<string, number>;
}

const names = (list: string[], first: number) => new Map(list.map((n, i) => [n, i + first]));
export const SECONDS: Bounds = { min: 0, max: 59 };
export const MINUTES: Bounds = { min: 0, max: 59 };
export const HOURS: Bounds = { min: 0, max: 23 };
export const DOM: Bounds = { min: 1, max: 31 };
export const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: names(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], 1),
};
export const DOW: Bounds = { min: 0, max: 6, names: names(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], 0) };

/** Go's `strings.Fields` splits on `unicode.IsSpace`, which differs from JavaScript's `\s` (U+0085 yes, U+FEFF no). */
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

function getBits(min: bigint, max: bigint, step: bigint): bigint {
  let bits = 0n;
  for (let i = min; i <= max; i += step) bits |= 1n << i;
  return bits;
}

const all = (r: Bounds) => getBits(BigInt(r.min), BigInt(r.max), 1n) | STAR;
const only = (r: Bounds) => 1n << BigInt(r.min);

function mustParseInt(expr: string): bigint {
  let num: bigint;
  try {
    num = goAtoi(expr);
  } catch (err) {
    throw new Error(`Failed to parse int from ${expr}: ${(err as Error).message}`, { cause: err });
  }
  if (num < 0n) throw new Error(`Negative number (${num}) not allowed: ${expr}`);
  return num;
}

function parseIntOrName(expr: string, r: Bounds): bigint {
  // Go's strings.ToLower maps U+0130 to a plain 'i'; JavaScript adds a combining dot.
  const named = r.names?.get(expr.replace(/\u0130/g, 'i').toLowerCase());
  return named !== undefined ? BigInt(named) : mustParseInt(expr);
}

/** robfig `getRange`: `number | number "-" number [ "/" number ]`, or `*`/`?` with an optional step. */
function getRange(expr: string, r: Bounds): bigint {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: bigint;
  let end: bigint;
  let extra = 0n;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    // Whatever follows a leading star after a hyphen (`*-5`) is ignored, as robfig does.
    [start, end, extra] = [BigInt(r.min), BigInt(r.max), STAR];
  } else {
    start = parseIntOrName(lowAndHigh[0]!, r);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, r);
    else throw new Error(`Too many hyphens: ${expr}`);
  }
  let step = 1n;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    if (singleDigit) end = BigInt(r.max); // "N/step" means "N-max/step"
  } else if (rangeAndStep.length > 2) {
    throw new Error(`Too many slashes: ${expr}`);
  }
  if (start < r.min) throw new Error(`Beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) throw new Error(`End of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end) throw new Error(`Beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0n) throw new Error(`Step of range should be a positive number: ${expr}`);
  return getBits(start, end, step) | extra;
}

/** robfig `getField`: a comma-separated list of ranges; empty items are skipped (`1,,2`, even `,`). */
function getField(field: string, r: Bounds): bigint {
  let bits = 0n;
  for (const expr of field.split(',')) if (expr) bits |= getRange(expr, r);
  return bits;
}

function parseDescriptor(descriptor: string): CronSchedule {
  const spec = (second: bigint, minute: bigint, hour: bigint, dom: bigint, month: bigint, dow: bigint) => ({
    expression: descriptor,
    spec: { second, minute, hour, dom, month, dow },
    warnings: [],
  });
  const [s, m, h] = [only(SECONDS), only(MINUTES), only(HOURS)];
  switch (descriptor) {
    case '@yearly':
    case '@annually':
      return spec(s, m, h, only(DOM), only(MONTHS), all(DOW));
    case '@monthly':
      return spec(s, m, h, only(DOM), all(MONTHS), all(DOW));
    case '@weekly':
      return spec(s, m, h, all(DOM), all(MONTHS), only(DOW));
    case '@daily':
    case '@midnight':
      return spec(s, m, h, all(DOM), all(MONTHS), all(DOW));
    case '@hourly':
      return spec(s, m, all(HOURS), all(DOM), all(MONTHS), all(DOW));
  }
  const every = '@every ';
  if (descriptor.startsWith(every)) {
    let ns: bigint;
    try {
      ns = goParseDuration(descriptor.slice(every.length));
    } catch (err) {
      throw new Error(`Failed to parse duration ${descriptor}: ${(err as Error).message}`, { cause: err });
    }
    // constantdelay.go Every(): below one second becomes one second; sub-second parts are dropped.
    const seconds = ns < 1_000_000_000n ? 1 : Number(ns / 1_000_000_000n);
    const warnings: string[] = [];
    if (ns < 1_000_000_000n) warnings.push(`'${descriptor}' is shorter than one second: KFP runs it every second.`);
    else if (ns % 1_000_000_000n !== 0n)
      warnings.push(`KFP drops the fraction of a second: '${descriptor}' runs every ${formatDurationExact(seconds)}.`);
    return { expression: descriptor, everySeconds: seconds, warnings };
  }
  throw new Error(`Unrecognized descriptor: ${descriptor}`);
}

/** robfig `Parse` (the default parser: Second | Minute | Hour | Dom | Month | DowOptional | Descriptor). */
function parse(spec: string): CronSchedule {
  if (spec.length === 0) throw new Error('Empty spec string');
  if (spec[0] === '@') return parseDescriptor(spec);
  const fields = spec.split(GO_SPACE).filter(Boolean);
  if (fields.length < 5 || fields.length > 6)
    throw new Error(`Expected 5 to 6 fields, found ${fields.length}: ${spec}`);
  const [second, minute, hour, dom, month, dow = '*'] = fields as [string, string, string, string, string, string?];
  // Fields are read in order, so the first bad field is the one reported.
  const field = (text: string, r: Bounds, name: string) => {
    try {
      return getField(text, r);
    } catch (err) {
      throw Object.assign(err as Error, { field: name });
    }
  };
  const bits: SpecFields = {
    second: field(second, SECONDS, 'second'),
    minute: field(minute, MINUTES, 'minute'),
    hour: field(hour, HOURS, 'hour'),
    dom: field(dom, DOM, 'day-of-month'),
    month: field(month, MONTHS, 'month'),
    dow: field(dow, DOW, 'day-of-week'),
  };
  const warnings =
    fields.length === 5
      ? [
          `5 fields are read by KFP as 'second minute hour day-of-month month' (day-of-week *), not as standard cron: ` +
            `it fires at second ${second}, minute ${minute}, hour ${hour}. Add a leading seconds field, e.g. '0 ${fields.join(' ')}'.`,
        ]
      : [];
  return { expression: spec, spec: bits, warnings };
}

/** Parses a cron exactly as KFP does; on refusal, robfig's own error text. */
export function parseCron(expression: string): CronParse {
  try {
    return { ok: true, schedule: parse(expression) };
  } catch (err) {
    const { message, field } = err as Error & { field?: string };
    return { ok: false, error: message, ...(field ? { field } : {}) };
  }
}

export const has = (bits: bigint, n: number) => ((bits >> BigInt(n)) & 1n) === 1n;

function dayMatches(s: SpecFields, t: Date): boolean {
  const domMatch = has(s.dom, t.getUTCDate());
  const dowMatch = has(s.dow, t.getUTCDay());
  return (s.dom & STAR) !== 0n || (s.dow & STAR) !== 0n ? domMatch && dowMatch : domMatch || dowMatch;
}

/** time.Date in UTC, normalising overflowing fields as Go does (Date.UTC would misread years below 100). */
function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): Date {
  const t = new Date(0);
  t.setUTCFullYear(y, mo, d);
  t.setUTCHours(h, mi, s, 0);
  return t;
}

const parts = (t: Date) =>
  [t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate(), t.getUTCHours(), t.getUTCMinutes(), t.getUTCSeconds()] as const;

/** robfig `SpecSchedule.Next` in UTC: the first time strictly after `from`, or undefined after five years. */
function specNext(s: SpecFields, from: Date): Date | undefined {
  // A field with no value at all (`,`) never matches; robfig would search five years second by second to say so.
  if ([s.second, s.minute, s.hour, s.month].some((bits) => (bits & ~STAR) === 0n)) return undefined;
  let t = new Date(Math.floor(from.getTime() / 1000) * 1000 + 1000);
  let added = false;
  const yearLimit = t.getUTCFullYear() + 5;
  wrap: for (;;) {
    if (t.getUTCFullYear() > yearLimit) return undefined;
    while (!has(s.month, t.getUTCMonth() + 1)) {
      if (!added) {
        added = true;
        t = utc(t.getUTCFullYear(), t.getUTCMonth(), 1);
      }
      const [y, mo, d, h, mi, se] = parts(t);
      t = utc(y, mo + 1, d, h, mi, se);
      if (t.getUTCMonth() === 0) continue wrap;
    }
    while (!dayMatches(s, t)) {
      if (!added) {
        added = true;
        t = utc(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
      }
      const [y, mo, d, h, mi, se] = parts(t);
      t = utc(y, mo, d + 1, h, mi, se);
      if (t.getUTCDate() === 1) continue wrap;
    }
    const units: [(t: Date) => number, bigint, number][] = [
      [(x) => x.getUTCHours(), s.hour, 3_600_000],
      [(x) => x.getUTCMinutes(), s.minute, 60_000],
      [(x) => x.getUTCSeconds(), s.second, 1000],
    ];
    for (const [get, bits, size] of units) {
      while (!has(bits, get(t))) {
        if (!added) {
          added = true;
          t = new Date(Math.floor(t.getTime() / size) * size);
        }
        t = new Date(t.getTime() + size);
        if (get(t) === 0) continue wrap;
      }
    }
    return t;
  }
}

/** The next fire time strictly after `from` (UTC), or undefined when robfig finds none within five years. */
export function nextFireTime(schedule: CronSchedule, from: Date): Date | undefined {
  // constantdelay.go Next(): drop the sub-second part of `from`, add the delay.
  if (schedule.everySeconds !== undefined)
    return new Date(Math.floor(from.getTime() / 1000) * 1000 + schedule.everySeconds * 1000);
  return specNext(schedule.spec!, from);
}

/** The next `count` fire times after `from`, in UTC; fewer (even none) when robfig gives up. */
export function nextFireTimes(schedule: CronSchedule, count: number, from: Date): Date[] {
  const times: Date[] = [];
  let t: Date | undefined = from;
  while (times.length < count && (t = nextFireTime(schedule, t))) times.push(t);
  return times;
}
