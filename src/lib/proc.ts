import { spawn } from 'node:child_process';

export interface ProcResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came, for showing the tail of a failure. */
  output: string;
}

/** Run a program without a shell, capturing its output. Never throws on a non-zero exit. */
export function runProcess(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      output += d;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      output += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, output }));
    if (child.stdin) {
      child.stdin.on('error', () => {}); // the program may exit without reading its input
      child.stdin.end(opts.input);
    }
  });
}

/** The last `lines` lines of a process's output, for error messages. */
export function tail(text: string, lines = 20): string {
  const all = text.replace(/\s+$/, '').split('\n');
  return all.slice(-lines).join('\n');
}
