import { spawn } from 'node:child_process';

export interface ProcResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came, for showing the tail of a failure. */
  output: string;
}

/**
 * What a child process (a render script, a `command:` source, git) must not inherit: the action's
 * inputs (INPUT_*, which hold kfp-token, kfp-password, mlflow-token, open-model-pr's write token) and
 * the runner's internal tokens and service URLs (cache, artifacts/results, OIDC token requests).
 * Everything else of the environment is passed on, including variables a workflow sets with `env:`.
 */
const HIDDEN_FROM_CHILDREN =
  /^(INPUT_.*|ACTIONS_RUNTIME_TOKEN|ACTIONS_RUNTIME_URL|ACTIONS_ID_TOKEN_REQUEST_TOKEN|ACTIONS_ID_TOKEN_REQUEST_URL|ACTIONS_CACHE_URL|ACTIONS_CACHE_SERVICE_V2|ACTIONS_RESULTS_URL)$/i;

/** The environment a child process gets: `env` without the action's inputs and the runner's internal tokens. */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !HIDDEN_FROM_CHILDREN.test(name)));
}

/** Run a program without a shell, capturing its output. Never throws on a non-zero exit. The child gets childEnv(env). */
export function runProcess(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: childEnv(opts.env ?? process.env),
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
