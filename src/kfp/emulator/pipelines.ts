import { parseAllDocuments } from 'yaml';
import { sameName } from '../collation.js';
import { type Listable, listPage } from './listing.js';
import { type RequestContext, SINGLE_USER_NAMESPACE, listOut, put } from './logic.js';
import { parseMultipart } from './multipart.js';
import { type Route, type RouteContext, q } from './route.js';
import { RpcError, alreadyExists, invalid } from './rpc.js';
import {
  type EmulatorState,
  type PipelineRecord,
  type RunRecord,
  type StoredPipeline,
  type StoredVersion,
  newId,
  seconds,
} from './state.js';
import { LATEST_VERSION_REF_SINCE } from '../version.js';

/**
 * KFP's pipeline service (server/pipeline_server.go, server/pipeline_upload_server.go,
 * resource/resource_manager.go): pipelines and their versions, uploaded as multipart files or
 * created from a package URL, listed with KFP's filters, deleted with KFP's rules.
 */

/** util.NewResourceNotFoundError: "<type> <id> not found". */
export const resourceNotFound = (type: string, id: string) =>
  new RpcError(5, `ResourceNotFoundError: ${type} ${id} not found`, {}, `${type} ${id} not found`);

/** util.NewInvalidInputErrorWithDetails(ErrorInvalidPipelineSpec, m) of template.New. */
const badSpec = (m: string) => new RpcError(3, `InvalidInputError: ${m}: pipeline spec is invalid`, {}, m);

/** What the upload server answers on error: apiv1beta1.Error (writeErrorToResponse), or http.Error's text. */
export class UploadError extends RpcError {
  constructor(
    readonly status: number,
    message: string,
    readonly text = false,
  ) {
    super(status === 409 ? 6 : status === 400 ? 3 : 13, message);
  }

  override get httpStatus(): number {
    return this.status;
  }

  override toBody(): Record<string, unknown> {
    return { error_message: this.message, error_details: this.message };
  }
}

export interface ParsedTemplate {
  kind: 'ir' | 'argo';
  /** The v2 pipelineInfo.name (IR only). */
  specName?: string;
}

const PIPELINE_NAME = /^[a-z0-9][a-z0-9-]{0,127}$/;
const isPlatformSpec = (d: any) => !!d && typeof d === 'object' && !!d.platforms?.kubernetes;
const isPipelineSpec = (d: any) =>
  !!d && typeof d === 'object' && ('pipelineInfo' in d || 'root' in d || 'components' in d || 'deploymentSpec' in d);

/** template.New: an Argo workflow (v1) or a v2 PipelineSpec with an optional platform spec, as KFP checks them. */
export function parseTemplate(text: string): ParsedTemplate {
  let docs: unknown[];
  try {
    docs = parseAllDocuments(text).map((d) => {
      if (d.errors.length) throw d.errors[0];
      return d.toJS();
    });
  } catch (err) {
    throw badSpec(`unable to decode yaml document: ${(err as Error).message.split('\n')[0]}`);
  }
  docs = docs.filter((d) => d !== null && d !== undefined);
  if (docs.length === 0) throw badSpec('unknown template format');
  if (
    docs.some(
      (d: any) =>
        d && typeof d === 'object' && d.kind === 'Workflow' && String(d.apiVersion ?? '').startsWith('argoproj.io/'),
    )
  )
    return { kind: 'argo' };
  let spec: any;
  let platform = false;
  for (const d of docs) {
    if (isPipelineSpec(d)) {
      if (spec) throw badSpec('multiple pipeline specs provided');
      spec = d;
    } else if (isPlatformSpec(d)) {
      if (platform)
        throw new RpcError(
          3,
          'InvalidInputError: multiple platform specs provided: platform spec is invalid',
          {},
          'multiple platform specs provided',
        );
      platform = true;
    }
  }
  if (!spec) throw badSpec(platform ? 'no pipeline spec is provided' : 'unknown template format');
  if (spec.schemaVersion !== '2.1.0')
    throw badSpec(
      `KFP only supports schema version 2.1.0, but the pipeline spec has version ${spec.schemaVersion ?? ''}`,
    );
  const name = spec.pipelineInfo?.name;
  if (!name) throw badSpec('invalid v2 pipeline spec: name is empty');
  if (!spec.root) throw badSpec('invalid v2 pipeline spec: root component is empty');
  // resource_manager.go CreatePipelineAndPipelineVersion / CreatePipelineVersion: common.ValidatePipelineName.
  if (name.length > 128) throw invalid("pipeline's name must contain no more than 128 characters");
  if (!PIPELINE_NAME.test(name))
    throw invalid(
      "pipeline's name must contain only lowercase alphanumeric characters or '-' and must start with alphanumeric characters",
    );
  return { kind: 'ir', specName: name };
}

/**
 * A version's pipeline_spec as KFP returns it (server/api_util.go YamlStringToPipelineSpecStruct):
 * the spec document, or {pipeline_spec, platform_spec} when the file has a platform spec.
 */
export function versionSpec(manifest: string): Record<string, unknown> | undefined {
  const docs = parseAllDocuments(manifest)
    .map((d) => d.toJS())
    .filter((d) => d && typeof d === 'object');
  const platform = docs.find(isPlatformSpec);
  const spec = docs.find((d) => !isPlatformSpec(d));
  if (!spec) return undefined;
  return platform ? { pipeline_spec: spec, platform_spec: platform } : spec;
}

