import { createHash } from 'node:crypto';

/**
 * An in-memory git object database with git's own hashing, so blob/tree/commit SHAs are the ones
 * git would compute and clients can compare them with a local checkout.
 */

export type EntryType = 'blob' | 'tree' | 'commit';

export interface TreeEntry {
  /** Name inside its tree (no slashes). */
  name: string;
  mode: string;
  type: EntryType;
  sha: string;
}

export interface Person {
  name: string;
  email: string;
  date: string;
}

export interface CommitObject {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
  author: Person;
  committer: Person;
}

/** A change to a tree at a (possibly nested) path; `sha: null` deletes. */
export interface TreeChange {
  path: string;
  mode: string;
  type: EntryType;
  sha?: string | null;
  content?: string;
}

export class GitObjectError extends Error {}

function hashObject(type: string, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/** Git sorts tree entries by name, comparing a sub-tree's name as if it ended in '/'. */
function sortKey(e: TreeEntry): string {
  return e.type === 'tree' ? `${e.name}/` : e.name;
}

export class GitStore {
  readonly blobs = new Map<string, Buffer>();
  readonly trees = new Map<string, TreeEntry[]>();
  readonly commits = new Map<string, CommitObject>();

  constructor() {
    this.writeTree([]); // the empty tree always exists
  }

  writeBlob(content: Buffer | string): string {
    const buf = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
    const sha = hashObject('blob', buf);
    this.blobs.set(sha, buf);
    return sha;
  }

  writeTree(entries: TreeEntry[]): string {
    const sorted = [...entries].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    const body = Buffer.concat(
      sorted.map((e) =>
        Buffer.concat([
          Buffer.from(`${e.mode === '040000' ? '40000' : e.mode} ${e.name}\0`),
          Buffer.from(e.sha, 'hex'),
        ]),
      ),
    );
    const sha = hashObject('tree', body);
    this.trees.set(sha, sorted);
    return sha;
  }

  writeCommit(c: Omit<CommitObject, 'sha'>): CommitObject {
    if (!this.trees.has(c.tree)) throw new GitObjectError(`tree ${c.tree} does not exist`);
    for (const p of c.parents) if (!this.commits.has(p)) throw new GitObjectError(`parent ${p} does not exist`);
    const person = (p: Person) => `${p.name} <${p.email}> ${Math.floor(Date.parse(p.date) / 1000)} +0000`;
    const text = [
      `tree ${c.tree}`,
      ...c.parents.map((p) => `parent ${p}`),
      `author ${person(c.author)}`,
      `committer ${person(c.committer)}`,
      '',
      c.message,
    ].join('\n');
    const commit = { ...c, sha: hashObject('commit', Buffer.from(text, 'utf8')) };
    this.commits.set(commit.sha, commit);
    return commit;
  }

  hasObject(sha: string): boolean {
    return this.blobs.has(sha) || this.trees.has(sha) || this.commits.has(sha);
  }

  /** Every blob (and submodule) under a tree, keyed by full path. */
  flatten(treeSha: string, prefix = '', out = new Map<string, TreeEntry>()): Map<string, TreeEntry> {
    for (const e of this.trees.get(treeSha) ?? []) {
      const full = prefix + e.name;
      if (e.type === 'tree') this.flatten(e.sha, `${full}/`, out);
      else out.set(full, { ...e, name: full });
    }
    return out;
  }

  /** Build nested trees from full paths; returns the root tree's SHA. */
  writeFlat(files: Map<string, TreeEntry>): string {
    const children = new Map<string, Map<string, TreeEntry>>();
    const here: TreeEntry[] = [];
    for (const [full, e] of files) {
      const slash = full.indexOf('/');
      if (slash < 0) {
        here.push({ ...e, name: full });
        continue;
      }
      const dir = full.slice(0, slash);
      if (!children.has(dir)) children.set(dir, new Map());
      children.get(dir)!.set(full.slice(slash + 1), e);
    }
    for (const [dir, sub] of children) here.push({ name: dir, mode: '040000', type: 'tree', sha: this.writeFlat(sub) });
    return this.writeTree(here);
  }

  /** The Git Database API's create-tree: changes applied on top of `baseTree` (or on nothing). */
  applyChanges(baseTree: string | undefined, changes: TreeChange[]): string {
    if (baseTree !== undefined && !this.trees.has(baseTree))
      throw new GitObjectError(`base_tree ${baseTree} does not exist`);
    const files = baseTree ? this.flatten(baseTree) : new Map<string, TreeEntry>();
    for (const c of changes) {
      const path = c.path.replace(/^\/+|\/+$/g, '');
      if (!path || path.split('/').some((s) => s === '' || s === '.' || s === '..'))
        throw new GitObjectError(`invalid tree path '${c.path}'`);
      const under = `${path}/`;
      if (c.sha === null) {
        files.delete(path);
        for (const k of [...files.keys()]) if (k.startsWith(under)) files.delete(k);
        continue;
      }
      let sha = c.sha;
      if (c.content !== undefined) sha = this.writeBlob(c.content);
      if (!sha) throw new GitObjectError(`tree entry '${c.path}' needs sha or content`);
      if (c.type === 'tree') {
        if (!this.trees.has(sha)) throw new GitObjectError(`tree.sha ${sha} is not a valid tree`);
        for (const k of [...files.keys()]) if (k.startsWith(under)) files.delete(k);
        for (const [sub, e] of this.flatten(sha)) files.set(under + sub, e);
        continue;
      }
      if (c.type === 'blob' && !this.blobs.has(sha)) throw new GitObjectError(`tree.sha ${sha} is not a valid blob`);
      for (const k of [...files.keys()]) if (k.startsWith(under)) files.delete(k); // a file replaces a folder
      files.set(path, { name: path, mode: c.mode, type: c.type, sha });
    }
    return this.writeFlat(files);
  }

  /** The entry at `path` inside a tree ('' is the tree itself). */
  lookup(treeSha: string, path: string): TreeEntry | undefined {
    let entry: TreeEntry = { name: '', mode: '040000', type: 'tree', sha: treeSha };
    for (const seg of path.split('/').filter(Boolean)) {
      if (entry.type !== 'tree') return undefined;
      const next = this.trees.get(entry.sha)?.find((e) => e.name === seg);
      if (!next) return undefined;
      entry = next;
    }
    return entry;
  }

  /** Is `ancestor` reachable from `sha` by parent links (or equal to it)? */
  isAncestor(ancestor: string, sha: string): boolean {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length) {
      const s = stack.pop()!;
      if (s === ancestor) return true;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...(this.commits.get(s)?.parents ?? []));
    }
    return false;
  }
}
