import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from '@jest/globals';
import { type KfpEmulator, startKfpEmulator } from '../../src/kfp/emulator/server.js';
import { TempRepo } from '../support/git-repo.js';
import { runInProcess } from '../support/in-process.js';
import { repoRoot } from '../support/paths.js';
import { enabledCounts } from '../support/schedule-versions.js';

let emu: KfpEmulator | undefined;
let repo: TempRepo | undefined;
afterEach(async () => {
  await emu?.close();
  await repo?.remove();
});

const TEAMS = ['team-e', 'team-b', 'team-a', 'team-d', 'team-c'];
const team = (name: string) => ({
  [`schedules/${name}/experiments.yaml`]: fs.readFileSync(
    path.join(repoRoot, 'examples/schedules/team-ml/experiments.yaml'),
    'utf8',
  ),
  [`schedules/${name}/recurring_runs.yaml`]: fs.readFileSync(
    path.join(repoRoot, 'examples/schedules/team-ml/recurring_runs.yaml'),
    'utf8',
  ),
});

test('many namespaces in one run: one request budget, a failing namespace does not stop the others, one report', async () => {
  // team-d may only read (its writes are refused); team-e is not this identity's at all (it cannot be listed).
  emu = await startKfpEmulator({
    latencyMs: 20,
    auth: {
      identities: {
        tok: {
          user: 'ci@example.com',
          namespaces: { 'team-a': 'edit', 'team-b': 'edit', 'team-c': 'edit', 'team-d': 'view' },
        },
      },
    },
  });
  repo = await TempRepo.create(Object.assign({}, ...TEAMS.map(team)), { copyFrom: path.join(repoRoot, 'examples') });
  await repo.commit('five teams');
  const reconcile = (mode: string) =>
    runInProcess(
      'push-reconcile',
      {
        'config-folders': 'schedules/team-[a-e]',
        'kfp-host': emu!.url,
        'kfp-token': 'tok',
        mode,
        'max-parallel-requests': '3',
        parallelism: '8',
        'kfp-retry-budget': '10s',
      },
      { workspace: repo!.dir, env: { GITHUB_SHA: 'abc123def4567890' } },
    );

  const first = await reconcile('apply');
  expect(first.code).toBe(1);
  expect(emu.peakInFlight).toBeGreaterThan(0);
  expect(emu.peakInFlight).toBeLessThanOrEqual(3);
  // The editable namespaces were reconciled in full, despite the others.
  const enabled = [...emu.state.jobs.values()]
    .filter((j) => j.enabled)
    .map((j) => [...emu!.state.experiments.values()].find((e) => e.id === j.experimentId)!.namespace);
  expect(new Set(enabled)).toEqual(new Set(['team-a', 'team-b', 'team-c']));
  expect(enabled.filter((n) => n === 'team-a').length).toBe(enabled.filter((n) => n === 'team-c').length);
  expect(Math.max(...enabledCounts(emu).values())).toBe(3); // one enabled version per schedule per namespace
  expect(first.failure).toMatch(
    /namespace\(s\) not reconciled \(namespaces: team-d, team-e\); the other namespaces were reconciled/,
  );
  expect(
    first.annotations.some(
      (a) => a.kind === 'error' && /^team-e: cannot observe the namespace: .*HTTP 403/.test(a.message),
    ),
  ).toBe(true);
  expect(first.annotations.some((a) => a.kind === 'error' && /^team-d\/.* failed: .*HTTP 403/.test(a.message))).toBe(
    true,
  );
  expect(first.outputs.applied).toBe('false');
  // One document: a count table on top, namespaces sorted, each with its own result.
  const table = first.summary.split('\n').filter((l) => /^\| `team-/.test(l));
  expect(table.map((l) => /`(team-.)`/.exec(l)![1])).toEqual(['team-a', 'team-b', 'team-c', 'team-d', 'team-e']);
  expect(table[0]).toMatch(/✅ \d+ write\(s\) applied/);
  expect(table[3]).toMatch(/❌ \d+ step\(s\) failed/);
  expect(table[4]).toMatch(/❌ .*HTTP 403/);
  expect(first.summary.indexOf('### Namespace `team-a`')).toBeLessThan(first.summary.indexOf('### Namespace `team-d`'));
  expect(first.summary).toMatch(/#### Failures in `team-d`/);

  // The second run: the reconciled namespaces collapse into one line.
  emu.peakInFlight = 0;
  const second = await reconcile('plan');
  expect(second.code).toBe(1);
  expect(second.summary).toContain('**3 namespace(s) unchanged**');
  expect(second.summary).toMatch(/unchanged\*\* \(\d+ schedule\(s\)\): `team-a`, `team-b`, `team-c`\./);
  expect(second.summary).not.toContain('### Namespace `team-a`');
  expect(second.summary).toContain('### Namespace `team-d`');
  expect(emu.peakInFlight).toBeLessThanOrEqual(3);
});
