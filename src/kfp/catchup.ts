import { nextFireTimes, parseCron } from './cron.js';

/** A trigger as KFP's scheduler sees it: cron or interval, with an optional window. Times in epoch seconds. */
export interface SchedulerTrigger {
  cron?: string;
  intervalSeconds?: number;
  start?: number;
  end?: number;
}

/** Slots counted at most (cron fire times cost ~0.4 ms each); a larger backfill reads "at least this many". */
export const MAX_COUNTED_SLOTS = 100;

/**
 * The slots KFP's scheduler runs when an enabled version last ran (or was paused) at `since` and it is now
 * `now`, with catchup: every slot in (since, now], one by one, not before start_date nor after end_date
 * (crd/controller/scheduledworkflow/util/scheduled_workflow.go getNextScheduledEpoch, cron_schedule.go
 * getNextScheduledTimeImp, periodic_schedule.go getNextScheduledEpoch). Without catchup it runs at most one.
 */
export function missedSlots(t: SchedulerTrigger, since: number, now: number, cap = MAX_COUNTED_SLOTS): number {
  const until = t.end !== undefined ? Math.min(now, t.end) : now;
  if (t.intervalSeconds !== undefined) {
    const interval = Math.max(1, t.intervalSeconds);
    // A start after the last run is itself the next slot (periodic_schedule.go).
    if (t.start !== undefined && t.start > since)
      return t.start > until ? 0 : Math.min(cap, 1 + Math.floor((until - t.start) / interval));
    return since + interval > until ? 0 : Math.min(cap, Math.floor((until - since) / interval));
  }
  const parsed = parseCron(t.cron ?? '');
  if (!parsed.ok) return 0;
  let from = new Date(Math.max(since, t.start ?? since) * 1000);
  let count = 0;
  while (count < cap) {
    const batch = nextFireTimes(parsed.schedule, Math.min(50, cap - count), from);
    for (const d of batch) {
      if (d.getTime() > until * 1000) return count;
      count++;
    }
    if (batch.length === 0) return count;
    from = batch[batch.length - 1]!;
  }
  return count;
}