/** validation/length.go LengthSpecs (bytes, as Go's len): Pipeline.Name 128, Pipeline.Namespace 63, PipelineVersion.Name 127. */
export function checkLength(model: 'Pipeline' | 'PipelineVersion', field: 'Name' | 'Namespace', value: string): void {
  const max = {
    'Pipeline.Name': 128,
    'Pipeline.Namespace': 63,
    'PipelineVersion.Name': 127,
    'PipelineVersion.Namespace': 63,
  }[`${model}.${field}`]!;
  if (Buffer.byteLength(value) > max) throw invalid(`${model}.${field} length cannot exceed ${max}`);
}

/** model/pipeline_tags.go ValidateTags: at most 20, keys without '.', keys and values up to 63 characters. */
export function validateTags(tags: Record<string, string> | undefined): void {
  if (!tags) return;
  const entries = Object.entries(tags);
  if (entries.length > 20) throw invalid(`number of tags (${entries.length}) exceeds maximum of 20 per entity`);
  for (const [key, value] of entries) {
    if (key === '') throw invalid('tag key cannot be empty');
    if (key.includes('.')) throw invalid(`tag key ${JSON.stringify(key)} must not contain '.' character`);
    if ([...key].length > 63) throw invalid(`tag key ${JSON.stringify(key)} exceeds maximum length of 63 characters`);
    if ([...value].length > 63)
      throw invalid(
        `tag value ${JSON.stringify(value)} for key ${JSON.stringify(key)} exceeds maximum length of 63 characters`,
      );
  }
}

/** The upload's `tags` query parameter: a JSON object of strings (pipeline_upload_server.go). */
function tagsQuery(ctx: RouteContext): Record<string, string> | undefined {
  const text = q(ctx, 'tags');
  if (!text) return undefined;
  let tags: unknown;
  try {
    tags = JSON.parse(text);
  } catch {
    tags = undefined;
  }
  if (
    !tags ||
    typeof tags !== 'object' ||
    Array.isArray(tags) ||
    Object.values(tags).some((v) => typeof v !== 'string')
  ) {
    throw new UploadError(
      400,
      'Failed to parse tags query parameter. Expected JSON object with string keys and values',
    );
  }
  return tags as Record<string, string>;
}

const tagsOut = (o: Record<string, unknown>, tags: Record<string, string> | undefined) => {
  if (tags && Object.keys(tags).length) o.tags = tags;
};

const epoch = (d: Date) => Math.floor(d.getTime() / 1000);

/** model/pipeline.go pipelineAPIToModelFieldMap. */
export const PIPELINES: Listable<StoredPipeline> = {
  fields: {
    id: (p) => p.id,
    name: (p) => p.name,
    display_name: (p) => p.displayName,
    description: (p) => p.description,
    created_at: (p) => epoch(p.createdAt),
    namespace: (p) => p.namespace,
  },
  aliases: { pipeline_id: 'id' },
  id: (p) => p.id,
};

/** model/pipeline_version.go APIToModelFieldMap (a version lists no pipeline_id key). */
export const VERSIONS: Listable<StoredVersion> = {
  fields: {
    id: (v) => v.id,
    name: (v) => v.name,
    display_name: (v) => v.displayName,
    description: (v) => v.description,
    created_at: (v) => epoch(v.createdAt),
    status: () => 'READY',
    pipeline_spec: (v) => v.manifest,
  },
  aliases: { pipeline_version_id: 'id' },
  id: (v) => v.id,
};

// ---------------------------------------------------------------- the resource manager's part

function wrap<T>(fn: () => T, context: string): T {
  try {
    return fn();
  } catch (err) {
    throw err instanceof RpcError ? err.wrap(context) : err;
  }
}

export function pipelineById(ctx: RequestContext, id: string): StoredPipeline {
  const p = ctx.state.pipelines.get(id);
  if (!p) throw resourceNotFound('Pipeline', id).wrap(`Failed to get a pipeline with id ${id}`);
  return p;
}

export function versionById(ctx: RequestContext, id: string): StoredVersion {
  const v = ctx.state.versions.get(id);
  if (!v) throw resourceNotFound('PipelineVersion', id).wrap(`Failed to get a pipeline version with id ${id}`);
  return v;
}

/**
 * server/pipeline_server.go canAccessPipeline: shared pipelines (no namespace) may be read by anyone;
 * writing them is authorized against KFP's own namespace. Skipped in single-user mode.
 */
function canAccessPipeline(ctx: RequestContext, namespace: string, verb: string, name?: string): void {
  if (!ctx.state.multiUser) return;
  if (!namespace && (verb === 'get' || verb === 'list')) return;
  ctx.caller.authorize(namespace || SINGLE_USER_NAMESPACE, verb, 'pipelines', name);
}

/** validation/namespace.go ValidateNamespaceRequired: no shared pipelines under REQUIRE_NAMESPACE_FOR_PIPELINES. */
function namespaceRequired(ctx: RequestContext, namespace: string): void {
  if (ctx.state.multiUser && ctx.state.requireNamespaceForPipelines && !namespace)
    throw invalid('Namespace is required for pipeline operations');
}

/** The namespace a pipeline call is in: ResourceManager.ReplaceNamespace ('' in single-user mode). */
const replaceNamespace = (ctx: RequestContext, ns: string | undefined) => (ctx.state.multiUser ? (ns ?? '') : '');

