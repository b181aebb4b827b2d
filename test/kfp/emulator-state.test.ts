import { expect, test } from '@jest/globals';
import fc from 'fast-check';
import { EmulatorState, type JobRecord } from '../../src/kfp/emulator/state.js';
import { checkAndCloseHarnessesAfterEach, harness } from './helpers.js';

checkAndCloseHarnessesAfterEach();

const pipeline = { kind: 'version', pipelineId: 'p', parameters: {} } as const;
const ids = (jobs: Iterable<JobRecord>) => [...jobs].map((j) => j.id).sort();

test('the job index by namespace and experiment always lists what a scan of every job would', () => {
  // Any sequence of creates, replacements, deletes and clears, through the Map API tests also use.
  const op = fc.oneof(
    fc.record({
      op: fc.constant('seed' as const),
      ns: fc.integer({ min: 0, max: 2 }),
      exp: fc.integer({ min: 0, max: 3 }),
    }),
    fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('replace' as const), at: fc.nat() }),
    fc.record({ op: fc.constant('clear' as const) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const state = new EmulatorState(true);
      const exps = [0, 1, 2, 3].map((e) => state.seedExperiment({ name: `e${e}`, namespace: `ns${e % 3}` }));
      for (const o of ops) {
        const all = [...state.jobs.values()];
        if (o.op === 'seed') state.seedJob({ name: 'j', experimentId: exps[o.exp]!.id, pipeline });
        else if (o.op === 'clear') state.jobs.clear();
        else if (all.length && o.op === 'delete') state.deleteJob(all[o.at % all.length]!.id);
        else if (all.length) state.jobs.set(all[o.at % all.length]!.id, { ...all[o.at % all.length]!, name: 'k' });
      }
      const every = [...state.jobs.values()];
      for (const ns of ['ns0', 'ns1', 'ns2', 'nsX'])
        expect(ids(state.jobs.in({ namespace: ns }))).toEqual(ids(every.filter((j) => j.namespace === ns)));
      for (const e of exps)
        expect(ids(state.jobs.in({ experimentId: e.id }))).toEqual(ids(every.filter((j) => j.experimentId === e.id)));
      expect(ids(state.jobs.in({}))).toEqual(ids(every));
    }),
    { numRuns: 300 },
  );
});

test('listing recurring runs by namespace and by experiment pages through exactly their own, after deletes', async () => {
  const h = await harness('v2beta1');
  const a = h.emu.state.seedExperiment({ name: 'a', namespace: 'ns-a' });
  const b = h.emu.state.seedExperiment({ name: 'b', namespace: 'ns-b' });
  const seeded = Array.from({ length: 25 }, (_, i) =>
    h.emu.state.seedJob({ name: `r${i}`, experimentId: (i % 3 ? a : b).id, pipeline }),
  );
  for (const j of seeded.filter((_, i) => i % 5 === 0)) h.emu.state.deleteJob(j.id);
  const left = seeded.filter((_, i) => i % 5 !== 0);
  const names = (xs: { name: string }[]) => xs.map((x) => x.name).sort();
  const inA = left.filter((j) => j.experimentId === a.id);
  expect(names(await h.client.listRecurringRuns({ namespace: 'ns-a' }, { pageSize: 4 }))).toEqual(names(inA));
  expect(names(await h.client.listRecurringRuns({ experimentId: b.id }, { pageSize: 4 }))).toEqual(
    names(left.filter((j) => j.experimentId === b.id)),
  );
});
