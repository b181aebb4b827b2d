import fs from 'node:fs';
import { stringify } from 'yaml';
import http from 'node:http';
import https from 'node:https';
import { UserError } from '../lib/errors.js';
import { findByName } from './collation.js';
import { dexLogin } from './auth.js';
import { readTokenFile } from './token-file.js';
import { DEFAULT_RETRY, type RetryPolicy, Transport } from './http.js';
import type {
  ApiVersion,
  Experiment,
  KfpClient,
  KfpPipeline,
  KfpPipelineVersion,
  ListOptions,
  ListScope,
  RecurringRun,
  RecurringRunInput,
  Run,
  RunInput,
} from './types.js';
import { pipelineFromWire, pipelinesWire as pw, pipelinesWireV1 as pw1, versionFromWire } from './pipelines-wire.js';
import { type Page, type Wire, defined } from './wire.js';
import { v1 } from './wire-v1.js';
import { v2 } from './wire-v2.js';
import { ORPHAN_DELETE_SINCE, parseKfpVersion, versionAtLeast } from './version.js';

/** How to reach and authenticate to KFP. Build it from action inputs with kfpOptionsFromInputs. */
export interface KfpClientOptions {
  /** KFP API prefix, e.g. https://host/pipeline (the part before /apis/…). */
  host: string;
  apiVersion: ApiVersion;
  /** The namespace actions work in (multi-user installs). */
  namespace?: string;
  /** Bearer token (e.g. a Kubernetes service-account token with audience pipelines.kubeflow.org). */
  token?: string;
  /** A file holding the bearer token, read for every request (a rotated projected service-account token). */
  tokenFile?: string;
  /** A raw Cookie header (e.g. an existing Dex session). */
  cookie?: string;
  /** Dex username/password: logs in through the Kubeflow gateway and keeps the session cookies. */
  username?: string;
  password?: string;
  dexConnector?: 'local' | 'ldap';
  /** Dex's URL when it is not served from kfp-host's origin (the password may be posted there too). */
  dexUrl?: string;
  /** A user-id header for installs behind a proxy that trusts it, e.g. kubeflow-userid. */
  userHeader?: { name: string; value: string };
  caFile?: string;
  skipTlsVerify?: boolean;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Requests in flight at once for this client, however many namespaces and schedules it serves (default 16). */
  maxParallelRequests?: number;
}

