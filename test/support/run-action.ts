import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runProcess } from '../../src/lib/proc.js';
import { repoRoot } from './paths.js';

/*
 * Tests start our entry points as the runner (or a shell) does: a separate node process. By default it runs
 * the sources in src/, so a test sees the code as it is now, with no build in between. With `bundle: true` (a
 * few smoke tests) or KFP_GITOPS_TEST_BUNDLES=1 (the whole suite, e.g. before a release) it runs the committed
 * bundles in dist/ instead; they need no build here because CI's check-dist step fails whenever dist/ is not
 * what `npm run build` makes of src/.
 */

/** Whether every test runs the dist/ bundles instead of the sources. */
export const testBundles = process.env.KFP_GITOPS_TEST_BUNDLES === '1';

/** Node 24 runs TypeScript as it is; the hook maps the sources' `./x.js` imports to `./x.ts`. */
const SOURCE_FLAGS = [
  '--experimental-transform-types',
  '--disable-warning=ExperimentalWarning',
  '--import',
  pathToFileURL(path.join(repoRoot, 'test/support/ts-resolve.mjs')).href,
];

/**
 * The node arguments that start an entry point: an action's name, `main` (the root dispatcher) or `cli`.
 * The bundle is dist/<entry>/index.js; its source is src/actions/<entry>/index.ts, src/main.ts or src/cli/index.ts.
 */
export function entryArgs(entry: string, opts: { bundle?: boolean } = {}): string[] {
  if (opts.bundle || testBundles) return [path.join(repoRoot, 'dist', entry, 'index.js')];
  const source = { main: 'src/main.ts', cli: 'src/cli/index.ts' }[entry] ?? `src/actions/${entry}/index.ts`;
  return [...SOURCE_FLAGS, path.join(repoRoot, source)];
}

export interface ActionRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** `::error file=…` etc. workflow commands printed to stdout. */
  annotations: { kind: string; props: Record<string, string>; message: string }[];
}

/** Parse a GITHUB_OUTPUT file (`name<<delim … delim` and `name=value` forms). */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const [, name, delim] = heredoc;
      const end = lines.indexOf(delim!, i + 1);
      out[name!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (lines[i]!.includes('=')) {
      const [name, ...rest] = lines[i]!.split('=');
      out[name!] = rest.join('=');
    }
  }
  return out;
}

function unescapeCommand(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

export function parseAnnotations(stdout: string): ActionRun['annotations'] {
  const out: ActionRun['annotations'] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)( [^:]*)?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const kv of (m[2] ?? '').trim().split(',').filter(Boolean)) {
      const [k, ...v] = kv.split('=');
      props[k!] = unescapeCommand(v.join('='));
    }
    out.push({ kind: m[1]!, props, message: unescapeCommand(m[3]!) });
  }
  return out;
}

/**
 * Run an action (or `main`, the root dispatcher) as the runner does: inputs in INPUT_* variables, GITHUB_OUTPUT
 * and GITHUB_STEP_SUMMARY pointing at temp files, GITHUB_WORKSPACE at the checkout. See entryArgs for `bundle`.
 */
export async function spawnAction(
  name: string,
  inputs: Record<string, string>,
  opts: {
    workspace: string;
    env?: Record<string, string>;
    signalWhen?: { stdout: RegExp; signal: NodeJS.Signals };
    bundle?: boolean;
  },
): Promise<ActionRun> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-run-'));
  const outputFile = path.join(tmp, 'output');
  const summaryFile = path.join(tmp, 'summary');
  await fs.writeFile(outputFile, '');
  await fs.writeFile(summaryFile, '');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: opts.workspace,
    RUNNER_TEMP: tmp,
    ...opts.env,
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const r = await runAsRunner(process.execPath, entryArgs(name, opts), {
    cwd: opts.workspace,
    env,
    signalWhen: opts.signalWhen,
  });
  const result: ActionRun = {
    code: r.code,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs: parseOutputFile(await fs.readFile(outputFile, 'utf8')),
    summary: await fs.readFile(summaryFile, 'utf8'),
    annotations: parseAnnotations(r.stdout),
  };
  await fs.rm(tmp, { recursive: true, force: true });
  return result;
}

/**
 * Start a process as the runner starts a step: with the whole environment, INPUT_* included (the
 * product's runProcess hides those from the children it starts). `signalWhen` sends a signal once stdout
 * matches, as the runner does when a workflow is cancelled.
 */
export function runAsRunner(
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; signalWhen?: { stdout: RegExp; signal: NodeJS.Signals } },
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { signalWhen } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (signalWhen && !signalled && signalWhen.stdout.test(stdout)) {
        signalled = true;
        child.kill(signalWhen.signal);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Run the CLI (`kfp-gitops <args>`) from src/, or from dist/cli/index.js (see entryArgs). */
export async function spawnCli(args: string[], opts: { cwd: string; env?: Record<string, string>; bundle?: boolean }) {
  return runProcess(process.execPath, [...entryArgs('cli', opts), ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
  });
}
