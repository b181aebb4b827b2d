import fs from 'node:fs/promises';
import path from 'node:path';
import { glob } from 'tinyglobby';
import { structuredPatch, formatPatch } from 'diff';
import { type Diagnostic, UserError, formatDiagnostic } from '../lib/errors.js';
import { mapLimit } from '../lib/concurrency.js';
import { resolveInside } from '../lib/inside.js';
import { runProcess, tail } from '../lib/proc.js';
import { repoRoot, restoreFromHead, showFile, status } from '../lib/git.js';
import { compareRendered } from './compare.js';

export interface RenderCheckOptions {
  /** Folder the script patterns are relative to (inside a git checkout). */
  workdir: string;
  scripts: string[];
  ignoreKeys: string[];
  checkDeterminism: boolean;
  parallelism: number;
  maxDiffLines: number;
  log?: (message: string) => void;
}

export interface StaleFile {
  /** Repo-relative path. */
  path: string;
  change: 'modified' | 'added' | 'deleted';
  /** Repo-relative path of the render script whose folder holds the file, when one does. */
  script?: string;
  /** Unified diff HEAD → render, cut at maxDiffLines. */
  diff: string;
  /** First changed line in the committed file (for the annotation). */
  line?: number;
  /** Data paths that differ (YAML/JSON only). */
  keys: string[];
}

export interface NondeterministicFile {
  path: string;
  script?: string;
  keys: string[];
}

export interface RenderCheckResult {
  root: string;
  /** Repo-relative script paths, in the order run. */
  scripts: string[];
  stale: StaleFile[];
  /** Files whose only changes were ignored keys; put back to HEAD. */
  restored: string[];
  nondeterministic: NondeterministicFile[];
  /** Files that were already modified before rendering (left untouched). */
  preexisting: string[];
}

/** Expand script paths/globs (each inside the checkout `root`, after symlinks); a missing path or a glob matching nothing is an error. */
export async function resolveScripts(workdir: string, patterns: string[], root: string = workdir): Promise<string[]> {
  const found: string[] = [];
  const problems: Diagnostic[] = [];
  const add = (given: string, abs: string) => {
    const inside = resolveInside(root, abs);
    if (inside.ok) found.push(inside.path);
    else
      problems.push({
        message: `render-scripts: ${inside.message.replace(`'${abs}'`, `'${given}'`)}`,
        fix: inside.fix,
      });
  };
  for (const pattern of patterns) {
    const isGlob = /[*?[\]{}]/.test(pattern);
    if (isGlob) {
      const matches = (await glob(pattern, { cwd: workdir, absolute: true, onlyFiles: true, dot: false })).sort();
      if (matches.length === 0)
        problems.push({
          message: `render-scripts: the glob '${pattern}' matches no file under ${workdir}.`,
          fix: 'correct the pattern, or check working-directory.',
        });
      for (const m of matches) add(path.relative(workdir, m), m);
    } else {
      const abs = path.resolve(workdir, pattern);
      const inside = resolveInside(root, abs);
      const stat = inside.ok && inside.exists ? await fs.stat(inside.path).catch(() => undefined) : undefined;
      if (inside.ok && !stat?.isFile())
        problems.push({
          message: `render-scripts: '${pattern}' does not exist (looked for ${abs}).`,
          fix: 'correct the path, or check working-directory.',
        });
      else add(pattern, abs);
    }
  }
  // Each problem is reported on its own; the message only sums them up.
  if (problems.length)
    throw new UserError(
      problems.length === 1
        ? formatDiagnostic(problems[0]!)
        : `${problems.length} render-scripts entries match no file.`,
      problems,
    );
  return [...new Set(found)];
}

