import { isPlainObject, tryParseData } from '../lib/yaml.js';
import type {
  ApiVersion,
  Experiment,
  ExperimentInput,
  Healthz,
  ListScope,
  Predicate,
  RecurringRun,
  RecurringRunInput,
  Run,
  RunInput,
  RunState,
} from './types.js';

/**
 * What one API version must say about each call: the HTTP request to send and how to read the
 * answer. Implemented once per version (wire-v1.ts, wire-v2.ts) as pure functions, so the
 * client's logic (paging, retries, verification) is written once and the quirks of each
 * version stay in one place.
 */
export interface WireRequest {
  /** KFP's name for the call (e.g. ListJobs), used in errors and logs. */
  call: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  /** A file sent as multipart/form-data instead of a JSON body (KFP's pipeline upload endpoints). */
  upload?: { field: string; filename: string; content: string };
  /** Safe to repeat: retried on 429/502/503/504/resets. Creates are not. */
  idempotent: boolean;
}

export interface PageQuery {
  pageToken?: string;
  pageSize: number;
  sortBy?: string;
  filter?: Predicate[];
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export interface Wire {
  version: ApiVersion;
  healthz(): WireRequest;
  parseHealthz(body: any): Healthz;
  listExperiments(namespace: string | undefined, page: PageQuery): WireRequest;
  parseExperimentPage(body: any): Page<Experiment>;
  getExperiment(id: string): WireRequest;
  parseExperiment(body: any): Experiment;
  createExperiment(input: ExperimentInput): WireRequest;
  archiveExperiment(id: string): WireRequest;
  unarchiveExperiment(id: string): WireRequest;
  listRecurringRuns(scope: ListScope, page: PageQuery): WireRequest;
  parseRecurringRunPage(body: any): Page<RecurringRun>;
  getRecurringRun(id: string): WireRequest;
  parseRecurringRun(body: any): RecurringRun;
  createRecurringRun(input: RecurringRunInput): WireRequest;
  enableRecurringRun(id: string): WireRequest;
  disableRecurringRun(id: string): WireRequest;
  deleteRecurringRun(id: string, orphanRuns: boolean): WireRequest;
  /** The API has a delete option keeping in-flight runs (the server must also be recent enough). */
  hasOrphanDelete: boolean;
  listRuns(scope: ListScope, page: PageQuery): WireRequest;
  /** The server-side filter for runs in these states; [] where KFP cannot filter them reliably. */
  runStateFilter(states: readonly RunState[]): Predicate[];
  parseRunPage(body: any): Page<Run>;
  createRun(input: RunInput): WireRequest;
  getRun(id: string): WireRequest;
  parseRun(body: any): Run;
  terminateRun(id: string): WireRequest;
}

// ---- helpers shared by both versions: the JSON conventions of grpc-gateway/protojson ----

/** int64 fields arrive as strings; absent means 0. */
export function int64(v: unknown): number {
  if (v === undefined || v === null || v === '') return 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/** healthz is the same in both versions (KFP writes it outside the gateway); `unknown` is KFP's unset tag. */
export function healthzFromWire(b: any): Healthz {
  const tag = str(b?.tag_name).trim();
  return defined({ multiUser: b?.multi_user === true, version: tag && tag !== 'unknown' ? tag : undefined });
}

/** RFC 3339 → Date; absent, unparsable or the epoch (an unset Timestamp) → undefined. */
export function time(v: unknown): Date | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) || d.getTime() === 0 ? undefined : d;
}

/** RFC 3339 as KFP stores it: whole seconds, UTC. */
export function rfc3339(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Drop undefined entries so requests carry only what is set. A plain loop: it runs for every listed object. */
export function defined<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (o[k] !== undefined) out[k] = o[k];
  return out as T;
}

/**
 * The `filter` query value. KFP URL-decodes it a second time after the gateway did (parseAPIFilter calls
 * url.QueryUnescape; #9448): unencoded, a `+` would become a space and a lone `%` a 400. Encoded once
 * here (and once more by the transport), the JSON reaches KFP's parser as sent.
 */
export function filterParam(predicates: Record<string, unknown>[]): string {
  return encodeURIComponent(JSON.stringify({ predicates }));
}

/** A filter predicate on the wire; `opKey` is `op` (v1) or `operation` (v2). */
export function wirePredicate(p: Predicate, opKey: 'op' | 'operation', key: string): Record<string, unknown> {
  const out: Record<string, unknown> = { [opKey]: p.op, key };
  const v = p.value;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'number')) out.long_values = { values: (v as number[]).map(String) };
    else out.string_values = { values: v.map(String) };
  } else if (v instanceof Date) out.timestamp_value = rfc3339(v);
  else if (typeof v === 'number') out.long_value = String(v);
  else out.string_value = v;
  return out;
}

/** A pipeline as KFP holds it: the spec (Argo workflow or IR) and, for IR, the platform spec document. */
export interface PipelineDocs {
  pipeline?: Record<string, unknown>;
  platformSpec?: Record<string, unknown>;
}

/** The platform spec document of a v2 pipeline file (`platforms: kubernetes: …`). */
export const isPlatformSpec = (d: unknown): boolean => isPlainObject(d) && isPlainObject(d.platforms);

/**
 * A v1 manifest string: JSON as the SDK sends it, or YAML documents as KFP stores an IR with its platform
 * spec (pipeline spec, `---`, platform spec: template/v2_template.go NewV2SpecTemplate). {} when unreadable.
 */
export function parseManifest(text: unknown): PipelineDocs {
  if (typeof text !== 'string' || text === '') return {};
  let docs: unknown[] | undefined;
  try {
    docs = [JSON.parse(text)];
  } catch {
    docs = tryParseData(text);
  }
  const objects = (docs ?? []).filter(isPlainObject);
  const platformSpec = objects.find(isPlatformSpec);
  return defined({ pipeline: objects.find((d) => d !== platformSpec), platformSpec });
}

/** The v1 `pipeline_manifest` of an IR: its platform spec as a second document, as KFP reads it. */
export function manifestToWire(pipeline: Record<string, unknown>, platformSpec?: Record<string, unknown>): string {
  return JSON.stringify(pipeline) + (platformSpec ? `\n---\n${JSON.stringify(platformSpec)}` : '');
}

export function windowToWire(w: { start?: Date; end?: Date }): { start_time?: string; end_time?: string } {
  return defined({ start_time: w.start ? rfc3339(w.start) : undefined, end_time: w.end ? rfc3339(w.end) : undefined });
}

/** The trigger message is identical in both versions. */
export function triggerToWire(t: RecurringRunInput['trigger']): Record<string, unknown> {
  if ('cron' in t) return { cron_schedule: { cron: t.cron.expression, ...windowToWire(t.cron) } };
  return { periodic_schedule: { interval_second: String(t.periodic.intervalSeconds), ...windowToWire(t.periodic) } };
}

export function triggerFromWire(t: any): RecurringRun['trigger'] {
  if (t?.cron_schedule) {
    const c = t.cron_schedule;
    return { cron: defined({ expression: str(c.cron), start: time(c.start_time), end: time(c.end_time) }) };
  }
  if (t?.periodic_schedule) {
    const p = t.periodic_schedule;
    return {
      periodic: defined({
        intervalSeconds: int64(p.interval_second),
        start: time(p.start_time),
        end: time(p.end_time),
      }),
    };
  }
  return undefined;
}
