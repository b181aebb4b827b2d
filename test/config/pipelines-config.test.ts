import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { loadDesiredState } from '../../src/config/load.js';
import { TempRepo } from '../support/git-repo.js';
import { repoRoot } from '../support/paths.js';

let repo: TempRepo;
beforeEach(async () => {
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
});
afterEach(async () => {
  await repo.remove();
});

const load = () => loadDesiredState(['schedules/team-ml'], { root: repo.dir });

describe('pipelines.yaml beside the schedule configs', () => {
  test('absent: no pipeline is managed', async () => {
    const state = await load();
    expect(state.diagnostics.filter((d) => d.severity !== 'warning')).toEqual([]);
    expect(state.namespaces[0]!.pipelines).toBeUndefined();
  });

  test('entries are loaded with their parsed file, text and defaults', async () => {
    await repo.write({
      'schedules/team-ml/pipelines.yaml':
        'pipelines:\n  - name: batch-predict\n    description: Scores issues\n    source: {path: pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml}\n    keep_versions: 3\n  - name: train-model\n    source: {path: pipelines/train-model/RENDERED_PIPELINE/workflow.yaml}\n',
    });
    const state = await load();
    expect(state.diagnostics.filter((d) => d.severity !== 'warning')).toEqual([]);
    const [a, b] = state.namespaces[0]!.pipelines!;
    expect([a!.name, a!.description, a!.keepVersions, a!.pipeline.kind, a!.at.line]).toEqual([
      'batch-predict',
      'Scores issues',
      3,
      'v2',
      2,
    ]);
    expect(a!.text).toBe(await repo.read('pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml'));
    expect([b!.name, b!.keepVersions, b!.pipeline.kind]).toEqual(['train-model', 10, 'v1']);
  });

  test('schema errors, missing files, non-pipelines and duplicates are located', async () => {
    await repo.write({
      'not-a-pipeline.yaml': 'hello: world\n',
      'schedules/team-ml/pipelines.yaml': [
        'pipelines:',
        '  - name: a',
        '    source: {path: missing.yaml}',
        '  - name: b',
        '    source: {path: not-a-pipeline.yaml}',
        '  - name: c',
        '    keep_version: 3',
        '    source: {path: pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml}',
        '  - name: d',
        '    source: {path: ../../outside.yaml}',
        '  - name: A',
        '    source: {path: pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml}',
        '',
      ].join('\n'),
    });
    const state = await load();
    const errors = state.diagnostics
      .filter((d) => d.severity !== 'warning')
      .map((d) => `${d.location?.file}:${d.location?.line} ${d.message}`);
    const file = 'schedules/team-ml/pipelines.yaml';
    expect(errors.find((e) => e.startsWith(`${file}:3 `))).toMatch(/missing\.yaml/);
    expect(errors.some((e) => /not-a-pipeline\.yaml|Not a valid KFP pipeline/.test(e))).toBe(true);
    expect(errors.find((e) => e.startsWith(`${file}:7 `))).toMatch(/Unknown key 'keep_version'.*keep_versions/);
    expect(errors.find((e) => e.startsWith(`${file}:10 `))).toBeDefined();
    expect(errors.find((e) => e.startsWith(`${file}:11 `))).toMatch(/declared twice/);
    expect(state.namespaces[0]!.pipelines).toEqual([]);
  });

  test('an alias bomb is a located diagnostic, not a throw', async () => {
    const level = (name: string, of: string) => `${name}: &${name} [${Array(10).fill(`*${of}`).join(', ')}]`;
    await repo.write({
      'schedules/team-ml/pipelines.yaml': [
        'a: &a [x, x, x, x, x, x, x, x, x, x]',
        level('b', 'a'),
        level('c', 'b'),
        level('d', 'c'),
        'pipelines: []',
        '',
      ].join('\n'),
    });
    const state = await load();
    expect(state.diagnostics).toContainEqual(
      expect.objectContaining({
        message: expect.stringMatching(/^YAML refused: /),
        location: { file: 'schedules/team-ml/pipelines.yaml', line: 1, column: 1 },
      }),
    );
    expect(state.namespaces[0]!.pipelines).toBeUndefined();
  });
});