/** resource_manager.go CreatePipelineAndPipelineVersion and pipeline_store.go: names are unique per namespace. */
export function createPipelineAndVersion(
  ctx: RequestContext,
  p: { name: string; displayName: string; description: string; namespace: string; tags?: Record<string, string> },
  manifest: string,
  source: { packageUrl?: string; versionTags?: Record<string, string> } = {},
): { pipeline: StoredPipeline; version: StoredVersion } {
  validateTags(p.tags);
  validateTags(source.versionTags);
  const t = wrap(
    () => parseTemplate(manifest),
    'Failed to create a pipeline and a pipeline version due to template creation error',
  );
  let name = p.name;
  if (!name) {
    if (!t.specName) throw invalid("pipeline's name cannot be empty");
    name = t.specName;
  }
  const displayName = p.displayName || name;
  for (const other of ctx.state.pipelines.values()) {
    if (other.namespace === p.namespace && sameName(other.name, name)) {
      throw alreadyExists(
        `Failed to create a new pipeline. The name ${name} already exists. Please specify a new name`,
      ).wrap('Failed to create a pipeline and a pipeline version');
    }
  }
  const createdAt = seconds(new Date());
  const pipeline: StoredPipeline = {
    id: newId(),
    name,
    displayName,
    description: p.description,
    namespace: p.namespace,
    createdAt,
    tags: p.tags,
  };
  const version: StoredVersion = {
    id: newId(),
    pipelineId: pipeline.id,
    name,
    displayName,
    description: p.description,
    createdAt,
    manifest,
    packageUrl: source.packageUrl,
    tags: source.versionTags,
  };
  ctx.state.pipelines.set(pipeline.id, pipeline);
  ctx.state.versions.set(version.id, version);
  return { pipeline, version };
}

/** resource_manager.go CreatePipelineVersion: names are unique per pipeline. */
export function createVersion(
  ctx: RequestContext,
  pipelineId: string,
  v: {
    name: string;
    displayName: string;
    description: string;
    codeSourceUrl?: string;
    packageUrl?: string;
    tags?: Record<string, string>;
  },
  manifest: string,
): StoredVersion {
  validateTags(v.tags);
  const pipeline = pipelineById(ctx, pipelineId);
  const t = wrap(() => parseTemplate(manifest), 'Failed to create a pipeline version due to template creation error');
  const name = v.name || t.specName || pipeline.name;
  for (const other of ctx.state.versions.values()) {
    if (other.pipelineId === pipelineId && sameName(other.name, name)) {
      throw alreadyExists(
        `Failed to create a new pipeline version. The name ${name} already exist. Specify a new name`,
      ).wrap('Failed to create pipeline version in PipelineStore');
    }
  }
  const version: StoredVersion = {
    id: newId(),
    pipelineId,
    name,
    displayName: v.displayName || name,
    description: v.description,
    createdAt: seconds(new Date()),
    manifest,
    codeSourceUrl: v.codeSourceUrl,
    packageUrl: v.packageUrl,
    tags: v.tags,
  };
  ctx.state.versions.set(version.id, version);
  return version;
}

/** resource_manager.go DeletePipeline: refused while versions exist, unless cascade. */
export function deletePipeline(ctx: RequestContext, id: string, cascade: boolean): void {
  const p = wrap(
    () => pipelineById(ctx, id),
    `Failed to access pipeline ${id}. Check if it exists and have a namespace assigned`,
  );
  canAccessPipeline(ctx, p.namespace, 'delete', p.name);
  const latest = ctx.state.latestVersion(id);
  if (latest && !cascade) {
    throw invalid(
      `Failed to delete pipeline with id ${id} as it has existing pipeline versions (e.g. ${latest.id}). Set cascade=true to delete all versions`,
    );
  }
  for (const v of [...ctx.state.versions.values()]) if (v.pipelineId === id) ctx.state.versions.delete(v.id);
  ctx.state.pipelines.delete(id);
}

export function deleteVersion(ctx: RequestContext, versionId: string): void {
  const v = wrap(
    () => versionById(ctx, versionId),
    `Failed to access pipeline version ${versionId}. Check if it exists`,
  );
  const p = ctx.state.pipelines.get(v.pipelineId);
  canAccessPipeline(ctx, p?.namespace ?? '', 'delete', p?.name);
  ctx.state.versions.delete(versionId);
}

/** A pipeline read through the API (get/delete/versions): found, then authorized (canAccessPipeline). */
function accessPipeline(ctx: RequestContext, id: string, verb: string, context: string): StoredPipeline {
  const p = wrap(
    () => pipelineById(ctx, id),
    `${context}: Failed to access pipeline ${id}. Check if it exists and have a namespace assigned`,
  );
  wrap(
    () => canAccessPipeline(ctx, p.namespace, verb, p.name),
    `${context}: Failed to access pipeline ${id}. Check if you have access to namespace ${p.namespace}`,
  );
  return p;
}

function pipelineByName(ctx: RequestContext, name: string, namespace: string): StoredPipeline {
  for (const p of ctx.state.pipelines.values()) if (p.namespace === namespace && sameName(p.name, name)) return p;
  throw resourceNotFound('Namespace/Pipeline', `${namespace}/${name}`).wrap(
    `Failed to get a pipeline named ${name} in namespace ${namespace}`,
  );
}

/**
 * The version a run or recurring run is created from (resource_manager.go
 * fetchPipelineVersionFromPipelineSpec): the given version, which must belong to the given pipeline,
 * or the pipeline's newest version when none is given (KFP ≥ 2.5).
 */
