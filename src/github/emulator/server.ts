import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { errorBody, isoNow } from './objects.js';
import { type GqlOperation, GraphqlSyntaxError, execute, parseOperation } from './graphql.js';
import { Router, type Method, type RouteMatch } from './router.js';
import { handlers, mergePull, type MergeMethod, type Reply, type RouteContext, type World } from './routes.js';
import { HttpError, RepoState, notFound, person, type WorkflowRunState } from './state.js';

/**
 * An emulator of the GitHub REST API (and the GraphQL operations the toolkit sends) over real HTTP on
 * 127.0.0.1, in memory, with git objects hashed as git hashes them: `kfp-gitops github-emulator`, the
 * demo, and the tests' double (test/support/github-double), which plugs in the contract checks
 * against GitHub's OpenAPI description and GraphQL schema. Point a client at `url` (GITHUB_API_URL).
 *
 * With a contract, unknown routes get 404, and unknown routes, unknown query parameters, request
 * bodies and responses that do not fit the description are collected in `violations`.
 */

/** Checks of REST requests and responses against GitHub's OpenAPI description (test/support/github-double). */
export interface RestContract {
  readonly router: { match(pathname: string): RouteMatch | undefined };
  operation(method: string, route: string): unknown;
  checkQuery(method: string, route: string, query: URLSearchParams): string[];
  checkRequest(method: string, route: string, body: unknown): string[];
  checkResponse(method: string, route: string, status: number, body: unknown): string[];
}

/** Checks of GraphQL operations and answers against GitHub's schema. */
export interface GraphqlContractChecks {
  checkRequest(op: GqlOperation, vars: Record<string, unknown>): string[];
  checkResponse(op: GqlOperation, data: Record<string, unknown> | null, hasErrors: boolean): string[];
}

export interface GitHubEmulatorOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** Keep every request in `requests` (default true; the CLI turns it off). */
  recordRequests?: boolean;
  /** Contract checks of REST calls; none by default. */
  contract?: RestContract;
  /** Contract checks of GraphQL calls; none by default. */
  graphqlContract?: GraphqlContractChecks;
  /** Login that requests act as: author of PRs, comments and commits (default github-actions[bot]). */
  login?: string;
  /** Clock for every timestamp (default: the real time). */
  now?: () => Date;
  /** When set, a request without one of these tokens gets 401 "Bad credentials". */
  tokens?: string[];
}

export interface RecordedRequest {
  method: string;
  /** Path as requested, without the query. */
  path: string;
  /** The OpenAPI path template it matched, e.g. `/repos/{owner}/{repo}/pulls`; undefined when none. */
  route?: string;
  query: Record<string, string>;
  body?: unknown;
  status: number;
  /** The token the request carried (test data only: the emulator never prints it). */
  token?: string;
}

export interface Violation {
  method: string;
  path: string;
  route?: string;
  problem: string;
}

