import { UserError } from '../lib/errors.js';

/**
 * A small client for the MLflow tracking server's REST API (`/api/2.0/mlflow/...`): the model
 * registry calls model promotion needs and `runs/get` for a run's metrics. Plain fetch, no SDK.
 */
export interface MlflowOptions {
  /** Tracking server URL, e.g. `https://mlflow.example.com` (MLFLOW_TRACKING_URI). */
  trackingUri: string;
  /** Bearer token (MLFLOW_TRACKING_TOKEN); or basic auth with username + password. */
  token?: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

/** A model version as MLflow's registry returns it (`ModelVersion` in model_registry.proto). */
export interface MlflowModelVersion {
  name: string;
  /** A numeric string: compare numerically. */
  version: string;
  /** Epoch milliseconds (seconds on some compatible servers); int64 may arrive as a string. */
  creation_timestamp?: number | string;
  last_updated_timestamp?: number | string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  run_link?: string;
  status?: 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY' | string;
  status_message?: string;
  tags?: { key: string; value: string }[];
  aliases?: string[];
}

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp?: number;
  step?: number;
}

export interface MlflowRun {
  info: {
    run_id: string;
    status?: string;
    experiment_id?: string;
    run_name?: string;
    start_time?: number;
    end_time?: number;
    artifact_uri?: string;
  };
  data: { metrics: MlflowMetric[]; params: { key: string; value: string }[]; tags: { key: string; value: string }[] };
}

export class MlflowError extends UserError {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = 'MlflowError';
  }
}

export class MlflowClient {
  private readonly base: string;

  constructor(private readonly opts: MlflowOptions) {
    const uri = opts.trackingUri.trim();
    if (!/^https?:\/\//.test(uri)) {
      throw new UserError(
        `MLflow tracking URI '${uri}' is not an http(s) URL. Fix: set mlflow-tracking-uri (or MLFLOW_TRACKING_URI) to the tracking server's URL, e.g. https://mlflow.example.com.`,
      );
    }
    this.base = uri.replace(/\/+$/, '');
  }

  /** One page of a registered model's versions, highest version number first. */
  async searchModelVersions(
    name: string,
    opts: { maxResults?: number; pageToken?: string } = {},
  ): Promise<{ versions: MlflowModelVersion[]; nextPageToken?: string }> {
    const r = await this.get<{ model_versions?: MlflowModelVersion[]; next_page_token?: string }>(
      'model-versions/search',
      {
        filter: `name=${quote(name)}`,
        order_by: 'version_number DESC',
        max_results: String(opts.maxResults ?? 20),
        ...(opts.pageToken ? { page_token: opts.pageToken } : {}),
      },
    );
    // Protobuf JSON omits empty lists and empty strings.
    return { versions: r.model_versions ?? [], nextPageToken: r.next_page_token || undefined };
  }

  /** The version an alias points to (`models:/name@alias`). */
  async versionByAlias(name: string, alias: string): Promise<MlflowModelVersion> {
    const r = await this.get<{ model_version?: MlflowModelVersion }>('registered-models/alias', { name, alias });
    if (!r.model_version) throw new MlflowError(`MLflow returned no model version for ${name}@${alias}.`, 200);
    return r.model_version;
  }

  /** Where a version's artifacts can be downloaded from (`model-versions/get-download-uri`). */
  async downloadUri(name: string, version: string): Promise<string> {
    const r = await this.get<{ artifact_uri?: string }>('model-versions/get-download-uri', { name, version });
    if (!r.artifact_uri) throw new MlflowError(`MLflow returned no download URI for ${name} version ${version}.`, 200);
    return r.artifact_uri;
  }

