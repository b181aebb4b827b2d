import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { createKfpClient } from '../../src/kfp/client.js';
import { testCertificate } from '../support/tls.js';

/**
 * Where a Dex login may send the password: only to kfp-host's origin or kfp-dex-url's, never from https
 * to http (issue 11). Real loopback servers on different ports, i.e. different origins, stand in for the
 * gateway, a foreign login form and a third origin a 307 points at.
 */

interface Seen {
  method: string;
  path: string;
  body: string;
}

interface Server {
  url: string;
  seen: Seen[];
  close: () => Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Handler, tls?: { key: Buffer; cert: Buffer }): Promise<Server> {
  const seen: Seen[] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '', body });
      handler(req, res, body);
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const s: Server = {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(s);
  return s;
}

const redirect = (res: http.ServerResponse, location: string, status = 302, cookie?: string) =>
  res.writeHead(status, { location, ...(cookie ? { 'set-cookie': cookie } : {}) }).end();
const FORM = '<form method="post" action="?state=1"><input name="login"><input name="password" type="password"></form>';
const PASSWORD = 'dex-password-9f8e7d';

/** A Dex login form that accepts anything and returns to `back`. */
const dexForm =
  (back: () => string): Handler =>
  (req, res) => {
    if (req.method === 'POST') redirect(res, `${back()}/oauth2/callback`, 303);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(FORM);
  };

function client(host: string, extra: { dexUrl?: string; skipTlsVerify?: boolean } = {}) {
  return createKfpClient({
    host: `${host}/pipeline`,
    apiVersion: 'v1beta1',
    username: 'user@example.com',
    password: PASSWORD,
    retry: { retries: 0 },
    ...extra,
  });
}

const posted = (s: Server) => s.seen.filter((x) => x.method === 'POST' || x.body.includes(PASSWORD));

describe('Dex login sends the password only where it may', () => {
  test('a login form on another origin gets nothing; the error says how to allow it', async () => {
    const foreign = await serve(dexForm(() => gateway.url));
    const gateway = await serve((_req, res) => redirect(res, `${foreign.url}/dex/auth/local/login?state=1`));
    const c = client(gateway.url);
    await expect(c.listExperiments('ns')).rejects.toThrow(
      `Dex login failed: the login form posts to ${foreign.url}/dex/auth/local/login, which is not kfp-host's origin (${gateway.url}); the password was not sent. Fix: if ${foreign.url} is your Dex, set kfp-dex-url to ${foreign.url}; otherwise check kfp-host.`,
    );
    c.close();
    expect(foreign.seen.map((s) => s.method)).toEqual(['GET']);
    expect(posted(foreign)).toEqual([]);
  });

  test('with kfp-dex-url naming that origin, the login goes through', async () => {
    const dex = await serve(dexForm(() => gateway.url));
    const gateway = await serve((req, res) => {
      if (req.url?.startsWith('/oauth2/callback'))
        return redirect(res, '/pipeline/apis/v1beta1/experiments', 302, 'oauth2_proxy_kubeflow=s1; Path=/');
      if (/oauth2_proxy_kubeflow=s1/.test(req.headers.cookie ?? ''))
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      redirect(res, `${dex.url}/dex/auth/local/login?state=1`);
    });
    const c = client(gateway.url, { dexUrl: dex.url });
    expect(await c.listExperiments('ns')).toEqual([]);
    c.close();
    expect(posted(dex).map((s) => s.body)).toEqual([`login=user%40example.com&password=${PASSWORD}`]);
  });

  test('a 307 after the form, to a third origin, does not carry the password there', async () => {
    const third = await serve((_req, res) => res.writeHead(200).end('thanks'));
    const gateway = await serve((req, res) => {
      if (req.method === 'POST') return redirect(res, `${third.url}/collect`, 307);
      if (req.url?.startsWith('/dex/auth/local/login'))
        return void res.writeHead(200, { 'content-type': 'text/html' }).end(FORM);
      redirect(res, '/dex/auth/local/login?state=1');
    });
    const c = client(gateway.url);
    await expect(c.listExperiments('ns')).rejects.toThrow(
      `the login form posts to ${third.url}/collect, which is not kfp-host's origin (${gateway.url}); the password was not sent`,
    );
    c.close();
    expect(third.seen).toEqual([]);
    expect(posted(gateway)).toHaveLength(1); // the form on kfp-host's own origin did get it
  });

  test('kfp-dex-url over plain http while kfp-host is https is refused before any request', () => {
    expect(() => client('https://kf.example.com', { dexUrl: 'http://dex.example.com' })).toThrow(
      "kfp-dex-url 'http://dex.example.com' is plain http while kfp-host is https: the password would travel in clear text. Fix: use Dex's https URL.",
    );
  });

  describe('from https to http', () => {
    let tls: { key: Buffer; cert: Buffer; dir: string } | undefined;
    beforeAll(async () => {
      tls = await testCertificate();
      if (!tls) process.stderr.write('skipping the https→http Dex test: openssl could not make a test certificate\n');
    });
    afterAll(() => {
      if (tls) fs.rmSync(tls.dir, { recursive: true, force: true });
    });

    test('a redirect that leaves https for http is not followed, even to the same host', async () => {
      if (!tls) return;
      const plain = await serve(dexForm(() => gateway.url));
      const gateway = await serve((_req, res) => redirect(res, `${plain.url}/dex/auth/local/login?state=1`), tls);
      const c = client(gateway.url, { skipTlsVerify: true, dexUrl: gateway.url });
      await expect(c.listExperiments('ns')).rejects.toThrow(
        `Dex login failed: the login went from https to http://${plain.url.slice('http://'.length)}/dex/auth/local/login, which would expose the credentials and session in clear text`,
      );
      c.close();
      expect(plain.seen).toEqual([]);
    });
  });
});
