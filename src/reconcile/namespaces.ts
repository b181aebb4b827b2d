import path from 'node:path';
import { UserError } from '../lib/errors.js';
import type { DesiredFolder } from '../config/types.js';

/** Which namespace each folder reconciles into: the explicit map, the single `namespace`, or the folder's name. */
export function namespaceResolver(
  map: string[],
  single: string | undefined,
  folderCount: number,
): (f: Pick<DesiredFolder, 'folder' | 'namespace'>) => string {
  const explicit = new Map<string, string>();
  for (const line of map) {
    const m = /^(.+?)\s*=\s*(\S+)$/.exec(line);
    if (!m) throw new UserError(`Input 'namespace-map' lines must be 'folder=namespace' (got "${line}").`);
    explicit.set(path.normalize(m[1]!), m[2]!);
  }
  if (single && folderCount > 1 && explicit.size === 0) {
    throw new UserError(
      `Input 'namespace' names one namespace but config-folders matched ${folderCount} folders. Fix: use 'namespace-map' (folder=namespace per line), or leave both empty to use the folder names.`,
    );
  }
  return (f) => explicit.get(path.normalize(f.folder)) ?? single ?? f.namespace;
}
