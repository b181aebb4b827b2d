import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { parsePipeline, type Pipeline } from '../../src/pipeline/pipeline.js';
import { applyPlan } from '../../src/reconcile/apply.js';
import { kfpWriter, observe } from '../../src/reconcile/kfp-adapter.js';
import type { Target } from '../../src/reconcile/types.js';
import { plan } from '../../src/reconcile/plan.js';
import { submitRun } from '../../src/run/submit.js';
import { API_VERSIONS } from '../../src/kfp/types.js';
import { manifestToWire, parseManifest } from '../../src/kfp/wire.js';
import { checkAndCloseHarnessesAfterEach, harness } from '../kfp/helpers.js';
import { describeWithShared, hasShared, sharedDir } from '../support/paths.js';
import { NOW, options, spec } from './fixtures.js';

checkAndCloseHarnessesAfterEach();

/**
 * A v2 pipeline file's second document (`platforms: kubernetes: …`) carries secrets, volumes, node selectors
 * and pod metadata. The SDK sends it with the IR (sdk/python/kfp/client/client.py _PipelineDoc.to_dict:
 * `{pipeline_spec, platform_spec}`); KFP reads it back the same way on v2 (server/api_util.go
 * YamlStringToPipelineSpecStruct) and as a second YAML document of v1 `pipeline_manifest`
 * (template/v2_template.go NewV2SpecTemplate).
 */
const dir = path.join(sharedDir, 'kfp-pipelines', 'v2-ir', 'valid');
const files = hasShared
  ? fs
      .readdirSync(dir)
      .filter((f) => /^platforms:/m.test(fs.readFileSync(path.join(dir, f), 'utf8')))
      .sort()
  : [];
const read = (f: string) => parsePipeline(fs.readFileSync(path.join(dir, f), 'utf8'), f);

/** A value of each required input's type, so KFP's input validation passes. */
function requiredValues(p: Pipeline): Record<string, string> {
  const sample: Record<string, string> = {
    NUMBER_INTEGER: '1',
    NUMBER_DOUBLE: '1.5',
    BOOLEAN: 'true',
    LIST: '[]',
    STRUCT: '{}',
  };
  return Object.fromEntries(p.inputs.filter((i) => i.required).map((i) => [i.name, sample[i.type ?? ''] ?? 'x']));
}

function desiredOf(p: Pipeline): Target {
  return {
    namespace: 'ns',
    experiments: [{ name: 'exp', description: '' }],
    schedules: [
      {
        name: 'nightly',
        experiment: 'exp',
        enabled: true,
        keepHistory: 5,
        spec: spec({
          parameters: requiredValues(p),
          pipeline: { kind: 'v2', data: p.workflow, inputs: p.inputs, platform: p.platformSpec },
        }),
      },
    ],
  };
}