/** What the client needs from its host: masking, debug logs and warnings (a Host fits). */
export interface KfpClientHost {
  setSecret(value: string): void;
  debug(message: string): void;
  warning(message: string): void;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_PARALLEL_REQUESTS = 16;
/** KFP's page size cap: one request per 200 objects. */
export const MAX_PAGE_SIZE = 200;
/** A create we could not see the answer to is recognised by name, if created no earlier than this before we sent it. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Follow next_page_token until the last page (one listing helper for every list call). `each` reduces every
 * item as its page arrives, so only the reductions outlive their page.
 */
export async function paginate<T, R = T>(
  fetchPage: (pageToken: string | undefined) => Promise<Page<T>>,
  each: (item: T) => R = (item) => item as unknown as R,
): Promise<R[]> {
  const items: R[] = [];
  const seen = new Set<string>();
  let next: Promise<Page<T>> | undefined = fetchPage(undefined);
  while (next) {
    const page: Page<T> = await next;
    const token = page.nextPageToken;
    if (token !== undefined && seen.has(token))
      throw new Error('KFP returned the same next_page_token twice; stopping to avoid an endless listing.');
    if (token) seen.add(token);
    // The next page is asked for (and sent: one turn of the event loop) before this one is reduced, so the
    // reduction overlaps its round trip.
    // Its failure is seen when it is awaited, or never if this page's reduction throws (the listing is abandoned).
    next = token ? fetchPage(token) : undefined;
    next?.catch(() => undefined);
    if (next) await new Promise((sent) => setImmediate(sent));
    for (const item of page.items) items.push(each(item));
  }
  return items;
}

function agentFor(url: URL, opts: KfpClientOptions, host?: KfpClientHost): http.Agent {
  const common = {
    keepAlive: true,
    maxSockets: Math.max(32, opts.maxParallelRequests ?? DEFAULT_MAX_PARALLEL_REQUESTS),
  };
  if (url.protocol !== 'https:') return new http.Agent(common);
  let ca: Buffer | undefined;
  if (opts.caFile) {
    try {
      ca = fs.readFileSync(opts.caFile);
    } catch (err) {
      throw new UserError(
        `kfp-ca-file '${opts.caFile}' cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Fix: point kfp-ca-file at a PEM file with the CA certificate(s) of the KFP server.`,
      );
    }
  }
  if (opts.skipTlsVerify) {
    host?.warning(
      `kfp-skip-tls-verify is on: the certificate of ${url.host} is not checked, so anyone on the network path could impersonate KFP and read its credentials. Prefer kfp-ca-file.`,
    );
  }
  return new https.Agent({ ...common, ca, rejectUnauthorized: !opts.skipTlsVerify });
}

function dexUrlOf(value: string, baseUrl: URL): URL {
  let url: URL;
  try {
    url = new URL(value);
    if (!/^https?:$/.test(url.protocol)) throw new Error('not http(s)');
  } catch {
    throw new UserError(
      `kfp-dex-url '${value}' is not an http(s) URL. Fix: give the origin Dex is served from, e.g. https://dex.example.com.`,
    );
  }
  if (baseUrl.protocol === 'https:' && url.protocol !== 'https:') {
    throw new UserError(
      `kfp-dex-url '${value}' is plain http while kfp-host is https: the password would travel in clear text. Fix: use Dex's https URL.`,
    );
  }
  return url;
}

/** A KFP client for the configured API version over real HTTP. */
export function createKfpClient(opts: KfpClientOptions, host?: KfpClientHost): KfpClient {
  let baseUrl: URL;
  try {
    baseUrl = new URL(opts.host);
    if (!/^https?:$/.test(baseUrl.protocol)) throw new Error('not http(s)');
  } catch {
    throw new UserError(
      `kfp-host '${opts.host}' is not an http(s) URL. Fix: set kfp-host to the KFP API prefix, e.g. https://kubeflow.example.com/pipeline.`,
    );
  }
  const apis = /\/apis\/(v\d+(?:(?:alpha|beta)\d+)?)\/*$/.exec(baseUrl.pathname);
  if (apis) {
    const prefix = opts.host.slice(0, opts.host.lastIndexOf('/apis/'));
    throw new UserError(
      `kfp-host '${opts.host}' ends in /apis/${apis[1]}, which the toolkit adds itself. Fix: set kfp-host to '${prefix}' (the part before /apis/…) and choose the API version with api-version (v1beta1 or v2beta1).`,
    );
  }
  if (opts.token && (opts.cookie || opts.username)) {
    host?.warning(
      `kfp-token and ${opts.cookie ? 'kfp-cookie' : 'kfp-username/kfp-password'} are both set: both credentials are sent on every call, and the gateway decides which one counts. Keep only the one this KFP expects.`,
    );
  }
  const dexOrigin = opts.dexUrl ? dexUrlOf(opts.dexUrl, baseUrl) : undefined;
  const wire: Wire = opts.apiVersion === 'v1beta1' ? v1 : v2;
  const mask = (s: string) => host?.setSecret(s);
  for (const s of [opts.token, opts.cookie, opts.password]) if (s) mask(s);
  const agent = agentFor(baseUrl, opts, host);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  let session: Promise<string> | undefined;
  let fileToken: string | undefined;
  const headers = async (): Promise<Record<string, string>> => {
    const h: Record<string, string> = {};
    if (opts.token) h.authorization = `Bearer ${opts.token}`;
    if (opts.tokenFile) {
      const token = readTokenFile(opts.tokenFile);
      if (token !== fileToken) mask(token);
      fileToken = token;
      h.authorization = `Bearer ${token}`;
    }
    let cookie = opts.cookie;
    if (opts.username && opts.password !== undefined) {
      session ??= dexLogin({
        baseUrl,
        username: opts.username,
        password: opts.password,
        connector: opts.dexConnector ?? 'local',
        dexOrigin,
        timeoutMs,
        agent,
        mask,
        debug: host?.debug.bind(host),
      });
      cookie = (await session) || undefined;
    }
    if (cookie) h.cookie = cookie;
    if (opts.userHeader) h[opts.userHeader.name.toLowerCase()] = opts.userHeader.value;
    return h;
  };
  const transport = new Transport({
    baseUrl,
    timeoutMs,
    retry: { ...DEFAULT_RETRY, ...opts.retry },
    headers,
    agent,
    maxInFlight: opts.maxParallelRequests ?? DEFAULT_MAX_PARALLEL_REQUESTS,
    debug: host?.debug.bind(host),
  });
  const pageSize = (o?: ListOptions) => Math.min(Math.max(1, o?.pageSize ?? MAX_PAGE_SIZE), MAX_PAGE_SIZE);
  const recent = (sentAt: number, created?: Date) => !created || created.getTime() >= sentAt - CLOCK_SKEW_MS;
  let orphanDelete: Promise<boolean> | undefined;
  const v2Only = (what: string) => {
    if (wire.version !== 'v2beta1')
      throw new UserError(
        `KFP's ${wire.version} API is not used for ${what}. Fix: set api-version to v2beta1 (KFP 2.x).`,
      );
  };

  const client: KfpClient = {
    apiVersion: wire.version,
    baseUrl: baseUrl.href.replace(/\/+$/, ''),
    healthz: () => transport.call(wire.healthz(), wire.parseHealthz),
    retries: () => Object.fromEntries([...transport.retried].sort(([a], [b]) => (a < b ? -1 : 1))),
    orphanDeleteSupported: () => (orphanDelete ??= orphanDeleteOn(client, wire, host)),

    listExperiments: (namespace, o) =>
      paginate((pageToken) =>
        transport.call(
          wire.listExperiments(namespace, { pageToken, pageSize: pageSize(o), sortBy: o?.sortBy, filter: o?.filter }),
          wire.parseExperimentPage,
        ),
      ),
    findExperiment: async (name, namespace) => {
      // KFP's `name = ?` is case- and accent-insensitive (MySQL utf8mb4_0900_ai_ci), as is its unique index.
      const found = await client.listExperiments(namespace, { filter: [{ key: 'name', op: 'EQUALS', value: name }] });
      return findByName(found, name, (e) => e.name);
    },
    getExperiment: (id) => transport.call(wire.getExperiment(id), wire.parseExperiment),
    createExperiment: (input) =>
      // Experiment names are unique per namespace: if it exists now, it is ours.
      transport.call<Experiment>(wire.createExperiment(input), wire.parseExperiment, () =>
        client.findExperiment(input.name, input.namespace),
      ),
    archiveExperiment: async (id) => void (await transport.call(wire.archiveExperiment(id))),
    unarchiveExperiment: async (id) => void (await transport.call(wire.unarchiveExperiment(id))),

    listRecurringRuns: (scope, o) => client.scanRecurringRuns(scope, (r) => r, o),
    scanRecurringRuns: async <R>(scope: ListScope, each: (r: RecurringRun) => R, o?: ListOptions) => {
      const list = <T>(w: Wire, f: (r: RecurringRun) => T) =>
        paginate(
          (pageToken) =>
            transport.call(
              w.listRecurringRuns(scope, { pageToken, pageSize: pageSize(o), sortBy: o?.sortBy, filter: o?.filter }),
              w.parseRecurringRunPage,
            ),
          f,
        );
      if (wire.version === 'v1beta1') return list(wire, each);
      // v2 does not return a workflow given through v1 as workflow_manifest (server/api_converter.go
      // toApiRecurringRun reads only the spec manifest): one v1 listing reads those, so switching
      // api-version never looks like a pipeline change. They wait unreduced (they hold no pipeline).
      const waiting = new Map<string, RecurringRun>();
      const out = await list(wire, (r) => (withoutPipeline(r) ? (waiting.set(r.id, r), r.id) : { reduced: each(r) }));
      if (waiting.size) {
        await list(v1, (r) => {
          const run = waiting.get(r.id);
          if (run) waiting.set(r.id, defined({ ...run, pipeline: r.pipeline }));
        });
      }
      return out.map((o) => (typeof o === 'string' ? each(waiting.get(o)!) : o.reduced));
    },
    getRecurringRun: async (id) => {
      const run = await transport.call(wire.getRecurringRun(id), wire.parseRecurringRun);
      if (wire.version === 'v1beta1' || !withoutPipeline(run)) return run;
      return defined({
        ...run,
        pipeline: (await transport.call(v1.getRecurringRun(id), v1.parseRecurringRun)).pipeline,
      });
    },
    createRecurringRun: async (input: RecurringRunInput) => {
      const req = wire.createRecurringRun(input);
      const sentAt = Date.now();
      return transport.call<RecurringRun>(req, wire.parseRecurringRun, async () => {
        const same = await client.listRecurringRuns(
          { experimentId: input.experimentId },
          { filter: [{ key: 'name', op: 'EQUALS', value: input.name }] },
        );
        return newest(
          same.filter(
            (r) => r.name === input.name && r.experimentId === input.experimentId && recent(sentAt, r.createdAt),
          ),
        );
      });
    },
    enableRecurringRun: async (id) => void (await transport.call(wire.enableRecurringRun(id))),
    disableRecurringRun: async (id) => void (await transport.call(wire.disableRecurringRun(id))),
    deleteRecurringRun: async (id, o) =>
      void (await transport.call(
        wire.deleteRecurringRun(id, !!o?.orphanRuns && (await client.orphanDeleteSupported())),
      )),

    listPipelines: (namespace) => {
      const w = wire.version === 'v1beta1' ? pw1 : pw;
      return paginate((pageToken) =>
        transport.call(w.listPipelines(namespace, { pageToken, pageSize: MAX_PAGE_SIZE }), w.parsePipelinePage),
      );
    },
    listPipelineVersions: (pipelineId) => {
      const w = wire.version === 'v1beta1' ? pw1 : pw;
      return paginate((pageToken) =>
        transport.call(w.listVersions(pipelineId, { pageToken, pageSize: MAX_PAGE_SIZE }), w.parseVersionPage),
      );
    },
    getPipelineVersionSpec: async (pipelineId, versionId) => {
      if (wire.version === 'v1beta1')
        return transport.call(pw1.getVersionTemplate(versionId), (b: any) => String(b?.template ?? ''));
      const v = await transport.call(pw.getVersion(pipelineId, versionId), (b) => versionFromWire(b));
      return specText(v.spec);
    },
    createPipeline: (input) => {
      v2Only('registering pipelines');
      // Names are unique per namespace: if it exists after an unseen answer, it is ours.
      return transport.call<KfpPipeline>(
        pw.createPipeline(input),
        (b) => pipelineFromWire(b),
        async () => (await client.listPipelines(input.namespace)).find((p) => p.name === input.name),
      );
    },
    uploadPipelineVersion: (input) => {
      v2Only('uploading pipeline versions');
      return transport.call<KfpPipelineVersion>(
        pw.uploadVersion(input),
        (b) => versionFromWire(b),
        async () => (await client.listPipelineVersions(input.pipelineId)).find((v) => v.name === input.name),
      );
    },
    deletePipelineVersion: async (pipelineId, versionId) => {
      v2Only('deleting pipeline versions');
      await transport.call(pw.deleteVersion(pipelineId, versionId));
    },

    createRun: async (input: RunInput) => {
      const req = wire.createRun(input);
      const sentAt = Date.now();
      return transport.call<Run>(req, wire.parseRun, async () => {
        const same = await client.listRuns(
          { experimentId: input.experimentId },
          { filter: [{ key: 'name', op: 'EQUALS', value: input.name }] },
        );
        return newest(same.filter((r) => r.name === input.name && recent(sentAt, r.createdAt)));
      });
    },
    getRun: (id) => transport.call(wire.getRun(id), wire.parseRun),
    terminateRun: async (id) => void (await transport.call(wire.terminateRun(id))),
    listRuns: async (scope, o) => {
      const states = o?.states;
      if (states?.length === 0) return [];
      const filter = [...(o?.filter ?? []), ...(states ? wire.runStateFilter(states) : [])];
      const runs = await paginate((pageToken) =>
        transport.call(
          wire.listRuns(scope, { pageToken, pageSize: pageSize(o), sortBy: o?.sortBy, filter }),
          wire.parseRunPage,
        ),
      );
      // Re-checked on the normalised state: exact where KFP could not filter (v1) or only approximately.
      return states ? runs.filter((r) => states.includes(r.state)) : runs;
    },
    close: () => agent.destroy(),
  };
  return client;
}

/** A version's spec as a pipeline file: the IR, then its platform spec as a second document. */
export function specText(spec: Record<string, unknown> | undefined): string {
  if (!spec) return '';
  if (!('pipeline_spec' in spec)) return stringify(spec);
  return [spec.pipeline_spec, spec.platform_spec]
    .filter(Boolean)
    .map((d) => stringify(d))
    .join('---\n');
}

/** A recurring run whose pipeline the answer did not include (neither inline nor by version). */
const withoutPipeline = (r: RecurringRun) => !r.pipeline && !r.pipelineVersion;

/** ORPHAN only where the API has it and the server's release honours it; asked once, and only when needed. */
async function orphanDeleteOn(client: KfpClient, wire: Wire, host?: KfpClientHost): Promise<boolean> {
  if (!wire.hasOrphanDelete) return false;
  let version: string | undefined;
  try {
    version = (await client.healthz()).version;
  } catch (err) {
    host?.debug(`healthz failed (${(err as Error).message}); deletes are treated as terminating running runs`);
    return false;
  }
  const parsed = parseKfpVersion(version);
  if (!parsed)
    host?.debug(
      `KFP reports no release (tag_name ${JSON.stringify(version ?? 'unknown')}); deletes are treated as terminating running runs`,
    );
  return !!parsed && versionAtLeast(parsed, ORPHAN_DELETE_SINCE);
}

function newest<T extends { createdAt?: Date }>(items: T[]): T | undefined {
  return items.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
}
