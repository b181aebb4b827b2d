import type http from 'node:http';
import { randomBytes } from 'node:crypto';

/**
 * A Dex-like login in front of the emulator, shaped like Kubeflow's gateway (oauth2-proxy →
 * Dex): unauthenticated requests are redirected to /dex/auth, then to the connector's login
 * form; a correct POST redirects through /dex/approval and /oauth2/callback, which sets the
 * session cookie and returns to the page first asked for. Bad credentials re-render the form
 * (200, no redirect), as Dex does.
 */
export interface DexOptions {
  /** email → password */
  users: Record<string, string>;
  connector?: 'local' | 'ldap';
  /** Show Dex's connector chooser at /dex/auth instead of redirecting straight to the connector. */
  chooser?: boolean;
}

export const SESSION_COOKIE = 'oauth2_proxy_kubeflow';

const token = () => randomBytes(16).toString('hex');

function redirect(res: http.ServerResponse, location: string, status = 302, cookie?: string): void {
  const headers: Record<string, string | string[]> = { location, 'content-type': 'text/html; charset=utf-8' };
  if (cookie) headers['set-cookie'] = [cookie];
  res.writeHead(status, headers).end(`<a href="${location}">Found</a>.\n`);
}

function page(res: http.ServerResponse, html: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}

export function cookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

export class DexGateway {
  /** session cookie value → user */
  readonly sessions = new Map<string, string>();
  /** login state → where to return */
  private readonly pending = new Map<string, { back: string; user?: string }>();
  private readonly codes = new Map<string, string>();
  private readonly connector: string;

  constructor(private readonly opts: DexOptions) {
    this.connector = opts.connector ?? 'local';
  }

  userOf(req: http.IncomingMessage): string | undefined {
    const v = cookies(req.headers.cookie).get(SESSION_COOKIE);
    return v ? this.sessions.get(v) : undefined;
  }

  /** What oauth2-proxy does with a request that has no session. */
  startLogin(res: http.ServerResponse, back: string): void {
    const state = token();
    this.pending.set(state, { back });
    redirect(
      res,
      `/dex/auth?client_id=kubeflow-oidc-authservice&redirect_uri=%2Foauth2%2Fcallback&response_type=code&scope=openid&state=${state}`,
    );
  }

  /** Serve /dex/* and /oauth2/callback; false when the path is not ours. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: string): boolean {
    const state = url.searchParams.get('state') ?? '';
    const login = `/dex/auth/${this.connector}/login`;
    if (url.pathname === '/dex/auth' && req.method === 'GET') {
      if (this.opts.chooser)
        page(
          res,
          `<html><body><h2>Log in to Kubeflow</h2><a href="/dex/auth/${this.connector}?state=${state}">Log in with Email</a></body></html>`,
        );
      else redirect(res, `${login}?back=&state=${state}`);
      return true;
    }
    if (url.pathname === `/dex/auth/${this.connector}` && req.method === 'GET') {
      redirect(res, `${login}?back=&state=${state}`);
      return true;
    }
    if (url.pathname === login && req.method === 'GET') {
      page(res, this.form(state, false));
      return true;
    }
    if (url.pathname === login && req.method === 'POST') {
      const form = new URLSearchParams(body);
      const user = form.get('login') ?? '';
      const pending = this.pending.get(state);
      if (!pending || this.opts.users[user] === undefined || this.opts.users[user] !== form.get('password')) {
        page(res, this.form(state, true));
        return true;
      }
      pending.user = user;
      redirect(res, `/dex/approval?req=${state}`, 303);
      return true;
    }
    if (url.pathname === '/dex/approval' && req.method === 'GET') {
      const s = url.searchParams.get('req') ?? '';
      const pending = this.pending.get(s);
      if (!pending?.user) {
        page(res, '<html><body>Unknown login request.</body></html>');
        return true;
      }
      const code = token();
      this.codes.set(code, s);
      redirect(res, `/oauth2/callback?code=${code}&state=${s}`, 303);
      return true;
    }
    if (url.pathname === '/oauth2/callback' && req.method === 'GET') {
      const s = this.codes.get(url.searchParams.get('code') ?? '');
      const pending = s ? this.pending.get(s) : undefined;
      if (!s || !pending?.user) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('Invalid authentication via OAuth2: unknown code\n');
        return true;
      }
      this.codes.delete(url.searchParams.get('code')!);
      this.pending.delete(s);
      const session = token();
      this.sessions.set(session, pending.user);
      redirect(res, pending.back, 302, `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax`);
      return true;
    }
    return false;
  }

  private form(state: string, failed: boolean): string {
    return `<html><body><h2>Log in to Your Account</h2>${failed ? '<div id="login-error">Invalid Email Address and password.</div>' : ''}<form method="post" action="/dex/auth/${this.connector}/login?back=&amp;state=${state}"><input name="login"><input name="password" type="password"><button type="submit">Login</button></form></body></html>`;
  }
}
