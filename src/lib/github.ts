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

/** An authenticated client; the API URL comes from `apiUrl`, GITHUB_API_URL (GHES, tests) or api.github.com. */
export async function createGitHub(opts: { token: string; apiUrl?: string; host?: Host }): Promise<GitHub> {
  if (!opts.token) {
    throw new UserError('No GitHub token was given. Fix: pass a token input (in a workflow, `${{ github.token }}` or a GitHub App / personal access token secret).');
  }
  opts.host?.setSecret(opts.token);
  const baseUrl = (opts.apiUrl || process.env.GITHUB_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
  const { getOctokit } = await import('@actions/github');
  const host = opts.host;
  return getOctokit(opts.token, {
    baseUrl,
    userAgent: 'kfp-gitops',
    // Octokit logs deprecations with console.warn; send them through the host instead.
    log: host
      ? { debug: (m: string) => host.debug(m), info: (m: string) => host.debug(m), warn: (m: string) => host.warning(m), error: (m: string) => host.error(m) }
      : undefined,
  });
}

/** `owner/name` → {owner, repo}; `source` names the input or variable in the error. */
export function parseRepo(value: string, source = 'repository'): RepoRef {
  const v = value.trim().replace(/\.git$/, '');
  const [owner = '', repo = '', ...more] = v.split('/');
  const problem = more.length ? 'more than one /' : (ownerNameProblem(owner) ?? repoNameProblem(repo));
  if (problem) {
    throw new UserError(`'${source}' must be a repository as owner/name (got "${value}": ${problem}). Fix: write it like kubeflow/pipelines, without https://github.com/.`);
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
    throw new UserError(`Cannot read the ${env.GITHUB_EVENT_NAME} event payload at ${env.GITHUB_EVENT_PATH}: ${errorMessage(err)}`);
  }
  const n = event.pull_request?.number ?? event.number;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** What an Octokit RequestError carries that we use (duck-typed: the class lives in the lazy bundle). */
interface RequestErrorLike {
  status?: number;
  message?: string;
  request?: { method?: string; url?: string };
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

const ACTIONS_PR_BLOCKED = 'GitHub Actions is not permitted to create or approve pull requests';

/** The `permissions:` key (and level) a request needs, from its method and URL. */
export function permissionFor(method: string | undefined, url: string | undefined): string {
  const path = url ? url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0]! : '';
  const level = (method ?? 'GET').toUpperCase() === 'GET' ? 'read' : 'write';
  const scope =
    /\/pulls(\/|$)/.test(path) ? 'pull-requests'
    : /\/issues\//.test(path) ? (level === 'write' ? 'pull-requests' : 'issues')
    : /\/check-runs|\/check-suites/.test(path) ? 'checks'
    : /\/statuses\//.test(path) ? 'statuses'
    : /\/actions\//.test(path) ? 'actions'
    : 'contents';
  return `${scope}: ${level}`;
}

/**
 * A failed GitHub call as a UserError: the status, GitHub's own message, and what to check.
 * `call` names what was being done, e.g. "Creating the pull request".
 */
export function describeGitHubError(err: unknown, call: string): UserError {
  const e = (err ?? {}) as RequestErrorLike;
  const status = typeof e.status === 'number' ? e.status : 0;
  const data = (e.response?.data ?? {}) as { message?: string; errors?: unknown[] };
  const ghMessage = (typeof data === 'object' && data.message) || e.message || errorMessage(err);
  const method = e.request?.method;
  const url = e.request?.url;
  const what = `${call} failed${status ? ` (HTTP ${status}${method && url ? ` on ${method} ${url.replace(/^[a-z]+:\/\/[^/]+/i, '')}` : ''})` : ''}: ${ghMessage}`;
  const fix = fixFor(status, ghMessage, data.errors, e, method, url);
  return UserError.at(what, undefined, fix);
}

function fixFor(status: number, message: string, errors: unknown[] | undefined, e: RequestErrorLike, method?: string, url?: string): string {
  if (status === 0) return `check that the GitHub API is reachable at ${url ?? (process.env.GITHUB_API_URL || DEFAULT_API_URL)} (GITHUB_API_URL) and the network/proxy settings.`;
  if (status === 401) return 'the token is invalid or expired: check the token input/secret (a GitHub App token lives one hour; a personal access token may have expired or been revoked).';
  if (status === 403 && message.includes(ACTIONS_PR_BLOCKED)) {
    return 'turn on "Allow GitHub Actions to create and approve pull requests" in the repository (and organization) Settings → Actions → General, or use a GitHub App or personal access token instead of GITHUB_TOKEN.';
  }
  if (status === 403 && /without `?workflows`? permission/i.test(message)) {
    return 'the change touches .github/workflows: use a GitHub App token with the Workflows permission or a personal access token with the `workflow` scope (GITHUB_TOKEN cannot do this).';
  }
  if ((status === 403 || status === 429) && (/rate limit/i.test(message) || e.response?.headers?.['x-ratelimit-remaining'] === '0')) {
    const reset = Number(e.response?.headers?.['x-ratelimit-reset']);
    return `the API rate limit is exhausted${reset ? ` until ${new Date(reset * 1000).toISOString()}` : ''}: wait, run less often, or use a GitHub App token (higher limits).`;
  }
  if (status === 403) {
    const permission = permissionFor(method, url);
    const fork = permission.endsWith('write') ? ' A pull request from a fork always gets a read-only GITHUB_TOKEN: post from a `workflow_run` or `pull_request_target` workflow instead.' : '';
    return `the token lacks a permission: add \`permissions: { ${permission} }\` to the job (or grant it to the GitHub App / personal access token).${fork}`;
  }
  if (status === 404) {
    return 'check the repository, ref and path names; a private repository also answers 404 when the token cannot see it (GITHUB_TOKEN only sees the workflow\'s own repository: use a GitHub App or personal access token for others).';
  }
  if (status === 409) return 'the repository is empty or changed meanwhile (a conflict): push a first commit, or re-run to work on the new state.';
  if (status === 422) {
    const details = (errors ?? [])
      .map((x) => (typeof x === 'string' ? x : [(x as { field?: string }).field, (x as { message?: string }).message ?? (x as { code?: string }).code].filter(Boolean).join(': ')))
      .filter(Boolean);
    return `GitHub rejected the request${details.length ? ` (${details.join('; ')})` : ''}: correct the named field or value.`;
  }
  if (status >= 500) return 'GitHub had a server error: re-run the job; if it persists, check https://www.githubstatus.com.';
  return 'check the token, its permissions and the names given.';
}
