import fs from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import type { Diagnostic } from '../lib/errors.js';
import { type Inside, resolveInside } from '../lib/inside.js';

/** The two files of a config folder, by base name; each may end in .yaml or .yml. */
export const CONFIG_FILES = ['experiments', 'recurring_runs'] as const;
export type ConfigFileName = (typeof CONFIG_FILES)[number];
/** The optional third file: pipelines registered from git. */
export const PIPELINES_FILE = 'pipelines';

/** Repo-relative path with forward slashes (what annotations and messages show). */
export function relPath(root: string, abs: string): string {
  return path.relative(root, abs).split(path.sep).join('/') || '.';
}

/**
 * Expand config-folder inputs (folders or globs, relative to `workdir`) to absolute folder paths,
 * in the order given, without duplicates. A missing folder or a glob that matches none is an error.
 */
export async function resolveConfigFolders(
  workdir: string,
  patterns: readonly string[],
  root: string,
): Promise<{ folders: string[]; diagnostics: Diagnostic[] }> {
  const folders: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const outside = (given: string, inside: Extract<Inside, { ok: false }>) =>
    diagnostics.push({
      message: `config-folders: ${inside.message.replace(`'${given}'`, `the folder '${given}'`)}`,
      fix: inside.fix,
    });
  for (const pattern of patterns) {
    if (/[*?[\]{}]/.test(pattern)) {
      const matches = (
        await glob(pattern, { cwd: workdir, absolute: true, onlyDirectories: true, expandDirectories: false })
      )
        .map((m) => m.replace(/[/\\]$/, ''))
        .sort();
      if (matches.length === 0)
        diagnostics.push({
          message: `config-folders: the glob '${pattern}' matches no folder under ${relPath(root, workdir)}.`,
          fix: 'correct the pattern, or check working-directory.',
        });
      for (const m of matches) {
        const inside = resolveInside(root, m);
        if (inside.ok) folders.push(inside.path);
        else outside(relPath(root, m), inside);
      }
    } else {
      const inside = resolveInside(root, pattern, workdir);
      if (!inside.ok) {
        outside(pattern, inside);
        continue;
      }
      const stat = inside.exists ? await fs.stat(inside.path).catch(() => undefined) : undefined;
      if (!stat?.isDirectory()) {
        diagnostics.push({
          message: `config-folders: the folder '${pattern}' does not exist (looked for ${relPath(root, path.resolve(workdir, pattern))}).`,
          fix: 'correct the path (relative to working-directory), or commit the folder.',
        });
      } else {
        folders.push(inside.path);
      }
    }
  }
  return { folders: [...new Set(folders)], diagnostics };
}

/** Which file of the folder holds `name` (.yaml or .yml), or a diagnostic when none or both exist. */
export async function findConfigFile(
  folder: string,
  name: ConfigFileName | typeof PIPELINES_FILE,
  root: string,
): Promise<{ file: string } | { diagnostic: Diagnostic }> {
  const present: string[] = [];
  for (const ext of ['yaml', 'yml']) {
    const file = path.join(folder, `${name}.${ext}`);
    const inside = resolveInside(root, file);
    if (!inside.ok) {
      return {
        diagnostic: {
          message: `${relPath(root, file)}: ${inside.message}`,
          location: { file: relPath(root, file) },
          fix: inside.fix,
        },
      };
    }
    if (inside.exists && (await fs.stat(inside.path).catch(() => undefined))?.isFile()) present.push(file);
  }
  const rel = relPath(root, folder);
  if (present.length === 0) {
    return {
      diagnostic: {
        message: `Config folder '${rel}' has no ${name}.yaml (or .yml).`,
        location: { file: rel },
        fix: `add ${rel}/${name}.yaml (an empty list is '${name}: []'), or remove the folder from config-folders.`,
      },
    };
  }
  if (present.length === 2) {
    return {
      diagnostic: {
        message: `Config folder '${rel}' has both ${name}.yaml and ${name}.yml.`,
        location: { file: relPath(root, present[1]!), line: 1, column: 1 },
        fix: 'keep one of them.',
      },
    };
  }
  return { file: present[0]! };
}