export function resolveVersion(
  ctx: Pick<RequestContext, 'state'>,
  pipelineId: string,
  versionId: string | undefined,
): StoredVersion {
  const context = 'Failed to fetch a template due to error retrieving pipeline version';
  if (versionId) {
    const v = ctx.state.versions.get(versionId);
    if (!v)
      throw resourceNotFound('PipelineVersion', versionId).wrap(
        `${context}: Failed to fetch a pipeline version and its manifest from pipeline version ${versionId}: Failed to get a pipeline version with id ${versionId}`,
      );
    if (pipelineId && v.pipelineId !== pipelineId)
      throw invalid(`Pipeline version ${versionId} belongs to pipeline ${v.pipelineId} (not ${pipelineId})`).wrap(
        context,
      );
    return v;
  }
  if (!ctx.state.pipelines.has(pipelineId)) {
    throw resourceNotFound('Pipeline', pipelineId).wrap(
      `${context}: Failed to fetch a pipeline version and its manifest from pipeline ${pipelineId}: Failed to get the latest pipeline version as pipeline was not found`,
    );
  }
  const latest = ctx.state.latestVersion(pipelineId);
  if (!latest)
    throw resourceNotFound('PipelineVersion', pipelineId).wrap(
      `${context}: Failed to fetch a pipeline version and its manifest from pipeline ${pipelineId}: Failed to get the latest pipeline version for a pipeline`,
    );
  return latest;
}

/** validation/pipeline_url.go ValidatePipelineURL, then the download (server/pipeline_server.go createPipelineVersion). */
async function download(url: string | undefined, missing: string): Promise<string> {
  if (!url) throw invalid(missing);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(
      `Failed to create a pipeline version due to invalid pipeline spec URI. PipelineSpecURI: ${url}. Please specify a valid URL`,
    );
  }
  if (parsed.protocol !== 'https:') throw invalid('Pipeline URL validation failed');
  if (parsed.port && parsed.port !== '443') throw invalid('Pipeline URL validation failed');
  let res: Response;
  try {
    res = await fetch(parsed, { redirect: 'error', signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new RpcError(
      13,
      `InternalServerError: Failed to create a pipeline version due error downloading the pipeline spec from ${url}: ${(err as Error).message}`,
      {},
      'Internal Server Error',
    );
  }
  if (res.status !== 200)
    throw invalid(`Failed to fetch pipeline spec with url: ${url}. Request returned ${res.status} ${res.statusText}`);
  return res.text();
}

// ---------------------------------------------------------------- the wire

function pipelineOut(p: StoredPipeline): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  put(o, 'pipeline_id', p.id);
  put(o, 'name', p.name);
  put(o, 'display_name', p.displayName);
  put(o, 'description', p.description);
  put(o, 'created_at', p.createdAt);
  put(o, 'namespace', p.namespace);
  tagsOut(o, p.tags);
  return o;
}

function versionOut(v: StoredVersion): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  put(o, 'pipeline_id', v.pipelineId);
  put(o, 'pipeline_version_id', v.id);
  put(o, 'name', v.name);
  put(o, 'display_name', v.displayName);
  put(o, 'description', v.description);
  put(o, 'created_at', v.createdAt);
  if (v.packageUrl) o.package_url = { pipeline_url: v.packageUrl };
  put(o, 'code_source_url', v.codeSourceUrl);
  put(o, 'pipeline_spec', versionSpec(v.manifest));
  tagsOut(o, v.tags);
  return o;
}

/** v1beta1 apiPipelineVersion (server/api_converter.go toApiPipelineVersionV1). */
function versionOutV1(v: StoredVersion): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  put(o, 'id', v.id);
  put(o, 'name', v.name);
  put(o, 'created_at', v.createdAt);
  put(o, 'code_source_url', v.codeSourceUrl);
  if (v.packageUrl) o.package_url = { pipeline_url: v.packageUrl };
  o.resource_references = [{ key: { type: 'PIPELINE', id: v.pipelineId }, relationship: 'OWNER' }];
  put(o, 'description', v.description);
  return o;
}

/** v1beta1 apiPipeline with its default (newest) version (toApiPipelineV1). */
function pipelineOutV1(ctx: RequestContext, p: StoredPipeline): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  put(o, 'id', p.id);
  put(o, 'created_at', p.createdAt);
  put(o, 'name', p.name);
  put(o, 'description', p.description);
  const latest = ctx.state.latestVersion(p.id);
  if (latest) o.default_version = versionOutV1(latest);
  if (p.namespace) o.resource_references = [{ key: { type: 'NAMESPACE', id: p.namespace }, relationship: 'OWNER' }];
  return o;
}

function page<T>(ctx: RouteContext, all: Iterable<T>, l: Listable<T>, opKey: 'op' | 'operation') {
  return listPage(
    all,
    {
      pageToken: q(ctx, 'page_token'),
      pageSize: q(ctx, 'page_size'),
      sortBy: q(ctx, 'sort_by'),
      filter: q(ctx, 'filter'),
    },
    opKey,
    l,
  );
}

const YAML_OR_JSON = /\.(ya?ml|json)$/i;

