import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { createKfpClient } from '../../src/kfp/client.js';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import type { ApiVersion } from '../../src/kfp/types.js';
import { expectContract } from '../kfp/helpers.js';
import { TempRepo } from '../support/git-repo.js';
import { runInProcess } from '../support/in-process.js';
import { spawnCli } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';

// run-pipeline --pipeline kfp:<name>[@<version>]: a registered version run by reference, against the
// emulator over real HTTP. KFP: v2beta1 run_server.go CreateRun with pipeline_version_reference; v1beta1
// CreateRunV1 with a PIPELINE_VERSION resource reference (resource_manager.go
// fetchPipelineVersionFromPipelineSpec resolves it); versions listed by pipeline_server.go ListPipelineVersions
// (v1beta1 ListPipelineVersionsV1 without a spec, read from GetPipelineVersionTemplate).
const PREDICT = 'pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml';
const NS = 'team-ml';
let emu: KfpEmulator;
let repo: TempRepo;
let ir: string;
const ids: { pipeline: string; v1: string; v2: string; shared: string } = { pipeline: '', v1: '', v2: '', shared: '' };

beforeAll(async () => {
  emu = await startKfpEmulator({ runTiming: { pendingMs: 50, runningMs: 50 } });
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  ir = await fs.readFile(path.join(repo.dir, PREDICT), 'utf8');
});
afterAll(async () => {
  await emu.close();
  await repo.remove();
});
beforeEach(async () => {
  for (const m of [emu.state.experiments, emu.state.runs, emu.state.pipelines, emu.state.versions]) m.clear();
  emu.state.seedExperiment({ name: 'scoring', namespace: NS });
  // Two versions of a namespace pipeline, a second apart (KFP orders versions by created_at), and a shared one.
  const client = createKfpClient({ host: emu.url, apiVersion: 'v2beta1', namespace: NS });
  const p = await client.createPipeline({ name: 'batch-predict', description: '', namespace: NS });
  const upload = (pipelineId: string, name: string, content: string) =>
    client.uploadPipelineVersion({ pipelineId, name, description: '', filename: 'pipeline.yaml', content });
  const v1 = await upload(p.id, 'abc1234-20261203T080000Z', ir);
  emu.state.versions.get(v1.id)!.createdAt = new Date(Date.now() - 60_000);
  const v2 = await upload(p.id, 'def5678-20261203T090000Z', ir.replace(/image: python:[^\n]+/, 'image: python:3.13'));
  const s = await client.createPipeline({ name: 'shared-scorer', description: '', namespace: '' });
  const sv = await upload(s.id, 'v1', ir);
  client.close();
  Object.assign(ids, { pipeline: p.id, v1: v1.id, v2: v2.id, shared: sv.id });
  emu.log.clear();
});
afterEach(() => expectContract(emu));

const run = (pipeline: string, apiVersion: ApiVersion = 'v2beta1', extra: Record<string, string> = {}) =>
  runInProcess(
    'run-pipeline',
    {
      pipeline,
      'kfp-host': emu.url,
      'api-version': apiVersion,
      namespace: NS,
      experiment: 'scoring',
      'poll-interval': '0.05s',
      parameters: 'model_uri: s3://models/scorer',
      ...extra,
    },
    { workspace: repo.dir, env: { GITHUB_SHA: 'abc123def4567890' } },
  );
const onlyRun = () => {
  const runs = [...emu.state.runs.values()];
  expect(runs).toHaveLength(1);
  return runs[0]!;
};

describe.each(['v2beta1', 'v1beta1'] as const)('run-pipeline kfp:<pipeline> over %s', (apiVersion) => {
  test('without @version the newest version runs, by reference, pinned to it', async () => {
    const r = await run('kfp:batch-predict', apiVersion);
    expect(r.failure).toBeUndefined();
    expect(r.outputs.state).toBe('SUCCEEDED');
    expect(onlyRun().pipeline).toMatchObject({ kind: 'version', pipelineId: ids.pipeline, versionId: ids.v2 });
    expect(r.log).toContain('Running version def5678-20261203T090000Z of the registered pipeline batch-predict.');
    expect(r.summary).toContain('`kfp:batch-predict@def5678-20261203T090000Z`');
    // Nothing inline: the run is created from the version KFP holds.
    const create = emu.log.entries.find((e) => e.method === 'POST' && /\/runs$/.test(e.path))!;
    expect(JSON.stringify(create.requestBody)).not.toContain('deploymentSpec');
  });

  test('@version runs that version, with parameters checked against its inputs', async () => {
    const r = await run('kfp:batch-predict@abc1234-20261203T080000Z', apiVersion, {
      parameters: 'model_uri: s3://models/scorer\nbatch_size: 77',
    });
    expect(r.failure).toBeUndefined();
    expect(onlyRun().pipeline).toMatchObject({ kind: 'version', versionId: ids.v1 });
    expect(onlyRun().pipeline).toMatchObject({ parameters: { batch_size: 77 } });
    emu.state.runs.clear();
    const bad = await run('kfp:batch-predict', apiVersion, { parameters: 'model_uri: m\nbatch_sise: 7' });
    expect(bad.code).not.toBe(0);
    expect(bad.everything).toMatch(/batch_sise.*Did you mean 'batch_size'/);
    expect(emu.state.runs.size).toBe(0);
  });

  test('a shared pipeline is found when the namespace has none of that name', async () => {
    const r = await run('kfp:shared-scorer', apiVersion, { wait: 'false' });
    expect(r.failure).toBeUndefined();
    expect(onlyRun().pipeline).toMatchObject({ kind: 'version', versionId: ids.shared });
  });

  test('a missing pipeline or version is named with the fix; nothing is run', async () => {
    const noPipeline = await run('kfp:batch-predikt', apiVersion);
    expect(noPipeline.code).not.toBe(0);
    expect(noPipeline.failure).toMatch(
      /Pipeline 'batch-predikt' is not registered in namespace 'team-ml' nor among the shared pipelines\. Did you mean 'batch-predict'\? Fix: register it first \(an entry in the config folder's pipelines\.yaml/,
    );
    const noVersion = await run('kfp:batch-predict@v9', apiVersion);
    expect(noVersion.failure).toMatch(
      /Pipeline 'batch-predict' has no version 'v9'\..* Its newest versions: def5678-20261203T090000Z, abc1234-20261203T080000Z\. Fix: give one of them after @, or write kfp:batch-predict to run the newest/,
    );
    expect(emu.state.runs.size).toBe(0);
  });
});

test('kfp: with nothing after it, or an empty @version, is refused before any call', async () => {
  for (const given of ['kfp:', 'kfp:batch-predict@']) {
    const r = await run(given);
    expect(r.failure).toMatch(
      /Input 'pipeline': .* names no (pipeline|version after @)\. Fix: write kfp:<pipeline name>/,
    );
  }
  expect(emu.log.entries).toHaveLength(0);
});

test('the CLI takes --pipeline kfp:<name>@<version>', async () => {
  const r = await spawnCli(
    [
      'run-pipeline',
      '--pipeline',
      'kfp:batch-predict@abc1234-20261203T080000Z',
      '--kfp-host',
      emu.url,
      '--api-version',
      'v2beta1',
      '--namespace',
      NS,
      '--experiment',
      'scoring',
      '--parameters',
      'model_uri: s3://models/scorer',
      '--wait',
      'false',
    ],
    { cwd: repo.dir },
  );
  expect(r.code).toBe(0);
  expect(onlyRun().pipeline).toMatchObject({ kind: 'version', versionId: ids.v1 });
});
