import fs from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { git } from '../../../src/lib/git.js';
import { repoRoot } from '../paths.js';
import { entryArgs, parseAnnotations, parseOutputFile, runAsRunner, type ActionRun } from '../run-action.js';
import { asString, evaluate, UnsupportedError, type Contexts } from './expressions.js';

export { UnsupportedError };

/**
 * How one step runs, as the runner runs it: our actions (see entryArgs) with INPUT_* variables and the file
 * commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY), `run:` scripts with bash, and
 * local stand-ins for the third-party actions our workflows use.
 * https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
 */

export interface StepEnvironment {
  /** Variables every process of the job sees (GITHUB_*, RUNNER_*, the env context). */
  env: Record<string, string>;
  workspace: string;
  runnerTemp: string;
  /** Contexts for evaluating action input defaults such as `${{ github.token }}`. */
  contexts: Contexts;
  /** The repository the checkout stand-in clones (a local git repository). */
  sourceRepo: string;
  masks: Set<string>;
  /** The run's artifacts (upload-artifact / download-artifact). */
  artifacts: Artifacts;
}

/**
 * The artifacts of one workflow run, every job's (called workflows' too): immutable once uploaded, names
 * unique in the run, as upload-artifact v4 and later keep them. https://github.com/actions/upload-artifact#breaking-changes
 */
export class Artifacts {
  private readonly byName = new Map<string, string>();
  constructor(private readonly dir: string) {}

  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Store files (absolute path → path inside the artifact); returns the artifact's id. */
  async put(name: string, files: [string, string][]): Promise<string> {
    const id = String(this.byName.size + 1);
    const dir = path.join(this.dir, id);
    for (const [from, rel] of files) {
      await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await fs.copyFile(from, path.join(dir, rel));
    }
    await fs.mkdir(dir, { recursive: true });
    this.byName.set(name, dir);
    return id;
  }

  async extract(name: string, into: string): Promise<void> {
    await fs.mkdir(into, { recursive: true });
    await fs.cp(this.byName.get(name)!, into, { recursive: true });
  }
}

export interface StepResult {
  code: number;
  outputs: Record<string, string>;
  env: Record<string, string>;
  path: string[];
  summary: string;
  /** Combined stdout and stderr, masked. */
  log: string;
  annotations: ActionRun['annotations'];
  /** Runner warnings about the step itself (e.g. an input the action does not declare). */
  warnings: string[];
}

/** Replace every registered secret with *** (longest first, so a secret containing another is masked whole). */
export function mask(text: string, masks: Set<string>): string {
  let out = text;
  for (const m of [...masks].filter((x) => x.length > 0).sort((a, b) => b.length - a.length))
    out = out.split(m).join('***');
  return out;
}

async function fileCommands(dir: string): Promise<Record<string, string>> {
  await fs.mkdir(dir, { recursive: true });
  const files = { GITHUB_OUTPUT: 'output', GITHUB_ENV: 'env', GITHUB_PATH: 'path', GITHUB_STEP_SUMMARY: 'summary' };
  const out: Record<string, string> = {};
  for (const [name, file] of Object.entries(files)) {
    out[name] = path.join(dir, file);
    await fs.writeFile(out[name]!, '');
  }
  return out;
}

/**
 * Run a process as a step: file commands in fresh files, stdout scanned for `::add-mask::` and
 * annotations (the only workflow commands our code prints; others fail loudly).
 */
async function runStepProcess(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
  se: StepEnvironment,
): Promise<StepResult> {
  const dir = await fs.mkdtemp(path.join(se.runnerTemp, 'step-'));
  const files = await fileCommands(dir);
  const r = await runAsRunner(cmd, args, { cwd, env: { ...env, ...files } });
  const warnings: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^::([\w-]+)(?: [^:]*)?::(.*)$/.exec(line);
    if (!m) continue;
    const [, command, value] = m;
    if (command === 'add-mask') se.masks.add(value!.trim());
    else if (['error', 'warning', 'notice', 'debug', 'group', 'endgroup'].includes(command!)) continue;
    else throw new UnsupportedError(`workflow command ::${command}:: is not supported by the test runner`);
  }
  const read = (name: string) => fs.readFile(files[name]!, 'utf8');
  const result: StepResult = {
    code: r.code,
    outputs: parseOutputFile(await read('GITHUB_OUTPUT')),
    env: parseOutputFile(await read('GITHUB_ENV')),
    path: (await read('GITHUB_PATH')).split('\n').filter(Boolean),
    summary: await read('GITHUB_STEP_SUMMARY'),
    log: mask(r.stdout + r.stderr, se.masks),
    annotations: parseAnnotations(mask(r.stdout, se.masks)),
    warnings,
  };
  await fs.rm(dir, { recursive: true, force: true });
  return result;
}

