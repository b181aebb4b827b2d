import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type DexOptions, DexGateway, cookies } from './dex.js';
import { type Fault, type FaultKind, type FaultRule, Faults } from './faults.js';
import { type LoggedRequest, RequestLog } from './log.js';
import type { Caller, RbacResource } from './logic.js';
import { type Messages, V1_MESSAGES, V2_MESSAGES, decodeMessage } from './protojson.js';
import type { Route } from './route.js';
import { RpcError, permissionDenied, unauthenticated } from './rpc.js';
import { EmulatorState, type RunTiming } from './state.js';
import { UploadError, v1PipelineRoutes, v2PipelineRoutes } from './pipelines.js';
import { v1Routes } from './v1.js';
import { v2Routes } from './v2.js';

/**
 * The KFP API emulator: v1beta1 and v2beta1 over one in-memory state, on loopback, behaving
 * like KFP 2.17 where a client could notice. Test hooks: latency, faults, a request log, direct
 * state access, a Dex-like login, bearer/cookie/user-header enforcement.
 */
export interface KfpEmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Path the API is served under, like the Kubeflow gateway's /pipeline ('' = the API server itself). */
  prefix?: string;
  /** Kubeflow multi-user mode (namespaces required on list/create). Default true. */
  multiUser?: boolean;
  /** REQUIRE_NAMESPACE_FOR_PIPELINES: multi-user KFP without shared pipelines. Default false. */
  requireNamespaceForPipelines?: boolean;
  /** The KFP release to behave as (healthz tag_name; ORPHAN delete from 2.16.0). Default 2.17.0. */
  kfpVersion?: string;
  /** Load state from this JSON file at start (if it exists) and save it after every write. */
  stateFile?: string;
  /** How long each API call takes at least, the emulator's own work included. */
  latencyMs?: number;
  runTiming?: Partial<RunTiming>;
  /** The service account runs and recurring runs report when created without one (KFP's default: pipeline-runner). */
  defaultServiceAccount?: string;
  /** Runs whose display name matches end FAILED (the emulator's switch, to try failure paths). */
  failRuns?: RegExp;
  /** Runs whose display name matches stay RUNNING until terminated (to try waiting and timeouts). */
  hangRuns?: RegExp;
  auth?: {
    /** Accepted bearer tokens. */
    tokens?: string[];
    /** Accepted cookies, as `name=value`. */
    cookies?: string[];
    /** Dex-like login; its session cookie is accepted too. */
    dex?: DexOptions;
    /** Require this user-id header (e.g. kubeflow-userid) on API calls. */
    userHeader?: string;
    /** user → namespaces it may use (403 otherwise). */
    access?: Record<string, string[]>;
    /** Bearer token → who it is and its Kubeflow role per namespace (`--auth FILE`); others get 401. */
    identities?: Record<string, TokenIdentity>;
  };
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  faultSeed?: number;
  /** Fault rules to start with (the CLI's `--faults FILE`); their seed replaces faultSeed. */
  faultRules?: { seed: number; rules: FaultRule[] };
  /** Keep request/response bodies in the log (default true). */
  logBodies?: boolean;
  /** How long a 'timeout' fault holds the connection before dropping it. */
  hangMs?: number;
}

/** Kubeflow's standard roles: `view` may only get and list; `edit` may do everything. */
export type Role = 'view' | 'edit';

export interface TokenIdentity {
  user: string;
  namespaces: Record<string, Role>;
}

const VIEW_VERBS = new Set(['get', 'list']);

/** The ResourceAttributes of a SubjectAccessReview as KFP prints them (%+v of k8s.io/api v0.35). */
function resourceAttributes(namespace: string, verb: string, resource: RbacResource, name = ''): string {
  return `&ResourceAttributes{Namespace:${namespace},Verb:${verb},Group:pipelines.kubeflow.org,Version:v1beta1,Resource:${resource},Subresource:,Name:${name},FieldSelector:nil,LabelSelector:nil,}`;
}