describeWithShared('the v2 platform spec travels with the pipeline', () => {
  test('every fixture with platforms: is read with its platform spec', () => {
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const f of files) expect([f, Object.keys(read(f).platformSpec ?? {})]).toEqual([f, ['platforms']]);
  });

  test.each(API_VERSIONS)(
    '%s: push-reconcile sends it, KFP stores it, the planner reads it back as unchanged',
    async (version) => {
      const h = await harness(version, {}, { namespace: 'ns' });
      for (const f of files) {
        h.emu.state.jobs.clear();
        const p = read(f);
        const desired = desiredOf(p);
        const actual = await observe(h.client, 'ns', 'default-editor');
        const first = plan(desired, actual, options());
        const result = await applyPlan(first, kfpWriter(h.client, 'ns'), {
          parallelism: 2,
        });
        expect([f, result.failures]).toEqual([f, []]);
        const stored = [...h.emu.state.jobs.values()][0]!.pipeline;
        expect([f, stored.kind === 'ir' && stored.platformSpec]).toEqual([f, p.platformSpec]);
        // Read back through the API, the same file plans nothing.
        const again = plan(desired, await observe(h.client, 'ns', 'default-editor'), options());
        expect([f, again.changes.map((c) => c.kind)]).toEqual([f, ['unchanged']]);
      }
      // On v2 the body is `{pipeline_spec, platform_spec}`, as the SDK sends it.
      const create = h.emu.log.entries.find((e) => e.method === 'POST' && /recurringruns$|jobs$/.test(e.path))!;
      if (version === 'v2beta1')
        expect(Object.keys((create.requestBody as any).pipeline_spec)).toEqual(['pipeline_spec', 'platform_spec']);
      else expect((create.requestBody as any).pipeline_spec.pipeline_manifest).toMatch(/\n---\n\{"platforms":/);
    },
  );

  test('a change to the platform spec alone is a change: the schedule is replaced', async () => {
    const h = await harness('v2beta1', {}, { namespace: 'ns' });
    const p = read('pipeline_with_secret_as_volume.yaml');
    const desired = desiredOf(p);
    const actual = await observe(h.client, 'ns', 'default-editor');
    await applyPlan(plan(desired, actual, options()), kfpWriter(h.client, 'ns'), {
      parallelism: 1,
    });
    const edited = JSON.parse(JSON.stringify(p.platformSpec).replace(/"mountPath":"([^"]+)"/, '"mountPath":"$1-2"'));
    expect(edited).not.toEqual(p.platformSpec);
    const changed: Target = {
      ...desired,
      schedules: [
        {
          ...desired.schedules[0]!,
          spec: {
            ...desired.schedules[0]!.spec,
            pipeline: { ...desired.schedules[0]!.spec.pipeline, platform: edited },
          },
        },
      ],
    };
    const next = plan(
      changed,
      await observe(h.client, 'ns', 'default-editor'),
      options({ now: new Date(NOW.getTime() + 60_000) }),
    );
    expect(next.changes[0]).toMatchObject({
      kind: 'replace',
      fields: [{ field: 'platform_spec', desired: 'as rendered in git' }],
    });
    expect(next.changes[0]!.fields[0]!.actual).toMatch(/mountPath/);
    // Dropping the platform spec is a change too.
    const dropped: Target = {
      ...desired,
      schedules: [
        {
          ...desired.schedules[0]!,
          spec: { ...desired.schedules[0]!.spec, pipeline: { kind: 'v2', data: p.workflow } },
        },
      ],
    };
    expect(
      plan(dropped, await observe(h.client, 'ns', 'default-editor'), options()).changes[0]!.fields.map(
        (f) => `${f.field}: ${f.desired}`,
      ),
    ).toEqual(['platform_spec: (none)']);
  });

  test.each(API_VERSIONS)('%s: run-pipeline sends it with the run', async (version) => {
    const h = await harness(version, {}, { namespace: 'ns' });
    const p = read('pipeline_with_volume.yaml');
    const experiment = await h.client.createExperiment({ name: 'exp', namespace: 'ns' });
    const values = Object.fromEntries(
      Object.entries(requiredValues(p)).map(([k, v]) => [k, JSON.parse(JSON.stringify(v))]),
    );
    const run = await submitRun(
      h.client,
      { pipeline: p, file: 'pipeline_with_volume.yaml', parameters: { values, rows: [] } },
      { name: 'r', experiment },
    );
    const stored = h.emu.state.runs.get(run.id)!.pipeline;
    expect(stored.kind === 'ir' && stored.platformSpec).toEqual(p.platformSpec);
  });
});

// KFP 2.17 answers a v1 read of an IR job with YAML documents (template/v2_template.go V2Spec.Bytes:
// the spec, `---`, the platform spec); the client reads them as the SDK's JSON.
test('a v1 pipeline_manifest in YAML with a platform document reads as the pipeline and its platform spec', () => {
  const yaml =
    'pipelineInfo:\n  name: p\nroot: {}\nschemaVersion: 2.1.0\n\n---\nplatforms:\n  kubernetes:\n    deploymentSpec: {}\n';
  expect(parseManifest(yaml)).toEqual({
    pipeline: { pipelineInfo: { name: 'p' }, root: {}, schemaVersion: '2.1.0' },
    platformSpec: { platforms: { kubernetes: { deploymentSpec: {} } } },
  });
  expect(parseManifest(manifestToWire({ a: 1 }, { platforms: { kubernetes: {} } }))).toEqual({
    pipeline: { a: 1 },
    platformSpec: { platforms: { kubernetes: {} } },
  });
  expect(parseManifest('{"a": 1}')).toEqual({ pipeline: { a: 1 } });
});
