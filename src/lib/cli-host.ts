import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { AnnotationProps, Host } from './host.js';
import { formatLocation } from './errors.js';

export interface CliHostOptions {
  inputs: Map<string, string>;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  verbose?: boolean;
}

/**
 * The host of a terminal run: inputs from flags, annotations as `file:line:col: error: …` on stderr,
 * the summary printed as markdown. Inside a workflow `run:` step it also writes GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY, so the CLI can stand in for the action.
 */
export function cliHost(opts: CliHostOptions): Host & { outputs: Map<string, string>; exitCode: number } {
  const out = opts.stdout ?? process.stdout;
  const err = opts.stderr ?? process.stderr;
  const env = opts.env ?? process.env;
  // Secrets are redacted by redactingHost (lib/secrets.ts), which every action runs behind.
  const line = (stream: NodeJS.WritableStream, s: string) => stream.write(s + '\n');
  const annotate = (kind: string, m: string, at?: AnnotationProps) => {
    const where = at?.file ? `${formatLocation({ file: at.file, line: at.line, column: at.column })}: ` : '';
    line(err, `${where}${kind}: ${m}`);
  };
  const outputs = new Map<string, string>();
  const host = {
    outputs,
    exitCode: 0,
    getInput: (name: string) => opts.inputs.get(name) ?? '',
    setOutput: (name: string, value: string) => {
      outputs.set(name, value);
      if (env.GITHUB_OUTPUT) {
        const delim = `ghadelimiter_${randomUUID()}`;
        fs.appendFileSync(env.GITHUB_OUTPUT, `${name}<<${delim}\n${value}\n${delim}\n`);
      }
    },
    setSecret: () => {},
    redact: (text: string) => text,
    info: (m: string) => line(out, m),
    debug: (m: string) => {
      if (opts.verbose) line(err, `debug: ${m}`);
    },
    notice: (m: string, at?: AnnotationProps) => annotate('notice', m, at),
    warning: (m: string, at?: AnnotationProps) => annotate('warning', m, at),
    error: (m: string, at?: AnnotationProps) => annotate('error', m, at),
    group: async <T>(title: string, fn: () => Promise<T>) => {
      line(out, `── ${title}`);
      return fn();
    },
    appendSummary: async (md: string) => {
      if (env.GITHUB_STEP_SUMMARY) fs.appendFileSync(env.GITHUB_STEP_SUMMARY, md);
      else line(out, `\n${md}`);
    },
    fail: (m: string) => {
      host.exitCode = 1;
      line(err, `error: ${m}`);
    },
  };
  return host;
}
