import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { runBundle } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';

let repo: TempRepo;
beforeAll(async () => {
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
});
afterAll(async () => {
  await repo.remove();
});

test('the root action runs the action named by `command`, with that action\'s defaults', async () => {
  const r = await runBundle('main', { command: 'check-rendered', 'render-scripts': 'pipelines/*/render_pipeline.sh' }, { workspace: repo.dir });
  expect(r.code).toBe(0);
  expect(r.outputs).toEqual({ result: 'fresh', 'stale-files': '[]' });
});

test('an unknown command is refused with the closest one and the list', async () => {
  const r = await runBundle('main', { command: 'check-render' }, { workspace: repo.dir });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("Unknown command 'check-render'. Did you mean 'check-rendered'?");
  expect(r.stdout).toContain('push-reconcile');
});
