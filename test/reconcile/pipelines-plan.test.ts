import { describe, expect, test } from '@jest/globals';
import { pipelineDiff } from '../../src/reconcile/pipeline-diff.js';
import {
  type ActualPipeline,
  type TargetPipeline,
  MANAGED,
  contentDigest,
  planPipelines,
  ownerMark,
} from '../../src/reconcile/pipelines.js';

const IGNORE = new Set(['pipelines.kubeflow.org/pipeline_compilation_time']);
const NOW = new Date('2026-12-03T08:41:00Z');

function ir(opts: { image?: string; extra?: boolean; lr?: number; compiled?: string } = {}) {
  return {
    pipelineInfo: { name: 'train' },
    components: {
      'comp-train': { executorLabel: 'exec-train' },
      ...(opts.extra ? { 'comp-eval': { executorLabel: 'exec-eval' } } : {}),
    },
    deploymentSpec: {
      executors: {
        'exec-train': { container: { image: opts.image ?? 'train:1' } },
        'exec-eval': { container: { image: 'eval:1' } },
      },
    },
    root: {
      inputDefinitions: {
        parameters: {
          lr: { parameterType: 'NUMBER_DOUBLE', defaultValue: opts.lr ?? 0.1 },
          ...(opts.extra ? { epochs: { parameterType: 'NUMBER_INTEGER' } } : {}),
        },
      },
    },
    sdkVersion: 'kfp-2.7.0',
    'pipelines.kubeflow.org/pipeline_compilation_time': opts.compiled ?? '2026-01-01',
  };
}

const desired = (data: unknown, keepVersions = 2): TargetPipeline => ({
  name: 'train',
  description: 'Trains',
  keepVersions,
  content: { data },
  text: 'file text',
  filename: 'pipeline.yaml',
  origin: { file: 'p/train.yaml' },
});
const version = (id: string, data: unknown, digest = true) => ({
  id,
  name: `v-${id}`,
  description: digest ? `sha256:${contentDigest({ data }, IGNORE)}\n\n[kfp-gitops: commit abc]` : '',
  content: { data },
});
const opts = (referenced: string[] = []) => ({
  now: NOW,
  commit: 'abc1234def',
  ignoreKeys: IGNORE,
  referenced: new Set(referenced),
});

describe('pipelineDiff', () => {
  test('names components, images, inputs, defaults and platform changes; ignores volatile keys', () => {
    expect(pipelineDiff({ data: ir() }, { data: ir({ compiled: '2026-02-02' }) }, IGNORE)).toEqual([]);
    expect(
      pipelineDiff(
        { data: ir() },
        { data: ir({ extra: true, image: 'train:2', lr: 0.2 }), platform: { kubernetes: {} } },
        IGNORE,
      ),
    ).toEqual([
      'components added: comp-eval',
      'image of comp-train: train:1 → train:2',
      'inputs added: epochs',
      'default of input lr: 0.1 → 0.2',
      'platform spec changed',
    ]);
    expect(pipelineDiff({ data: ir({ extra: true }) }, { data: ir() }, IGNORE)).toEqual([
      'components removed: comp-eval',
      'inputs removed: epochs',
    ]);
    const other = { ...ir(), root: { ...ir().root, dag: { tasks: { a: {} } } } };
    expect(pipelineDiff({ data: ir() }, { data: other }, IGNORE)).toEqual([
      'pipeline definition changed (commands, arguments or the DAG)',
    ]);
  });
});