export interface Fault {
  method: string;
  /** OpenAPI path template (`/repos/{owner}/{repo}/pulls`) or a concrete path. */
  route: string;
  status: number;
  message: string;
  /** GitHub's `errors` array for 422s, e.g. [{resource:'PullRequest', code:'custom', message:'…'}]. */
  errors?: unknown[];
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface CreateRepoOptions {
  /** Files of the initial commit; `{}` makes an empty repository (git reads then answer 409). */
  files?: Record<string, string>;
  defaultBranch?: string;
  private?: boolean;
  /** For a private repository: the tokens that can see it (others get 404, as GitHub answers). */
  readers?: string[];
  description?: string;
  /** Settings → General → "Allow auto-merge" (default false, as on GitHub). */
  allowAutoMerge?: boolean;
}

export interface PullSummary {
  number: number;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  draft: boolean;
  merged: boolean;
  head: string;
  headSha: string;
  base: string;
  labels: string[];
  reviewers: string[];
  teamReviewers: string[];
  user: string;
  /** The armed auto-merge's method (MERGE, SQUASH, REBASE); undefined when not armed. */
  autoMerge?: string;
}

export interface CommentSummary {
  id: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export class GitHubEmulator {
  readonly requests: RecordedRequest[] = [];
  /** Requests served, also when they are not recorded. */
  served = 0;
  readonly violations: Violation[] = [];
  private readonly contract: RestContract | undefined;
  private readonly graphqlContract: GraphqlContractChecks | undefined;
  private readonly faults: (Fault & { left: number })[] = [];
  private readonly world: World;
  private readonly handlerRouter = new Router(Object.keys(handlers).map((k) => k.slice(k.indexOf(' ') + 1)));
  private ids = 1000;

  constructor(
    private readonly server: http.Server,
    readonly url: string,
    private readonly opts: GitHubEmulatorOptions,
  ) {
    this.contract = opts.contract;
    this.graphqlContract = opts.graphqlContract;
    this.world = {
      urls: { api: url },
      repos: new Map(),
      login: opts.login ?? 'github-actions[bot]',
      now: opts.now ?? (() => new Date()),
      nextId: () => ++this.ids,
    };
  }

  /** True when requests and responses are checked against the OpenAPI description. */
  get contractChecked(): boolean {
    return this.contract !== undefined;
  }

  // ───────────── seeding ─────────────

  /** A repository with one commit holding `files` on the default branch (like `git init && commit`). */
  createRepo(fullName: string, opts: CreateRepoOptions = {}): { owner: string; repo: string; sha?: string } {
    const [owner, name] = fullName.split('/');
    if (!owner || !name) throw new Error(`createRepo: '${fullName}' is not owner/name`);
    const at = isoNow(this.world.now());
    const defaultBranch = opts.defaultBranch ?? 'main';
    const repo = new RepoState(
      {
        id: this.world.nextId(),
        owner,
        name,
        private: opts.private ?? false,
        defaultBranch,
        description: opts.description ?? null,
        createdAt: at,
        updatedAt: at,
        pushedAt: at,
        openIssues: 0,
        allowAutoMerge: opts.allowAutoMerge ?? false,
      },
      opts.private ? opts.readers : undefined,
    );
    this.world.repos.set(fullName.toLowerCase(), repo);
    const files = opts.files ?? { 'README.md': `# ${name}\n` };
    if (Object.keys(files).length === 0) return { owner, repo: name };
    const sha = repo.commitFiles(undefined, files, 'Initial commit', this.committer()).sha;
    repo.refs.set(`refs/heads/${defaultBranch}`, sha);
    return { owner, repo: name, sha };
  }

  /**
   * Commit changes (`null` deletes a file) on `branch`, creating the branch from `from` (default:
   * the default branch) when it does not exist. Returns the new commit SHA.
   */
  commitFiles(
    fullName: string,
    opts: { branch?: string; files: Record<string, string | null>; message?: string; from?: string },
  ): string {
    const repo = this.repo(fullName);
    const branch = opts.branch ?? repo.info.defaultBranch;
    let parent = repo.branchSha(branch);
    if (!parent && opts.from) {
      parent = repo.resolve(opts.from);
      if (!parent) throw new Error(`commitFiles: ${opts.from} does not resolve in ${fullName}`);
    }
    parent ??= repo.branchSha(repo.info.defaultBranch); // undefined in an empty repository: a root commit
    const c = repo.commitFiles(parent, opts.files, opts.message ?? 'Update files', this.committer());
    repo.refs.set(`refs/heads/${branch}`, c.sha);
    return c.sha;
  }

  /** Point `branch` at a ref or SHA (creating or moving it). */
  setBranch(fullName: string, branch: string, ref: string): string {
    const repo = this.repo(fullName);
    const sha = repo.resolve(ref);
    if (!sha) throw new Error(`setBranch: ${ref} does not resolve in ${fullName}`);
    repo.refs.set(`refs/heads/${branch}`, sha);
    return sha;
  }

  /**
   * Merge an open pull request: a merge commit on its base, or with `squash` one commit with the
   * head's tree and message on the base head, as GitHub's squash merge of a one-commit PR writes it.
   * Returns the new base head.
   */
  mergePull(fullName: string, number: number, opts: { squash?: boolean; method?: MergeMethod } = {}): string {
    return mergePull(this.world, this.repo(fullName), number, opts);
  }

  /** Arm or disarm auto-merge on a PR as a person would in the UI (`method` undefined disarms). */
  setAutoMerge(fullName: string, number: number, method?: 'MERGE' | 'SQUASH' | 'REBASE'): void {
    const pr = this.repo(fullName).pull(number).pull;
    pr.autoMerge = method
      ? {
          method,
          enabledBy: this.world.login,
          enabledAt: isoNow(this.world.now()),
          commitHeadline: null,
          commitBody: null,
        }
      : undefined;
  }

  /** The repository setting "Allow auto-merge". */
  setAllowAutoMerge(fullName: string, allow: boolean): void {
    this.repo(fullName).info.allowAutoMerge = allow;
  }

  /**
   * `git commit --amend -m <message> && git push --force` on `branch`: a new head commit with the same
   * tree and parents (the old head is orphaned). Returns the new SHA.
   */
  amendBranch(fullName: string, branch: string, message: string): string {
    const repo = this.repo(fullName);
    const old = repo.commit(repo.branchSha(branch) ?? '');
    const who = this.committer();
    const c = repo.store.writeCommit({ tree: old.tree, parents: old.parents, message, author: who, committer: who });
    repo.refs.set(`refs/heads/${branch}`, c.sha);
    return c.sha;
  }

  /**
   * The next `times` requests to `route` answer GitHub's 422 for a node it has not caught up with yet,
   * as reviewer requests may right after a PR is created (peter-evans/create-pull-request#4321).
   */
  failNextNodeNotResolved(route: string, opts: { method?: string; times?: number } = {}): void {
    this.failNext({
      method: opts.method ?? 'POST',
      route,
      status: 422,
      message: 'Validation Failed',
      errors: ["Could not resolve to a node with the global id of 'PR_kwDOAAAAAAAAAA'."],
      times: opts.times ?? 1,
    });
  }

  /** Seed a comment on an issue or PR, optionally by another user; returns its id. */
  addComment(fullName: string, issueNumber: number, body: string, opts: { user?: string } = {}): number {
    const issue = this.repo(fullName).issues.get(issueNumber);
    if (!issue) throw new Error(`addComment: ${fullName} has no issue or pull request #${issueNumber}`);
    const at = isoNow(this.world.now());
    const id = this.world.nextId();
    issue.comments.push({ id, issueNumber, body, user: opts.user ?? this.world.login, createdAt: at, updatedAt: at });
    return id;
  }

  /** Seed a workflow run (as if a workflow had been triggered); returns its id. */
  addWorkflowRun(fullName: string, run: Partial<WorkflowRunState> & { workflowId: string }): number {
    const repo = this.repo(fullName);
    const at = isoNow(this.world.now());
    const headBranch = run.headBranch ?? repo.info.defaultBranch;
    const full: WorkflowRunState = {
      id: this.world.nextId(),
      runNumber: repo.runs.length + 1,
      path: `.github/workflows/${run.workflowId}`,
      name: run.workflowId.replace(/\.ya?ml$/, ''),
      event: 'push',
      status: 'completed',
      conclusion: 'success',
      headBranch,
      headSha: repo.branchSha(headBranch) ?? '0'.repeat(40),
      actor: this.world.login,
      createdAt: at,
      updatedAt: at,
      ...run,
    };
    repo.runs.push(full);
    return full.id;
  }

  // ───────────── inspection ─────────────

  /** A file's text at a branch, tag or SHA; undefined when the ref or the file does not exist. */
  readFile(fullName: string, ref: string, filePath: string): string | undefined {
    const repo = this.repo(fullName);
    const sha = repo.resolve(ref);
    const entry = sha ? repo.entryAt(sha, filePath) : undefined;
    return entry?.type === 'blob' ? repo.store.blobs.get(entry.sha)!.toString('utf8') : undefined;
  }

  /** Every file path and text at a ref. */
  files(fullName: string, ref: string): Record<string, string> {
    const repo = this.repo(fullName);
    const sha = repo.resolve(ref);
    if (!sha) throw new Error(`files: ${ref} does not resolve in ${fullName}`);
    const out: Record<string, string> = {};
    for (const [p, e] of repo.store.flatten(repo.commit(sha).tree))
      if (e.type === 'blob') out[p] = repo.store.blobs.get(e.sha)!.toString('utf8');
    return out;
  }

  branchSha(fullName: string, branch: string): string | undefined {
    return this.repo(fullName).branchSha(branch);
  }

  branches(fullName: string): string[] {
    return [...this.repo(fullName).refs.keys()]
      .filter((r) => r.startsWith('refs/heads/'))
      .map((r) => r.slice('refs/heads/'.length));
  }

  /** The commit object (message, parents, tree, author) of a SHA. */
  commit(fullName: string, sha: string) {
    return this.repo(fullName).commit(sha);
  }

  pulls(fullName: string): PullSummary[] {
    const repo = this.repo(fullName);
    return [...repo.issues.values()]
      .filter((i) => i.pull)
      .map((i) => {
        const pr = i.pull!;
        return {
          number: i.number,
          title: i.title,
          body: i.body,
          state: i.state,
          draft: pr.draft,
          merged: pr.merged,
          head: pr.headRef,
          headSha: pr.frozenHeadSha ?? this.world.repos.get(pr.headRepo.toLowerCase())?.branchSha(pr.headRef) ?? '',
          base: pr.baseRef,
          labels: [...i.labels],
          reviewers: [...pr.reviewers],
          teamReviewers: [...pr.teamReviewers],
          user: i.user,
          ...(pr.autoMerge ? { autoMerge: pr.autoMerge.method } : {}),
        };
      });
  }

  comments(fullName: string, issueNumber: number): CommentSummary[] {
    const issue = this.repo(fullName).issues.get(issueNumber);
    return (issue?.comments ?? []).map((c) => ({
      id: c.id,
      body: c.body,
      user: c.user,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    }));
  }

  checkRuns(fullName: string) {
    return [...this.repo(fullName).checkRuns.values()].map((r) => structuredClone(r));
  }

  statuses(fullName: string) {
    return this.repo(fullName).statuses.map((s) => ({ ...s }));
  }

  dispatches(fullName: string) {
    return this.repo(fullName).dispatches.map((d) => structuredClone(d));
  }

  workflowRuns(fullName: string) {
    return this.repo(fullName).runs.map((r) => structuredClone(r));
  }

  /** Requests that change something (everything but GET). */
  writes(): RecordedRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  /** Forget all repositories, requests, violations and pending faults. */
  reset(): void {
    this.world.repos.clear();
    this.requests.length = 0;
    this.violations.length = 0;
    this.faults.length = 0;
  }

  /** Make the next `times` (default 1) matching requests fail with `status` and GitHub's error body. */
  failNext(fault: Fault): void {
    this.faults.push({ ...fault, method: fault.method.toUpperCase(), left: fault.times ?? 1 });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ───────────── request handling ─────────────

  private repo(fullName: string): RepoState {
    const repo = this.world.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`the GitHub emulator has no repository ${fullName} (createRepo first)`);
    return repo;
  }

  private committer() {
    return person(
      this.world.login,
      `${this.world.login.replace(/\[bot\]$/, '')}@users.noreply.github.com`,
      this.world.now(),
    );
  }

  /** @internal */
  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = (req.method ?? 'GET').toUpperCase() as Method;
    const auth = /^(?:token|bearer)\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      token: auth?.[1],
    };
    this.served++;
    // A long-running emulator (the CLI) keeps no request log: it would grow without bound.
    if (this.opts.recordRequests !== false) this.requests.push(record);
    const violate = (problem: string) =>
      this.violations.push({ method, path: url.pathname, route: record.route, problem });