/** The uploaded file (field `uploadfile`), as server/pipeline_upload_server.go reads it. */
function uploadedFile(ctx: RouteContext, failure: string, unreadable: string): { filename: string; content: string } {
  const part = parseMultipart(ctx.raw ?? '', ctx.contentType)?.find(
    (x) => x.field === 'uploadfile' && x.filename !== undefined,
  );
  if (!part) throw new UploadError(400, failure);
  // server/util.go ReadPipelineFile: YAML or JSON by name (zip and tarballs are not read by the emulator).
  if (!YAML_OR_JSON.test(part.filename!)) throw new UploadError(400, unreadable);
  return { filename: part.filename!, content: part.content };
}

/** Errors of the resource manager as the upload server answers them (409, 400 with the external message, else 500). */
function uploadAnswer<T>(fn: () => T, failure: string): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof RpcError) || err instanceof UploadError) throw err;
    if (err.code === 6) throw new UploadError(409, failure);
    if (err.code === 3) throw new UploadError(400, err.external);
    if (err.code === 5) throw new UploadError(400, failure);
    throw new UploadError(500, failure);
  }
}

const textError = (err: unknown) => (err instanceof RpcError ? new UploadError(400, err.message, true) : err);

function uploadPipeline(ctx: RouteContext): { pipeline: StoredPipeline; version: StoredVersion } {
  const file = uploadedFile(ctx, 'Failed to read pipeline from file', 'Failed to read a pipeline spec file');
  let namespace = q(ctx, 'namespace') ?? '';
  try {
    checkLength('Pipeline', 'Namespace', namespace);
  } catch (err) {
    throw textError(err);
  }
  namespace = replaceNamespace(ctx, namespace);
  try {
    namespaceRequired(ctx, namespace);
  } catch (err) {
    throw textError(err);
  }
  // canUploadVersionedPipeline: a shared upload (no namespace) is not authorized at all.
  if (ctx.state.multiUser && namespace) {
    try {
      ctx.caller.authorize(namespace, 'create', 'pipelines');
    } catch {
      throw new UploadError(400, 'Failed to create a pipeline');
    }
  }
  const displayNameQuery = q(ctx, 'display_name') ?? '';
  const name = q(ctx, 'name') || displayNameQuery || file.filename;
  try {
    checkLength('Pipeline', 'Name', name);
  } catch (err) {
    throw textError(err);
  }
  const tags = tagsQuery(ctx);
  return uploadAnswer(
    () =>
      createPipelineAndVersion(
        ctx,
        { name, displayName: displayNameQuery || name, description: q(ctx, 'description') ?? '', namespace, tags },
        file.content,
      ),
    'Failed to create a pipeline and a pipeline version',
  );
}

function uploadVersion(ctx: RouteContext): StoredVersion {
  const failure = 'Failed to create a pipeline version';
  const file = uploadedFile(ctx, failure, failure);
  const pipelineId = q(ctx, 'pipelineid');
  if (!pipelineId) throw new UploadError(400, failure);
  const displayNameQuery = q(ctx, 'display_name') ?? '';
  const name = q(ctx, 'name') || displayNameQuery || file.filename;
  try {
    checkLength('PipelineVersion', 'Name', name);
  } catch (err) {
    throw textError(err);
  }
  // FetchNamespaceFromPipelineId: an unknown pipeline is a 400 here.
  const pipeline = ctx.state.pipelines.get(pipelineId);
  if (!pipeline) throw new UploadError(400, failure);
  try {
    namespaceRequired(ctx, pipeline.namespace);
  } catch (err) {
    throw textError(err);
  }
  if (ctx.state.multiUser && pipeline.namespace) {
    try {
      ctx.caller.authorize(pipeline.namespace, 'create', 'pipelines');
    } catch {
      throw new UploadError(400, failure);
    }
  }
  const tags = tagsQuery(ctx);
  return uploadAnswer(
    () =>
      createVersion(
        ctx,
        pipelineId,
        { name, displayName: displayNameQuery || name, description: q(ctx, 'description') ?? '', tags },
        file.content,
      ),
    failure,
  );
}

const done = (fn: (ctx: RouteContext) => void) => (ctx: RouteContext) => {
  fn(ctx);
  return {};
};

function listPipelinesIn(ctx: RouteContext, namespaceQuery: string | undefined, what: string): StoredPipeline[] {
  const namespace = replaceNamespace(ctx, namespaceQuery);
  namespaceRequired(ctx, namespace);
  wrap(
    () => canAccessPipeline(ctx, namespace, 'list'),
    `${what} due to authorization error. Check if you have read permission to namespace ${namespace}`,
  );
  return [...ctx.state.pipelines.values()].filter((p) => p.namespace === namespace);
}

function versionsOf(ctx: RouteContext, pipelineId: string, context: string): StoredVersion[] {
  if (!pipelineId) throw invalid('Failed to list pipeline versions. Pipeline id cannot be empty');
  const p = wrap(
    () => pipelineById(ctx, pipelineId),
    `${context}: Failed to list pipeline versions due to error fetching the namespace for pipeline ${pipelineId}`,
  );
  wrap(
    () => canAccessPipeline(ctx, p.namespace, 'list'),
    `${context}: Failed to list pipeline versions due to authorization error. Check if you have read permission to namespace ${p.namespace}`,
  );
  return [...ctx.state.versions.values()].filter((v) => v.pipelineId === pipelineId);
}

function getVersion(ctx: RouteContext, versionId: string, context: string): StoredVersion {
  const v = wrap(
    () => versionById(ctx, versionId),
    `${context}: Failed to get a pipeline version due to authorization error for pipeline version id ${versionId}: Failed to access pipeline version ${versionId}. Check if it exists`,
  );
  const p = ctx.state.pipelines.get(v.pipelineId);
  wrap(
    () => canAccessPipeline(ctx, p?.namespace ?? '', 'get', p?.name),
    `${context}: Failed to get a pipeline version due to authorization error for pipeline version id ${versionId}`,
  );
  return v;
}

