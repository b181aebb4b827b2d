import cronstrue from 'cronstrue';
import { formatDurationExact } from '../lib/duration.js';
import { type Bounds, type CronSchedule, DOM, DOW, HOURS, MINUTES, MONTHS, SECONDS, STAR, has } from './cron.js';

/*
 * A cron schedule in English, apart from the parser so that only what shows schedules in words
 * (check-reconcile-configs' summary) loads cronstrue; the reconciler and the emulator only parse.
 */

function values(bits: bigint, r: Bounds): number[] {
  const out: number[] = [];
  for (let v = r.min; v <= r.max; v++) if (has(bits, v)) out.push(v);
  return out;
}

/** A field's bit set written back as plain cron for cronstrue: `*`, `*\/n`, `a/n`, or a list of values and ranges. */
function fieldText(bits: bigint, r: Bounds, steps: boolean): string {
  const v = values(bits, r);
  if (v.length === r.max - r.min + 1) return '*';
  const step = v.length > 2 ? v[1]! - v[0]! : 0;
  if (steps && step > 1 && v.every((x, i) => x === v[0]! + i * step) && v.at(-1)! + step > r.max) {
    return v[0] === r.min ? `*/${step}` : `${v[0]}/${step}`;
  }
  const out: string[] = [];
  for (let i = 0; i < v.length;) {
    let j = i;
    while (j + 1 < v.length && v[j + 1] === v[j]! + 1) j++;
    out.push(j - i >= 2 ? `${v[i]}-${v[j]}` : v.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return out.join(',');
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
/** "Sunday", "Monday or Friday", "Monday to Friday". */
function weekdays(bits: bigint): string {
  const text = fieldText(bits, DOW, false)
    .split(',')
    .map((r) =>
      r
        .split('-')
        .map((d) => DAY_NAMES[Number(d)])
        .join(' to '),
    );
  return text.length < 2 ? text.join('') : `${text.slice(0, -1).join(', ')} or ${text.at(-1)}`;
}
const english = (expr: string) => cronstrue.toString(expr, { use24HourTimeFormat: true, verbose: false });

/**
 * The schedule in words, e.g. "At 02:30" or "Every 1 h". Built from the parsed bit sets, so it says what KFP
 * does; when both day fields are restricted it spells out robfig's rule: "if it is a Sunday" (AND, a field
 * starts with `*` or `?`) or "or on any Monday" (OR), which cronstrue alone would not say.
 */
export function describeCron(schedule: CronSchedule): string {
  if (schedule.everySeconds !== undefined) return `Every ${formatDurationExact(schedule.everySeconds)}`;
  const s = schedule.spec!;
  const time = `${fieldText(s.second, SECONDS, true)} ${fieldText(s.minute, MINUTES, true)} ${fieldText(s.hour, HOURS, true)}`;
  const month = fieldText(s.month, MONTHS, false);
  const dom = fieldText(s.dom, DOM, false);
  const dow = fieldText(s.dow, DOW, false);
  const and = (s.dom & STAR) !== 0n || (s.dow & STAR) !== 0n;
  try {
    if (dom === '*' || dow === '*') {
      // One day field allows every day: AND leaves the other; OR allows every day.
      return and ? english(`${time} ${dom} ${month} ${dow}`) : english(`${time} * ${month} *`);
    }
    const base = english(`${time} * ${month} *`);
    const days = english(`0 0 0 ${dom} * *`).replace(/^At 00:00, /, '');
    return `${base}, ${days}${and ? `, if it is a ${weekdays(s.dow)}` : ` or on any ${weekdays(s.dow)}`}`;
  } catch {
    return schedule.expression;
  }
}
