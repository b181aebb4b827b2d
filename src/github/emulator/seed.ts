import { git, showFile } from '../../lib/git.js';

/** The files committed at HEAD of a local git repository, and its branch: what a GitHub repository seeded from it holds. */
export async function filesAtHead(dir: string): Promise<{ files: Record<string, string>; branch: string }> {
  const paths = (await git(dir, ['ls-tree', '-r', '-z', '--name-only', 'HEAD'])).split('\0').filter(Boolean);
  const texts = await Promise.all(paths.map((p) => showFile(dir, 'HEAD', p)));
  const branch = (await git(dir, ['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
  return {
    files: Object.fromEntries(paths.map((p, i) => [p, texts[i] ?? ''])),
    branch: branch === 'HEAD' ? 'main' : branch,
  };
}
