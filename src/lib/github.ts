import fs from 'node:fs';
import type { getOctokit } from '@actions/github';
import type { Host } from './host.js';
import { UserError, errorMessage } from './errors.js';
import { ownerNameProblem, repoNameProblem } from './names.js';

/**
 * The one place the toolkit makes a GitHub client, and turns GitHub's errors into messages that
 * say what to fix. `@actions/github` (Octokit) is heavy, so it is loaded only when a client is made.
 */

export type GitHub = ReturnType<typeof getOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

export const DEFAULT_API_URL = 'https://api.github.com';

/**
 * An authenticated client; the API URL comes from `apiUrl`, GITHUB_API_URL (GHES, tests) or api.github.com.
 * With `anonymous`, no token gives an unauthenticated client (public repositories, 60 requests an hour).
 */
export async function createGitHub(opts: {
  token: string;
  apiUrl?: string;
  host?: Host;
  anonymous?: boolean;
}): Promise<GitHub> {
  if (!opts.token && !opts.anonymous) {
    throw new UserError(
      'No GitHub token was given. Fix: pass a token input (in a workflow, `${{ github.token }}` or a GitHub App / personal access token secret).',
    );
  }
  if (opts.token) opts.host?.setSecret(opts.token);
  const baseUrl = (opts.apiUrl || process.env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
  const { getOctokit } = await import('@actions/github');
  const { GitHub: Unauthenticated } = await import('@actions/github/lib/utils');
  const host = opts.host;
  const make = (options: ConstructorParameters<typeof Unauthenticated>[0] & object) =>
    opts.token ? getOctokit(opts.token, options) : (new Unauthenticated(options) as GitHub);
  const octokit = make({
    baseUrl,
    userAgent: 'kfp-gitops',
    // Octokit logs deprecations with console.warn; send them through the host instead.
    log: host
      ? {
          debug: (m: string) => host.debug(m),
          info: (m: string) => host.debug(m),
          warn: (m: string) => host.warning(m),
          error: (m: string) => host.error(m),
        }
      : undefined,
  });
  // fetch follows redirects: an answer from another server is not GitHub's (and must not be trusted).
  octokit.hook.after('request', (response) => {
    const origin = new URL(baseUrl).origin;
    if (response.url && new URL(response.url).origin !== origin) {
      const to = new URL(response.url).origin;
      throw UserError.at(
        `The GitHub API at ${origin} redirected to ${to}, which is not the API.`,
        undefined,
        'check GITHUB_API_URL and any proxy in between.',
      );
    }
  });
  return octokit;
}

/** `owner/name` → {owner, repo}; `source` names the input or variable in the error. */
export function parseRepo(value: string, source = 'repository'): RepoRef {
  const v = value.trim().replace(/\.git$/, '');
  const [owner = '', repo = '', ...more] = v.split('/');
  const problem = more.length ? 'more than one /' : (ownerNameProblem(owner) ?? repoNameProblem(repo));
  if (problem) {
    throw new UserError(
      `'${source}' must be a repository as owner/name (got "${value}": ${problem}). Fix: write it like kubeflow/pipelines, without https://github.com/.`,
    );
  }
  return { owner, repo };
}

/** The workflow's repository from GITHUB_REPOSITORY; undefined outside GitHub Actions. */
export function repoFromEnv(env: NodeJS.ProcessEnv = process.env): RepoRef | undefined {
  return env.GITHUB_REPOSITORY ? parseRepo(env.GITHUB_REPOSITORY, 'GITHUB_REPOSITORY') : undefined;
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);

/** The pull request number of a pull_request / pull_request_target run; undefined for other events. */
export function pullRequestFromEvent(env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (!PR_EVENTS.has(env.GITHUB_EVENT_NAME ?? '') || !env.GITHUB_EVENT_PATH) return undefined;
  let event: { pull_request?: { number?: unknown }; number?: unknown };
  try {
    event = JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
  } catch (err) {
    throw new UserError(
      `Cannot read the ${env.GITHUB_EVENT_NAME} event payload at ${env.GITHUB_EVENT_PATH}: ${errorMessage(err)}`,
    );
  }
  const n = event.pull_request?.number ?? event.number;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** What an Octokit RequestError carries that we use (duck-typed: the class lives in the lazy bundle). */
interface RequestErrorLike {
  status?: number;
  message?: string;
  request?: { method?: string; url?: string; headers?: Record<string, string | undefined> };
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

const ACTIONS_PR_BLOCKED = 'GitHub Actions is not permitted to create or approve pull requests';
const NODE_NOT_RESOLVED = 'Could not resolve to a node';

/** The `permissions:` key (and level) a request needs, from its method and URL. */
export function permissionFor(method: string | undefined, url: string | undefined): string {
  const path = url ? url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0]! : '';
  const level = (method ?? 'GET').toUpperCase() === 'GET' ? 'read' : 'write';
  const scope = /\/pulls(\/|$)/.test(path)
    ? 'pull-requests'
    : /\/issues\//.test(path)
      ? level === 'write'
        ? 'pull-requests'
        : 'issues'
      : /\/check-runs|\/check-suites/.test(path)
        ? 'checks'
        : /\/statuses\//.test(path)
          ? 'statuses'
          : /\/actions\//.test(path)
            ? 'actions'
            : 'contents';
  return `${scope}: ${level}`;
}

/**
 * A failed GitHub call as a UserError: the status, GitHub's own message, and what to check.
 * `call` names what was being done, e.g. "Creating the pull request".
 */
export function describeGitHubError(err: unknown, call: string): UserError {
  if (err instanceof UserError) return err;
  const e = (err ?? {}) as RequestErrorLike;
  // Octokit reports a request that got no answer at all (DNS, refused, TLS) as HTTP 500: name the real cause.
  const network = e.response ? undefined : networkCause(err);
  if (network) {
    const target = e.request?.url ? new URL(e.request.url).host : process.env.GITHUB_API_URL || DEFAULT_API_URL;
    return UserError.at(`${call} failed: ${network.what} (${target}, ${network.code}).`, undefined, network.fix);
  }
  const status = typeof e.status === 'number' ? e.status : 0;
  const data = (e.response?.data ?? {}) as { message?: string; errors?: unknown[] };
  const ghMessage = (typeof data === 'object' && data.message) || e.message || errorMessage(err);
  const method = e.request?.method;
  const url = e.request?.url;
  const what = `${call} failed${status ? ` (HTTP ${status}${method && url ? ` on ${method} ${url.replace(/^[a-z]+:\/\/[^/]+/i, '')}` : ''})` : ''}: ${ghMessage}`;
  const fix = fixFor(status, ghMessage, data.errors, e, method, url);
  return UserError.at(what, undefined, fix);
}

function fixFor(
  status: number,
  message: string,
  errors: unknown[] | undefined,
  e: RequestErrorLike,
  method?: string,
  url?: string,
): string {
  const anonymous = e.request !== undefined && !e.request.headers?.authorization;
  if (anonymous && (status === 403 || status === 429) && /rate limit/i.test(message)) {
    return 'GitHub limits requests without a token to 60 an hour: give a token (the github-token input in a workflow, GITHUB_TOKEN for the CLI, e.g. `GITHUB_TOKEN=$(gh auth token)`), or wait for the limit to reset.';
  }
  if (anonymous && (status === 404 || status === 401)) {
    return 'no token was given, so only public repositories can be read: check the names, or give a token that can see the repository (the github-token input, GITHUB_TOKEN for the CLI).';
  }
  if (status === 0)
    return `check that the GitHub API is reachable at ${url ?? (process.env.GITHUB_API_URL || DEFAULT_API_URL)} (GITHUB_API_URL) and the network/proxy settings.`;
  if (status === 401)
    return 'the token is invalid or expired: check the token input/secret (a GitHub App token lives one hour; a personal access token may have expired or been revoked).';
  if (status === 403 && message.includes(ACTIONS_PR_BLOCKED)) {
    return 'turn on "Allow GitHub Actions to create and approve pull requests" in the repository (and organization) Settings → Actions → General, or use a GitHub App or personal access token instead of GITHUB_TOKEN.';
  }
  if (status === 403 && /without `?workflows`? permission/i.test(message)) {
    return 'the change touches .github/workflows: use a GitHub App token with the Workflows permission or a personal access token with the `workflow` scope (GITHUB_TOKEN cannot do this).';
  }
  if (
    (status === 403 || status === 429) &&
    (/rate limit/i.test(message) || e.response?.headers?.['x-ratelimit-remaining'] === '0')
  ) {
    const reset = Number(e.response?.headers?.['x-ratelimit-reset']);
    return `the API rate limit is exhausted${reset ? ` until ${new Date(reset * 1000).toISOString()}` : ''}: wait, run less often, or use a GitHub App token (higher limits).`;
  }
  if (status === 403) {
    const permission = permissionFor(method, url);
    const fork = permission.endsWith('write')
      ? ' A pull request from a fork always gets a read-only GITHUB_TOKEN: post from a `workflow_run` or `pull_request_target` workflow instead.'
      : '';
    return `the token lacks a permission: add \`permissions: { ${permission} }\` to the job (or grant it to the GitHub App / personal access token).${fork}`;
  }
  if (status === 404) {
    return "check the repository, ref and path names; a private repository also answers 404 when the token cannot see it (GITHUB_TOKEN only sees the workflow's own repository: use a GitHub App or personal access token for others).";
  }
  if (status === 409)
    return 'the repository is empty or changed meanwhile (a conflict): push a first commit, or re-run to work on the new state.';
  if (
    status === 422 &&
    [message, ...(errors ?? []).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))].some((m) =>
      m.includes(NODE_NOT_RESOLVED),
    )
  ) {
    // create-pull-request#4321: right after a PR is created GitHub may not resolve it for a moment.
    return 'GitHub had not yet caught up with the pull request created a moment ago (it was retried with backoff), or cannot resolve a team reviewer for this token: re-run the job (the PR exists; the next run adds the reviewers and labels still missing). For `org/team` reviewers use a GitHub App token with members: read or a PAT with the repo scope.';
  }
  if (status === 422) {
    const details = (errors ?? [])
      .map((x) =>
        typeof x === 'string'
          ? x
          : [(x as { field?: string }).field, (x as { message?: string }).message ?? (x as { code?: string }).code]
              .filter(Boolean)
              .join(': '),
      )
      .filter(Boolean);
    return `GitHub rejected the request${details.length ? ` (${details.join('; ')})` : ''}: correct the named field or value.`;
  }
  if (status >= 500)
    return 'GitHub had a server error: re-run the job; if it persists, check https://www.githubstatus.com.';
  return 'check the token, its permissions and the names given.';
}

