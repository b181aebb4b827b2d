import type { Diagnostic } from '../lib/errors.js';
import { isPlainObject } from '../lib/yaml.js';
import { type DataPath, humanPath } from './data-path.js';
import type { ConfigFileName } from './folders.js';
import type { ConfigDoc } from './located.js';
import { MAX_EXPERIMENT_NAME_BYTES } from '../kfp/limits.js';

/**
 * Names over 128 bytes of UTF-8: KFP refuses experiment names (validation/length.go); job names get the
 * same bound so that one name rule covers both.
 */
const KFP_NAME_BYTES = MAX_EXPERIMENT_NAME_BYTES;
/** A version is named `GIT::<job.name>__<YYYY-MM-DDTHH-MM-SSZ>` (reconcile/identity.ts): 27 bytes around the name. */
export const VERSION_NAME_OVERHEAD = 'GIT::'.length + '__'.length + '2026-01-01T00-00-00Z'.length;

// Bidirectional embeddings, overrides and isolates: they make a name display differently from what it is.
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** What is wrong with a name KFP will store and people will read, if anything. */
function nameProblem(name: string, maxBytes: number): { message: string; fix: string } | undefined {
  const bidi = BIDI.exec(name);
  if (bidi)
    return {
      message: `contains the invisible bidirectional control U+${hex(bidi[0])}, which makes it display differently from what it is`,
      fix: 'remove it (retype the name).',
    };
  const control = CONTROL.exec(name);
  if (control)
    return {
      message: `contains the control character U+${hex(control[0])}`,
      fix: 'remove it (names are one line of printable text).',
    };
  if (name.includes('\uFFFD'))
    return {
      message: 'contains U+FFFD, the mark of bytes that were not valid UTF-8',
      fix: 'save the file as UTF-8 and retype the name.',
    };
  const bytes = Buffer.byteLength(name);
  if (bytes > maxBytes)
    return {
      message: `is ${bytes} bytes long, over the ${maxBytes} bytes KFP can take here`,
      fix: `shorten it to at most ${maxBytes} bytes (UTF-8).`,
    };
  return undefined;
}

function hex(ch: string): string {
  return ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
}

/** The names of a config file, with the byte limit each has. */
function namesOf(file: ConfigFileName, data: unknown): { path: DataPath; value: unknown; maxBytes: number }[] {
  const list = isPlainObject(data) ? data[file] : undefined;
  if (!Array.isArray(list)) return [];
  if (file === 'experiments')
    return list.map((e, i) => ({
      path: ['experiments', i, 'name'],
      value: (e as { name?: unknown } | null)?.name,
      maxBytes: KFP_NAME_BYTES,
    }));
  return list.flatMap((r, i) => {
    const run = r as { job?: { name?: unknown; experiment?: unknown }; pipeline_parameters?: unknown } | null;
    const params = Array.isArray(run?.pipeline_parameters) ? run.pipeline_parameters : [];
    return [
      {
        path: ['recurring_runs', i, 'job', 'name'],
        value: run?.job?.name,
        maxBytes: KFP_NAME_BYTES - VERSION_NAME_OVERHEAD,
      },
      { path: ['recurring_runs', i, 'job', 'experiment'], value: run?.job?.experiment, maxBytes: KFP_NAME_BYTES },
      ...params.map((p, k) => ({
        path: ['recurring_runs', i, 'pipeline_parameters', k, 'name'],
        value: (p as { name?: unknown } | null)?.name,
        maxBytes: Infinity,
      })),
    ];
  });
}

/**
 * Text and numbers the schema accepts but KFP cannot take as written: a NUL byte in any string, names
 * with controls, bidi overrides, invalid UTF-8 or over KFP's length limit, and `interval_seconds` beyond
 * what a JSON number carries exactly (2^53; KFP's field is an int64). Each problem is located and its
 * path returned as failed, so the entry is left out like one that fails the schema.
 */
export function checkText(
  file: ConfigFileName,
  doc: ConfigDoc,
  schemaFailed: readonly DataPath[] = [],
): { diagnostics: Diagnostic[]; failedPaths: DataPath[] } {
  const { data } = doc;
  const diagnostics: Diagnostic[] = [];
  const failedPaths: DataPath[] = [];
  const reported = new Set(schemaFailed.map((p) => p.join('\0')));
  const fail = (path: DataPath, message: string, fix: string) => {
    if (reported.has(path.join('\0'))) return; // the schema already said what is wrong here
    diagnostics.push({ message: `${humanPath(path, doc.file)} ${message}.`, location: doc.at(path), fix });
    failedPaths.push(path);
  };
  const walk = (value: unknown, path: DataPath) => {
    if (typeof value === 'string' && value.includes('\0'))
      fail(path, 'contains a NUL byte, which KFP cannot store', 'remove the NUL character.');
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(data, []);
  for (const n of namesOf(file, data)) {
    if (typeof n.value !== 'string' || n.value.includes('\0')) continue;
    const problem = nameProblem(n.value, n.maxBytes);
    if (problem) fail(n.path, problem.message, problem.fix);
  }
  if (file === 'recurring_runs') {
    const runs = isPlainObject(data) && Array.isArray(data.recurring_runs) ? data.recurring_runs : [];
    runs.forEach((r, i) => {
      const seconds = (r as { job?: { trigger?: { interval_seconds?: unknown } } } | null)?.job?.trigger
        ?.interval_seconds;
      if (typeof seconds === 'number' && seconds >= 1 && !Number.isSafeInteger(seconds)) {
        fail(
          ['recurring_runs', i, 'job', 'trigger', 'interval_seconds'],
          `is ${seconds}, too large to be sent exactly (KFP takes whole seconds up to 2^53 here)`,
          'use a smaller interval (a year is 31536000 seconds), or a cron schedule.',
        );
      }
    });
  }
  return { diagnostics, failedPaths };
}
