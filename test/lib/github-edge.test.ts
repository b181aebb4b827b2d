import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { UserError } from '../../src/lib/errors.js';
import { createGitHub, describeGitHubError } from '../../src/lib/github.js';
import { reconcileModelPr } from '../../src/models/model-pr.js';

/** A loopback server answering every request with `handler`; closed after the tests. */
async function serve(handler: http.RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe('network failures name the real cause, not "HTTP 500 … server error"', () => {
  test('a host name that does not resolve is a DNS failure', async () => {
    const gh = await createGitHub({ token: 'ghs_x', apiUrl: 'http://no-such-host.invalid' });
    const err = describeGitHubError(
      await rejection(gh.rest.repos.get({ owner: 'a', repo: 'b' })),
      'Reading the repository',
    );
    expect(err.message).toMatch(
      /^Reading the repository failed: the (host name could not be resolved|DNS lookup failed temporarily) .*\(no-such-host\.invalid, (ENOTFOUND|EAI_AGAIN)\)\. Fix: /,
    );
    expect(err.message).not.toMatch(/HTTP 500|server error/);
  });

  test('a refused connection says so', async () => {
    const closed = await serve(() => undefined);
    await closed.close();
    const gh = await createGitHub({ token: 'ghs_x', apiUrl: closed.url });
    const err = describeGitHubError(
      await rejection(gh.rest.repos.get({ owner: 'a', repo: 'b' })),
      'Reading the repository',
    );
    expect(err.message).toContain('the connection was refused');
    expect(err.message).not.toMatch(/HTTP 500|server error/);
  });
});

describe("answers that are not GitHub's are refused at the client edge", () => {
  let elsewhere: Awaited<ReturnType<typeof serve>>;
  let redirecting: Awaited<ReturnType<typeof serve>>;
  let empty: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    elsewhere = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    // Another origin: localhost instead of 127.0.0.1.
    const other = elsewhere.url.replace('127.0.0.1', 'localhost');
    redirecting = await serve((req, res) => res.writeHead(302, { location: `${other}${req.url}` }).end());
    empty = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  afterAll(async () => Promise.all([elsewhere, redirecting, empty].map((s) => s.close())));

  const request = {
    repo: { owner: 'acme', repo: 'models' },
    base: 'main',
    branch: 'auto-update-model',
    path: 'deploy/model.yaml',
    locator: { key: 'model' },
    desired: 'v2',
    title: 't',
    body: () => 'b',
    commitMessage: () => 'm',
    labels: [],
    reviewers: [],
    draft: false,
    log: () => undefined,
    onDefaultToken: () => undefined,
  } as unknown as Parameters<typeof reconcileModelPr>[1];

  test('a redirect to another origin that answers {} is named, not "Cannot read properties of undefined"', async () => {
    const gh = await createGitHub({ token: 'ghs_x', apiUrl: redirecting.url });
    const err = await rejection(reconcileModelPr(gh, request));
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /^The GitHub API at http:\/\/127\.0\.0\.1:\d+ redirected to http:\/\/localhost:\d+, which is not the API\. Fix: check GITHUB_API_URL/,
    );
  });

  test('an answer of {} from the API URL itself names the missing field', async () => {
    const gh = await createGitHub({ token: 'ghs_x', apiUrl: empty.url });
    const err = await rejection(reconcileModelPr(gh, request));
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toMatch(
      /^Reading branch main: GitHub's answer has no `object\.sha`, so it is not a GitHub API answer\. Fix: /,
    );
  });
});
