import type { GitHub } from '../lib/github.js';
import { UserError } from '../lib/errors.js';
import type { Host } from '../lib/host.js';
import { RemoteError, type RemoteFiles } from './file-sources.js';

/**
 * RemoteFiles over GitHub's REST API with the toolkit's client: a ref is resolved with
 * `GET /repos/{owner}/{repo}/commits/{ref}`, a file read with `GET /repos/{owner}/{repo}/contents/{path}?ref=<sha>`.
 * Loaded dynamically, only when a config names a GitHub source.
 */
export async function gitHubFiles(opts: { token?: string; apiUrl?: string; host?: Host }): Promise<RemoteFiles> {
  // Dynamic, as in pr-comment.ts: the lazily loaded chunks of a bundle then share one copy of github.ts.
  const { checkShape, createGitHub, describeGitHubError } = await import('../lib/github.js');
  const remoteError = (err: unknown, call: string, field?: 'git_reference'): RemoteError => {
    const e = describeGitHubError(err, call);
    return new RemoteError(
      e.diagnostics[0]?.message ?? e.message,
      e.diagnostics[0]?.fix ?? 'check the token and the names given.',
      field,
    );
  };
  let client: GitHub;
  try {
    // Without a token, public repositories are read unauthenticated (a laptop checking deployKF's configs).
    client = await createGitHub({ token: opts.token ?? '', apiUrl: opts.apiUrl, host: opts.host, anonymous: true });
  } catch (err) {
    if (err instanceof UserError)
      throw new RemoteError(
        err.diagnostics[0]?.message ?? err.message,
        err.diagnostics[0]?.fix ?? 'check the github-token input.',
      );
    throw err;
  }
  return {
    async resolveRef(owner, repo, ref) {
      try {
        const { data } = await client.rest.repos.getCommit({ owner, repo, ref, per_page: 1 });
        return checkShape(data, `Resolving git_reference '${ref}' in ${owner}/${repo}`, ['sha']).sha;
      } catch (err) {
        const status = (err as { status?: number }).status;
        if (status === 422) {
          throw new RemoteError(
            `git_reference '${ref}' is not a branch, tag or commit of ${owner}/${repo}.`,
            `correct git_reference, or push '${ref}' to ${owner}/${repo}.`,
            'git_reference',
          );
        }
        throw remoteError(err, `Resolving git_reference '${ref}' in ${owner}/${repo}`, 'git_reference');
      }
    },
    async readFile(owner, repo, sha, path) {
      try {
        const { data } = await client.rest.repos.getContent({ owner, repo, path, ref: sha });
        if (Array.isArray(data) || data.type !== 'file') {
          throw new RemoteError(
            `'${path}' in ${owner}/${repo} is a ${Array.isArray(data) ? 'folder' : data.type}, not a file.`,
            'point file_path at the compiled pipeline or parameter file.',
          );
        }
        if (data.encoding === 'base64') return Buffer.from(data.content, 'base64').toString('utf8');
        // Over 1 MB the contents API leaves `content` empty; the raw media type returns the bytes.
        const raw = await client.rest.repos.getContent({ owner, repo, path, ref: sha, mediaType: { format: 'raw' } });
        return String(raw.data);
      } catch (err) {
        if (err instanceof RemoteError) throw err;
        if ((err as { status?: number }).status === 404) return undefined;
        throw remoteError(err, `Reading '${path}' from ${owner}/${repo}`);
      }
    },
  };
}