    if (method === 'POST' && url.pathname === '/graphql') return this.handleGraphql(req, res, record, violate);
    let reply: Reply;
    let rawBody: string | undefined;
    try {
      rawBody = await readBody(req);
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        throw new HttpError(400, 'Problems parsing JSON');
      }
      record.body = body;
      reply = this.dispatch(method, url, body, record, violate, req.headers.accept ?? '');
    } catch (err) {
      reply = this.errorReply(err, violate);
    }
    record.status = reply.status;
    if (this.contract && record.route && reply.status !== 304 && !reply.headers?.['content-type']) {
      for (const p of this.contract.checkResponse(method, record.route, reply.status, reply.body)) violate(p);
    }
    const headers: Record<string, string> = {
      'x-github-request-id': randomUUID().toUpperCase(),
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-resource': 'core',
      'x-github-api-version-selected': '2022-11-28',
      ...reply.headers,
    };
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    const payload = Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(JSON.stringify(reply.body));
    res
      .writeHead(reply.status, {
        'content-type': 'application/json; charset=utf-8',
        ...headers,
        'content-length': String(payload.length),
      })
      .end(payload);
  }

  /** POST /graphql: HTTP 200 with `{data, errors}`, as GitHub answers, checked against schema.graphql. */
  private async handleGraphql(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: RecordedRequest,
    violate: (p: string) => void,
  ): Promise<void> {
    record.route = '/graphql';
    const send = (status: number, body: unknown) => {
      record.status = status;
      const payload = Buffer.from(JSON.stringify(body));
      res
        .writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': String(payload.length),
          'x-github-request-id': randomUUID().toUpperCase(),
        })
        .end(payload);
    };
    let body: { query?: unknown; variables?: Record<string, unknown> };
    try {
      body = JSON.parse(await readBody(req));
      record.body = body;
    } catch {
      return send(400, { message: 'Problems parsing JSON', documentation_url: 'https://docs.github.com/graphql' });
    }
    if (this.opts.tokens && !(record.token && this.opts.tokens.includes(record.token)))
      return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql' });
    let op;
    try {
      op = parseOperation(String(body.query ?? ''));
    } catch (err) {
      if (!(err instanceof GraphqlSyntaxError)) throw err;
      violate(`GraphQL: ${err.message}`);
      return send(200, { errors: [{ message: err.message }] });
    }
    const vars = body.variables ?? {};
    const problems = this.graphqlContract?.checkRequest(op, vars) ?? [];
    for (const p of problems) violate(`GraphQL: ${p}`);
    if (problems.length) return send(200, { errors: problems.map((message) => ({ message })) });
    const fault = this.faults.find((f) => f.left > 0 && f.method === 'POST' && f.route === '/graphql');
    if (fault) {
      fault.left--;
      if (fault.left === 0) this.faults.splice(this.faults.indexOf(fault), 1);
      return send(fault.status, errorBody(fault.status, fault.message, fault.errors));
    }
    const result = execute(op, vars, {
      world: this.world,
      token: record.token,
      visible: (repo) => !(repo.info.private && repo.readers && !(record.token && repo.readers.includes(record.token))),
      unimplemented: (p) => violate(`GraphQL: the GitHub emulator does not implement ${p}`),
    });
    for (const p of this.graphqlContract?.checkResponse(op, result.data, !!result.errors) ?? [])
      violate(`GraphQL response: ${p}`);
    send(200, result);
  }

  private dispatch(
    method: Method,
    url: URL,
    body: unknown,
    record: RecordedRequest,
    violate: (p: string) => void,
    accept: string,
  ): Reply {
    // 1. The route: from the OpenAPI description when it is available, else from the handlers.
    const match = (this.contract?.router ?? this.handlerRouter).match(url.pathname);
    if (!match) {
      if (this.contract) violate(`no route in the OpenAPI description matches ${method} ${url.pathname}`);
      throw notFound();
    }
    record.route = match.route;
    if (this.contract && !this.contract.operation(method, match.route)) {
      violate(`${method} is not described for ${match.route}`);
      throw notFound();
    }
    // 2. The request against the description: unknown query parameters, the body's schema.
    if (this.contract) {
      for (const p of this.contract.checkQuery(method, match.route, url.searchParams)) violate(p);
      const problems = this.contract.checkRequest(method, match.route, body);
      for (const p of problems) violate(p);
      if (problems.length) throw new HttpError(422, `Invalid request.\n\n${problems.join('\n')}`);
    }
    // 3. Credentials and injected faults.
    // As GitHub: a wrong token is refused; no token at all may read public repositories, and nothing else.
    if (this.opts.tokens && record.token && !this.opts.tokens.includes(record.token))
      throw new HttpError(401, 'Bad credentials');
    if (this.opts.tokens && !record.token && method !== 'GET') throw new HttpError(401, 'Requires authentication');
    const fault = this.faults.find(
      (f) => f.left > 0 && f.method === method && (f.route === match.route || f.route === url.pathname),
    );
    if (fault) {
      fault.left--;
      if (fault.left === 0) this.faults.splice(this.faults.indexOf(fault), 1);
      throw new HttpError(fault.status, fault.message, fault.errors);
    }
    // 4. The handler, with the repository resolved (404 when absent or invisible to the token).
    const handler = handlers[`${method} ${match.route}`];
    if (!handler) {
      violate(`the GitHub emulator does not implement ${method} ${match.route}`);
      throw notFound();
    }
    const repo = this.world.repos.get(`${match.params.owner}/${match.params.repo}`.toLowerCase());
    if (!repo || (repo.info.private && (!record.token || (repo.readers && !repo.readers.includes(record.token)))))
      throw notFound();
    const ctx: RouteContext = {
      world: this.world,
      params: match.params,
      query: url.searchParams,
      url,
      body,
      token: record.token,
    };
    const reply = handler(ctx, repo);
    return accept.includes('raw') && method === 'GET' && match.route.endsWith('/contents/{path}')
      ? rawContent(reply, (sha) => repo.store.blobs.get(sha))
      : reply;
  }

  private errorReply(err: unknown, violate: (p: string) => void): Reply {
    if (err instanceof HttpError) return { status: err.status, body: err.body };
    // A bug in the emulator itself: answer 500 and make it visible to the test.
    violate(`the GitHub emulator failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return { status: 500, body: errorBody(500, 'Server Error') };
  }
}

/** `Accept: application/vnd.github.raw+json`: the file's bytes instead of the JSON object. */
function rawContent(reply: Reply, bytes: (sha: string) => Buffer | undefined): Reply {
  const file = reply.body as { type?: string; sha?: string };
  if (reply.status !== 200 || file?.type !== 'file') return reply;
  return {
    status: 200,
    body: bytes(file.sha!),
    headers: { 'content-type': 'application/vnd.github.raw; charset=utf-8' },
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Start an emulator on 127.0.0.1 (a random port unless `port` is given). */
export async function startGitHubEmulator(opts: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const emulator = new GitHubEmulator(server, `http://127.0.0.1:${port}`, opts);
  server.on('request', (req, res) => {
    emulator.handle(req, res).catch((err) => res.writeHead(500).end(String(err)));
  });
  return emulator;
}
