import fs from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../../lib/errors.js';
import { resolveInside } from '../../lib/inside.js';
import { parsePointer } from '../pointer.js';
import type { ModelListing, ModelSourceContext } from './types.js';

const MAX_BYTES = 5 * 1024 * 1024;

/**
 * `file:<path-or-https-url>`: a pointer file (one model) or list of models written by the training
 * job. A missing file means "no model yet" (the first training has not run), said in a note.
 */
export async function listFileModels(location: string, ctx: ModelSourceContext): Promise<ModelListing> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !/^https?:\/\//i.test(location)) {
    const scheme = location.slice(0, location.indexOf(':'));
    throw new UserError(
      `file:${location}: ${scheme}:// is not fetched directly. Fix: use an https URL (e.g. a pre-signed one) or a command source, e.g. model-source: command:${scheme === 'gs' ? 'gcloud storage cat' : scheme === 's3' ? 'aws s3 cp' : `<cli> cat`} ${location}${scheme === 's3' ? ' -' : ''}`,
    );
  }
  if (/^https?:\/\//i.test(location)) {
    const text = await fetchText(location);
    if (text === undefined)
      return { models: [], notes: [`${location} does not exist (HTTP 404): no model yet`], origin: location };
    return fromText(text, location);
  }
  const root = ctx.root ?? ctx.workspace;
  const inside = resolveInside(root, location, ctx.workspace);
  if (!inside.ok) throw new UserError(`model-source file:${location}: ${inside.message} Fix: ${inside.fix}`);
  const abs = inside.path;
  const display = path.relative(ctx.workspace, path.resolve(ctx.workspace, location)) || location;
  let text: string;
  try {
    const stat = await fs.stat(abs);
    if (stat.size > MAX_BYTES)
      throw new UserError(
        `${display} is ${stat.size} bytes; a model list over ${MAX_BYTES} bytes is surely the wrong file. Fix: point model-source at the pointer file.`,
      );
    text = await fs.readFile(abs, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { models: [], notes: [`${display} does not exist: no model yet`], origin: display };
    throw err;
  }
  return fromText(text, display);
}

function fromText(text: string, display: string): ModelListing {
  const { models, skipped } = parsePointer(text, display);
  return {
    models,
    notes: skipped.map((s) => `${s.id} has status '${s.status}'; skipped (not finished)`),
    origin: display,
  };
}

async function fetchText(url: string): Promise<string | undefined> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    throw new UserError(
      `Cannot fetch ${url}: ${cause?.code ?? (err as Error).message}. Fix: check the URL and that the runner can reach it.`,
    );
  }
  if (res.status === 404) return undefined;
  if (!res.ok)
    throw new UserError(
      `Fetching ${url} failed with HTTP ${res.status}. Fix: check the URL (a pre-signed URL may have expired).`,
    );
  return res.text();
}
