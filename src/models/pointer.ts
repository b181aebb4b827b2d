import { type Diagnostic, UserError } from '../lib/errors.js';
import { type YamlFile, isPlainObject, locate, parseYaml, toData } from '../lib/yaml.js';
import { didYouMean } from '../lib/suggest.js';
import { normalizeTime } from '../lib/clock.js';
import { type Model, compareNewestFirst } from './model.js';

/** Statuses a pointer entry may carry that mean "finished and usable"; other statuses are skipped. */
const DONE = new Set(['ready', 'completed', 'complete', 'succeeded', 'success', 'done']);
const FIELDS = ['id', 'uri', 'created', 'version', 'runId', 'status'];

export interface PointerModels {
  /** Usable models, newest first. */
  models: Model[];
  /** Entries skipped because their `status` says they are not finished. */
  skipped: { id: string; status: string }[];
}

/**
 * Models from a pointer file or a command's output, as a training job writes them:
 * one object `{id, uri, created}`, a list of them, or `{models: [...]}`. JSON is YAML, so both parse
 * here with positions; every problem names the file, line and the fix.
 */
export function parsePointer(text: string, display: string): PointerModels {
  if (!text.trim())
    throw UserError.at(
      'Model list is empty.',
      { file: display },
      'write `{"id": …, "uri": …, "created": …}` or a list of such objects.',
    );
  const yf = parseYaml(text, display);
  if (yf.docs.length !== 1)
    throw UserError.at(
      `Expected one JSON/YAML document, found ${yf.docs.length}.`,
      { file: display },
      'write a single object or list.',
    );
  const data = toData(yf);
  let entries: unknown[];
  let base: (string | number)[] = [];
  if (Array.isArray(data)) entries = data;
  else if (isPlainObject(data) && Array.isArray(data.models)) {
    entries = data.models;
    base = ['models'];
  } else if (isPlainObject(data)) entries = [data];
  else
    throw UserError.at(
      'Expected a model object, a list of models or {models: [...]}.',
      locate(yf, []),
      'write `{"id": …, "uri": …, "created": …}` (created: ISO time or epoch seconds/ms).',
    );

  const diagnostics: Diagnostic[] = [];
  const models: Model[] = [];
  const skipped: PointerModels['skipped'] = [];
  entries.forEach((entry, i) => {
    const at = base.length || Array.isArray(data) ? [...base, i] : [];
    const m = toModel(entry, yf, at, diagnostics);
    if (!m) return;
    if (m.status !== undefined && !DONE.has(m.status.toLowerCase())) skipped.push({ id: m.model.id, status: m.status });
    else models.push(m.model);
  });
  if (diagnostics.length) throw new UserError(`${display}: invalid model list`, diagnostics);
  return { models: models.sort(compareNewestFirst), skipped };
}

function toModel(
  entry: unknown,
  yf: YamlFile,
  at: (string | number)[],
  diagnostics: Diagnostic[],
): { model: Model; status?: string } | undefined {
  const fix =
    'each model needs `id` (string), `uri` (string) and `created` (ISO 8601 time, or epoch seconds or milliseconds).';
  if (!isPlainObject(entry)) {
    diagnostics.push({ message: 'A model entry must be an object.', location: locate(yf, at), fix });
    return undefined;
  }
  const problems: Diagnostic[] = [];
  const str = (key: string, required: boolean): string | undefined => {
    const v = entry[key];
    if (v === undefined || v === null || v === '') {
      if (required) {
        const typo = didYouMean(
          key,
          Object.keys(entry).filter((k) => !FIELDS.includes(k)),
        );
        problems.push({ message: `Model entry has no '${key}'.${typo}`, location: locate(yf, at), fix });
      }
      return undefined;
    }
    if (typeof v !== 'string' && typeof v !== 'number') {
      problems.push({ message: `'${key}' must be a string.`, location: locate(yf, [...at, key]), fix });
      return undefined;
    }
    return String(v);
  };
  const id = str('id', true);
  const uri = str('uri', true);
  const version = str('version', false);
  const runId = str('runId', false) ?? str('run_id', false);
  const status = str('status', false);
  let created: Date | undefined;
  if (entry.created === undefined || entry.created === null) {
    const typo = didYouMean(
      'created',
      Object.keys(entry).filter((k) => !FIELDS.includes(k)),
    );
    problems.push({ message: `Model entry has no 'created'.${typo}`, location: locate(yf, at), fix });
  } else {
    created = normalizeTime(entry.created);
    if (!created)
      problems.push({
        message: `'created' is not a time: ${JSON.stringify(entry.created)}.`,
        location: locate(yf, [...at, 'created']),
        fix: 'use an ISO 8601 time (2026-01-31T12:00:00Z) or epoch seconds/milliseconds.',
      });
  }
  diagnostics.push(...problems);
  if (problems.length || !id || !uri || !created) return undefined;
  return {
    model: {
      id,
      uri,
      created,
      ...(version !== undefined ? { version } : {}),
      ...(runId !== undefined ? { runId } : {}),
    },
    status,
  };
}