const NETWORK_CAUSES: Record<string, { what: string; fix: string }> = {
  ENOTFOUND: {
    what: 'the host name could not be resolved (DNS)',
    fix: "check GITHUB_API_URL (or the api-url) for a typo, and the runner's DNS and proxy settings.",
  },
  EAI_AGAIN: { what: 'the DNS lookup failed temporarily', fix: "check the runner's DNS, then re-run." },
  ECONNREFUSED: {
    what: 'the connection was refused',
    fix: 'check GITHUB_API_URL (host and port) and that the server (or proxy) is up.',
  },
  ECONNRESET: {
    what: 'the connection was reset',
    fix: 'check the proxy or firewall between the runner and GitHub, then re-run.',
  },
  ETIMEDOUT: {
    what: 'the connection timed out',
    fix: 'check the network, proxy and firewall between the runner and GitHub.',
  },
  UND_ERR_CONNECT_TIMEOUT: {
    what: 'the connection timed out',
    fix: 'check the network, proxy and firewall between the runner and GitHub.',
  },
  EHOSTUNREACH: { what: 'the host is unreachable', fix: 'check the network route and proxy settings to GitHub.' },
  ENETUNREACH: { what: 'the network is unreachable', fix: "check the runner's network and proxy settings." },
};

/** The system error behind a request that got no HTTP answer (fetch nests it in `cause`), if any. */
export function networkCause(err: unknown): { code: string; what: string; fix: string } | undefined {
  for (
    let e = err as { code?: unknown; cause?: unknown; message?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && NETWORK_CAUSES[code]) return { code, ...NETWORK_CAUSES[code] };
    if (code && /CERT|SSL|TLS/i.test(code)) {
      return {
        code,
        what: `the TLS certificate was refused (${String(e.message ?? code)})`,
        fix: 'give the CA bundle with NODE_EXTRA_CA_CERTS, or check GITHUB_API_URL.',
      };
    }
  }
  return undefined;
}

/**
 * GitHub's answer to `call`, checked to carry `fields` (dotted paths; `x[]` must be a list, others a
 * string or number). A proxy, a redirect to another server or an API that is not GitHub's may answer
 * 200 with something else: that is a clear error here rather than "cannot read properties of undefined".
 */
export function checkShape<T>(data: T, call: string, fields: readonly string[]): T {
  for (const f of fields) {
    const list = f.endsWith('[]');
    const keys = (list ? f.slice(0, -2) : f).split('.').filter(Boolean);
    let v: unknown = data;
    for (const k of keys) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
    const ok = list ? Array.isArray(v) : typeof v === 'string' || typeof v === 'number';
    if (!ok) {
      const where = process.env.GITHUB_API_URL || DEFAULT_API_URL;
      throw UserError.at(
        `${call}: GitHub's answer has no ${list ? 'list ' : ''}\`${f.replace(/\[\]$/, '') || '(root)'}\`, so it is not a GitHub API answer.`,
        undefined,
        `check that GITHUB_API_URL (${where}) is the GitHub API, and whether a proxy or a redirect to another server answers instead.`,
      );
    }
  }
  return data;
}
