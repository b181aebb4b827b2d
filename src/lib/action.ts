import fs from 'node:fs';
import path from 'node:path';
import type { ActionSpec } from './spec.js';
import type { Host } from './host.js';
import { Inputs, missingInputMessage } from './inputs.js';
import { CheckFailed, UserError, errorMessage, formatDiagnostic, formatLocation } from './errors.js';
import { reportDiagnostics } from './report.js';
import { resolveInside } from './inside.js';
import { credentialsFromEnv, redactingHost } from './secrets.js';
import { now } from './clock.js';

/** What an action's main function gets: its inputs, the host, and the folder it works in. */
export interface ActionContext {
  host: Host;
  inputs: Inputs;
  /** The repository checkout (GITHUB_WORKSPACE, or the current folder for the CLI). */
  workspace: string;
  env: NodeJS.ProcessEnv;
  /** The current time (KFP_GITOPS_NOW pins it): actions read the clock only here, so tests can pin it. */
  now: () => Date;
}

export type ActionMain = (ctx: ActionContext) => Promise<void>;

/** Real path of the `working-directory` input: a folder inside the checkout (after symlinks). */
export function workingDirectory(ctx: ActionContext): string {
  const given = ctx.inputs.string('working-directory') || '.';
  const fix = `give a folder inside the checkout (relative to ${ctx.workspace}), or leave it empty for the checkout itself.`;
  const inside = resolveInside(ctx.workspace, given);
  if (!inside.ok) throw new UserError(`Input 'working-directory': ${inside.message} Fix: ${fix}`);
  // Checked here so a typo is a clear error rather than a failed spawn (ENOENT) deep inside an action.
  if (!inside.exists || !fs.statSync(inside.path).isDirectory()) {
    throw new UserError(
      `Input 'working-directory' is '${given}', but ${path.resolve(ctx.workspace, given)} is not a folder. Fix: ${fix}`,
    );
  }
  return inside.path;
}

/** The checkout as a real path, so every path resolved inside it compares equal (e.g. macOS /tmp → /private/tmp). */
function realWorkspace(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/**
 * Run one action on a host (its main module loaded only after the required inputs are checked) and turn every way it can end into an exit code:
 * 0 success, 1 user error or failed check (reported, no stack), 1 internal error (with stack in debug).
 */
export async function execute(
  spec: ActionSpec,
  load: () => Promise<ActionMain>,
  baseHost: Host,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const host = redactingHost(baseHost);
  const ctx: ActionContext = {
    host,
    inputs: new Inputs(spec, host),
    workspace: realWorkspace(env.GITHUB_WORKSPACE || process.cwd()),
    env,
    now: () => now(env),
  };
  try {
    // Every secret input is known (and so redacted everywhere) before anything runs, even if never read.
    for (const [name, i] of Object.entries(spec.inputs)) if (i.secret) ctx.inputs.string(name);
    for (const secret of credentialsFromEnv(env)) host.setSecret(secret);
    // Every missing required input at once, before the action's code is even loaded.
    const missing = Object.entries(spec.inputs).filter(([name, i]) => i.required && ctx.inputs.string(name) === '');
    if (missing.length) {
      throw new UserError(missing.map(([name]) => missingInputMessage(spec, name)).join('\n'));
    }
    const main = await load();
    await main(ctx);
    return 0;
  } catch (err) {
    if (err instanceof UserError) {
      // Each problem is shown once: as an annotation (at its file and line when it has one), with a
      // failure message that only sums up; a single problem without a location is the message itself.
      const d = err.diagnostics;
      const located = d.filter((x) => x.location);
      if (d.length === 0) host.fail(err.message);
      else if (d.length === 1 && located.length === 0) host.fail(formatDiagnostic(d[0]!));
      else {
        reportDiagnostics(host, d);
        if (located.length < d.length) host.fail(err.message);
        else
          host.fail(
            located.length === 1
              ? `1 problem at ${formatLocation(located[0]!.location)} (see the annotation).`
              : `${located.length} problems (see the annotations).`,
          );
      }
    } else if (err instanceof CheckFailed) {
      host.fail(err.message);
    } else {
      host.debug(err instanceof Error && err.stack ? err.stack : String(err));
      host.fail(`${spec.name} failed unexpectedly: ${errorMessage(err)}`);
    }
    return 1;
  }
}
