import { RpcError } from './rpc.js';

/**
 * Request bodies decoded as KFP decodes them (protojson, DiscardUnknown=false): proto or
 * lowerCamel field names, unknown fields and wrong types rejected with 400, null = unset,
 * int64 from strings or numbers, enums by name or number, one member per oneof. The field
 * tables mirror the official swagger definitions of the same names (a contract test checks it).
 */
export type FieldType =
  | 'string'
  | 'bool'
  | 'int32'
  | 'int64'
  | 'double'
  | 'timestamp'
  /** google.protobuf.Struct: any JSON object. */
  | 'struct'
  /** google.protobuf.Value or an output-only message the server ignores on input. */
  | 'any'
  | { enum: readonly string[] }
  | { msg: string }
  | { list: FieldType }
  | { map: FieldType };

export interface MessageDef {
  fields: Record<string, FieldType>;
  oneofs?: string[][];
}

export type Messages = Record<string, MessageDef>;

const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function bad(message: string): RpcError {
  return new RpcError(3, `proto: ${message}`);
}

export function decodeMessage(messages: Messages, type: string, value: unknown, path = ''): Record<string, unknown> {
  const def = messages[type];
  if (!def) throw new Error(`internal: no message ${type}`);
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw bad(`syntax error (${path || 'body'}): expected an object for ${type}`);
  const out: Record<string, unknown> = {};
  const byName = new Map<string, string>();
  for (const f of Object.keys(def.fields)) {
    byName.set(f, f);
    byName.set(camel(f), f);
  }
  for (const [key, v] of Object.entries(value)) {
    const field = byName.get(key);
    if (!field) throw bad(`unknown field "${key}"${path ? ` in ${path}` : ''}`);
    if (field in out) throw bad(`duplicate field "${key}"${path ? ` in ${path}` : ''}`);
    if (v === null) continue;
    out[field] = decodeValue(messages, def.fields[field]!, v, path ? `${path}.${field}` : field);
  }
  for (const group of def.oneofs ?? []) {
    const set = group.filter((f) => f in out);
    if (set.length > 1) throw bad(`error parsing "${set[1]}", oneof ${type} is already set (${set[0]})`);
  }
  return out;
}

function decodeValue(messages: Messages, t: FieldType, v: unknown, path: string): unknown {
  const wrong = (want: string) => bad(`invalid value for ${want} field ${path}: ${JSON.stringify(v)?.slice(0, 60)}`);
  if (typeof t === 'string') {
    switch (t) {
      case 'string':
        if (typeof v !== 'string') throw wrong('string');
        return v;
      case 'bool':
        if (typeof v !== 'boolean') throw wrong('bool');
        return v;
      case 'int32':
      case 'int64': {
        const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
        if (!Number.isInteger(n)) throw wrong(t);
        return n;
      }
      case 'double': {
        const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
        if (Number.isNaN(n)) throw wrong('double');
        return n;
      }
      case 'timestamp': {
        if (typeof v !== 'string' || !RFC3339.test(v) || Number.isNaN(Date.parse(v)))
          throw wrong('google.protobuf.Timestamp');
        return new Date(v);
      }
      case 'struct':
        if (typeof v !== 'object' || Array.isArray(v)) throw wrong('google.protobuf.Struct');
        return v;
      case 'any':
        return v;
    }
  }
  if ('enum' in t) {
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < t.enum.length) return t.enum[v];
    if (typeof v === 'string' && t.enum.includes(v)) return v;
    throw wrong('enum');
  }
  if ('msg' in t) return decodeMessage(messages, t.msg, v, path);
  if ('list' in t) {
    if (!Array.isArray(v)) throw wrong('repeated');
    return v.map((x, i) => decodeValue(messages, t.list, x, `${path}[${i}]`));
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw wrong('map');
  return Object.fromEntries(
    Object.entries(v as object).map(([k, x]) => [k, decodeValue(messages, t.map, x, `${path}.${k}`)]),
  );
}

const S = 'string' as const;
const T = 'timestamp' as const;
const I64 = 'int64' as const;
const B = 'bool' as const;

const REF_TYPES = ['UNKNOWN_RESOURCE_TYPE', 'EXPERIMENT', 'JOB', 'PIPELINE', 'PIPELINE_VERSION', 'NAMESPACE'] as const;