describe('planPipelines', () => {
  test('a new pipeline is created with one version named after commit and time, marked as managed', () => {
    const [c] = planPipelines([desired(ir())], [], opts());
    expect(c!.kind).toBe('create');
    expect(c!.steps.map((s) => s.op)).toEqual(['create-pipeline', 'upload-version']);
    expect(c!.steps[0]).toMatchObject({ description: `Trains\n\n${MANAGED}` });
    expect(c!.steps[1]).toMatchObject({
      version: 'abc1234-20261203T084100Z',
      description: `sha256:${contentDigest({ data: ir() }, IGNORE)}`,
      text: 'file text',
    });
  });

  test('same content (digest or, without one, content) uploads nothing; a change uploads one version with its diff', () => {
    const actual = (v: ReturnType<typeof version>): ActualPipeline => ({
      id: 'p1',
      name: 'train',
      description: MANAGED,
      versions: [v],
    });
    expect(planPipelines([desired(ir({ compiled: 'later' }))], [actual(version('1', ir()))], opts())[0]!.kind).toBe(
      'unchanged',
    );
    expect(planPipelines([desired(ir())], [actual(version('1', ir(), false))], opts())[0]!.kind).toBe('unchanged');
    const [c] = planPipelines([desired(ir({ image: 'train:2' }))], [actual(version('1', ir()))], opts());
    expect(c!.kind).toBe('upload');
    expect(c!.steps.map((s) => s.op)).toEqual(['upload-version']);
    expect(c!.diff).toEqual(['image of comp-train: train:1 → train:2']);
  });

  test('keep_versions prunes oldest first and never a referenced version; a name taken this second moves on', () => {
    const versions = ['5', '4', '3', '2', '1'].map((id) => version(id, ir({ image: `train:${id}` })));
    versions[0] = { ...versions[0]!, name: 'abc1234-20261203T084100Z' };
    const [c] = planPipelines(
      [desired(ir({ image: 'train:6' }), 2)],
      [{ id: 'p1', name: 'train', description: '', versions }],
      opts(['2']),
    );
    expect(c!.steps.map((s) => `${s.op} ${'version' in s ? s.version : ''}`)).toEqual([
      'upload-version abc1234-20261203T084101Z',
      'delete-version v-1',
      'delete-version v-3',
    ]);
    expect(c!.reasons.join('; ')).toMatch(/1 older version\(s\) kept: a recurring run uses them/);
    const all = planPipelines(
      [desired(ir({ image: 'train:5' }), -1)],
      [{ id: 'p1', name: 'train', description: '', versions }],
      opts(),
    );
    expect(all[0]!.kind).toBe('unchanged');
  });

  test('a managed pipeline missing from git is reported, one made by hand is not', () => {
    const changes = planPipelines(
      [],
      [
        { id: 'a', name: 'old', description: `x\n\n${MANAGED}`, versions: [] },
        { id: 'b', name: 'by-hand', description: 'mine', versions: [] },
      ],
      opts(),
    );
    expect(changes.map((c) => [c.pipeline, c.kind, c.steps.length])).toEqual([['old', 'orphan', 0]]);
  });

  // Multi-user KFP keeps shared pipelines apart from a namespace's (pipeline_server.go createPipeline:
  // ReplaceNamespace; listPipelines filters on the namespace, '' being the shared ones).
  test('a shared pipeline is matched among the shared ones only, created without a namespace, with its owner', () => {
    const shared = { ...desired(ir()), shared: true };
    const nsCopy: ActualPipeline = { id: 'n', name: 'train', description: MANAGED, versions: [version('1', ir())] };
    const [c] = planPipelines([shared], [nsCopy], { ...opts(), namespace: 'team-a' });
    expect(c!.kind).toBe('create');
    expect(c!.steps[0]).toMatchObject({
      op: 'create-pipeline',
      shared: true,
      description: `Trains\n\n${MANAGED}\n${ownerMark('team-a')}`,
    });
    const sharedCopy = { ...nsCopy, id: 's', shared: true };
    expect(planPipelines([shared], [nsCopy, sharedCopy], opts())[0]!.kind).toBe('unchanged');
  });

  test('a pipeline that left git is reported by the namespace that declared it only, once', () => {
    const managed = (id: string, owner: string, shared = true): ActualPipeline => ({
      id,
      name: `p-${id}`,
      description: `${MANAGED}\n${ownerMark(owner)}`,
      shared,
      versions: [],
    });
    // Single-user KFP answers both listings with the same pipelines; an unmarked one (an earlier release)
    // is known to be a namespace's only when KFP puts it there.
    const legacy = (id: string, namespace: string): ActualPipeline => ({
      id,
      name: `p-${id}`,
      description: MANAGED,
      namespace,
      versions: [],
    });
    const actual = [
      managed('1', 'team-a'),
      managed('1', 'team-a', false),
      managed('2', 'team-b'),
      legacy('3', 'team-c'),
      legacy('4', ''),
    ];
    const orphans = (ns: string) =>
      planPipelines([], actual, { ...opts(), namespace: ns }).map((c) => [c.pipeline, c.kind]);
    expect(orphans('team-a')).toEqual([['p-1', 'orphan']]);
    expect(orphans('team-b')).toEqual([['p-2', 'orphan']]);
    expect(orphans('team-c')).toEqual([['p-3', 'orphan']]);
    expect(orphans('team-d')).toEqual([]);
  });
});
