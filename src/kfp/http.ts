import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { Semaphore } from '../lib/concurrency.js';
import { UserError } from '../lib/errors.js';
import type { WireRequest } from './wire.js';

/**
 * HTTP for the KFP client on node:http/https (no heavy dependency: start-up matters). One
 * attempt is `rawRequest`; `Transport.call` adds timeouts, retries with exponential backoff and
 * jitter honouring Retry-After for idempotent calls, and the never-duplicate rule for creates.
 */

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type FailureKind = 'refused' | 'dns' | 'timeout' | 'reset' | 'tls' | 'other';

/** A request that got no HTTP answer. `processed: false` when the server cannot have acted on it. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly processed: boolean | 'maybe',
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|EPROTO|SSL/;

function classify(err: NodeJS.ErrnoException, reusedSocket: boolean): TransportError {
  const code = err.code ?? '';
  if (code === 'ECONNREFUSED') return new TransportError(`connection refused (${err.message})`, 'refused', false, code);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new TransportError(`host not found (${err.message})`, 'dns', false, code);
  if (TLS_CODES.test(code)) return new TransportError(`TLS failed: ${err.message.trim()}`, 'tls', false, code);
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/.test(err.message)) {
    // Even on a reused keep-alive socket a reset may come after the server acted, so a create treats it as ambiguous.
    return new TransportError(
      `connection reset${reusedSocket ? ' (reused connection)' : ''} (${err.message})`,
      'reset',
      'maybe',
      code || 'ECONNRESET',
    );
  }
  return new TransportError(err.message, 'other', 'maybe', code);
}

export interface RawRequestOptions {
  method: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  agent?: http.Agent;
}

/** One HTTP exchange, no redirects followed. Rejects with a TransportError when no answer came. */
export function rawRequest(url: URL, opts: RawRequestOptions): Promise<RawResponse> {
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = mod.request(url, { method: opts.method, headers, agent: opts.agent }, (res) => {
      // Kept as bytes and decoded once at the end: decoding each chunk filled the JS heap with strings of a large
      // answer (a listing page can be 8 MB), while bytes live outside it and go with the answer.
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (e) => {
        clearTimeout(timer);
        reject(classify(e as NodeJS.ErrnoException, false));
      });
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (timedOut)
        reject(new TransportError(`no answer within ${opts.timeoutMs / 1000} s`, 'timeout', 'maybe', 'ETIMEDOUT'));
      else reject(classify(e, req.reusedSocket));
    });
    req.end(opts.body);
  });
}

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseMs: number;
  maxMs: number;
  /** A longer Retry-After than this is not waited for: the call fails. */
  maxRetryAfterMs: number;
  /** No call spends longer than this retrying (input kfp-retry-budget): a wait that would end later fails the call. */
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 6,
  baseMs: 500,
  maxMs: 10_000,
  maxRetryAfterMs: 60_000,
  budgetMs: 120_000,
};

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Exponential backoff with equal jitter: half fixed, half random, capped. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const d = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
  return d / 2 + random() * (d / 2);
}

/** A failed KFP call: names the call, the HTTP status and KFP's message, and says what to check. */
export class KfpApiError extends UserError {
  constructor(
    readonly call: string,
    readonly status: number | undefined,
    readonly kfpMessage: string,
    readonly hint: string,
    what: string,
  ) {
    super(
      `KFP ${call} (${what}) failed: ${status ? `HTTP ${status}` : 'no answer'}${kfpMessage ? ` — ${kfpMessage}` : ''}. Check: ${hint}`,
    );
    this.name = 'KfpApiError';
  }
}

/** KFP's googleRpcStatus message, or a short excerpt of a non-JSON body (HTML from a proxy…). */
export function kfpMessageOf(body: string): { message: string; json: boolean } {
  try {
    const v = JSON.parse(body);
    if (v && typeof v === 'object') return { message: String(v.message ?? v.error ?? '').trim(), json: true };
  } catch {
    // not JSON
  }
  const text = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { message: text.length > 160 ? `${text.slice(0, 160)}…` : text, json: false };
}