export const V1_MESSAGES: Messages = {
  apiExperiment: {
    fields: {
      id: S,
      name: S,
      description: S,
      created_at: T,
      resource_references: { list: { msg: 'apiResourceReference' } },
      storage_state: { enum: ['STORAGESTATE_UNSPECIFIED', 'STORAGESTATE_AVAILABLE', 'STORAGESTATE_ARCHIVED'] },
    },
  },
  apiResourceReference: {
    fields: {
      key: { msg: 'apiResourceKey' },
      name: S,
      relationship: { enum: ['UNKNOWN_RELATIONSHIP', 'OWNER', 'CREATOR'] },
    },
  },
  apiResourceKey: { fields: { type: { enum: REF_TYPES }, id: S } },
  apiJob: {
    fields: {
      id: S,
      name: S,
      description: S,
      pipeline_spec: { msg: 'apiPipelineSpec' },
      resource_references: { list: { msg: 'apiResourceReference' } },
      service_account: S,
      max_concurrency: I64,
      trigger: { msg: 'apiTrigger' },
      mode: { enum: ['UNKNOWN_MODE', 'ENABLED', 'DISABLED'] },
      created_at: T,
      updated_at: T,
      status: S,
      error: S,
      enabled: B,
      no_catchup: B,
    },
  },
  apiPipelineSpec: {
    fields: {
      pipeline_id: S,
      pipeline_name: S,
      workflow_manifest: S,
      pipeline_manifest: S,
      parameters: { list: { msg: 'apiParameter' } },
      runtime_config: { msg: 'PipelineSpecRuntimeConfig' },
    },
  },
  apiParameter: { fields: { name: S, value: S } },
  PipelineSpecRuntimeConfig: { fields: { parameters: { map: 'any' }, pipeline_root: S } },
  apiTrigger: {
    fields: { cron_schedule: { msg: 'apiCronSchedule' }, periodic_schedule: { msg: 'apiPeriodicSchedule' } },
    oneofs: [['cron_schedule', 'periodic_schedule']],
  },
  apiCronSchedule: { fields: { start_time: T, end_time: T, cron: S } },
  apiPeriodicSchedule: { fields: { start_time: T, end_time: T, interval_second: I64 } },
  apiRun: {
    fields: {
      id: S,
      name: S,
      storage_state: { enum: ['STORAGESTATE_AVAILABLE', 'STORAGESTATE_ARCHIVED'] },
      description: S,
      pipeline_spec: { msg: 'apiPipelineSpec' },
      resource_references: { list: { msg: 'apiResourceReference' } },
      service_account: S,
      created_at: T,
      scheduled_at: T,
      finished_at: T,
      status: S,
      error: S,
      metrics: { list: 'any' },
    },
  },
};

const TRIGGER_V2: Messages = {
  v2beta1Trigger: {
    fields: { cron_schedule: { msg: 'v2beta1CronSchedule' }, periodic_schedule: { msg: 'v2beta1PeriodicSchedule' } },
    oneofs: [['cron_schedule', 'periodic_schedule']],
  },
  v2beta1CronSchedule: { fields: { start_time: T, end_time: T, cron: S } },
  v2beta1PeriodicSchedule: { fields: { start_time: T, end_time: T, interval_second: I64 } },
};

export const V2_MESSAGES: Messages = {
  ...TRIGGER_V2,
  v2beta1Experiment: {
    fields: {
      experiment_id: S,
      display_name: S,
      description: S,
      created_at: T,
      namespace: S,
      storage_state: { enum: ['STORAGE_STATE_UNSPECIFIED', 'AVAILABLE', 'ARCHIVED'] },
      last_run_created_at: T,
    },
  },
  v2beta1RecurringRun: {
    fields: {
      recurring_run_id: S,
      display_name: S,
      description: S,
      pipeline_version_id: S,
      pipeline_spec: 'struct',
      pipeline_version_reference: { msg: 'v2beta1PipelineVersionReference' },
      runtime_config: { msg: 'v2beta1RuntimeConfig' },
      service_account: S,
      max_concurrency: I64,
      trigger: { msg: 'v2beta1Trigger' },
      mode: { enum: ['MODE_UNSPECIFIED', 'ENABLE', 'DISABLE'] },
      created_at: T,
      updated_at: T,
      status: { enum: ['STATUS_UNSPECIFIED', 'ENABLED', 'DISABLED'] },
      error: 'any',
      no_catchup: B,
      namespace: S,
      experiment_id: S,
      plugins_input: { map: 'struct' },
    },
    oneofs: [['pipeline_version_id', 'pipeline_spec', 'pipeline_version_reference']],
  },
  v2beta1PipelineVersionReference: { fields: { pipeline_id: S, pipeline_version_id: S } },
  v2beta1Pipeline: {
    fields: {
      pipeline_id: S,
      display_name: S,
      name: S,
      description: S,
      created_at: T,
      namespace: S,
      error: 'any',
      tags: { map: S },
    },
  },
  v2beta1PipelineVersion: {
    fields: {
      pipeline_id: S,
      pipeline_version_id: S,
      display_name: S,
      name: S,
      description: S,
      created_at: T,
      package_url: { msg: 'v2beta1Url' },
      code_source_url: S,
      pipeline_spec: 'struct',
      error: 'any',
      tags: { map: S },
    },
  },
  v2beta1Url: { fields: { pipeline_url: S } },
  v2beta1CreatePipelineAndVersionRequest: {
    fields: { pipeline: { msg: 'v2beta1Pipeline' }, pipeline_version: { msg: 'v2beta1PipelineVersion' } },
  },
  v2beta1RuntimeConfig: { fields: { parameters: { map: 'any' }, pipeline_root: S } },
  v2beta1Run: {
    fields: {
      experiment_id: S,
      run_id: S,
      display_name: S,
      storage_state: { enum: ['STORAGE_STATE_UNSPECIFIED', 'AVAILABLE', 'ARCHIVED'] },
      description: S,
      pipeline_version_id: S,
      pipeline_spec: 'struct',
      pipeline_version_reference: { msg: 'v2beta1PipelineVersionReference' },
      runtime_config: { msg: 'v2beta1RuntimeConfig' },
      service_account: S,
      created_at: T,
      scheduled_at: T,
      finished_at: T,
      state: {
        enum: [
          'RUNTIME_STATE_UNSPECIFIED',
          'PENDING',
          'RUNNING',
          'SUCCEEDED',
          'SKIPPED',
          'FAILED',
          'CANCELING',
          'CANCELED',
          'PAUSED',
        ],
      },
      error: 'any',
      run_details: 'any',
      recurring_run_id: S,
      state_history: { list: 'any' },
      plugins_input: { map: 'struct' },
      plugins_output: { map: 'any' },
    },
    oneofs: [['pipeline_version_id', 'pipeline_spec', 'pipeline_version_reference']],
  },
};
