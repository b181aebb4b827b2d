import fs from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import type { Diagnostic } from '../lib/errors.js';

/** The two files of a config folder, by base name; each may end in .yaml or .yml. */
export const CONFIG_FILES = ['experiments', 'recurring_runs'] as const;
export type ConfigFileName = (typeof CONFIG_FILES)[number];

/** Repo-relative path with forward slashes (what annotations and messages show). */
export function relPath(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/') || '.';
}

/**
 * Expand config-folder inputs (folders or globs, relative to `workdir`) to absolute folder paths,
 * in the order given, without duplicates. A missing folder or a glob that matches none is an error.
 */
export async function resolveConfigFolders(workdir: string, patterns: readonly string[], root: string): Promise<{ folders: string[]; diagnostics: Diagnostic[] }> {
  const folders: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const pattern of patterns) {
    if (/[*?[\]{}]/.test(pattern)) {
      const matches = (await glob(pattern, { cwd: workdir, absolute: true, onlyDirectories: true, expandDirectories: false })).map((m) => m.replace(/[/\\]$/, '')).sort();
      if (matches.length === 0) diagnostics.push({ message: `config-folders: the glob '${pattern}' matches no folder under ${relPath(root, workdir)}.`, fix: 'correct the pattern, or check working-directory.' });
      folders.push(...matches.map((m) => path.resolve(m)));
    } else {
      const abs = path.resolve(workdir, pattern);
      const stat = await fs.stat(abs).catch(() => undefined);
      if (!stat?.isDirectory()) {
        diagnostics.push({ message: `config-folders: the folder '${pattern}' does not exist (looked for ${relPath(root, abs)}).`, fix: 'correct the path (relative to working-directory), or commit the folder.' });
      } else {
        folders.push(abs);
      }
    }
  }
  return { folders: [...new Set(folders)], diagnostics };
}

/** Which file of the folder holds `name` (.yaml or .yml), or a diagnostic when none or both exist. */
export async function findConfigFile(folder: string, name: ConfigFileName, root: string): Promise<{ file: string } | { diagnostic: Diagnostic }> {
  const present: string[] = [];
  for (const ext of ['yaml', 'yml']) {
    const file = path.join(folder, `${name}.${ext}`);
    if ((await fs.stat(file).catch(() => undefined))?.isFile()) present.push(file);
  }
  const rel = relPath(root, folder);
  if (present.length === 0) {
    return { diagnostic: { message: `Config folder '${rel}' has no ${name}.yaml (or .yml).`, location: { file: rel }, fix: `add ${rel}/${name}.yaml (an empty list is '${name}: []'), or remove the folder from config-folders.` } };
  }
  if (present.length === 2) {
    return { diagnostic: { message: `Config folder '${rel}' has both ${name}.yaml and ${name}.yml.`, location: { file: relPath(root, present[1]!), line: 1, column: 1 }, fix: 'keep one of them.' } };
  }
  return { file: present[0]! };
}