const P2 = '/apis/v2beta1';

export function v2PipelineRoutes(): Route[] {
  return [
    { method: 'POST', path: `${P2}/pipelines/upload`, handle: (ctx) => pipelineOut(uploadPipeline(ctx).pipeline) },
    { method: 'POST', path: `${P2}/pipelines/upload_version`, handle: (ctx) => versionOut(uploadVersion(ctx)) },
    {
      method: 'POST',
      path: `${P2}/pipelines`,
      body: 'v2beta1Pipeline',
      handle: (ctx) => {
        // server/pipeline_server.go createPipeline: a pipeline without a version.
        const b = ctx.body;
        const context = 'Failed to create a pipeline due to server error';
        const namespace = replaceNamespace(ctx, b.namespace);
        namespaceRequired(ctx, namespace);
        const name = b.name || b.display_name || '';
        if (!name) throw invalid('name is required').wrap(context);
        wrap(() => checkLength('Pipeline', 'Name', name), 'Failed to create a pipeline as pipeline conversion failed');
        wrap(
          () => canAccessPipeline(ctx, namespace, 'create', name),
          `${context}: Failed to create a pipeline due to authorization error. Check if you have write permissions to namespace ${namespace}`,
        );
        for (const other of ctx.state.pipelines.values()) {
          if (other.namespace === namespace && sameName(other.name, name))
            throw alreadyExists(
              `Failed to create a new pipeline. The name ${name} already exist. Please specify a new name`,
            ).wrap(context);
        }
        wrap(() => validateTags(b.tags), context);
        const p: StoredPipeline = {
          id: newId(),
          name,
          displayName: b.display_name || name,
          description: b.description ?? '',
          namespace,
          createdAt: seconds(new Date()),
          tags: b.tags,
        };
        ctx.state.pipelines.set(p.id, p);
        return pipelineOut(p);
      },
    },
    {
      method: 'POST',
      path: `${P2}/pipelines/create`,
      body: 'v2beta1CreatePipelineAndVersionRequest',
      handle: async (ctx) => {
        const p = ctx.body.pipeline ?? {};
        const url = ctx.body.pipeline_version?.package_url?.pipeline_url;
        const namespace = replaceNamespace(ctx, p.namespace);
        namespaceRequired(ctx, namespace);
        const name = p.name || p.display_name || (url ? url.split('/').pop() : '') || '';
        wrap(() => canAccessPipeline(ctx, namespace, 'create', name), 'Failed to create a pipeline');
        const manifest = await download(url, `invalid pipeline spec URL: ${url ?? ''}`).catch((err) => {
          throw err instanceof RpcError ? err.wrap('Failed to create a pipeline') : err;
        });
        const created = wrap(
          () =>
            createPipelineAndVersion(
              ctx,
              { name, displayName: p.display_name || name, description: p.description ?? '', namespace, tags: p.tags },
              manifest,
              { packageUrl: url, versionTags: ctx.body.pipeline_version?.tags },
            ),
          'Failed to create a pipeline',
        );
        return pipelineOut(created.pipeline);
      },
    },
    {
      method: 'GET',
      path: `${P2}/pipelines`,
      handle: (ctx) => {
        const all = listPipelinesIn(ctx, q(ctx, 'namespace'), 'Failed to list pipelines');
        const p = page(ctx, all, PIPELINES, 'operation');
        return listOut('pipelines', { ...p, items: p.items.map(pipelineOut) });
      },
    },
    {
      method: 'GET',
      path: `${P2}/pipelines/names/{name}`,
      handle: (ctx) => {
        const name = ctx.params.name!;
        const namespace = replaceNamespace(ctx, q(ctx, 'namespace'));
        const context = `Failed to get a pipeline with name ${name} and namespace ${namespace}. Check error stack.`;
        wrap(() => namespaceRequired(ctx, namespace), context);
        wrap(
          () => canAccessPipeline(ctx, namespace, 'get', name),
          `${context}: Failed to fetch a pipeline due to authorization error. Check if you have read permission to namespace ${namespace}`,
        );
        return pipelineOut(wrap(() => pipelineByName(ctx, name, namespace), context));
      },
    },
    {
      method: 'GET',
      path: `${P2}/pipelines/{pipeline_id}`,
      handle: (ctx) => {
        const id = ctx.params.pipeline_id!;
        return pipelineOut(
          accessPipeline(
            ctx,
            id,
            'get',
            `Failed to get a pipeline ${id}. Check error stack: Failed to get a pipeline due authorization error for pipeline id ${id}`,
          ),
        );
      },
    },
    {
      method: 'DELETE',
      path: `${P2}/pipelines/{pipeline_id}`,
      handle: done((ctx) => {
        const id = ctx.params.pipeline_id!;
        const cascade = q(ctx, 'cascade');
        if (cascade !== undefined && cascade !== 'true' && cascade !== 'false')
          throw invalid(`cascade: invalid boolean "${cascade}"`);
        accessPipeline(
          ctx,
          id,
          'delete',
          `Failed to delete pipeline ${id}. Check error stack: Failed to delete a pipeline due authorization error for pipeline id ${id}`,
        );
        wrap(() => deletePipeline(ctx, id, cascade === 'true'), `Failed to delete pipeline ${id}. Check error stack`);
      }),
    },
    {
      method: 'POST',
      path: `${P2}/pipelines/{pipeline_id}/versions`,
      body: 'v2beta1PipelineVersion',
      handle: async (ctx) => {
        const b = ctx.body;
        const pipelineId = ctx.params.pipeline_id!;
        const context = 'Failed to create a pipeline version. Check error stack';
        const url = b.package_url?.pipeline_url;
        if (!b.package_url) throw invalid('Failed to create a pipeline version. Package URL is nil');
        if (!url) throw invalid('Failed to create a pipeline version. Package URL is empty');
        if (!b.pipeline_id) throw invalid('Failed to create a pipeline version. Parent pipeline id is empty');
        const name = b.name || b.display_name || '';
        if (!name) throw invalid('name is required').wrap(context);
        wrap(
          () => checkLength('PipelineVersion', 'Name', name),
          'Failed to create a pipeline version due to conversion error',
        );
        const p = accessPipeline(
          ctx,
          pipelineId,
          'create',
          `${context}: Failed to create a pipeline version due authorization error for pipeline id ${pipelineId}`,
        );
        const manifest = await download(url, 'Failed to create a pipeline version due to missing pipeline URL').catch(
          (err) => {
            throw err instanceof RpcError ? err.wrap(context) : err;
          },
        );
        const v = wrap(
          () =>
            createVersion(
              ctx,
              p.id,
              {
                name,
                displayName: b.display_name || name,
                description: b.description ?? '',
                codeSourceUrl: b.code_source_url,
                packageUrl: url,
                tags: b.tags,
              },
              manifest,
            ),
          context,
        );
        return versionOut(v);
      },
    },
    {
      method: 'GET',
      path: `${P2}/pipelines/{pipeline_id}/versions`,
      handle: (ctx) => {
        const id = ctx.params.pipeline_id!;
        const p = page(
          ctx,
          versionsOf(ctx, id, `Failed to list pipeline versions for pipeline ${id}`),
          VERSIONS,
          'operation',
        );
        return listOut('pipeline_versions', { ...p, items: p.items.map(versionOut) });
      },
    },
    {
      method: 'GET',
      path: `${P2}/pipelines/{pipeline_id}/versions/{pipeline_version_id}`,
      handle: (ctx) =>
        versionOut(
          getVersion(
            ctx,
            ctx.params.pipeline_version_id!,
            `Failed to get a pipeline version ${ctx.params.pipeline_version_id}`,
          ),
        ),
    },
    {
      method: 'DELETE',
      path: `${P2}/pipelines/{pipeline_id}/versions/{pipeline_version_id}`,
      handle: done((ctx) => {
        const [pid, vid] = [ctx.params.pipeline_id!, ctx.params.pipeline_version_id!];
        wrap(
          () => deleteVersion(ctx, vid),
          `Failed to delete a pipeline version id ${vid} under pipeline id ${pid}. Check error stack`,
        );
      }),
    },
  ];
}

