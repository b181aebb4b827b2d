import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An MLflow tracking server double over loopback HTTP, answering the REST endpoints kfp-gitops calls
 * as MLflow documents them (mlflow/protos/model_registry.proto, service.proto):
 *   GET /api/2.0/mlflow/model-versions/search            filter, max_results, order_by, page_token
 *   GET /api/2.0/mlflow/model-versions/get-download-uri   name, version
 *   GET /api/2.0/mlflow/registered-models/alias           name, alias
 *   GET /api/2.0/mlflow/runs/get                          run_id
 * Responses use protobuf JSON as MLflow emits it: empty lists and strings omitted, int64 timestamps
 * as numbers, version as a string, NaN metrics as "NaN". Errors are {error_code, message} with
 * MLflow's HTTP status. Anything else a client sends is recorded in `violations`.
 */
export interface DoubleVersion {
  version: number;
  /** Epoch milliseconds (or seconds, to act like GitLab's MLflow-compatible API). */
  created: number;
  status?: 'READY' | 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION';
  source?: string;
  runId?: string;
  /** Where get-download-uri points (MLflow 3 logged models have a models:/ source). */
  downloadUri?: string;
  tags?: Record<string, string>;
}

export interface DoubleRun {
  metrics: Record<string, number>;
  params?: Record<string, string>;
  experimentId?: string;
  status?: 'RUNNING' | 'FINISHED' | 'FAILED' | 'SCHEDULED' | 'KILLED';
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
}

interface ModelState {
  created: number;
  versions: Map<number, DoubleVersion>;
  aliases: Map<string, number>;
}

const BASE = '/api/2.0/mlflow/';
const ALLOWED: Record<string, string[]> = {
  'model-versions/search': ['filter', 'max_results', 'order_by', 'page_token'],
  'model-versions/get-download-uri': ['name', 'version'],
  'registered-models/alias': ['name', 'alias'],
  'runs/get': ['run_id', 'run_uuid'],
};
const MAX_RESULTS_THRESHOLD = 200_000;

class MlflowFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class MlflowDouble {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private readonly models = new Map<string, ModelState>();
  private readonly runs = new Map<string, DoubleRun>();
  private server?: http.Server;
  url = '';

