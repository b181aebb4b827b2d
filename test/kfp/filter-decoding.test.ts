import { expect, test } from '@jest/globals';
import { API_VERSIONS, type RecurringRunInput } from '../../src/kfp/types.js';
import { describeWithShared } from '../support/paths.js';
import { type Harness, checkAndCloseHarnessesAfterEach, harness, pipeline } from './helpers.js';

let h: Harness | undefined;
checkAndCloseHarnessesAfterEach();

/**
 * KFP URL-decodes `filter` twice: the gateway decodes the query, then server/list_request_util.go
 * parseAPIFilter calls url.QueryUnescape on the result (#9448; fix PR #9449 not merged, 1.8–2.17).
 */
describeWithShared('filter is decoded twice, as KFP does', () => {
  const names = [
    'GIT::a+b__2024-01-01T00-00-00Z',
    'GIT::100%__2024-01-01T00-00-00Z',
    'GIT::a%2Bb__2024-01-01T00-00-00Z',
  ];

  test.each(API_VERSIONS)(
    '%s: a create whose answer was lost is found by name even with + or %, never made twice',
    async (version) => {
      h = await harness(version, {}, { timeoutMs: 2000 });
      const exp = await h.client.createExperiment({ name: 'e', namespace: 'ns' });
      const create = version === 'v1beta1' ? 'POST /apis/v1beta1/jobs' : 'POST /apis/v2beta1/recurringruns';
      for (const name of names) {
        h.emu.faults.add({ route: create, nth: 1, kind: { status: 503 }, when: 'after' });
        const input: RecurringRunInput = {
          name,
          experimentId: exp.id,
          enabled: false,
          maxConcurrency: 1,
          catchup: false,
          trigger: { cron: { expression: '0 0 * * * *' } },
          parameters: { param1: 'x', param2: 'y' },
          pipeline: pipeline(version),
        };
        expect((await h.client.createRecurringRun(input)).name).toBe(name);
        h.emu.faults.clear();
      }
      expect([...h.emu.state.jobs.values()].map((j) => j.name).sort()).toEqual([...names].sort());
      expect((await h.client.findExperiment('e', 'ns'))?.id).toBe(exp.id);
    },
  );

  test('the emulator: + in a once-encoded filter reads as a space, a lone % is a 400', async () => {
    h = await harness('v2beta1');
    const exp = await h.client.createExperiment({ name: 'a b', namespace: 'ns' });
    await h.client.createExperiment({ name: 'a+b', namespace: 'ns' });
    const list = (value: string) =>
      fetch(
        `${h!.emu.url}/apis/v2beta1/experiments?namespace=ns&filter=${encodeURIComponent(JSON.stringify({ predicates: [{ operation: 'EQUALS', key: 'display_name', string_value: value }] }))}`,
      );
    // As the KFP SDK sends it (encoded once): KFP reads 'a+b' as 'a b'.
    const plus = await list('a+b');
    expect(((await plus.json()) as any).experiments.map((e: { experiment_id: string }) => e.experiment_id)).toEqual([
      exp.id,
    ]);
    const percent = await list('100%');
    expect([percent.status, ((await percent.json()) as any).message]).toEqual([
      400,
      expect.stringMatching(/invalid URL escape "%\\"}/),
    ]);
  });
});