async function runAll(root: string, scripts: string[], parallelism: number, log: (m: string) => void): Promise<void> {
  const failures = await mapLimit(scripts, parallelism, async (script) => {
    const rel = path.relative(root, script);
    const started = Date.now();
    const r = await runProcess('bash', [path.basename(script)], { cwd: path.dirname(script) });
    log(`${r.code === 0 ? '✓' : '✗'} ${rel} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
    return r.code === 0 ? undefined : { rel, code: r.code, output: r.output };
  });
  const failed = failures.filter((f) => f !== undefined);
  if (failed.length) {
    const diagnostics: Diagnostic[] = failed.map((f) => ({
      message: `Render script ${f.rel} failed with exit code ${f.code}. Last lines of its output:\n${tail(f.output) || '(no output)'}`,
      location: { file: f.rel },
      fix: `run 'bash ${path.basename(f.rel)}' in ${path.dirname(f.rel) || '.'} and fix the error.`,
    }));
    throw new UserError(
      `${failed.length} render script(s) failed: ${failed.map((f) => f.rel).join(', ')}`,
      diagnostics,
    );
  }
}

/** A rendered file's content; a link leading out of the checkout is shown as its target, never read through. */
async function readOrUndefined(root: string, rel: string): Promise<string | undefined> {
  const inside = resolveInside(root, rel);
  if (!inside.ok)
    return `(a symbolic link leading outside the repository: ${await fs.readlink(path.join(root, rel)).catch(() => '?')})\n`;
  return fs.readFile(inside.path, 'utf8').catch(() => undefined);
}

/** Changed paths (repo-relative) with their current content. */
async function snapshot(root: string, exclude: ReadonlySet<string>): Promise<Map<string, string | undefined>> {
  const snap = new Map<string, string | undefined>();
  for (const entry of await status(root)) {
    if (exclude.has(entry.path)) continue;
    snap.set(entry.path, await readOrUndefined(root, entry.path));
  }
  return snap;
}

function ownerScript(file: string, scripts: string[]): string | undefined {
  // The script whose folder is the deepest ancestor of the file.
  return scripts
    .filter((s) => {
      const dir = path.dirname(s);
      return dir === '.' || file.startsWith(dir + '/');
    })
    .sort((a, b) => path.dirname(b).length - path.dirname(a).length)[0];
}

function unifiedDiff(
  file: string,
  before: string | undefined,
  after: string | undefined,
  maxLines: number,
  ignore: ReadonlySet<string>,
): { diff: string; line?: number } {
  const patch = structuredPatch(`a/${file}`, `b/${file}`, before ?? '', after ?? '', 'HEAD', 'rendered', {
    context: 3,
  });
  const text = formatPatch(patch);
  const lines = text.split('\n');
  const cut =
    lines.length > maxLines ? [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more diff lines)`] : lines;
  return { diff: cut.join('\n'), line: firstChangedLine(patch.hunks, ignore) };
}

/** The line of the committed file with the first change that is not just an ignored key. */
function firstChangedLine(
  hunks: { oldStart: number; lines: string[] }[],
  ignore: ReadonlySet<string>,
): number | undefined {
  const volatile = (l: string) => [...ignore].some((k) => l.includes(k));
  for (const hunk of hunks) {
    let line = hunk.oldStart;
    for (const l of hunk.lines) {
      if ((l.startsWith('-') || l.startsWith('+')) && !volatile(l)) return Math.max(1, line);
      if (!l.startsWith('+')) line++;
    }
  }
  return hunks[0] ? Math.max(1, hunks[0].oldStart) : undefined;
}

/**
 * Run every render script and compare the result with HEAD: new, deleted or really changed files are
 * stale; files whose only change is an ignored key are restored. Optionally renders twice to catch
 * non-deterministic renders.
 */
export async function checkRendered(opts: RenderCheckOptions): Promise<RenderCheckResult> {
  const log = opts.log ?? (() => {});
  const root = await repoRoot(opts.workdir).catch(() => {
    throw new UserError(
      `check-rendered compares fresh renders with the last commit, but ${opts.workdir} is not inside a git repository. Fix: run it in a git checkout (actions/checkout in a workflow; locally, in your clone).`,
    );
  });
  const scriptsAbs = await resolveScripts(opts.workdir, opts.scripts, root);
  const scripts = scriptsAbs.map((s) => path.relative(root, s));
  const ignore = new Set(opts.ignoreKeys);

  const preexisting = (await status(root)).map((e) => e.path);
  const untouchable = new Set(preexisting);

  await runAll(root, scriptsAbs, opts.parallelism, log);
  let rendered = await snapshot(root, untouchable);

  const nondeterministic: NondeterministicFile[] = [];
  if (opts.checkDeterminism) {
    log('Rendering a second time to check that rendering is deterministic…');
    const first = rendered;
    await runAll(root, scriptsAbs, opts.parallelism, log);
    rendered = await snapshot(root, untouchable);
    for (const file of new Set([...first.keys(), ...rendered.keys()])) {
      const a = first.has(file) ? first.get(file) : await showFile(root, 'HEAD', file);
      const b = rendered.has(file) ? rendered.get(file) : await showFile(root, 'HEAD', file);
      const cmp = compareRendered(file, a, b, ignore);
      if (!cmp.equal) nondeterministic.push({ path: file, script: ownerScript(file, scripts), keys: cmp.keys });
    }
  }

  const stale: StaleFile[] = [];
  const restored: string[] = [];
  for (const [file, content] of rendered) {
    const committed = await showFile(root, 'HEAD', file);
    const cmp = compareRendered(file, committed, content, ignore);
    if (cmp.equal) {
      if (committed !== undefined) restored.push(file);
      continue;
    }
    const change = committed === undefined ? 'added' : content === undefined ? 'deleted' : 'modified';
    const { diff, line } = unifiedDiff(file, committed, content, opts.maxDiffLines, ignore);
    stale.push({ path: file, change, script: ownerScript(file, scripts), diff, line, keys: cmp.keys });
  }
  await restoreFromHead(root, restored);
  stale.sort((a, b) => a.path.localeCompare(b.path));
  return { root, scripts, stale, restored: restored.sort(), nondeterministic, preexisting };
}