  /**
   * @param token a token every request must carry as `Authorization: Bearer …` (unset: no auth)
   * @param echoAuthorization answer a refused request with the Authorization header it got quoted in
   *   the error text, as some proxies and misconfigured servers do (to prove nothing passes it on)
   */
  constructor(
    private readonly token?: string,
    private readonly echoAuthorization = false,
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  addVersion(name: string, v: DoubleVersion): this {
    let m = this.models.get(name);
    if (!m) {
      m = { created: v.created, versions: new Map(), aliases: new Map() };
      this.models.set(name, m);
    }
    m.versions.set(v.version, { status: 'READY', ...v });
    return this;
  }

  setStatus(name: string, version: number, status: DoubleVersion['status']): this {
    this.models.get(name)!.versions.get(version)!.status = status;
    return this;
  }

  setAlias(name: string, alias: string, version: number): this {
    this.models.get(name)!.aliases.set(alias, version);
    return this;
  }

  addRun(runId: string, run: DoubleRun): this {
    this.runs.set(runId, run);
    return this;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://double');
    const query = Object.fromEntries(url.searchParams);
    this.requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query,
      authorization: req.headers.authorization,
    });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      if (this.token && req.headers.authorization !== `Bearer ${this.token}`) {
        // MLflow's basic-auth app answers 401 with a plain message; a token proxy does the same.
        res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="mlflow"' });
        if (this.echoAuthorization)
          return void res.end(`Unauthorized: rejected credentials 'Authorization: ${req.headers.authorization ?? ''}'`);
        res.end(
          'You are not authenticated. Please see https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on how to authenticate.',
        );
        return;
      }
      if (!url.pathname.startsWith(BASE))
        throw this.violation(404, 'ENDPOINT_NOT_FOUND', `No such endpoint ${url.pathname}`);
      const endpoint = url.pathname.slice(BASE.length);
      const allowed = ALLOWED[endpoint];
      if (!allowed) throw this.violation(404, 'ENDPOINT_NOT_FOUND', `No such endpoint ${url.pathname}`);
      if (req.method !== 'GET')
        throw this.violation(405, 'BAD_REQUEST', `Method ${req.method} not allowed for ${endpoint} here`);
      for (const k of url.searchParams.keys())
        if (!allowed.includes(k)) this.violations.push(`${endpoint}: undocumented query parameter '${k}'`);
      send(200, this.route(endpoint, url.searchParams));
    } catch (err) {
      if (err instanceof MlflowFailure) send(err.status, { error_code: err.code, message: err.message });
      else send(500, { error_code: 'INTERNAL_ERROR', message: String(err) });
    }
  }

  private violation(status: number, code: string, message: string): MlflowFailure {
    this.violations.push(message);
    return new MlflowFailure(status, code, message);
  }

  private route(endpoint: string, q: URLSearchParams): unknown {
    switch (endpoint) {
      case 'model-versions/search':
        return this.search(q);
      case 'model-versions/get-download-uri': {
        const [name, v] = this.version(q.get('name'), q.get('version'));
        return { artifact_uri: v.downloadUri ?? v.source ?? `mlflow-artifacts:/${name}/${v.version}` };
      }
      case 'registered-models/alias': {
        const name = this.required(q, 'name');
        const alias = this.required(q, 'alias');
        const m = this.model(name);
        const version = m.aliases.get(alias);
        if (version === undefined)
          throw new MlflowFailure(404, 'RESOURCE_DOES_NOT_EXIST', `Registered model alias ${alias} not found.`);
        return { model_version: this.versionJson(name, m, m.versions.get(version)!) };
      }
      case 'runs/get': {
        const id = q.get('run_id') ?? q.get('run_uuid') ?? '';
        if (!id) throw this.violation(400, 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'run_id'.");
        const run = this.runs.get(id);
        if (!run) throw new MlflowFailure(404, 'RESOURCE_DOES_NOT_EXIST', `Run with id=${id} not found`);
        return { run: this.runJson(id, run) };
      }
    }
    throw new Error(`unrouted ${endpoint}`);
  }

  private search(q: URLSearchParams): unknown {
    const filter = q.get('filter') ?? '';
    const maxResults = Number(q.get('max_results') ?? MAX_RESULTS_THRESHOLD);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS_THRESHOLD) {
      throw this.violation(
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid value for max_results. It must be at most ${MAX_RESULTS_THRESHOLD}, but got value ${q.get('max_results')}`,
      );
    }
    // The filter grammar MLflow accepts for this lookup: name='x' or name="x".
    const m = /^\s*name\s*=\s*(?:'([^']*)'|"([^"]*)")\s*$/.exec(filter);
    if (filter && !m)
      throw this.violation(
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid filter '${filter}' (the double supports name='…' only)`,
      );
    const name = m ? (m[1] ?? m[2]!) : undefined;
    const all = [...this.models.entries()]
      .filter(([n]) => name === undefined || n === name)
      .flatMap(([n, s]) => [...s.versions.values()].map((v) => ({ n, s, v })));
    const orderBy = q.getAll('order_by');
    for (const o of orderBy) {
      if (!/^(name|version_number|creation_timestamp|last_updated_timestamp)(\s+(ASC|DESC))?$/i.test(o.trim()))
        throw this.violation(400, 'INVALID_PARAMETER_VALUE', `Invalid order_by clause '${o}'.`);
    }
    const desc = orderBy.some((o) => /^version_number\s+DESC$/i.test(o.trim()));
    // MLflow's default tie-breakers: name ASC, version DESC; version_number sorts numerically.
    all.sort((a, b) =>
      a.n === b.n
        ? desc || orderBy.length === 0
          ? b.v.version - a.v.version
          : a.v.version - b.v.version
        : a.n.localeCompare(b.n),
    );
    const offset = q.get('page_token')
      ? (JSON.parse(Buffer.from(q.get('page_token')!, 'base64').toString()) as { offset: number }).offset
      : 0;
    const page = all.slice(offset, offset + maxResults);
    const out: Record<string, unknown> = {};
    if (page.length) out.model_versions = page.map(({ n, s, v }) => this.versionJson(n, s, v));
    if (offset + maxResults < all.length)
      out.next_page_token = Buffer.from(JSON.stringify({ offset: offset + maxResults })).toString('base64');
    return out;
  }

  private required(q: URLSearchParams, key: string): string {
    const v = q.get(key);
    if (!v) throw this.violation(400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter '${key}'.`);
    return v;
  }

  private model(name: string): ModelState {
    const m = this.models.get(name);
    if (!m) throw new MlflowFailure(404, 'RESOURCE_DOES_NOT_EXIST', `Registered Model with name=${name} not found`);
    return m;
  }

  private version(name: string | null, version: string | null): [string, DoubleVersion] {
    if (!name || !version)
      throw this.violation(400, 'INVALID_PARAMETER_VALUE', 'Missing value for required parameter name or version.');
    const v = this.model(name).versions.get(Number(version));
    if (!v)
      throw new MlflowFailure(
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Model Version (name=${name}, version=${version}) not found`,
      );
    return [name, v];
  }

  private versionJson(name: string, m: ModelState, v: DoubleVersion): Record<string, unknown> {
    const aliases = [...m.aliases.entries()].filter(([, n]) => n === v.version).map(([a]) => a);
    const out: Record<string, unknown> = {
      name,
      version: String(v.version),
      creation_timestamp: v.created,
      last_updated_timestamp: v.created,
      current_stage: 'None',
      source: v.source ?? `mlflow-artifacts:/1/${v.runId ?? 'run'}/artifacts/model`,
      status: v.status,
    };
    if (v.runId) out.run_id = v.runId;
    if (v.tags && Object.keys(v.tags).length) out.tags = Object.entries(v.tags).map(([key, value]) => ({ key, value }));
    if (aliases.length) out.aliases = aliases;
    return out;
  }

  private runJson(id: string, r: DoubleRun): unknown {
    const metricValue = (x: number) =>
      Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : x;
    const data: Record<string, unknown> = {};
    const metrics = Object.entries(r.metrics).map(([key, value]) => ({
      key,
      value: metricValue(value),
      timestamp: 1767225600000,
      step: 0,
    }));
    if (metrics.length) data.metrics = metrics;
    const params = Object.entries(r.params ?? {}).map(([key, value]) => ({ key, value }));
    if (params.length) data.params = params;
    return {
      info: {
        run_id: id,
        run_uuid: id,
        experiment_id: r.experimentId ?? '1',
        run_name: `run-${id.slice(0, 6)}`,
        status: r.status ?? 'FINISHED',
        start_time: 1767225600000,
        end_time: 1767229200000,
        artifact_uri: `mlflow-artifacts:/1/${id}/artifacts`,
        lifecycle_stage: 'active',
      },
      data,
      inputs: {},
    };
  }
}

export async function startMlflowDouble(
  opts: { token?: string; echoAuthorization?: boolean } = {},
): Promise<MlflowDouble> {
  return new MlflowDouble(opts.token, opts.echoAuthorization).start();
}