export interface KfpEmulator {
  /** The API prefix to give the client, e.g. http://127.0.0.1:PORT/pipeline. */
  url: string;
  origin: string;
  state: EmulatorState;
  log: RequestLog;
  faults: Faults;
  routes: readonly Route[];
  /** Latency per API call; may be changed while running. */
  latencyMs: number;
  /** Requests being served now, and the most at once since start (tests and the bench may reset it to 0). */
  readonly inFlight: number;
  peakInFlight: number;
  close(): Promise<void>;
}

function faultLabel(k: FaultKind): string {
  return typeof k === 'string' ? k : 'status' in k ? String(k.status) : 'slow';
}

interface CompiledRoute {
  route: Route;
  name: string;
  re: RegExp;
  keys: string[];
  messages: Messages;
}

function compile(route: Route): CompiledRoute {
  const keys: string[] = [];
  const re = new RegExp(
    '^' +
      route.path
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const m = /^\{([^}]+)\}$/.exec(part);
          if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
          keys.push(m[1]!);
          return '([^/:]+)';
        })
        .join('') +
      '$',
  );
  return {
    route,
    name: `${route.method} ${route.path}`,
    re,
    keys,
    messages: route.path.startsWith('/apis/v1beta1') ? V1_MESSAGES : V2_MESSAGES,
  };
}

