import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { parseOutputFile, spawnCli } from './support/run-action.js';
import { repoRoot } from './support/paths.js';

test('the README main command (kfp-gitops demo) walks the whole story and ends well', async () => {
  const r = await spawnCli(['demo'], { cwd: repoRoot });
  expect(r.stderr).not.toContain('did not go as expected');
  expect(r.code).toBe(0);
  for (const step of [
    'check-rendered',
    'check-reconcile-configs',
    'plan',
    'apply',
    'a changed schedule, applied',
    'drift correction',
    'keep_history: old versions pruned',
    'an orphaned schedule, reported',
    'registered pipelines: a pipeline and the schedules that run it by name',
    'a pipeline change: one version uploaded, the latest schedule follows it untouched',
    'model-freshness',
    'run-pipeline: the retrain',
    'open-model-pr: ONE pull request',
    'quality-gate on the model PR',
    'quality-gate on a worse model',
    'a newer model updates the same PR',
    'quality-gate on the updated PR',
    'open-model-pr after the merge',
  ])
    expect(r.stdout).toContain(step);
  expect(r.stdout).toContain('write calls made by the second apply: 0');
  // Issue 15: the `latest` schedule is not touched, and its next run runs the uploaded version.
  expect(r.stdout).toMatch(
    /score-hourly untouched; its next run \(started by KFP's scheduler\) runs [0-9a-f]{7}-\d{8}T\d{6}Z/,
  );
  expect(r.stdout).toMatch(/trigger: cron "0 30 2 \* \* \*" → cron "0 45 3 \* \* \*"/);
  // keep_history: 0 deletes both older versions; the removed schedule is only reported.
  expect(r.stdout.match(/− delete GIT::train-nightly__\S+ — beyond keep_history/g)).toHaveLength(2);
  expect(r.stdout).toMatch(/\? orphan score-hourly {2}\(no longer in the configs/);
  expect(r.stdout).toContain('write calls made for the orphan: 0');
  expect(r.stdout).toContain('Demo finished.');
  expect(r.stdout).not.toMatch(/✘/);

  // Every step's outputs, from the files the demo points at.
  const out = /Job summaries and outputs of every step: (\S+)\//.exec(r.stdout)![1]!;
  const outputs = (slug: string) => parseOutputFile(fs.readFileSync(path.join(out, `${slug}.outputs.txt`), 'utf8'));
  const summary = (slug: string) => fs.readFileSync(path.join(out, `${slug}.summary.md`), 'utf8');
  expect(outputs('12-model-freshness')).toMatchObject({ 'needs-retrain': 'true', reason: 'too-old' });
  const trained = outputs('13-run-pipeline');
  expect(trained.state).toBe('SUCCEEDED');
  const opened = outputs('14-open-model-pr');
  expect(opened).toMatchObject({ operation: 'created', 'pull-request-number': '1', 'auto-merge': 'armed' });
  expect(opened['latest-model']).toMatch(/^gs:\/\/example-models\/churn\/\d{4}-/);
  expect(summary('14-open-model-pr')).toContain('Auto-merge (squash) is armed on #1');
  expect(outputs('15-quality-gate').passed).toBe('true');
  expect(outputs('16-quality-gate').passed).toBe('false');
  const updated = outputs('17-open-model-pr');
  expect(updated).toMatchObject({ operation: 'updated', 'pull-request-number': '1', 'auto-merge': 'armed' });
  expect(updated['latest-model']).not.toBe(opened['latest-model']);
  expect(outputs('18-quality-gate').passed).toBe('true');
  expect(outputs('19-open-model-pr')).toMatchObject({
    operation: 'none',
    'current-model': updated['latest-model'],
    'auto-merge': 'merged',
  });
  expect(r.stdout).toContain('write calls to GitHub made by this run: 0');

  // The GitHub emulator after the demo: ONE PR, merged; the sticky report on it; main pins the newer model, comments kept.
  const gh = JSON.parse(fs.readFileSync(path.join(out, 'github-emulator-state.json'), 'utf8'));
  expect(gh.pulls).toHaveLength(1);
  expect(gh.pulls[0]).toMatchObject({
    number: 1,
    state: 'closed',
    merged: true,
    head: 'auto-update-model',
    labels: ['model-update'],
  });
  expect(gh.comments).toHaveLength(1);
  expect(gh.comments[0].body).toContain('<!-- kfp-gitops:quality-gate -->');
  expect(gh.comments[0].body).toMatch(/Quality gate passed/);
  expect(gh.main).toContain(`storageUri: ${updated['latest-model']} # kpt-set: \${model}`);
  expect(gh.main).toContain('minReplicas: 1   # keep one pod warm');
  expect(r.stdout).toMatch(/PR #1 .*: http:\/\/127\.0\.0\.1:\d+\/repos\/demo\/gitops\/pulls\/1/);
  fs.rmSync(out, { recursive: true, force: true });
});
