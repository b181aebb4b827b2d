import { UserError } from '../../lib/errors.js';
import { runProcess, tail } from '../../lib/proc.js';
import { parsePointer } from '../pointer.js';
import type { ModelListing, ModelSourceContext } from './types.js';

/** Run a user command with bash from the workspace; its stdout is the result. */
export async function runUserCommand(
  command: string,
  ctx: ModelSourceContext,
  what: string,
  timeoutMs = 10 * 60_000,
): Promise<string> {
  const r = await runProcess('bash', ['-o', 'pipefail', '-c', command], {
    cwd: ctx.workspace,
    env: ctx.env,
    timeoutMs,
  });
  if (r.code !== 0) {
    throw new UserError(
      `The ${what} command failed with exit code ${r.code}: ${command}\n${tail(r.output, 20) || '(no output)'}\nFix: run the command in a shell from the repository root and make it succeed.`,
    );
  }
  return r.stdout;
}

/** `command:<cmd>`: any command printing the pointer JSON (e.g. a cloud CLI with --format=json). */
export async function listCommandModels(command: string, ctx: ModelSourceContext): Promise<ModelListing> {
  const stdout = await runUserCommand(command, ctx, 'model-source');
  const display = `output of \`${command.length > 60 ? `${command.slice(0, 57)}…` : command}\``;
  const { models, skipped } = parsePointer(stdout, display);
  return {
    models,
    notes: skipped.map((s) => `${s.id} has status '${s.status}'; skipped (not finished)`),
    origin: `command \`${command}\``,
  };
}
