import { describe, expect, test } from '@jest/globals';
import { fillRef, registeredKey, resolveRefs, type RefContext } from '../../src/reconcile/pipeline-refs.js';
import { diffSpecs } from '../../src/reconcile/compare.js';
import type { ActualPipeline, PipelineChange } from '../../src/reconcile/pipelines.js';
import type { TargetSchedule } from '../../src/reconcile/types.js';
import { desired, spec } from './fixtures.js';

// The pure resolution of schedules' `pipeline_source.kfp_pipeline` against the pipeline plan and KFP (issue 15).
const ref = (name: string, mode: string, pipeline = 'train'): TargetSchedule =>
  desired(name, {
    origin: { file: 'team/recurring_runs.yaml', line: 3 },
    spec: spec({ pipeline: { kind: 'v2', data: null, ref: { pipeline, mode } } }),
  });
const observed: ActualPipeline[] = [
  {
    id: 'p1',
    name: 'train',
    description: '',
    versions: [
      { id: 'v2', name: 'b-2', description: '' },
      { id: 'v1', name: 'a-1', description: '' },
    ],
  },
];
const unchanged: PipelineChange = {
  pipeline: 'train',
  kind: 'unchanged',
  reasons: [],
  diff: [],
  steps: [],
  pipelineId: 'p1',
};
const upload: PipelineChange = {
  ...unchanged,
  kind: 'upload',
  steps: [{ op: 'upload-version', pipeline: 'train', version: 'c-3', description: '', filename: 'p.yaml', text: '' }],
};
const ctx = (o: Partial<RefContext> = {}): RefContext => ({
  namespace: 'team',
  changes: [unchanged],
  observed,
  latestSupported: true,
  ...o,
});
const resolved = (s: TargetSchedule[], o: Partial<RefContext> = {}) => {
  const r = resolveRefs(s, ctx(o));
  return { refs: r.schedules.map((x) => x.spec.pipeline.ref), warnings: r.warnings, errors: r.errors };
};

describe('resolveRefs', () => {
  test('current: the newest version, or the one this plan uploads; latest: no version id; a name: that version', () => {
    expect(resolved([ref('a', 'current'), ref('b', 'latest'), ref('c', 'a-1')]).refs).toEqual([
      { pipeline: 'train', mode: 'current', pipelineId: 'p1', versionId: 'v2', version: 'b-2' },
      { pipeline: 'train', mode: 'latest', pipelineId: 'p1' },
      { pipeline: 'train', mode: 'a-1', pipelineId: 'p1', versionId: 'v1', version: 'a-1' },
    ]);
    expect(resolved([ref('a', 'current'), ref('b', 'latest')], { changes: [upload] }).refs).toEqual([
      { pipeline: 'train', mode: 'current', pipelineId: 'p1', versionId: '', version: 'c-3' },
      { pipeline: 'train', mode: 'latest', pipelineId: 'p1' },
    ]);
  });

  test('latest on a KFP that cannot: a note, and pinned as current', () => {
    const r = resolved([ref('b', 'latest')], { latestSupported: false, release: '2.4.1' });
    expect(r.refs).toEqual([{ pipeline: 'train', mode: 'latest', pipelineId: 'p1', versionId: 'v2', version: 'b-2' }]);
    expect(r.warnings).toEqual([
      expect.stringMatching(/'b' asks for version: latest, but KFP 2\.4\.1 .* pinned to the current version/),
    ]);
  });

  test('a pipeline neither declared nor in KFP, or a version it lacks, is an error naming it and the file', () => {
    const r = resolved([ref('a', 'current', 'ghost'), ref('c', 'z-9')], { changes: [] });
    expect(r.errors).toEqual([
      expect.stringMatching(
        /^Schedule 'a' \(team\/recurring_runs\.yaml:3\) runs pipeline 'ghost', which is not declared/,
      ),
      expect.stringMatching(
        /^Schedule 'c' .* pins version 'z-9' of pipeline 'train', which KFP does not have \(newest: b-2\)/,
      ),
    ]);
  });

  test('a version this apply uploads is filled in, or the schedule waits for it', () => {
    const r = { pipeline: 'train', pipelineId: 'p1', versionId: '', version: 'c-3' };
    expect(fillRef(r, new Map([[registeredKey('train', 'c-3'), 'v3']]))).toMatchObject({ versionId: 'v3' });
    expect(() => fillRef(r, new Map())).toThrow(/version c-3 of pipeline train was not uploaded/);
    expect(fillRef({ pipeline: 'new', pipelineId: '' }, new Map([[registeredKey('new'), 'p9']]))).toEqual({
      pipeline: 'new',
      pipelineId: 'p9',
    });
  });

  test('a reference is compared by ids: another version, or latest against pinned, is a change', () => {
    const at = (r: object) => spec({ pipeline: { kind: 'v2', data: null, ref: { pipeline: 'train', ...r } } });
    expect(
      diffSpecs(
        at({ pipelineId: 'p1', versionId: 'v2' }),
        at({ pipelineId: 'p1', versionId: 'v2', version: 'b-2' }),
        new Set(),
      ),
    ).toEqual([]);
    expect(
      diffSpecs(
        at({ pipelineId: 'p1', versionId: 'v1', version: 'a-1' }),
        at({ pipelineId: 'p1', versionId: '', version: 'c-3' }),
        new Set(),
      ),
    ).toEqual([{ field: 'pipeline_version', actual: 'train@a-1', desired: 'train@c-3' }]);
    expect(diffSpecs(at({ pipelineId: 'p1', versionId: 'v2' }), at({ pipelineId: 'p1' }), new Set())).toEqual([
      { field: 'pipeline_version', actual: 'train@v2', desired: 'train@newest at each run' },
    ]);
    expect(diffSpecs(spec(), at({ pipelineId: 'p1' }), new Set())[0]).toMatchObject({ actual: 'inline pipeline' });
  });
});
