import { expect, test } from '@jest/globals';
import { runCliBundle } from './support/run-action.js';
import { repoRoot } from './support/paths.js';

test('the README main command (kfp-gitops demo) walks the whole story and ends well', async () => {
  const r = await runCliBundle(['demo'], { cwd: repoRoot });
  expect(r.stderr).not.toContain('did not go as expected');
  expect(r.code).toBe(0);
  for (const step of ['check-rendered', 'check-reconcile-configs', 'plan', 'apply', 'a changed schedule, applied', 'drift correction', 'run-pipeline: a manual retrain', 'quality-gate on a worse model']) expect(r.stdout).toContain(step);
  expect(r.stdout).toContain('write calls made by the second apply: 0');
  expect(r.stdout).toMatch(/trigger: cron "0 30 2 \* \* \*" → cron "0 45 3 \* \* \*"/);
  expect(r.stdout).toContain('Demo finished.');
  expect(r.stdout).not.toMatch(/✘/);
});
