import type { Diagnostic } from '../lib/errors.js';
import { nextFireTime, parseCron } from '../kfp/cron.js';
import { humanPath } from './data-path.js';
import { formatUtc, parseConfigDate } from './dates.js';
import type { Trigger } from './types.js';
import type { RawTrigger, RunEntry } from './raw.js';

const TRIGGER = ['job', 'trigger'] as const;

/** `start_date` and `end_date` of `job.trigger`: real dates, in order, not KFP's "no date"; warnings for the past. */
export function checkTriggerDates(run: RunEntry, folder: { now: Date }): Diagnostic[] {
  const { diagnostics, error, warn } = collector(run);
  const t = run.value.job.trigger;
  const { now } = folder;
  for (const key of ['start_date', 'end_date'] as const) {
    const text = t[key];
    if (text === null || text === undefined) continue;
    const date = parseConfigDate(text);
    if (!date)
      error(
        `${humanPath([...run.path, ...TRIGGER, key], run.doc.file)} '${text}' is not a real date.`,
        key,
        'check the month and day (e.g. 2024-02-29 exists, 2023-02-29 does not).',
      );
    else if (date.getTime() === 0) {
      // The zero Timestamp: KFP answers it as no date (model/cron_schedule.go IsEmpty, protojson), so the
      // schedule would never look up to date and every apply would replace it.
      error(
        `${key} '${text}' is the zero timestamp (1970-01-01T00:00:00Z): KFP reads it back as no ${key}, so the schedule would be replaced on every apply.`,
        key,
        key === 'start_date'
          ? 'remove start_date (a version then starts when it is created).'
          : 'remove end_date, or set job.enabled: false to stop the schedule.',
      );
    }
  }
  const { start, end } = triggerWindow(t);
  if (start && end && start.getTime() >= end.getTime()) {
    error(
      `start_date (${formatUtc(start)}) is not before end_date (${formatUtc(end)}); the schedule would never run.`,
      'end_date',
      'move end_date after start_date, or remove one of them.',
    );
  }
  if (end && end.getTime() <= now.getTime() && run.value.job.enabled) {
    warn(
      `end_date (${formatUtc(end)}) is in the past: this schedule will not run again.`,
      'end_date',
      'move end_date, or set job.enabled: false.',
    );
  }
  if (t.catchup && start && start.getTime() < now.getTime()) {
    warn(
      `catchup: true with a start_date in the past: every new version of this schedule (each change to this entry) runs every slot since ${formatUtc(start)}.`,
      'catchup',
      'set catchup: false, or move start_date to the future.',
    );
  }
  return diagnostics;
}

/** `job.trigger.cron` as KFP's robfig/cron reads it: valid, fires at all (after the start), no surprises. */
export function checkCron(run: RunEntry, folder: { now: Date }): Diagnostic[] {
  const { diagnostics, error, warn } = collector(run);
  const t = run.value.job.trigger;
  if (typeof t.cron !== 'string') return diagnostics;
  const parsed = parseCron(t.cron);
  const shown = showCron(t.cron);
  if (!parsed.ok) {
    const fix =
      t.cron !== t.cron.trim()
        ? 'remove the surrounding whitespace: KFP does not trim the cron (a `|` block scalar adds a newline; quote the cron instead).'
        : 'write \'second minute hour day-of-month month day-of-week\' (e.g. "0 30 2 * * *" is 02:30 UTC daily) or a descriptor (@daily, @every 1h).';
    const field = parsed.field ? ` in the ${parsed.field} field` : '';
    error(`Invalid cron ${shown}: KFP refuses it${field} (robfig/cron: ${escapeControls(parsed.error)}).`, 'cron', fix);
    return diagnostics;
  }
  const { start } = triggerWindow(t);
  const from = start && start.getTime() > folder.now.getTime() ? start : folder.now;
  if (!nextFireTime(parsed.schedule, from)) {
    error(
      `Cron ${shown} never fires: KFP accepts it, but robfig/cron finds no time matching it within five years after ${formatUtc(from)}, so no run would ever start.`,
      'cron',
      'check that the day of the month exists in the months given (e.g. no 30 February); when both day fields are restricted, a day matches either unless one starts with * or ?.',
    );
  }
  for (const w of parsed.schedule.warnings)
    warn(
      `cron ${shown}: ${w}`,
      'cron',
      parsed.schedule.spec
        ? 'KFP reads the first field as seconds; use 6 fields.'
        : 'write a whole number of seconds, at least 1s.',
    );
  return diagnostics;
}

/** The trigger of an entry that passed the checks above; undefined when it has neither cron nor interval. */
export function toTrigger(t: RawTrigger): Trigger | undefined {
  const window = triggerWindow(t);
  if (typeof t.cron === 'string') {
    const parsed = parseCron(t.cron);
    return parsed.ok ? { type: 'cron', cron: t.cron, schedule: parsed.schedule, ...window } : undefined;
  }
  if (typeof t.interval_seconds === 'number')
    return { type: 'interval', intervalSeconds: t.interval_seconds, ...window };
  return undefined;
}

/** The dates of the trigger that are real dates. */
function triggerWindow(t: RawTrigger): { start?: Date; end?: Date } {
  const start = typeof t.start_date === 'string' ? parseConfigDate(t.start_date) : undefined;
  const end = typeof t.end_date === 'string' ? parseConfigDate(t.end_date) : undefined;
  return { ...(start ? { start } : {}), ...(end ? { end } : {}) };
}

/** Diagnostics about keys of `job.trigger`, collected in order. */
function collector(run: RunEntry) {
  const diagnostics: Diagnostic[] = [];
  const error = (message: string, key: string, fix: string) =>
    diagnostics.push({ message, location: run.at([...TRIGGER, key]), fix });
  const warn = (message: string, key: string, fix: string) =>
    diagnostics.push({ message, location: run.at([...TRIGGER, key]), fix, severity: 'warning' });
  return { diagnostics, error, warn };
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const ESCAPED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** Control characters (a newline from a `|` block scalar) shown escaped, so a message stays on one line. */
function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => ESCAPED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The cron in quotes; JSON-quoted when whitespace around it or control characters would be invisible. */
function showCron(cron: string): string {
  return cron === cron.trim() && !cron.match(CONTROL) ? `'${cron}'` : JSON.stringify(cron);
}
