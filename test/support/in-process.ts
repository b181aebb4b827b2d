import { findAction } from '../../src/actions/registry.js';
import { execute } from '../../src/lib/action.js';
import { formatLocation } from '../../src/lib/errors.js';
import type { AnnotationProps, Host } from '../../src/lib/host.js';

/** What an in-process action run left behind, as text a user could see. */
export interface InProcessRun {
  code: number;
  /** info lines (masked, as the runner masks logs). */
  log: string;
  /** warning/error/notice annotations as `file:line:col: kind: message`, masked like logs. */
  annotations: { kind: 'notice' | 'warning' | 'error'; message: string; file?: string; line?: number }[];
  /** The failure message of host.fail, if any. */
  failure?: string;
  /** Job summary and outputs: NOT masked (GitHub does not mask summaries, comments or outputs read by later steps). */
  summary: string;
  outputs: Record<string, string>;
  /** Everything above in one text, for "no secret anywhere" and "no stack trace" checks. */
  everything: string;
}

/**
 * Run an action in this process, as the CLI does but on a recording host: fast enough for fuzzing.
 * `env` replaces the process environment for the action (GITHUB_WORKSPACE = `workspace`).
 */
export async function runInProcess(
  action: string,
  inputs: Record<string, string>,
  opts: { workspace: string; env?: NodeJS.ProcessEnv },
): Promise<InProcessRun> {
  const entry = findAction(action);
  if (!entry) throw new Error(`no action ${action}`);
  const secrets: string[] = [];
  const mask = (s: string) => secrets.reduce((acc, secret) => acc.split(secret).join('***'), s);
  const log: string[] = [];
  const run: InProcessRun = { code: 0, log: '', annotations: [], summary: '', outputs: {}, everything: '' };
  const annotate = (kind: 'notice' | 'warning' | 'error') => (message: string, at?: AnnotationProps) =>
    run.annotations.push({ kind, message: mask(message), file: at?.file, line: at?.line });
  const host: Host = {
    getInput: (name) => inputs[name] ?? '',
    setOutput: (name, value) => void (run.outputs[name] = value),
    setSecret: (value) => void (value && secrets.push(value)),
    info: (m) => void log.push(mask(m)),
    debug: () => undefined,
    notice: annotate('notice'),
    warning: annotate('warning'),
    error: annotate('error'),
    group: (_title, fn) => fn(),
    appendSummary: async (md) => void (run.summary += md),
    fail: (m) => void (run.failure = mask(m)),
    // Redaction happens in execute()'s redactingHost, as for the runner and the CLI.
    redact: (text) => text,
  };
  const env = { GITHUB_WORKSPACE: opts.workspace, PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env };
  run.code = await execute(entry.spec, entry.load, host, env);
  run.log = log.join('\n');
  const shown = run.annotations.map(
    (a) => `${a.file ? `${formatLocation({ file: a.file, line: a.line })}: ` : ''}${a.kind}: ${a.message}`,
  );
  run.everything = [run.log, ...shown, run.failure ?? '', run.summary, ...Object.values(run.outputs)].join('\n');
  return run;
}