const P1 = '/apis/v1beta1';

export function v1PipelineRoutes(): Route[] {
  return [
    {
      method: 'POST',
      path: `${P1}/pipelines/upload`,
      handle: (ctx) => pipelineOutV1(ctx, uploadPipeline(ctx).pipeline),
    },
    { method: 'POST', path: `${P1}/pipelines/upload_version`, handle: (ctx) => versionOutV1(uploadVersion(ctx)) },
    {
      method: 'GET',
      path: `${P1}/pipelines`,
      handle: (ctx) => {
        // v1 lists a namespace through resource_reference_key (type NAMESPACE).
        const ns =
          q(ctx, 'resource_reference_key.type') === 'NAMESPACE' ? q(ctx, 'resource_reference_key.id') : undefined;
        const all = listPipelinesIn(ctx, ns, 'Failed to list pipelines');
        const p = page(ctx, all, PIPELINES, 'op');
        return listOut('pipelines', { ...p, items: p.items.map((x) => pipelineOutV1(ctx, x)) });
      },
    },
    {
      method: 'GET',
      path: `${P1}/pipelines/{id}`,
      handle: (ctx) => {
        const id = ctx.params.id!;
        return pipelineOutV1(
          ctx,
          accessPipeline(
            ctx,
            id,
            'get',
            `Failed to get a pipeline (v1beta1) ${id}. Check error stack: Failed to get a pipeline due authorization error for pipeline id ${id}`,
          ),
        );
      },
    },
    {
      method: 'GET',
      path: `${P1}/namespaces/{namespace}/pipelines/{name}`,
      handle: (ctx) => {
        const { name, namespace: nsParam } = ctx.params as { name: string; namespace: string };
        // v1's "-" stands for the shared namespace.
        const namespace = replaceNamespace(ctx, nsParam === '-' ? '' : nsParam);
        const context = `Failed to get a pipeline (v1beta1) with name ${name} and namespace ${namespace}. Check error stack.`;
        wrap(() => namespaceRequired(ctx, namespace), context);
        wrap(() => canAccessPipeline(ctx, namespace, 'get', name), context);
        return pipelineOutV1(
          ctx,
          wrap(() => pipelineByName(ctx, name, namespace), context),
        );
      },
    },
    {
      method: 'DELETE',
      path: `${P1}/pipelines/{id}`,
      handle: done((ctx) => {
        const id = ctx.params.id!;
        accessPipeline(ctx, id, 'delete', `Failed to delete pipeline (v1beta1) ${id}. Check error stack`);
        wrap(() => deletePipeline(ctx, id, false), `Failed to delete pipeline (v1beta1) ${id}. Check error stack`);
      }),
    },
    {
      method: 'GET',
      path: `${P1}/pipeline_versions`,
      handle: (ctx) => {
        const id = q(ctx, 'resource_key.type') === 'PIPELINE' ? (q(ctx, 'resource_key.id') ?? '') : '';
        const p = page(
          ctx,
          versionsOf(ctx, id, `Failed to list pipeline versions (v1beta1) for pipeline ${id}`),
          VERSIONS,
          'op',
        );
        return listOut('versions', { ...p, items: p.items.map(versionOutV1) });
      },
    },
    {
      method: 'GET',
      path: `${P1}/pipeline_versions/{version_id}`,
      handle: (ctx) =>
        versionOutV1(
          getVersion(
            ctx,
            ctx.params.version_id!,
            `Failed to get a pipeline version (v1beta1) ${ctx.params.version_id}`,
          ),
        ),
    },
    {
      method: 'DELETE',
      path: `${P1}/pipeline_versions/{version_id}`,
      handle: done((ctx) => {
        const vid = ctx.params.version_id!;
        wrap(() => deleteVersion(ctx, vid), `Failed to delete a pipeline version (v1beta1) ${vid}. Check error stack`);
      }),
    },
    {
      method: 'GET',
      path: `${P1}/pipelines/{id}/templates`,
      handle: (ctx) => {
        const p = accessPipeline(
          ctx,
          ctx.params.id!,
          'get',
          `Failed to get the default template for pipeline ${ctx.params.id}`,
        );
        const latest = ctx.state.latestVersion(p.id);
        if (!latest)
          throw resourceNotFound('PipelineVersion', p.id).wrap(
            'Failed to get the latest pipeline version for a pipeline',
          );
        return { template: latest.manifest };
      },
    },
    {
      method: 'GET',
      path: `${P1}/pipeline_versions/{version_id}/templates`,
      handle: (ctx) => ({ template: getVersion(ctx, ctx.params.version_id!, 'Failed to get a template').manifest }),
    },
  ];
}

