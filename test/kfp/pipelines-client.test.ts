import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { createKfpClient } from '../../src/kfp/client.js';
import type { KfpClient } from '../../src/kfp/types.js';
import { repoRoot } from '../support/paths.js';

// The calls follow KFP's backend/api/v2beta1/pipeline.proto (CreatePipeline, ListPipelineVersions,
// DeletePipelineVersion) and pipeline.upload.swagger.json (UploadPipelineVersion: multipart `uploadfile`,
// query pipelineid/name/description), served by pipeline_upload_server.go UploadPipelineVersion.
let emu: KfpEmulator;
let client: KfpClient;
const file = path.join(repoRoot, 'examples/pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml');

beforeAll(async () => {
  emu = await startKfpEmulator({ multiUser: false });
  client = createKfpClient({
    host: emu.url,
    apiVersion: 'v2beta1',
    timeoutMs: 2000,
    retry: { retries: 1, baseMs: 1, maxMs: 5 },
  });
});
afterAll(async () => {
  client.close();
  await emu.close();
});

describe('registered pipelines through the v2beta1 client', () => {
  test('create, upload two versions, list newest first, delete one', async () => {
    const content = await fs.readFile(file, 'utf8');
    const p = await client.createPipeline({ name: 'batch-predict', description: 'Scores issues', namespace: '' });
    expect(p.name).toBe('batch-predict');
    expect(await client.listPipelineVersions(p.id)).toEqual([]);
    const v1 = await client.uploadPipelineVersion({
      pipelineId: p.id,
      name: 'v-one',
      description: 'first',
      filename: 'pipeline.yaml',
      content,
    });
    await new Promise((r) => setTimeout(r, 1100)); // KFP's created_at has whole seconds
    const v2 = await client.uploadPipelineVersion({
      pipelineId: p.id,
      name: 'v-two',
      description: 'second',
      filename: 'pipeline.yaml',
      content,
    });
    expect([v1.name, v1.description, v2.name]).toEqual(['v-one', 'first', 'v-two']);
    const listed = await client.listPipelineVersions(p.id);
    expect(listed.map((v) => v.name)).toEqual(['v-two', 'v-one']);
    expect(
      (listed[0]!.spec as { pipelineInfo?: { name?: string } }).pipelineInfo?.name ??
        (listed[0]!.spec as { pipeline_spec?: { pipelineInfo?: { name?: string } } }).pipeline_spec?.pipelineInfo?.name,
    ).toBeTruthy();
    expect((await client.listPipelines('')).map((x) => x.name)).toEqual(['batch-predict']);
    await client.deletePipelineVersion(p.id, v1.id);
    expect((await client.listPipelineVersions(p.id)).map((v) => v.name)).toEqual(['v-two']);
  });

  test('v1beta1 reads pipelines (run-pipeline kfp:…) but says to use v2beta1 to write them', async () => {
    const v1 = createKfpClient({ host: emu.url, apiVersion: 'v1beta1' });
    await expect(v1.listPipelines('')).resolves.toEqual(expect.any(Array));
    expect(() => v1.createPipeline({ name: 'x', description: '', namespace: '' })).toThrow(/api-version to v2beta1/);
    v1.close();
  });
});
