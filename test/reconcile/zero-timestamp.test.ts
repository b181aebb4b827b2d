import { expect, test } from '@jest/globals';
import { toActualJob } from '../../src/reconcile/kfp-adapter.js';
import { plan } from '../../src/reconcile/plan.js';
import { time } from '../../src/kfp/wire.js';
import { desired, options, spec } from './fixtures.js';

// KFP answers a start/end time of 1970-01-01T00:00:00Z as the zero Timestamp (model/cron_schedule.go IsEmpty
// treats 0 as unset; the client reads the epoch as no time). Compared as KFP stores it, it converges.
test('a desired window at the zero timestamp compares equal to what KFP answers: no replace on every apply', () => {
  const answered = toActualJob(
    {
      id: 'j1',
      name: 'GIT::nightly__2026-01-01T00-00-00Z',
      description: '',
      experimentId: 'exp-id',
      namespace: 'ns',
      enabled: true,
      maxConcurrency: 1,
      serviceAccount: '',
      catchup: false,
      trigger: {
        cron: { expression: '0 0 0 * * *', start: time('1970-01-01T00:00:00Z'), end: time('2030-01-01T00:00:00Z') },
      },
      parameters: { learning_rate: '0.01' },
      pipeline: spec().pipeline.data as Record<string, unknown>,
    },
    'default-editor',
  );
  const want = desired('nightly', {
    spec: spec({ trigger: { kind: 'cron', cron: '0 0 0 * * *', start: 0, end: Date.UTC(2030, 0, 1) / 1000 } }),
  });
  const p = plan(
    { namespace: 'ns', experiments: [{ name: 'exp', description: '' }], schedules: [want] },
    {
      namespace: 'ns',
      experiments: [{ id: 'exp-id', name: 'exp', description: '', archived: false }],
      jobs: [answered],
    },
    options(),
  );
  expect(p.changes.map((c) => [c.kind, c.fields])).toEqual([['unchanged', []]]);
});