  async getRun(runId: string): Promise<MlflowRun> {
    const r = await this.get<{ run?: { info?: MlflowRun['info']; data?: Partial<MlflowRun['data']> } }>('runs/get', {
      run_id: runId,
    });
    if (!r.run?.info) throw new MlflowError(`MLflow returned no run for run_id ${runId}.`, 200);
    const data = r.run.data ?? {};
    return {
      info: r.run.info,
      // Protobuf JSON omits empty lists; NaN/Infinity arrive as strings.
      data: {
        metrics: (data.metrics ?? []).map((m) => ({ ...m, value: Number(m.value) })),
        params: data.params ?? [],
        tags: data.tags ?? [],
      },
    };
  }

  /** The latest value of each metric of a run, by key (NaN kept as NaN). */
  async getRunMetrics(runId: string): Promise<Record<string, number>> {
    const run = await this.getRun(runId);
    return Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value]));
  }

  private async get<T>(endpoint: string, query: Record<string, string>): Promise<T> {
    const url = `${this.base}/api/2.0/mlflow/${endpoint}?${new URLSearchParams(query)}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    else if (this.opts.username)
      headers.authorization = `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password ?? ''}`).toString('base64')}`;
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UserError(
        `Cannot reach the MLflow tracking server at ${this.base}: ${cause?.code ?? cause?.message ?? (err as Error).message}. Fix: check mlflow-tracking-uri and that the server is reachable from the runner.`,
      );
    }
    const text = await res.text();
    if (!res.ok) throw errorFrom(res.status, text, endpoint, this.base);
    try {
      return (text ? JSON.parse(text) : {}) as T;
    } catch {
      throw new MlflowError(
        `MLflow ${endpoint} answered with non-JSON (${text.slice(0, 120)}). Fix: check that mlflow-tracking-uri points at the tracking server, not its UI proxy.`,
        res.status,
      );
    }
  }
}

/** A run's metrics, for the quality gate: `getRunMetrics({trackingUri, token}, runId)`. */
export async function getRunMetrics(opts: MlflowOptions, runId: string): Promise<Record<string, number>> {
  return new MlflowClient(opts).getRunMetrics(runId);
}

/** Options from the usual MLflow environment variables, overridden by explicit values. */
export function mlflowOptions(
  explicit: { trackingUri?: string; token?: string },
  env: NodeJS.ProcessEnv,
): MlflowOptions {
  const trackingUri = explicit.trackingUri || env.MLFLOW_TRACKING_URI;
  if (!trackingUri) {
    throw new UserError(
      'No MLflow tracking server given. Fix: set the mlflow-tracking-uri input (or the MLFLOW_TRACKING_URI environment variable).',
    );
  }
  return {
    trackingUri,
    token: explicit.token || env.MLFLOW_TRACKING_TOKEN || undefined,
    username: env.MLFLOW_TRACKING_USERNAME || undefined,
    password: env.MLFLOW_TRACKING_PASSWORD || undefined,
  };
}

function errorFrom(status: number, text: string, endpoint: string, base: string): MlflowError {
  let code: string | undefined;
  let message = text.trim().slice(0, 300);
  try {
    const body = JSON.parse(text) as { error_code?: string; message?: string };
    code = body.error_code;
    message = body.message ?? message;
  } catch {
    // not JSON: keep the text
  }
  const fix =
    status === 401 || status === 403
      ? 'check mlflow-token (MLFLOW_TRACKING_TOKEN) and that it may read the registry.'
      : code === 'RESOURCE_DOES_NOT_EXIST'
        ? 'check the model name, alias or run id (names are case-sensitive).'
        : status === 404
          ? `check that ${base} is an MLflow tracking server (no /api/2.0/mlflow/${endpoint} there).`
          : 'see the MLflow server logs.';
  return new MlflowError(
    `MLflow ${endpoint} failed (HTTP ${status}${code ? ` ${code}` : ''}): ${message || '(empty body)'} Fix: ${fix}`,
    status,
    code,
  );
}

/** A string literal for MLflow's search filter grammar. */
function quote(value: string): string {
  return value.includes("'") ? `"${value}"` : `'${value}'`;
}