const MAX_BODY = 40 * 1024 * 1024;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) reject(new RpcError(8, `request body over ${MAX_BODY} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const FAULT_CODE: Record<number, number> = { 429: 8, 500: 13, 502: 14, 503: 14, 504: 4 };

export async function startKfpEmulator(opts: KfpEmulatorOptions = {}): Promise<KfpEmulator> {
  const prefix = (opts.prefix ?? '/pipeline').replace(/\/+$/, '');
  const state = new EmulatorState(opts.multiUser ?? true, opts.kfpVersion);
  state.runTiming = { ...state.runTiming, ...opts.runTiming };
  if (opts.failRuns || opts.hangRuns) {
    state.runOutcome = (r) =>
      opts.hangRuns?.test(r.name) ? 'HANG' : opts.failRuns?.test(r.name) ? 'FAILED' : 'SUCCEEDED';
  }
  if (opts.defaultServiceAccount) state.defaultServiceAccount = opts.defaultServiceAccount;
  state.requireNamespaceForPipelines = opts.requireNamespaceForPipelines ?? false;
  if (opts.stateFile) state.load(opts.stateFile);
  // Single-user KFP creates the Default experiment at start (apiserver/main.go CreateDefaultExperiment).
  if (!state.multiUser) state.defaultExperiment('');
  const log = new RequestLog(opts.logBodies ?? true);
  const faults = new Faults(opts.faultRules?.seed ?? opts.faultSeed ?? 1);
  for (const rule of opts.faultRules?.rules ?? []) faults.add(rule);
  const dex = opts.auth?.dex ? new DexGateway(opts.auth.dex) : undefined;
  const routes = [...v1Routes(), ...v1PipelineRoutes(), ...v2Routes(), ...v2PipelineRoutes()];
  const compiled = routes.map(compile);
  const hanging = new Set<http.ServerResponse>();
  // Single-user KFP authenticates no one (resource_manager.go IsAuthorized returns early).
  const identities = (opts.multiUser ?? true) ? opts.auth?.identities : undefined;
  const authEnforced = !!(opts.auth?.tokens?.length || opts.auth?.cookies?.length || dex || identities);

  /** Who is calling, or why not: bearer token, configured cookie, Dex session; then the user header. */
  type Identity = { ok: true; user?: string; roles?: Record<string, Role> } | { ok: false; bearer?: string };
  function identify(req: http.IncomingMessage): Identity {
    let user: string | undefined;
    let roles: Record<string, Role> | undefined;
    if (authEnforced) {
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const jar = cookies(req.headers.cookie);
      const cookieOk = (opts.auth?.cookies ?? []).some((c) => {
        const [k, ...v] = c.split('=');
        return jar.get(k!.trim()) === v.join('=').trim();
      });
      const session = dex?.userOf(req);
      const known =
        bearer !== undefined && identities && Object.hasOwn(identities, bearer) ? identities[bearer] : undefined;
      if (!(bearer && opts.auth?.tokens?.includes(bearer)) && !known && !cookieOk && !session)
        return { ok: false, bearer };
      user = known?.user ?? session;
      roles = known?.namespaces;
    }
    const header = opts.auth?.userHeader;
    if (header) user = (req.headers[header.toLowerCase()] as string | undefined) ?? user;
    return { ok: true, user, roles };
  }

  /**
   * 401 as KFP's IsAuthorized answers it when no authenticator (user-id header, then TokenReview)
   * finds an identity (auth/auth.go, auth/authenticator_token_review.go doTokenReview).
   */
  function unauthenticatedError(bearer: string | undefined): RpcError {
    const noHeader = 'Request header error: there is no user identity header.';
    const review =
      bearer === undefined
        ? noHeader
        : 'Authentication failure: Unauthenticated: Review.Status.Authenticated is false. Error : Failed to authenticate token review';
    return unauthenticated(
      'Failed to check authorization. User identity is empty in the request header',
      `[${noHeader}, ${review}]`,
    );
  }

  function sendJson(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  }

  function applyFault(res: http.ServerResponse, fault: Fault): number {
    const k = fault.kind;
    if (typeof k === 'object' && 'delayMs' in k) throw new Error('a slow fault delays the answer; it is not one');
    if (k === 'reset') {
      const s = res.socket as (NodeJS.Socket & { resetAndDestroy?: () => void; destroy: () => void }) | null;
      if (s?.resetAndDestroy) s.resetAndDestroy();
      else s?.destroy();
      return 0;
    }
    if (k === 'timeout') {
      hanging.add(res);
      setTimeout(() => {
        hanging.delete(res);
        res.socket?.destroy();
      }, opts.hangMs ?? 60_000).unref();
      return 0;
    }
    const headers: Record<string, string> =
      k.retryAfterSeconds !== undefined ? { 'retry-after': String(k.retryAfterSeconds) } : {};
    sendJson(
      res,
      k.status,
      new RpcError(FAULT_CODE[k.status] ?? 2, `fault injected by the KFP emulator (HTTP ${k.status})`).toBody(),
      headers,
    );
    return k.status;
  }

  async function api(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    sub: string,
    raw: string,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const match = compiled.map((c) => ({ c, m: c.re.exec(sub) })).filter((x) => x.m);
    const hit = match.find((x) => x.c.route.method === method);
    const routeName = hit ? hit.c.name : `${method} ${sub}`;
    const query = Object.fromEntries(url.searchParams);
    let requestBody: unknown;
    if (raw !== '') {
      try {
        requestBody = JSON.parse(raw);
      } catch {
        requestBody = raw;
      }
    }
    const record = (status: number, responseBody: unknown, write: boolean, fault?: Fault): LoggedRequest =>
      log.add({
        method,
        route: routeName,
        path: sub,
        query,
        status,
        write,
        fault: fault ? faultLabel(fault.kind) + `:${fault.when}` : undefined,
        requestBody,
        responseBody,
      });

    // Latency is how long each call takes, the server's own work included: KFP serves calls in parallel, so
    // the emulator works while the call waits instead of adding its one thread's time to every call queued behind.
    let due = Date.now() + emulator.latencyMs;
    const answer = async () => {
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    };

    if (!hit) {
      await answer();
      const [status, body] = match.length
        ? [405, new RpcError(12, 'Method Not Allowed').toBody()]
        : [404, new RpcError(5, 'Not Found').toBody()];
      record(status, body, false);
      return sendJson(res, status, body);
    }
    // KFP's healthz asks for no identity (server/healthz_server.go).
    const who: Identity = sub.endsWith('/healthz') ? { ok: true } : identify(req);
    if (!who.ok) {
      await answer();
      if (dex && !req.headers.authorization) {
        record(302, undefined, false);
        return dex.startLogin(res, url.pathname + url.search);
      }
      const body = unauthenticatedError(who.bearer).toBody();
      record(401, body, false);
      return sendJson(res, 401, body);
    }
    let fault = faults.pick(routeName);
    if (fault && typeof fault.kind === 'object' && 'delayMs' in fault.kind) {
      due += fault.kind.delayMs;
      fault = undefined;
    }
    if (fault?.when === 'before') {
      await answer();
      record(applyFault(res, fault), undefined, false, fault);
      return;
    }
    const caller: Caller = {
      // resource/resource_manager.go IsAuthorized: skipped in single-user mode; else a SubjectAccessReview.
      authorize(namespace: string, verb: string, resource: RbacResource, name?: string) {
        if (!state.multiUser || (!opts.auth?.userHeader && !opts.auth?.access && !who.roles)) return;
        if (opts.auth?.userHeader && !who.user) throw unauthenticatedError(undefined);
        const role = who.roles?.[namespace];
        const allowed = who.roles
          ? role === 'edit' || (role === 'view' && VIEW_VERBS.has(verb))
          : opts.auth?.access?.[who.user ?? '']?.includes(namespace);
        if ((who.roles || opts.auth?.access) && !allowed) {
          throw permissionDenied(
            `User '${who.user}' is not authorized with reason:  (request: ${resourceAttributes(namespace, verb, resource, name)})`,
          );
        }
      },
    };
    let status = 200;
    let body: unknown;
    try {
      if (who.user === undefined && opts.auth?.userHeader && !sub.endsWith('/healthz'))
        throw unauthenticatedError(undefined);
      let decoded: unknown;
      if (hit.c.route.body) {
        let parsed: unknown = {};
        if (raw.trim() !== '') {
          try {
            parsed = JSON.parse(raw);
          } catch (err) {
            throw new RpcError(3, `proto: syntax error: ${(err as Error).message}`);
          }
        }
        decoded = decodeMessage(hit.c.messages, hit.c.route.body, parsed);
      }
      const params = Object.fromEntries(hit.c.keys.map((k, i) => [k, decodeURIComponent(hit.m![i + 1]!)]));
      body = await hit.c.route.handle({
        state,
        caller,
        params,
        query: url.searchParams,
        body: decoded,
        raw,
        contentType: req.headers['content-type'],
      });
    } catch (err) {
      if (!(err instanceof RpcError)) throw err;
      status = err.httpStatus;
      // The upload server answers some refusals with http.Error's plain text (pipeline_upload_server.go).
      body = err instanceof UploadError && err.text ? `${err.message}\n` : err.toBody();
    }
    const write = method !== 'GET' && status === 200;
    if (write && opts.stateFile) state.save(opts.stateFile);
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    await answer();
    if (fault) {
      record(applyFault(res, fault), body, write, fault);
      return;
    }
    record(status, body, write);
    res
      .writeHead(status, {
        'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      })
      .end(text);
  }

  async function handler(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (err) {
      return sendJson(res, 413, { code: 8, message: (err as Error).message });
    }
    if (dex?.handle(req, res, url, raw)) return;
    const path = url.pathname;
    // The API answers at the root too, as the in-cluster ml-pipeline service (port 8888) does.
    if (path.startsWith('/apis/')) return api(req, res, url, path, raw);
    if (prefix && path !== prefix && !path.startsWith(`${prefix}/`)) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    const sub = path.slice(prefix.length);
    if (sub.startsWith('/apis/')) return api(req, res, url, sub, raw);
    if (sub === '' || sub === '/') {
      // The KFP UI's place: behind the gateway, it is where a browser (or a Dex login) lands.
      if (dex && !identify(req).ok) return dex.startLogin(res, path);
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(
          '<!doctype html><html><head><title>Kubeflow Pipelines (emulator)</title></head><body>KFP API emulator: see /apis/v1beta1 and /apis/v2beta1.</body></html>',
        );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  }

  let inFlight = 0;
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight++;
    emulator.peakInFlight = Math.max(emulator.peakInFlight, inFlight);
    res.once('close', () => inFlight--);
    handler(req, res).catch((err) => {
      if (!res.headersSent)
        sendJson(res, 500, { code: 13, message: `emulator internal error: ${(err as Error).message}` });
    });
  };
  const server = opts.tls
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }, listener)
    : http.createServer(listener);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const emulator: KfpEmulator = {
    url: origin + prefix,
    origin,
    state,
    log,
    faults,
    routes,
    latencyMs: opts.latencyMs ?? 0,
    get inFlight() {
      return inFlight;
    },
    peakInFlight: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.socket?.destroy();
        hanging.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return emulator;
}
