import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { NAMES, arbCommit, arbPerturbation, type Perturbation } from './arbitraries.js';
import { applyPlan } from '../../src/reconcile/apply.js';
import { countSteps, plan } from '../../src/reconcile/plan.js';
import type { Target } from '../../src/reconcile/types.js';
import { versionName } from '../../src/reconcile/identity.js';
import { NOW, options } from './fixtures.js';
import { SimKfp } from './sim-kfp.js';

let raceIds = 0;
function perturb(kfp: SimKfp, p: Perturbation): void {
  if (p.kind === 'toggle' && kfp.jobs.length)
    kfp.jobs[p.pick % kfp.jobs.length]!.enabled = !kfp.jobs[p.pick % kfp.jobs.length]!.enabled;
  if (p.kind === 'delete' && kfp.jobs.length) kfp.jobs.splice(p.pick % kfp.jobs.length, 1);
  if (p.kind === 'archive' && kfp.experiments.length) kfp.experiments[p.pick % kfp.experiments.length]!.archived = true;
  if (p.kind === 'extra-version') {
    // A racing run created a version (possibly in the same second as another).
    const name = versionName(p.name, new Date(NOW.getTime() - 86400_000 + p.second * 1000));
    kfp.jobs.push({
      id: `race-${++raceIds}`,
      name,
      enabled: p.enabled,
      experimentId: kfp.experiments[0]?.id,
      createdAt: 1e6 + kfp.jobs.length,
      rawDescription: '',
      spec: p.spec,
    });
  }
}

async function reconcile(kfp: SimKfp, desired: Target, now: Date) {
  const p = plan(desired, kfp.snapshot(), options({ now }));
  return { plan: p, result: await applyPlan(p, kfp, { parallelism: 3 }) };
}

const enabledVersions = (kfp: SimKfp, schedule: string) =>
  kfp.jobs.filter((j) => j.name.startsWith(`GIT::${schedule}__`) && j.enabled).length;

describe('convergence (property-based, in-memory KFP)', () => {
  test('from any perturbed state, one apply converges: the next plan is empty, never two versions enabled', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbCommit,
        fc.array(arbPerturbation, { maxLength: 8 }),
        async ([before, after], perturbations) => {
          const kfp = new SimKfp();
          await reconcile(kfp, before, new Date(NOW.getTime() - 7 * 86400_000));
          for (const p of perturbations) perturb(kfp, p);
          const startEnabled = new Map(NAMES.map((n) => [n, enabledVersions(kfp, n)]));
          kfp.maxEnabledAtOnce.clear();
          const { result } = await reconcile(kfp, after, NOW);
          expect(result.failures).toEqual([]);
          expect(countSteps(plan(after, kfp.snapshot(), options({ now: new Date(NOW.getTime() + 60_000) })))).toBe(0);
          for (const [schedule, max] of kfp.maxEnabledAtOnce)
            expect(max).toBeLessThanOrEqual(Math.max(1, startEnabled.get(schedule) ?? 0));
          for (const d of after.schedules) expect(enabledVersions(kfp, d.name)).toBe(d.enabled ? 1 : 0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('a failure at any write leaves ≤ 1 enabled version per schedule, and the next apply converges', async () => {
    await fc.assert(
      fc.asyncProperty(arbCommit, fc.integer({ min: 1, max: 40 }), async ([before, after], k) => {
        const kfp = new SimKfp();
        await reconcile(kfp, before, new Date(NOW.getTime() - 86400_000));
        kfp.writes = 0;
        kfp.failAt = k;
        await reconcile(kfp, after, NOW);
        kfp.failAt = undefined;
        for (const name of NAMES) expect(enabledVersions(kfp, name)).toBeLessThanOrEqual(1);
        // A schedule wanted enabled that was running before keeps running despite the failure.
        for (const d of after.schedules) {
          const wasRunning = before.schedules.some((b) => b.name === d.name && b.enabled);
          if (d.enabled && wasRunning) expect(enabledVersions(kfp, d.name)).toBe(1);
        }
        const again = await reconcile(kfp, after, new Date(NOW.getTime() + 60_000));
        expect(again.result.failures).toEqual([]);
        expect(countSteps(plan(after, kfp.snapshot(), options({ now: new Date(NOW.getTime() + 120_000) })))).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });
});
