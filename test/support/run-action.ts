import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runProcess } from '../../src/lib/proc.js';
import { repoRoot } from './paths.js';

export interface BundleRun {
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

export function parseAnnotations(stdout: string): BundleRun['annotations'] {
  const out: BundleRun['annotations'] = [];
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
 * Run `dist/<name>/index.js` as the runner does: inputs in INPUT_* variables, GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY pointing at temp files, GITHUB_WORKSPACE at the checkout.
 */
export async function runBundle(
  name: string,
  inputs: Record<string, string>,
  opts: { workspace: string; env?: Record<string, string>; signalWhen?: { stdout: RegExp; signal: NodeJS.Signals } },
): Promise<BundleRun> {
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
  const r = await runAsRunner(process.execPath, [path.join(repoRoot, 'dist', name, 'index.js')], {
    cwd: opts.workspace,
    env,
    signalWhen: opts.signalWhen,
  });
  const result: BundleRun = {
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

/** Run the bundled CLI (`dist/cli/index.js`) with arguments. */
export async function runCliBundle(args: string[], opts: { cwd: string; env?: Record<string, string> }) {
  return runProcess(process.execPath, [path.join(repoRoot, 'dist/cli/index.js'), ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env },
  });
}