/** `run:` with the shell GitHub uses on Linux: `bash -e {0}` by default, with pipefail for `shell: bash`. */
export async function runScript(
  script: string,
  shell: string | undefined,
  workingDirectory: string | undefined,
  env: Record<string, string>,
  se: StepEnvironment,
): Promise<StepResult> {
  const args =
    shell === undefined ? ['-e'] : shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail'] : undefined;
  if (!args) throw new UnsupportedError(`shell: ${shell} is not supported by the test runner (only bash)`);
  const file = path.join(se.runnerTemp, `script-${Date.now()}-${Math.random().toString(36).slice(2)}.sh`);
  await fs.writeFile(file, script);
  const cwd = workingDirectory ? path.resolve(se.workspace, workingDirectory) : se.workspace;
  return runStepProcess('bash', [...args, file], env, cwd, se);
}

const SHA_PINNED = /^actions\/(checkout|setup-python|setup-node|upload-artifact|download-artifact)@[0-9a-f]{40}$/;
// `$/actions/<name>` (same commit as the workflow), `<owner>/kfp-gitops/actions/<name>@<ref>`, or the root
// dispatcher `<owner>/kfp-gitops@<ref>`: all run from this checkout (its sources, or dist/: see entryArgs).
const OURS = /^(?:\$|[\w.-]+\/kfp-gitops)(?:\/actions\/([\w-]+))?(@[\w./-]+)?$/;

/** Run `uses:` with the evaluated `with:` values. */
export async function runAction(
  uses: string,
  withValues: Record<string, string>,
  env: Record<string, string>,
  se: StepEnvironment,
): Promise<StepResult> {
  const ours = OURS.exec(uses);
  if (ours && (uses.startsWith('$') ? !ours[1] || ours[2] : !ours[2]))
    throw new UnsupportedError(`${uses}: use $/actions/<name> or <owner>/kfp-gitops[/actions/<name>]@<ref>`);
  if (ours) return runOurAction(ours[1], withValues, env, se);
  const standIn = SHA_PINNED.exec(uses);
  if (!standIn)
    throw new UnsupportedError(
      `action ${uses} is not supported by the test runner (ours, or SHA-pinned checkout/setup-*)`,
    );
  return standIns[standIn[1]!]!(withValues, se);
}

/** Runner behaviour for a node action: every declared input as INPUT_<NAME>, defaults evaluated. */
async function runOurAction(
  name: string | undefined,
  given: Record<string, string>,
  env: Record<string, string>,
  se: StepEnvironment,
): Promise<StepResult> {
  const dir = name ? path.join(repoRoot, 'actions', name) : repoRoot;
  const meta = parse(
    await fs.readFile(path.join(dir, 'action.yml'), 'utf8').catch(() => {
      throw new UnsupportedError(`actions/${name}: there is no actions/${name}/action.yml`);
    }),
  );
  if (!/^node(20|24)$/.test(meta.runs?.using) || meta.runs.pre || meta.runs.post) {
    throw new UnsupportedError(`actions/${name}: only node actions without pre/post are supported`);
  }
  const declared: Record<string, { default?: unknown }> = meta.inputs ?? {};
  const warnings: string[] = [];
  const unexpected = Object.keys(given).filter((k) => !(k in declared));
  // The runner's own wording (it only warns; our tests treat warnings as failures).
  if (unexpected.length)
    warnings.push(
      `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${Object.keys(declared).join("', '")}']`,
    );
  const inputs: Record<string, string> = {};
  for (const [input, def] of Object.entries(declared)) {
    const fallback = def.default === undefined ? '' : String(def.default);
    const m = /^\$\{\{(.*)\}\}$/s.exec(fallback.trim());
    inputs[input] = given[input] ?? (m ? asString(evaluate(m[1]!, se.contexts), `default of ${input}`) : fallback);
  }
  for (const [k, v] of Object.entries(given)) if (!(k in inputs)) inputs[k] = v;
  const inputEnv = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [`INPUT_${k.replace(/ /g, '_').toUpperCase()}`, v]),
  );
  // runs.main is the bundle, dist/<entry>/index.js; entryArgs starts it or its sources.
  const main = /^dist\/([\w-]+)\/index\.js$/.exec(path.relative(repoRoot, path.resolve(dir, meta.runs.main)));
  if (!main) throw new UnsupportedError(`actions/${name}: runs.main must be a bundle dist/<entry>/index.js`);
  const r = await runStepProcess(
    process.execPath,
    entryArgs(main[1]!),
    { ...env, ...inputEnv, GITHUB_ACTION_REPOSITORY: 'your-org/kfp-gitops' },
    se.workspace,
    se,
  );
  r.warnings.push(...warnings);
  return r;
}

