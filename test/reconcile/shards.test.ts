import { describe, expect, test } from '@jest/globals';
import { UserError } from '../../src/lib/errors.js';
import {
  cutShards,
  gatherPlanFiles,
  parsePlanFile,
  parseShards,
  planFileJson,
  type PlanFile,
} from '../../src/reconcile/shards.js';
import type { Plan } from '../../src/reconcile/types.js';

const folders = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ folder: `schedules/t${i + 1}`, namespace: `t${i + 1}` }));

describe('cutShards', () => {
  test('cuts the folders in order into shards of the given size, the last one shorter', () => {
    expect(cutShards(folders(5), 2)).toEqual([
      { index: 1, folders: 'schedules/t1\nschedules/t2', namespaces: 't1 t2' },
      { index: 2, folders: 'schedules/t3\nschedules/t4', namespaces: 't3 t4' },
      { index: 3, folders: 'schedules/t5', namespaces: 't5' },
    ]);
    expect(cutShards(folders(3), 1).map((s) => s.namespaces)).toEqual(['t1', 't2', 't3']);
    expect(cutShards(folders(3), 10)).toHaveLength(1);
  });

  test("refuses two folders reconciling one namespace, and more shards than GitHub's matrix runs", () => {
    expect(() =>
      cutShards(
        [
          { folder: 'a/x', namespace: 'x' },
          { folder: 'b/x', namespace: 'x' },
        ],
        1,
      ),
    ).toThrow("Config folders 'a/x' and 'b/x' both reconcile namespace 'x'");
    expect(cutShards(folders(256), 1)).toHaveLength(256);
    expect(() => cutShards(folders(257), 1)).toThrow('257 folder(s) in shards of 1 make 257 jobs');
    expect(() => cutShards(folders(257), 1)).toThrow('set shard-size to 2 or more');
  });
});

const plan = (namespace: string, writes = 0): Plan => ({
  namespace,
  experimentSteps: Array.from({ length: writes }, (_, i) => ({
    op: 'create-experiment' as const,
    experiment: `e${i}`,
    description: '',
  })),
  changes: [],
  warnings: [],
});
const file = (content: Partial<PlanFile>): PlanFile => ({
  mode: 'plan',
  plans: [],
  results: {},
  errors: [],
  retries: {},
  ...content,
});

describe('plan files', () => {
  test('round trip, and a file of another kind is refused by name', () => {
    const f = file({ plans: [plan('a', 1)], retries: { ListRecurringRuns: 2 } });
    expect(parsePlanFile(planFileJson(f), 'p.json')).toEqual(f);
    expect(() => parsePlanFile('[]', 'plans/x.json')).toThrow('plans/x.json is not a kfp-gitops plan file');
    expect(() => parsePlanFile('{', 'plans/y.json')).toThrow(UserError);
  });

  test('gather: plans, results, errors and retries together; a namespace no file reports is an error', () => {
    const shards = cutShards(folders(3), 1);
    const gathered = gatherPlanFiles(
      [
        { file: 'p/1.json', content: file({ mode: 'apply', plans: [plan('t1', 2)], retries: { Create: 1 } }) },
        {
          file: 'p/3.json',
          content: file({
            mode: 'apply',
            plans: [plan('t3')],
            results: { t3: { writes: 0, failures: [] } },
            retries: { Create: 2, List: 1 },
          }),
        },
      ],
      { mode: 'apply', shards },
    );
    expect(gathered.plans.map((p) => p.namespace)).toEqual(['t1', 't3']);
    expect([...gathered.results.keys()]).toEqual(['t3']);
    expect(gathered.retries).toEqual({ Create: 3, List: 1 });
    expect(gathered.errors).toEqual([
      { namespace: 't2', error: expect.stringMatching(/^shard 2 reported no plan: its job failed before planning/) },
    ]);
    // Without the shards, nothing is known to be missing.
    expect(gatherPlanFiles([], { mode: 'plan' }).errors).toEqual([]);
  });

  test('gather refuses files of another mode or run', () => {
    expect(() => gatherPlanFiles([{ file: 'a.json', content: file({ mode: 'apply' }) }], { mode: 'plan' })).toThrow(
      'a.json was written in apply mode, but mode is plan',
    );
    expect(() =>
      gatherPlanFiles(
        [
          { file: 'a.json', content: file({ plans: [plan('t1')] }) },
          { file: 'b.json', content: file({ errors: [{ namespace: 't1', error: 'x' }] }) },
        ],
        { mode: 'plan' },
      ),
    ).toThrow("Namespace 't1' is in both a.json and b.json");
  });

  test("the shards input must be the list step's JSON", () => {
    const shards = cutShards(folders(2), 1);
    expect(parseShards(JSON.stringify(shards))).toEqual(shards);
    for (const bad of ['', '{}', '[{"index":"1"}]', 'not json'])
      expect(() => parseShards(bad)).toThrow("Input 'shards' is not the JSON the list step printed");
  });
});
