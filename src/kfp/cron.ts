import { Cron } from 'croner';
import cronstrue from 'cronstrue';

/**
 * KFP validates and runs cron schedules with github.com/robfig/cron v1.2.0 `cron.Parse`:
 * fields are `second minute hour day-of-month month [day-of-week]`, plus descriptors
 * (`@yearly`, `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, `@every <Go duration>`).
 * This module accepts exactly that grammar, says why an expression is refused, and computes
 * fire times (UTC) with croner, whose 6-field form has the same seconds-first meaning.
 */
export interface CronSchedule {
  expression: string;
  /** A 6-field (seconds-first) pattern, or undefined for `@every`. */
  pattern?: string;
  /** Interval in seconds for `@every`. */
  everySeconds?: number;
  /** Problems that do not stop KFP but probably surprise the user (5-field reads seconds first). */
  warnings: string[];
}

export type CronParse = { ok: true; schedule: CronSchedule } | { ok: false; error: string };

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesStart?: number;
}

const FIELDS: FieldDef[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesStart: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAYS, namesStart: 0 },
];

function parseValue(token: string, f: FieldDef): number {
  const lower = token.toLowerCase();
  const idx = f.names?.indexOf(lower) ?? -1;
  if (idx >= 0) return idx + (f.namesStart ?? 0);
  if (!/^\d+$/.test(token)) throw new Error(`'${token}' is not a number${f.names ? ` or a ${f.name} name` : ''} in the ${f.name} field`);
  const n = Number(token);
  if (n < f.min || n > f.max) throw new Error(`${f.name} value ${n} is outside ${f.min}-${f.max}`);
  return n;
}

/** Validate one field as robfig/cron's getRange does. */
function checkField(field: string, f: FieldDef): void {
  for (const part of field.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined) throw new Error(`too many slashes in '${part}' (${f.name} field)`);
    if (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0)) throw new Error(`step '${step}' in '${part}' must be a positive number (${f.name} field)`);
    if (range === '*' || range === '?') continue;
    const bounds = range!.split('-');
    if (bounds.length > 2 || bounds.some((b) => b === '')) throw new Error(`'${part}' is not a value, a range or * (${f.name} field)`);
    const lo = parseValue(bounds[0]!, f);
    const hi = bounds.length === 2 ? parseValue(bounds[1]!, f) : lo;
    if (hi < lo) throw new Error(`range '${range}' goes backwards (${f.name} field)`);
  }
}

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's time.ParseDuration for the positive durations `@every` takes, in seconds. */
export function parseGoDuration(text: string): number | undefined {
  if (!GO_DURATION.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return total;
}

export function parseCron(expression: string): CronParse {
  const expr = expression.trim();
  if (!expr) return { ok: false, error: 'the cron expression is empty' };
  if (expr.startsWith('@')) {
    if (expr.startsWith('@every ')) {
      const text = expr.slice('@every '.length).trim();
      const seconds = parseGoDuration(text);
      if (seconds === undefined) return { ok: false, error: `'${text}' is not a Go duration (examples: 30s, 15m, 1h30m)` };
      // robfig rounds @every to whole seconds, with a minimum of one second.
      return { ok: true, schedule: { expression: expr, everySeconds: Math.max(1, Math.floor(seconds)), warnings: seconds < 1 ? ['@every below one second runs every second'] : [] } };
    }
    const pattern = DESCRIPTORS[expr];
    if (!pattern) return { ok: false, error: `unknown descriptor '${expr}' (known: ${Object.keys(DESCRIPTORS).join(', ')}, @every <duration>)` };
    return { ok: true, schedule: { expression: expr, pattern, warnings: [] } };
  }
  const fields = expr.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return { ok: false, error: `expected 6 fields (second minute hour day-of-month month day-of-week), found ${fields.length}` };
  }
  const warnings: string[] = [];
  if (fields.length === 5) {
    warnings.push(
      `5 fields are read by KFP as 'second minute hour day-of-month month' (day-of-week *), not as standard cron: '${expr}' fires at second ${fields[0]}, minute ${fields[1]}, hour ${fields[2]}. Add a leading seconds field, e.g. '0 ${expr}'.`,
    );
    fields.push('*');
  }
  try {
    fields.forEach((field, i) => checkField(field, FIELDS[i]!));
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  return { ok: true, schedule: { expression: expr, pattern: fields.join(' '), warnings } };
}

/** The next `count` fire times strictly after `from`, in UTC. */
export function nextFireTimes(schedule: CronSchedule, count: number, from: Date): Date[] {
  if (schedule.everySeconds !== undefined) {
    return Array.from({ length: count }, (_, i) => new Date(Math.floor(from.getTime() / 1000) * 1000 + (i + 1) * schedule.everySeconds! * 1000));
  }
  const cron = new Cron(schedule.pattern!.replace(/\?/g, '*'), { paused: true, timezone: 'UTC', legacyMode: true });
  return cron.nextRuns(count, from);
}

/** The schedule in words, e.g. "At 02:30 AM" or "Every 1h". */
export function describeCron(schedule: CronSchedule): string {
  if (schedule.everySeconds !== undefined) return `Every ${schedule.expression.slice('@every '.length).trim()}`;
  try {
    return cronstrue.toString(schedule.pattern!, { use24HourTimeFormat: true, verbose: false });
  } catch {
    return schedule.expression;
  }
}
