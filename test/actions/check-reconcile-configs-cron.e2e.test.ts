import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { spawnAction } from '../support/run-action.js';
import { describeWithSharedSets, repoRoot, sharedDir } from '../support/paths.js';

/**
 * check-reconcile-configs on a folder of a few hundred crons that robfig/cron v1.2.0 accepts (rows of
 * ../shared/kfp-cron/robfig-v1.2.0-corpus.json, answered by robfig's parser.go `Parse` and spec.go /
 * constantdelay.go `Next`): the check passes and its next-runs preview shows robfig's fire times.
 */
interface Row {
  expr: string;
  from: string;
  count: number;
  ok: boolean;
  next: string[];
}

const repos: TempRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((r) => r.remove()));
});

describeWithSharedSets('kfp-cron')('check-reconcile-configs previews crons as KFP fires them', () => {
  test("a few hundred valid corpus crons: exit 0, and the 3 next runs of each are robfig's", async () => {
    const rows: Row[] = JSON.parse(
      fs.readFileSync(path.join(sharedDir, 'kfp-cron', 'robfig-v1.2.0-corpus.json'), 'utf8'),
    ).rows;
    const now = '2030-06-15T04:05:06Z';
    // Quoted with JSON escapes, which YAML double-quoted strings read the same; plain ASCII keeps that exact.
    const picked = rows
      .filter(
        (r) =>
          r.ok &&
          r.from === now &&
          r.count >= 3 &&
          r.next.length === r.count &&
          /^[\x20-\x7e]*$/.test(JSON.stringify(r.expr)),
      )
      .slice(0, 300);
    expect(picked.length).toBeGreaterThanOrEqual(300);
    const entry = (r: Row, i: number) =>
      `  - pipeline_source: {path: pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml}\n` +
      `    pipeline_parameters: [{name: model_uri, valueFrom: {path: pipelines/batch-predict/RENDERED_PIPELINE/params/model_uri}}, {name: batch_size, value: "1"}]\n` +
      `    job: {enabled: true, name: c${i}, experiment: e, max_concurrency: 1, trigger: {catchup: false, cron: ${JSON.stringify(r.expr)}}}\n`;
    const repo = await TempRepo.create(
      {
        'schedules/crons/experiments.yaml': 'experiments: [{name: e}]\n',
        'schedules/crons/recurring_runs.yaml': `recurring_runs:\n${picked.map(entry).join('')}`,
      },
      { copyFrom: path.join(repoRoot, 'examples') },
    );
    repos.push(repo);

    const r = await spawnAction(
      'check-reconcile-configs',
      { 'config-folders': 'schedules/crons' },
      { workspace: repo.dir, env: { KFP_GITOPS_NOW: now } },
    );
    expect(r.stderr).toBe('');
    expect(r.annotations.filter((a) => a.kind === 'error')).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.outputs).toEqual({ errors: '0', schedules: String(picked.length) });

    const lines = r.summary.split('\n');
    const wrong: string[] = [];
    picked.forEach((row, i) => {
      const line = lines.find((l) => l.startsWith(`| \`c${i}\` |`));
      const cell = line?.split(' | ')[4] ?? '';
      const shown = [...cell.matchAll(/(\d{4}-\d\d-\d\d) (\d\d:\d\d(?::\d\d)?) UTC/g)].map((m) =>
        new Date(`${m[1]}T${m[2]!.length === 5 ? `${m[2]}:00` : m[2]}Z`).toISOString(),
      );
      if (shown.join() !== row.next.slice(0, 3).join())
        wrong.push(`${JSON.stringify(row.expr)}: robfig ${row.next.slice(0, 3).join(', ')}; preview ${cell}`);
    });
    expect(wrong).toEqual([]);
  });
});
