import fs from 'node:fs';
import path from 'node:path';

/**
 * The one check that a file or folder named by a config, an input or a pipeline source stays inside the
 * repository checkout after following symbolic links (`fs.realpath`): `..` or an absolute path leading
 * out, a committed `params/x -> /proc/self/environ` or a linked folder that leads out are refused
 * instead of read. A path that does not exist (yet) is checked up to its deepest existing
 * folder. Callers read `path`, the resolved real path, so what is read is what was checked.
 */
export type Inside = { ok: true; path: string; exists: boolean } | { ok: false; message: string; fix: string };

export function resolveInside(root: string, given: string, base: string = root): Inside {
  const lexical = path.resolve(base, given);
  const realRoot = realpathOr(root);
  // The deepest part of the path that exists, through its links; the missing rest is appended as is.
  let probe = lexical;
  const rest: string[] = [];
  let real: string | undefined;
  for (;;) {
    try {
      real = fs.realpathSync(probe);
      break;
    } catch {
      if (path.dirname(probe) === probe) break;
      rest.unshift(path.basename(probe));
      probe = path.dirname(probe);
    }
  }
  const full = path.join(real ?? probe, ...rest);
  if (!within(realRoot, full) && !within(root, lexical) && !within(realRoot, lexical)) {
    return {
      ok: false,
      message: `'${given}' is outside the repository checkout.`,
      fix: 'give a path inside the repository (relative, without ../ leading out of it, and not absolute).',
    };
  }
  if (!within(realRoot, full)) {
    return {
      ok: false,
      message: `'${given}' leads outside the repository checkout through a symbolic link (to ${real ?? probe}).`,
      fix: 'replace the link by the file itself, or point it at a file inside the repository.',
    };
  }
  // A dangling link counts as missing: callers read only what exists.
  return { ok: true, path: full, exists: rest.length === 0 };
}

function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function within(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
