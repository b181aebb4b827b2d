import { createHash } from 'node:crypto';

/**
 * Git's object hashing, so the action can tell whether the PR branch already holds exactly the
 * tree it would commit without writing anything (GitHub computes the same SHAs).
 */
export interface GitTreeEntry {
  /** Name inside the tree (no slashes). */
  path: string;
  /** As the REST API gives it: 100644, 100755, 040000, 120000, 160000. */
  mode: string;
  type: 'blob' | 'tree' | 'commit';
  sha: string;
}

function hash(type: string, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

export function blobSha(content: string | Buffer): string {
  return hash('blob', typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
}

/** Git sorts entries bytewise by name, a sub-tree's name compared as if it ended in '/'. */
export function treeSha(entries: readonly GitTreeEntry[]): string {
  const key = (e: GitTreeEntry) => Buffer.from(e.type === 'tree' ? `${e.path}/` : e.path, 'utf8');
  const sorted = [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
  const body = Buffer.concat(
    sorted.flatMap((e) => [Buffer.from(`${e.mode.replace(/^0+/, '')} ${e.path}\0`, 'utf8'), Buffer.from(e.sha, 'hex')]),
  );
  return hash('tree', body);
}

/**
 * The root tree SHA after replacing the blob at `levels`' path: `levels[i]` are the entries of the
 * tree at depth i along the path (root first), `names[i]` the entry to follow at that depth.
 */
export function treeShaWithBlob(
  levels: readonly (readonly GitTreeEntry[])[],
  names: readonly string[],
  newBlobSha: string,
  mode = '100644',
): string {
  let sha = newBlobSha;
  for (let i = names.length - 1; i >= 0; i--) {
    const entries = levels[i]!;
    const name = names[i]!;
    const isLeaf = i === names.length - 1;
    const existing = entries.find((e) => e.path === name);
    const entry: GitTreeEntry = isLeaf
      ? { path: name, mode: existing?.mode ?? mode, type: 'blob', sha }
      : { path: name, mode: '040000', type: 'tree', sha };
    sha = treeSha([...entries.filter((e) => e.path !== name), entry]);
  }
  return sha;
}
