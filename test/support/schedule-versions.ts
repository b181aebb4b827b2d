import type { KfpEmulator } from '../../src/kfp/emulator/server.js';
import { parseVersionName } from '../../src/reconcile/identity.js';

/** The `GIT::<schedule>__<time>` versions of one schedule in the emulator, oldest first. */
export function versionsOf(emu: KfpEmulator, schedule: string) {
  return [...emu.state.jobs.values()]
    .filter((j) => parseVersionName(j.name)?.schedule === schedule)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** How many versions of each schedule are enabled right now (the reconciler keeps this ≤ 1). */
export function enabledCounts(emu: KfpEmulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const j of emu.state.jobs.values()) {
    const v = parseVersionName(j.name);
    if (v && j.enabled) counts.set(v.schedule, (counts.get(v.schedule) ?? 0) + 1);
  }
  return counts;
}
