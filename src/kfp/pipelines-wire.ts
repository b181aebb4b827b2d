import { type Page, type PageQuery, type WireRequest, defined, str, time } from './wire.js';
import type { KfpPipeline, KfpPipelineVersion } from './types.js';

/**
 * Registered pipelines and their versions on KFP's v2beta1 API (backend/api/v2beta1/pipeline.proto and
 * pipeline.upload.swagger.json). A version is uploaded as a file (`upload_version`): the JSON create needs
 * a package URL the server downloads, which a CI runner's checkout is not.
 */
const P = '/apis/v2beta1';

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
  deleteVersion: (pipelineId: string, versionId: string): WireRequest => ({
    call: 'DeletePipelineVersion',
    method: 'DELETE',
    path: `${P}/pipelines/${encodeURIComponent(pipelineId)}/versions/${encodeURIComponent(versionId)}`,
    idempotent: true,
  }),
};
