import fs from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic } from '../lib/errors.js';
import { collationKey } from '../kfp/collation.js';
import type { ApiVersion } from '../kfp/types.js';
import { MAX_PIPELINE_BYTES } from '../pipeline/pipeline.js';
import { PIPELINES_FILE, findConfigFile, relPath } from './folders.js';
import type { DesiredPipelineEntry } from './types.js';
import type { RawPipelineEntry } from './raw.js';
import { readConfigDoc } from './read.js';
import { type FileAccess, pipelineRequest, pipelineSourceKey, readPipeline } from './references.js';

/** Default of `keep_versions`: older pipeline versions kept besides the newest. */
export const DEFAULT_KEEP_VERSIONS = 10;

/**
 * The folder's optional pipelines.yaml: schema, unique names, and that each source (checkout or GitHub) is a KFP
 * pipeline. Undefined when the folder has none (or it cannot be read).
 */
export async function loadPipelines(
  abs: string,
  root: string,
  apiVersion: ApiVersion | undefined,
  files: FileAccess,
  diagnostics: Diagnostic[],
): Promise<{ file: string; list: DesiredPipelineEntry[] } | undefined> {
  const exists = async (ext: string) =>
    (await fs.stat(path.join(abs, `${PIPELINES_FILE}.${ext}`)).catch(() => undefined)) !== undefined;
  if (!(await exists('yaml')) && !(await exists('yml'))) return undefined;
  const found = await findConfigFile(abs, PIPELINES_FILE, root);
  if ('diagnostic' in found) {
    diagnostics.push(found.diagnostic);
    return undefined;
  }
  const file = relPath(root, found.file);
  const read = await readConfigDoc(found.file, file, { single: false, dates: false });
  diagnostics.push(...read.diagnostics);
  const doc = read.doc;
  if (!doc) return undefined;
  const { validateSchema } = await import('./schema.js');
  const schema = validateSchema('pipelines', doc);
  diagnostics.push(...schema.diagnostics);
  if (apiVersion === 'v1beta1') {
    // Registered pipelines and their versions are reconciled through KFP's v2beta1 API only.
    diagnostics.push({
      message: `${file} registers pipelines, which needs KFP's v2beta1 API; api-version is v1beta1.`,
      location: { file, line: 1, column: 1 },
      fix: 'set api-version: v2beta1 (KFP 2.x), or remove pipelines.yaml.',
    });
  }
  const list: DesiredPipelineEntry[] = [];
  const seen = new Map<string, number>();
  for (const entry of doc.entries<RawPipelineEntry>('pipelines')) {
    const i = entry.index;
    if (schema.failedPaths.some((p) => p.length === 0 || (p[0] === 'pipelines' && (p.length === 1 || p[1] === i))))
      continue;
    const item = entry.value;
    const key = collationKey(item.name);
    const first = seen.get(key);
    if (first !== undefined) {
      diagnostics.push({
        message: `Pipeline '${item.name}' is declared twice (first at line ${doc.at(['pipelines', first]).line}).`,
        location: entry.at(['name']),
        fix: 'remove one of the two entries; KFP pipeline names are unique in a namespace (ignoring case and accents).',
      });
      continue;
    }
    seen.set(key, i);
    const before = diagnostics.length;
    const req = pipelineRequest(item.source);
    const at = (f?: string) => entry.at(['source', pipelineSourceKey(item.source, f)]);
    const pipeline = await readPipeline(req, at, files, diagnostics);
    if (!pipeline || diagnostics.length > before) continue;
    const text = await files.reader.read(req, MAX_PIPELINE_BYTES);
    if (!text.ok) continue;
    list.push({
      name: item.name,
      description: item.description ?? '',
      keepVersions: item.keep_versions ?? DEFAULT_KEEP_VERSIONS,
      shared: item.shared ?? false,
      pipeline,
      text: text.text,
      at: entry.at(),
    });
  }
  return { file, list };
}
