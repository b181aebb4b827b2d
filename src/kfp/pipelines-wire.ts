import { type Page, type PageQuery, type WireRequest, defined, str, time } from './wire.js';
import type { KfpPipeline, KfpPipelineVersion } from './types.js';

/**
 * Registered pipelines and their versions on KFP's v2beta1 API (backend/api/v2beta1/pipeline.proto and
 * pipeline.upload.swagger.json). A version is uploaded as a file (`upload_version`): the JSON create needs
 * a package URL the server downloads, which a CI runner's checkout is not. Reading (list, template) is
 * also served over v1beta1 (`pipelinesWireV1`), for run-pipeline on a v1beta1 client.
 */
const P = '/apis/v2beta1';
const P1 = '/apis/v1beta1';

const pageQuery = (page: PageQuery) => ({ page_token: page.pageToken, page_size: String(page.pageSize) });

export function pipelineFromWire(p: any): KfpPipeline {
  return defined({
    id: str(p?.pipeline_id),
    name: str(p?.display_name || p?.name),
    description: str(p?.description),
    namespace: str(p?.namespace),
    createdAt: time(p?.created_at),
  });
}

export function versionFromWire(v: any): KfpPipelineVersion {
  return defined({
    id: str(v?.pipeline_version_id),
    pipelineId: str(v?.pipeline_id),
    name: str(v?.display_name || v?.name),
    description: str(v?.description),
    createdAt: time(v?.created_at),
    spec: v?.pipeline_spec && typeof v.pipeline_spec === 'object' ? v.pipeline_spec : undefined,
  });
}

export const pipelinesWire = {
  listPipelines: (namespace: string, page: PageQuery): WireRequest => ({
    call: 'ListPipelines',
    method: 'GET',
    path: `${P}/pipelines`,
    query: { ...pageQuery(page), namespace: namespace || undefined },
    idempotent: true,
  }),
  parsePipelinePage: (b: any): Page<KfpPipeline> => ({
    items: (b?.pipelines ?? []).map(pipelineFromWire),
    nextPageToken: b?.next_page_token || undefined,
  }),
  listVersions: (pipelineId: string, page: PageQuery): WireRequest => ({
    call: 'ListPipelineVersions',
    method: 'GET',
    path: `${P}/pipelines/${encodeURIComponent(pipelineId)}/versions`,
    // Newest first: the planner compares git with the newest and prunes from the oldest.
    query: { ...pageQuery(page), sort_by: page.pageToken ? undefined : 'created_at desc' },
    idempotent: true,
  }),
  parseVersionPage: (b: any): Page<KfpPipelineVersion> => ({
    items: (b?.pipeline_versions ?? []).map(versionFromWire),
    nextPageToken: b?.next_page_token || undefined,
  }),
  createPipeline: (input: { name: string; description: string; namespace: string }): WireRequest => ({
    call: 'CreatePipeline',
    method: 'POST',
    path: `${P}/pipelines`,
    body: defined({
      display_name: input.name,
      description: input.description || undefined,
      namespace: input.namespace || undefined,
    }),
    idempotent: false,
  }),
  uploadVersion: (input: {
    pipelineId: string;
    name: string;
    description: string;
    filename: string;
    content: string;
  }): WireRequest => ({
    call: 'UploadPipelineVersion',
    method: 'POST',
    path: `${P}/pipelines/upload_version`,
    query: {
      pipelineid: input.pipelineId,
      name: input.name,
      display_name: input.name,
      description: input.description || undefined,
    },
    upload: { field: 'uploadfile', filename: input.filename, content: input.content },
    idempotent: false,
  }),
  getVersion: (pipelineId: string, versionId: string): WireRequest => ({
    call: 'GetPipelineVersion',
    method: 'GET',
    path: `${P}/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`,
    idempotent: true,
  }),
  deleteVersion: (pipelineId: string, versionId: string): WireRequest => ({
    call: 'DeletePipelineVersion',
    method: 'DELETE',
    path: `${P}/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`,
    idempotent: true,
  }),
};

/** v1beta1 apiPipeline: the namespace is a NAMESPACE resource reference. */
function pipelineFromWireV1(p: any): KfpPipeline {
  const ns = (p?.resource_references ?? []).find((r: any) => r?.key?.type === 'NAMESPACE')?.key?.id;
  return defined({
    id: str(p?.id),
    name: str(p?.display_name || p?.name),
    description: str(p?.description),
    namespace: str(ns),
    createdAt: time(p?.created_at),
  });
}

/** v1beta1 apiPipelineVersion: the owning pipeline is a PIPELINE resource reference; no spec (see templates). */
function versionFromWireV1(v: any): KfpPipelineVersion {
  const pipelineId = (v?.resource_references ?? []).find((r: any) => r?.key?.type === 'PIPELINE')?.key?.id;
  return defined({
    id: str(v?.id),
    pipelineId: str(pipelineId),
    name: str(v?.display_name || v?.name),
    description: str(v?.description),
    createdAt: time(v?.created_at),
  });
}

export const pipelinesWireV1 = {
  listPipelines: (namespace: string, page: PageQuery): WireRequest => ({
    call: 'ListPipelines',
    method: 'GET',
    path: `${P1}/pipelines`,
    query: {
      ...pageQuery(page),
      'resource_reference_key.type': namespace ? 'NAMESPACE' : undefined,
      'resource_reference_key.id': namespace || undefined,
    },
    idempotent: true,
  }),
  parsePipelinePage: (b: any): Page<KfpPipeline> => ({
    items: (b?.pipelines ?? []).map(pipelineFromWireV1),
    nextPageToken: b?.next_page_token || undefined,
  }),
  listVersions: (pipelineId: string, page: PageQuery): WireRequest => ({
    call: 'ListPipelineVersions',
    method: 'GET',
    path: `${P1}/pipeline_versions`,
    query: {
      ...pageQuery(page),
      'resource_key.type': 'PIPELINE',
      'resource_key.id': pipelineId,
      sort_by: page.pageToken ? undefined : 'created_at desc',
    },
    idempotent: true,
  }),
  parseVersionPage: (b: any): Page<KfpPipelineVersion> => ({
    items: (b?.versions ?? []).map(versionFromWireV1),
    nextPageToken: b?.next_page_token || undefined,
  }),
  getVersionTemplate: (versionId: string): WireRequest => ({
    call: 'GetPipelineVersionTemplate',
    method: 'GET',
    path: `${P1}/pipeline_versions/${encodeURIComponent(versionId)}/templates`,
    idempotent: true,
  }),
};
