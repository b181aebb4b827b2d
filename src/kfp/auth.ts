import type http from 'node:http';
import { UserError } from '../lib/errors.js';
import { type RawResponse, TransportError, rawRequest } from './http.js';

/**
 * Dex login as Kubeflow's gateway expects it (oauth2-proxy or authservice in front of Dex):
 * GET the API prefix following redirects to Dex's `/auth/{local|ldap}/login` form, POST
 * `login`/`password`, follow the redirects back, and keep the session cookies for the API calls.
 */
export interface DexLoginOptions {
  baseUrl: URL;
  username: string;
  password: string;
  connector: 'local' | 'ldap';
  /** Where Dex is served when not from the kfp-host's origin: the only other origin the password may go to. */
  dexOrigin?: URL;
  timeoutMs: number;
  agent: http.Agent;
  /** Register a secret so logs never show it (session cookies). */
  mask: (secret: string) => void;
  debug?: (message: string) => void;
}

const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** Cookies per host, as a browser would keep them for this short exchange. */
class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(url: URL, setCookie: string[] | undefined): void {
    for (const line of setCookie ?? []) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      if (eq <= 0) continue;
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const jar = this.byHost.get(url.host) ?? new Map<string, string>();
      this.byHost.set(url.host, jar);
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
  }

  header(url: URL): string {
    return [...(this.byHost.get(url.host) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  values(url: URL): string[] {
    return [...(this.byHost.get(url.host)?.values() ?? [])];
  }
}

function fail(message: string, fix: string): UserError {
  return new UserError(`Dex login failed: ${message}. Fix: ${fix}`);
}

/**
 * The password goes only to kfp-host's origin or the configured Dex origin, and nothing leaves https
 * for plain http: a gateway (or anyone controlling a redirect) cannot collect the credentials elsewhere.
 */
function checkTarget(url: URL, opts: DexLoginOptions, withCredentials: boolean): void {
  if (opts.baseUrl.protocol === 'https:' && url.protocol !== 'https:') {
    throw fail(
      `the login went from https to ${url.protocol}//${url.host}${url.pathname}, which would expose the credentials and session in clear text`,
      "check kfp-host and the gateway's redirect URLs; they must stay on https.",
    );
  }
  const allowed = [opts.baseUrl.origin, opts.dexOrigin?.origin].filter(Boolean);
  if (withCredentials && !allowed.includes(url.origin)) {
    throw fail(
      `the login form posts to ${url.origin}${url.pathname}, which is not kfp-host's origin (${opts.baseUrl.origin})${opts.dexOrigin ? ` nor kfp-dex-url's (${opts.dexOrigin.origin})` : ''}; the password was not sent`,
      `if ${url.origin} is your Dex, set kfp-dex-url to ${url.origin}; otherwise check kfp-host.`,
    );
  }
}

export async function dexLogin(opts: DexLoginOptions): Promise<string> {
  const jar = new CookieJar();
  const send = async (url: URL, method: string, body?: string): Promise<RawResponse> => {
    const headers: Record<string, string> = { accept: 'text/html,application/json' };
    const cookie = jar.header(url);
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    checkTarget(url, opts, body !== undefined);
    try {
      const res = await rawRequest(url, {
        method,
        headers,
        body,
        timeoutMs: opts.timeoutMs,
        agent: url.protocol === opts.baseUrl.protocol ? opts.agent : undefined,
      });
      jar.store(url, res.headers['set-cookie']);
      return res;
    } catch (err) {
      if (err instanceof TransportError)
        throw fail(
          `${method} ${url.origin}${url.pathname}: ${err.message}`,
          'check kfp-host and that the Kubeflow gateway is reachable.',
        );
      throw err;
    }
  };
  /** Follow redirects; report where we ended and whether we moved at all. */
  const follow = async (start: URL, method: string, body?: string) => {
    let url = start;
    let res = await send(url, method, body);
    let hops = 0;
    while (REDIRECT.has(res.status) && res.headers.location) {
      if (++hops > 20)
        throw fail(
          `more than 20 redirects from ${start.origin}${start.pathname}`,
          'check kfp-host and the gateway configuration.',
        );
      url = new URL(res.headers.location, url);
      const keep = res.status === 307 || res.status === 308;
      res = await send(url, keep ? method : 'GET', keep ? body : undefined);
    }
    return { url, res, redirected: hops > 0 };
  };

  const first = await follow(opts.baseUrl, 'GET');
  if (!first.redirected) {
    opts.debug?.('Dex login: the KFP URL did not redirect to a login page; using no session cookie');
    return '';
  }
  if (first.res.status !== 200)
    throw fail(`GET ${first.url.origin}${first.url.pathname} answered HTTP ${first.res.status}`, 'check kfp-host.');
  let loginUrl = first.url;
  if (/\/auth\/?$/.test(loginUrl.pathname))
    loginUrl = new URL(`${loginUrl.pathname.replace(/\/?$/, '')}/${opts.connector}${loginUrl.search}`, loginUrl);
  if (!/\/auth\/[^/]+\/login\/?$/.test(loginUrl.pathname)) {
    const again = await follow(loginUrl, 'GET');
    loginUrl = again.url;
    if (!/\/auth\/[^/]+\/login\/?$/.test(loginUrl.pathname)) {
      throw fail(
        `no Dex login form found (ended at ${loginUrl.origin}${loginUrl.pathname})`,
        'check kfp-host; username/password login needs Dex behind the Kubeflow gateway — otherwise pass kfp-token or kfp-cookie.',
      );
    }
  }
  opts.debug?.(`Dex login: posting the form at ${loginUrl.origin}${loginUrl.pathname}`);
  const form = new URLSearchParams({ login: opts.username, password: opts.password }).toString();
  const posted = await follow(loginUrl, 'POST', form);
  if (!posted.redirected) {
    throw fail(
      `Dex did not accept the credentials of '${opts.username}' (it answered the form without redirecting)`,
      `check kfp-username and kfp-password, and that the '${opts.connector}' connector is the right one.`,
    );
  }
  if (posted.res.status !== 200)
    throw fail(
      `after login, ${posted.url.origin}${posted.url.pathname} answered HTTP ${posted.res.status}`,
      'check kfp-host and the gateway.',
    );
  const cookie = jar.header(opts.baseUrl);
  if (!cookie)
    throw fail(
      'the login succeeded but left no session cookie for the KFP host',
      'check that kfp-host uses the same host name as the Kubeflow gateway.',
    );
  for (const v of jar.values(opts.baseUrl)) opts.mask(v);
  opts.mask(cookie);
  return cookie;
}
