import fs from 'node:fs/promises';
import path from 'node:path';
import { closest } from '../lib/suggest.js';
import { resolveInside } from '../lib/inside.js';
import { ownerNameProblem, refNameProblem, repoNameProblem } from '../lib/names.js';
import type { FileSource } from './types.js';

/**
 * Reading the files a config refers to (pipelines, valueFrom files): from this repository, or from a
 * GitHub repository at a ref that is resolved once to a commit SHA. Each file is fetched once per
 * (repository, SHA, path), however many entries use it.
 */

/** Read access to GitHub repositories (implemented over the REST API in github-files.ts). */
export interface RemoteFiles {
  /** The commit SHA a branch, tag or SHA points at. Throws RemoteError. */
  resolveRef(owner: string, repo: string, ref: string): Promise<string>;
  /** The file's text at a commit, or undefined when it does not exist there. Throws RemoteError. */
  readFile(owner: string, repo: string, sha: string, path: string): Promise<string | undefined>;
}

/** The config keys of a GitHub source that a problem can be about besides file_path. */
export type RemoteField = 'git_reference' | 'github_owner' | 'github_repo';

/** A failure to read from GitHub, worded for the user, with the fix. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly fix: string,
    /** The config key the problem is about, when it is not the file path. */
    readonly field?: RemoteField,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export type FileRequest =
  { type: 'local'; path: string } | { type: 'github'; owner: string; repo: string; ref: string; path: string };

export type FileResult =
  { ok: true; text: string; source: FileSource } | { ok: false; message: string; fix: string; field?: RemoteField };

export class SourceReader {
  private readonly files = new Map<string, Promise<FileResult>>();
  private readonly refs = new Map<string, Promise<string>>();
  private remote?: Promise<RemoteFiles>;

  /**
   * @param root the repository root that local paths are relative to
   * @param github creates the GitHub reader on first use (so Octokit loads only when needed)
   */
  constructor(
    private readonly root: string,
    private readonly github?: () => Promise<RemoteFiles>,
  ) {}

  /** Whether any remote file was read (the caller may want to say so). */
  get usedGitHub(): boolean {
    return this.remote !== undefined;
  }

  read(req: FileRequest, maxBytes: number): Promise<FileResult> {
    const key = req.type === 'local' ? `local:${req.path}` : `github:${req.owner}/${req.repo}@${req.ref}:${req.path}`;
    let result = this.files.get(key);
    if (!result) {
      result = req.type === 'local' ? this.readLocal(req.path, maxBytes) : this.readRemote(req, maxBytes);
      this.files.set(key, result);
    }
    return result;
  }

  private async readLocal(rel: string, maxBytes: number): Promise<FileResult> {
    const normal = path.posix.normalize(rel.replace(/\\/g, '/'));
    const inside = resolveInside(this.root, normal);
    if (!inside.ok) return { ok: false, message: inside.message, fix: inside.fix };
    const abs = inside.path;
    const stat = inside.exists ? await fs.stat(abs).catch(() => undefined) : undefined;
    if (!stat) {
      const lexical = path.join(this.root, normal);
      const siblings = await fs.readdir(path.dirname(lexical)).catch(() => [] as string[]);
      const near = closest(path.basename(lexical), siblings);
      const hint = near
        ? `did you mean '${path.posix.join(path.posix.dirname(normal), near)}'? `
        : siblings.length === 0
          ? `the folder '${path.posix.dirname(normal)}' does not exist either; `
          : '';
      return {
        ok: false,
        message: `'${rel}' does not exist in the repository.`,
        fix: `${hint}correct the path (relative to the repository root) or commit the file.`,
      };
    }
    if (!stat.isFile())
      return { ok: false, message: `'${rel}' is a folder, not a file.`, fix: 'point at the file inside it.' };
    if (stat.size > maxBytes)
      return {
        ok: false,
        message: `'${rel}' is ${stat.size} bytes, over the ${maxBytes}-byte limit.`,
        fix: 'check that the right file is referenced.',
      };
    return { ok: true, text: await fs.readFile(abs, 'utf8'), source: { type: 'local', path: normal } };
  }

  private async readRemote(req: Extract<FileRequest, { type: 'github' }>, maxBytes: number): Promise<FileResult> {
    const where = `${req.owner}/${req.repo}`;
    // Checked before any call: a name like '..' would send the request (and the token) outside /repos/.
    const bad = remoteNameProblem(req);
    if (bad) return { ok: false, ...bad };
    try {
      if (!this.github)
        throw new RemoteError(
          `Reading ${where} needs GitHub access, which is not configured here.`,
          'run where a GitHub token is available (input github-token or GITHUB_TOKEN).',
        );
      this.remote ??= this.github();
      const remote = await this.remote;
      const refKey = `${where}@${req.ref}`;
      let sha = this.refs.get(refKey);
      if (!sha) {
        sha = remote.resolveRef(req.owner, req.repo, req.ref);
        this.refs.set(refKey, sha);
      }
      const commit = await sha;
      const text = await remote.readFile(req.owner, req.repo, commit, req.path);
      if (text === undefined) {
        return {
          ok: false,
          message: `'${req.path}' does not exist in ${where} at ${req.ref} (${commit.slice(0, 7)}).`,
          fix: "correct file_path (relative to that repository's root) or git_reference.",
        };
      }
      if (Buffer.byteLength(text) > maxBytes)
        return {
          ok: false,
          message: `'${req.path}' in ${where} is over the ${maxBytes}-byte limit.`,
          fix: 'check that the right file is referenced.',
        };
      return {
        ok: true,
        text,
        source: { type: 'github', owner: req.owner, repo: req.repo, ref: req.ref, sha: commit, path: req.path },
      };
    } catch (err) {
      if (err instanceof RemoteError)
        return { ok: false, message: err.message, fix: err.fix, ...(err.field ? { field: err.field } : {}) };
      throw err;
    }
  }
}

function remoteNameProblem(
  req: Extract<FileRequest, { type: 'github' }>,
): { message: string; fix: string; field?: RemoteField } | undefined {
  const owner = ownerNameProblem(req.owner);
  if (owner)
    return {
      message: `github_owner ${owner}.`,
      fix: 'give the user or organization as in github.com/<owner>.',
      field: 'github_owner',
    };
  const repo = repoNameProblem(req.repo);
  if (repo)
    return {
      message: `github_repo ${repo}.`,
      fix: 'give the repository name as in github.com/<owner>/<repo>.',
      field: 'github_repo',
    };
  const ref = refNameProblem(req.ref);
  if (ref)
    return {
      message: `git_reference ${ref}.`,
      fix: 'give a branch, tag or commit SHA of that repository.',
      field: 'git_reference',
    };
  const segments = req.path.split('/');
  if (req.path.startsWith('/') || segments.some((s) => s === '..' || s === '.' || s === '')) {
    return {
      message: `'${req.path}' is not a path inside ${req.owner}/${req.repo}.`,
      fix: "give the path from that repository's root, without leading /, ./ or ../.",
    };
  }
  return undefined;
}