const ok = (outputs: Record<string, string> = {}, log = ''): StepResult => ({
  code: 0,
  outputs,
  env: {},
  path: [],
  summary: '',
  log,
  annotations: [],
  warnings: [],
});

const failed = (log: string): StepResult => ({ ...ok({}, `Error: ${log}\n`), code: 1 });

/** Files under a folder, as paths relative to it; hidden files (a part starting with '.') only when asked. */
async function filesUnder(dir: string, hidden: boolean): Promise<[string, string][]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .map((abs): [string, string] => [abs, path.relative(dir, abs)])
    .filter(([, rel]) => hidden || !rel.split(path.sep).some((part) => part.startsWith('.')));
}

/** An artifact name pattern as download-artifact's minimatch reads it: `*` and `?` within a name. */
const nameMatcher = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );

function checkInputs(action: string, given: Record<string, string>, known: string[]): void {
  const unknown = Object.keys(given).filter((k) => !known.includes(k));
  if (unknown.length)
    throw new UnsupportedError(
      `${action} stand-in: input(s) ${unknown.join(', ')} not supported (known: ${known.join(', ')})`,
    );
}

const standIns: Record<string, (w: Record<string, string>, se: StepEnvironment) => Promise<StepResult>> = {
  /**
   * actions/checkout: fetch the event's ref (github.ref at github.sha) from the test repository, as
   * checkout does: depth 1 by default, all branches and tags with fetch-depth 0, a detached HEAD at the
   * SHA. https://github.com/actions/checkout#usage
   */
  checkout: async (w, se) => {
    checkInputs('actions/checkout', w, ['persist-credentials', 'fetch-depth']);
    const persist = w['persist-credentials'];
    if (persist !== undefined && !['true', 'false'].includes(persist))
      throw new Error(`checkout: persist-credentials must be true or false, got '${persist}'`);
    const depth = Number(w['fetch-depth'] ?? '1');
    if (!Number.isInteger(depth) || depth < 0)
      throw new Error(`checkout: fetch-depth must be a whole number, got '${w['fetch-depth']}'`);
    const { ref, sha } = se.contexts.github as { ref: string; sha: string };
    const ws = se.workspace;
    await git(ws, ['init', '-q']);
    await git(ws, ['remote', 'add', 'origin', `file://${se.sourceRepo}`]);
    const refspecs =
      depth === 0
        ? ['+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*', `+${ref}:refs/remotes/checkout`]
        : [`+${ref}:refs/remotes/checkout`];
    await git(ws, ['fetch', '-q', '--no-tags', ...(depth > 0 ? [`--depth=${depth}`] : []), 'origin', ...refspecs]);
    const fetched = (await git(ws, ['rev-parse', 'refs/remotes/checkout'])).trim();
    if (fetched !== sha)
      throw new Error(`checkout: ${ref} is at ${fetched} in the test repository, but github.sha is ${sha}`);
    await git(ws, ['checkout', '-q', '--detach', sha]);
    await git(ws, ['update-ref', '-d', 'refs/remotes/checkout']);
    return ok({}, `checked out ${ref} at ${sha}\n`);
  },
  /**
   * actions/upload-artifact: one file (stored at the artifact's root) or one folder (its files, hidden ones
   * only with include-hidden-files), if-no-files-found warn/error/ignore, a name already used in the run
   * refused unless overwrite. Wildcards and lists of paths are not supported by the stand-in.
   * https://github.com/actions/upload-artifact#inputs
   */
  'upload-artifact': async (w, se) => {
    checkInputs('actions/upload-artifact', w, [
      'name',
      'path',
      'if-no-files-found',
      'retention-days',
      'overwrite',
      'include-hidden-files',
    ]);
    const name = w.name || 'artifact';
    const given = (w.path ?? '').trim();
    if (!given) return failed('Input required and not supplied: path');
    if (given.includes('\n') || /[*?[\]!]/.test(given))
      throw new UnsupportedError('upload-artifact stand-in: give one file or folder path (no wildcards, no list)');
    const days = w['retention-days'];
    if (days !== undefined && days !== '' && !/^\d+$/.test(days)) return failed(`Invalid retention-days: ${days}`);
    const where = path.resolve(se.workspace, given);
    const stat = await fs.stat(where).catch(() => undefined);
    const files: [string, string][] = stat?.isDirectory()
      ? await filesUnder(where, w['include-hidden-files'] === 'true')
      : stat
        ? [[where, path.basename(where)]]
        : [];
    if (files.length === 0) {
      const mode = w['if-no-files-found'] || 'warn';
      const message = `No files were found with the provided path: ${given}. No artifacts will be uploaded.`;
      if (mode === 'error') return failed(message);
      if (mode === 'ignore') return ok({}, `${message}\n`);
      if (mode !== 'warn') return failed(`Unrecognized if-no-files-found input. Provided: ${mode}`);
      return { ...ok({}, `${message}\n`), annotations: [{ kind: 'warning', message, props: {} }] };
    }
    if (se.artifacts.has(name) && w.overwrite !== 'true')
      return failed(
        'Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run',
      );
    const id = await se.artifacts.put(name, files);
    return ok({ 'artifact-id': id }, `Artifact ${name} has been successfully uploaded (${files.length} file(s))\n`);
  },
  /**
   * actions/download-artifact, from this run: by name (into path), else every artifact or those matching
   * pattern, each into path/<name>/ unless merge-multiple or only one matches.
   * https://github.com/actions/download-artifact#inputs
   */
  'download-artifact': async (w, se) => {
    checkInputs('actions/download-artifact', w, ['name', 'pattern', 'path', 'merge-multiple']);
    const into = path.resolve(se.workspace, w.path || '.');
    if (w.name) {
      if (!se.artifacts.has(w.name)) return failed(`Artifact '${w.name}' not found`);
      await se.artifacts.extract(w.name, into);
      return ok({ 'download-path': into }, `Artifact ${w.name} downloaded\n`);
    }
    const match = w.pattern ? nameMatcher(w.pattern) : undefined;
    const names = se.artifacts.names().filter((n) => !match || match.test(n));
    const merge = w['merge-multiple'] === 'true' || names.length === 1;
    for (const n of names) await se.artifacts.extract(n, merge ? into : path.join(into, n));
    return ok({ 'download-path': into }, `${names.length} artifact(s) downloaded\n`);
  },
  /** actions/setup-python: the runner image's python is used; the version asked for must be given. */
  'setup-python': async (w) => {
    checkInputs('actions/setup-python', w, ['python-version', 'cache']);
    if (!w['python-version']) throw new Error('setup-python stand-in: python-version is empty');
    return ok({ 'python-version': w['python-version'] });
  },
  /** actions/setup-node: the node running the tests is used; a version or version file must be given. */
  'setup-node': async (w, se) => {
    checkInputs('actions/setup-node', w, ['node-version', 'node-version-file', 'cache']);
    if (!w['node-version'] && !w['node-version-file'])
      throw new Error('setup-node stand-in: give node-version or node-version-file');
    if (w['node-version-file']) await fs.access(path.join(se.workspace, w['node-version-file']));
    return ok({ 'node-version': process.version });
  },
};