/**
 * A run's or recurring run's pipeline: a version reference is resolved against the pipeline service
 * (the newest version when none is given) and stored with the version it ran; other sources as given.
 */
export function fromVersion(
  ctx: RequestContext,
  p: PipelineRecord | undefined,
  what: string,
): PipelineRecord | undefined {
  if (p?.kind !== 'version') return p;
  const v = wrap(() => resolveVersion(ctx, p.pipelineId, p.versionId), what);
  return { ...p, pipelineId: v.pipelineId, versionId: v.id };
}

/**
 * A recurring run's pipeline (resource_manager.go CreateJob): a given version is pinned (an error there is
 * wrapped as internal, 500); a pipeline without a version is checked to have one, and left unpinned, as the
 * ScheduledWorkflow controller then runs the newest version each time (KFP ≥ 2.5, #11542). Before 2.5,
 * CreateJob resolved every reference through fetchTemplateFromPipelineSpec, pinning the newest version then.
 */
export function jobFromVersion(ctx: RequestContext, p: PipelineRecord | undefined): PipelineRecord | undefined {
  if (p?.kind !== 'version') return p;
  if (p.versionId || !ctx.state.since(LATEST_VERSION_REF_SINCE)) {
    try {
      const v = resolveVersion(ctx, p.pipelineId, p.versionId);
      return { ...p, pipelineId: v.pipelineId, versionId: v.id };
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      throw new RpcError(
        13,
        `InternalServerError: Failed to create a recurring run with an invalid pipeline spec manifest: ${err.message}`,
        {},
        'Internal Server Error',
      );
    }
  }
  const context =
    'Failed to create a recurring run: Failed to validate the input parameters on the latest pipeline version';
  if (!ctx.state.pipelines.has(p.pipelineId))
    throw resourceNotFound('Pipeline', p.pipelineId).wrap(
      `${context}: Failed to get the latest template as pipeline was not found`,
    );
  if (!ctx.state.latestVersion(p.pipelineId))
    throw resourceNotFound('PipelineVersion', p.pipelineId).wrap(
      `${context}: Failed to get the latest template for a pipeline`,
    );
  return p;
}

/**
 * One run of a recurring run, as KFP's ScheduledWorkflow controller starts it at a trigger time: it calls
 * CreateRun with the recurring run's pipeline, so a reference without a version runs the pipeline's newest
 * version at that moment (resource_manager.go CreateRun → fetchPipelineVersionFromPipelineSpec →
 * GetLatestPipelineVersion). The emulator has no clock-driven scheduler: tests fire a run with this.
 */
export function fireRecurringRun(state: EmulatorState, jobId: string, at = new Date()): RunRecord {
  const job = state.jobs.get(jobId);
  if (!job) throw new Error(`no recurring run ${jobId}`);
  const p = job.pipeline;
  const pipeline =
    p.kind === 'version' ? { ...p, versionId: resolveVersion({ state }, p.pipelineId, p.versionId).id } : p;
  return state.seedRun({
    name: `${job.name}-${Math.floor(at.getTime() / 1000)}`,
    experimentId: job.experimentId,
    namespace: job.namespace,
    jobId: job.id,
    serviceAccount: job.serviceAccount,
    pipeline,
  });
}
