import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { spawnAction } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';

let repo: TempRepo;
beforeAll(async () => {
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
});
afterAll(async () => {
  await repo.remove();
});

test("the root action runs the action named by `command`, with that action's defaults", async () => {
  const r = await spawnAction(
    'main',
    { command: 'check-rendered', 'render-scripts': 'pipelines/*/render_pipeline.sh' },
    { workspace: repo.dir },
  );
  expect(r.code).toBe(0);
  expect(r.outputs).toEqual({ result: 'fresh', 'stale-files': '[]' });
});

test('an unknown command is refused with the closest one and the list', async () => {
  const r = await spawnAction('main', { command: 'check-render' }, { workspace: repo.dir });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain("Unknown command 'check-render'. Did you mean 'check-rendered'?");
  expect(r.stdout).toContain('push-reconcile');
});

test('a located problem is one annotation at its file and line; the failure only points at it', async () => {
  const r = await spawnAction(
    'check-rendered',
    { 'render-scripts': 'pipelines/missing/render.sh' },
    { workspace: repo.dir },
  );
  expect(r.code).toBe(1);
  const errors = r.annotations.filter((a) => a.kind === 'error');
  expect(errors).toHaveLength(1); // one problem without a location: the failure message itself, once
  expect(errors[0]!.message).toContain("'pipelines/missing/render.sh' does not exist");
  await repo.write({ 'pipelines/broken/render_pipeline.sh': 'exit 3\n' });
  await repo.commit('broken');
  const located = await spawnAction(
    'check-rendered',
    { 'render-scripts': 'pipelines/broken/render_pipeline.sh' },
    { workspace: repo.dir },
  );
  const all = located.annotations.filter((a) => a.kind === 'error');
  expect(all.filter((a) => a.props.file === 'pipelines/broken/render_pipeline.sh')).toHaveLength(1);
  expect(all.filter((a) => !a.props.file).map((a) => a.message)).toEqual([
    '1 problem at pipelines/broken/render_pipeline.sh (see the annotation).',
  ]);
});
