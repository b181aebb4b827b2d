import { UserError } from '../lib/errors.js';
import { normalizeTime } from '../lib/clock.js';

/**
 * A trained model as every source reports it: an immutable identity (id + artifact URI) and a
 * creation time. Sources differ in how they list models; everything after them works on this.
 */
export interface Model {
  /** Immutable id: an MLflow `name/version`, a pointer file's `id`… Never an alias. */
  id: string;
  /** Immutable artifact URI (what serving manifests pin, e.g. KServe storageUri). */
  uri: string;
  /** Creation time; undefined only for a model given by hand (`model` input). */
  created?: Date;
  /** Registry version, when the source has one (MLflow versions are numeric strings). */
  version?: string;
  /** Run that produced the model, when known (the quality gate reads its metrics). */
  runId?: string;
}

/** The model as a one-line JSON object (the `newest-model` / `latest-model` outputs). */
export function modelJson(m: Model | undefined): string {
  if (!m) return '';
  return JSON.stringify({
    id: m.id,
    uri: m.uri,
    created: m.created?.toISOString(),
    ...(m.version !== undefined ? { version: m.version } : {}),
    ...(m.runId !== undefined ? { runId: m.runId } : {}),
  });
}

/** Newest first: by creation time, then by numeric version (MLflow's "10" is newer than "9"). */
export function compareNewestFirst(a: Model, b: Model): number {
  const ta = a.created?.getTime() ?? -Infinity;
  const tb = b.created?.getTime() ?? -Infinity;
  if (ta !== tb) return tb - ta;
  return compareVersionsDesc(a.version, b.version);
}

/** Numeric version order, highest first; non-numeric or missing versions last. */
export function compareVersionsDesc(a: string | undefined, b: string | undefined): number {
  const na = a !== undefined && /^\d+$/.test(a) ? BigInt(a) : undefined;
  const nb = b !== undefined && /^\d+$/.test(b) ? BigInt(b) : undefined;
  if (na !== undefined && nb !== undefined) return na === nb ? 0 : na > nb ? -1 : 1;
  if (na !== undefined) return -1;
  if (nb !== undefined) return 1;
  return 0;
}

/** Does the pinned value name this model? Compares by immutable identity (URI or id), never by alias. */
export function pinsModel(pinned: string, m: Model): boolean {
  return pinned === m.uri || pinned === m.id;
}

/**
 * The `model` input: the JSON model-freshness outputs (`{id, uri, created}`), or a bare URI/id,
 * which then serves as both.
 */
export function modelFromInput(text: string): Model {
  const value = text.trim();
  if (value.startsWith('{')) {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(value) as Record<string, unknown>;
    } catch (err) {
      throw new UserError(
        `Input 'model' looks like JSON but does not parse: ${(err as Error).message}. Fix: pass {"id": …, "uri": …} or a plain URI.`,
      );
    }
    const id = typeof data.id === 'string' && data.id ? data.id : undefined;
    const uri = typeof data.uri === 'string' && data.uri ? data.uri : undefined;
    if (!id && !uri)
      throw new UserError(`Input 'model' has neither "id" nor "uri". Fix: pass {"id": …, "uri": …} or a plain URI.`);
    const created = normalizeTime(data.created);
    return {
      id: (id ?? uri)!,
      uri: (uri ?? id)!,
      ...(created ? { created } : {}),
      ...(typeof data.version === 'string' ? { version: data.version } : {}),
      ...(typeof data.runId === 'string' ? { runId: data.runId } : {}),
    };
  }
  return { id: value, uri: value };
}