/** The permission a 403 names: KFP prints the SubjectAccessReview's ResourceAttributes (resource_manager.go IsAuthorized). */
export function missingPermission(body: string): { namespace: string; verb: string; resource: string } | undefined {
  const m = /ResourceAttributes\{Namespace:([^,]*),Verb:([^,]*),Group:[^,]*,Version:[^,]*,Resource:([^,]*),/.exec(body);
  return m ? { namespace: m[1]!, verb: m[2]!, resource: m[3]! } : undefined;
}

/** What to check after a failed call; `body` is the answer's body, or the transport failure's message. */
export function hintFor(
  status: number | undefined,
  body: string,
  req: WireRequest,
  kind?: FailureKind,
  headers?: http.IncomingHttpHeaders,
): string {
  const prefix =
    'kfp-host must be the KFP API prefix, the part before /apis/… (e.g. https://host/pipeline behind the Kubeflow gateway, http://ml-pipeline.kubeflow:8888 in-cluster)';
  if (kind === 'refused' || kind === 'dns')
    return `kfp-host (host name and port) and that KFP is reachable from this runner.`;
  // OpenSSL's "wrong version number": the port answered in plain HTTP.
  if (kind === 'tls' && /wrong version number|packet length too long|http request/i.test(body))
    return 'kfp-host: the server does not speak TLS on that port; use http:// (or the port that serves HTTPS).';
  if (kind === 'tls')
    return 'TLS: set kfp-ca-file to the CA bundle that signed the server certificate (or, insecurely, kfp-skip-tls-verify: true).';
  if (kind === 'timeout') return 'the network path to KFP, or raise kfp-timeout-seconds.';
  if (kind) return 'the network path to KFP (proxy, load balancer) and the KFP API server logs.';
  if (status !== undefined && status >= 300 && status < 400) {
    return `authentication: KFP redirected to ${headers?.location ?? 'a login page'}; pass kfp-token, kfp-cookie or kfp-username/kfp-password.`;
  }
  const { json } = kfpMessageOf(body);
  if (status === 401)
    return 'authentication: the kfp-token or kfp-token-file (expired? audience pipelines.kubeflow.org?), kfp-cookie (expired session?) or kfp-username/kfp-password.';
  if (status === 403) {
    const missing = missingPermission(body);
    if (missing) {
      return `permissions: the identity may not '${missing.verb}' ${missing.resource} in namespace '${missing.namespace}' (RBAC verb ${missing.verb} on ${missing.resource}.pipelines.kubeflow.org). Kubeflow's 'view' role only allows get and list; writing needs 'edit' (a profile contributor with edit access).`;
    }
    return 'the namespace and permissions: the identity (token, user or kfp-user-header) needs access to the namespace in KFP (Kubeflow profile contributor / RBAC).';
  }
  if (status === 404 && !json) return `the URL prefix: ${prefix}.`;
  if (status === 404)
    return `that the object exists in KFP and belongs to the namespace (${req.call} got "not found").`;
  if (status === 200) return `the URL prefix: the answer was not KFP's JSON. ${prefix}.`;
  if (status === 400 && /namespace/i.test(body) && /multi-user|must be specified|empty/i.test(body))
    return 'namespace: this KFP is a multi-user install; set the namespace input to your Kubeflow profile namespace.';
  if (status === 400) return 'the values sent: KFP refused them (see its message).';
  if (status === 409 && req.call === 'CreateExperiment')
    return "the name: an experiment with this name already exists in the namespace (KFP compares experiment names ignoring case and accents: 'Exp-A' and 'exp-á' are the same).";
  if (status === 409) return 'the name: an object with this name already exists in the namespace.';
  if (status !== undefined && status >= 500)
    return 'the KFP API server (its logs and health); the call was retried where safe.';
  return `the KFP URL prefix, authentication and namespace (${prefix}).`;
}

export interface TransportOptions {
  baseUrl: URL;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Headers for every call (auth, user header); may log in first. */
  headers: () => Promise<Record<string, string>>;
  agent: http.Agent;
  /** Requests in flight at once, for the whole client (retry waits hold no slot). */
  maxInFlight: number;
  debug?: (message: string) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function urlFor(base: URL, path: string, query?: Record<string, string | undefined>): URL {
  const url = new URL(base.href.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  return url;
}

/** One file as multipart/form-data, the way KFP's upload server reads it (`r.FormFile`). */
function multipart(file: NonNullable<WireRequest['upload']>): { body: string; contentType: string } {
  const boundary = `kfp-gitops-${randomUUID()}`;
  const quoted = (s: string) => s.replace(/["\r\n\\]/g, '_');
  const body = `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(file.field)}"; filename="${quoted(file.filename)}"\r\nContent-Type: application/octet-stream\r\n\r\n${file.content}\r\n--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

export class Transport {
  /** Retries made, per call kind (e.g. ListRecurringRuns), for the plan's report. */
  readonly retried = new Map<string, number>();
  private readonly slots: Semaphore;

  constructor(private readonly opts: TransportOptions) {
    this.slots = new Semaphore(opts.maxInFlight);
  }

  /**
   * Send a call and return its parsed JSON. Idempotent calls are retried on 429/502/503/504 and
   * connection failures. A create is retried only when the server cannot have acted on it; when
   * it might have (timeout, reset, 5xx after sending) `verify` looks for the object first and
   * its answer is returned instead of creating a second one.
   */
  async call<T = any>(
    req: WireRequest,
    parse: (body: any) => T = (b) => b,
    verify?: () => Promise<T | undefined>,
  ): Promise<T> {
    const { retry } = this.opts;
    const sleep = this.opts.sleep ?? defaultSleep;
    const url = urlFor(this.opts.baseUrl, req.path, req.query);
    const what = `${req.method} ${url.pathname}`;
    const form = req.upload ? multipart(req.upload) : undefined;
    const body = form
      ? form.body
      : req.body === undefined
        ? req.method === 'POST'
          ? '{}'
          : undefined
        : JSON.stringify(req.body);
    let maybeDone = false;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      let res: RawResponse | undefined;
      let failure: TransportError | undefined;
      try {
        const headers = await this.opts.headers();
        if (body !== undefined) headers['content-type'] = form ? form.contentType : 'application/json';
        res = await this.slots.run(() =>
          rawRequest(url, {
            method: req.method,
            headers,
            body,
            timeoutMs: this.opts.timeoutMs,
            agent: this.opts.agent,
          }),
        );
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        failure = err;
      }
      if (res && res.status >= 200 && res.status < 300) {
        // Parse after the answers that arrived with this one have freed their slots: their next calls go out
        // first, so the server is kept busy while this process parses (a listing page is ~200 KB of JSON).
        await new Promise(setImmediate);
        return parse(parseJson(res, req, what));
      }
      // A delete repeated after an answer we never saw: gone now means done then.
      if (res?.status === 404 && maybeDone && req.method === 'DELETE') return parse({});

      const status = res?.status;
      const transient = failure ? failure.kind !== 'dns' && failure.kind !== 'tls' : RETRYABLE_STATUS.has(status!);
      // Could the server have acted on this attempt? 429 is a refusal; other answers/resets after sending may be.
      const processed = failure ? failure.processed : status === 429 ? false : true;
      const lastAttempt = attempt >= retry.retries;
      const fail = (why = '') => {
        const text = res?.body ?? '';
        const kfp = failure ? failure.message : kfpMessageOf(text).message;
        const tries = attempt > 0 || why ? ` (after ${attempt + 1} attempts${why})` : '';
        return new KfpApiError(
          req.call,
          status,
          kfp + tries,
          hintFor(status, failure ? failure.message : text, req, failure?.kind, res?.headers),
          what,
        );
      };

      if (!req.idempotent && processed !== false && (failure || status! >= 500)) {
        // Ambiguous create: look before leaping, never create twice.
        if (!verify) throw fail();
        this.opts.debug?.(
          `${req.call}: ${failure ? failure.message : `HTTP ${status}`} after sending; checking whether it was applied before retrying`,
        );
        let found: T | undefined;
        try {
          found = await verify();
        } catch (err) {
          throw new KfpApiError(
            req.call,
            status,
            `the call failed ambiguously (${failure ? failure.message : `HTTP ${status}`}) and checking whether it was applied failed too: ${(err as Error).message}`,
            'the KFP objects by hand before re-running: the create may or may not have happened.',
            what,
          );
        }
        if (found !== undefined) {
          this.opts.debug?.(`${req.call}: it was applied; using the existing object`);
          return found;
        }
        if (!transient || lastAttempt) throw fail();
      } else if (!transient || lastAttempt) {
        throw fail();
      }
      if (processed !== false) maybeDone = true;
      const after = res ? retryAfterMs(res.headers['retry-after']) : undefined;
      if (after !== undefined && after > retry.maxRetryAfterMs) throw fail();
      const delay = after ?? backoffMs(attempt, retry, this.opts.random);
      if (Date.now() - started + delay > retry.budgetMs)
        throw fail(
          `; waiting ${Math.round(delay / 1000)} s more would pass the retry budget of ${retry.budgetMs / 1000} s`,
        );
      this.retried.set(req.call, (this.retried.get(req.call) ?? 0) + 1);
      this.opts.debug?.(
        `${req.call}: ${failure ? failure.message : `HTTP ${status}`}; retry ${attempt + 1}/${retry.retries} in ${Math.round(delay)} ms`,
      );
      await sleep(delay);
    }
  }
}

function parseJson(res: RawResponse, req: WireRequest, what: string): any {
  if (res.body.trim() === '') return {};
  try {
    return JSON.parse(res.body);
  } catch {
    throw new KfpApiError(
      req.call,
      res.status,
      `the answer is not JSON: ${kfpMessageOf(res.body).message}`,
      hintFor(200, res.body, req),
      what,
    );
  }
}
