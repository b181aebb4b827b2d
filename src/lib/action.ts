import fs from 'node:fs';
import path from 'node:path';
import type { ActionSpec, InputValues } from './spec.js';
import type { Host } from './host.js';
import { parseInputs } from './inputs.js';
import { CheckFailed, UserError, errorMessage, formatDiagnostic, formatLocation } from './errors.js';
import { reportDiagnostics } from './report.js';
import { credentialsFromEnv, redactingHost } from './secrets.js';
import { now } from './clock.js';

/**
 * What an action's main function gets: its parsed inputs, the host, and the folder it works in. Library
 * helpers ask only for the inputs they read, e.g. `ActionContext<{ 'working-directory': string }>`.
 */
export interface ActionContext<I = Readonly<Record<string, unknown>>> {
  host: Host;
  /** Every input, checked and converted by its declared kind (`ctx.inputs.mode` is `'plan' | 'apply'`). */
  inputs: I;
  /** The repository checkout (GITHUB_WORKSPACE, or the current folder for the CLI). */
  workspace: string;
  env: NodeJS.ProcessEnv;
  /** The current time (KFP_GITOPS_NOW pins it): actions read the clock only here, so tests can pin it. */
  now: () => Date;
}

/** The context of one action's main: `ContextOf<typeof spec>`. */
export type ContextOf<A extends ActionSpec> = ActionContext<InputValues<A['inputs']>>;

// Declared as a method so that a main typed for its own spec fits the registry's list of every action.
interface MainOf<A extends ActionSpec> {
  main(ctx: ContextOf<A>): Promise<void>;
}
export type ActionMain<A extends ActionSpec = ActionSpec> = MainOf<A>['main'];

/** The checkout as a real path, so every path resolved inside it compares equal (e.g. macOS /tmp → /private/tmp). */
function realWorkspace(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

/**
 * Run one action on a host (its main module loaded only after every input is parsed and checked) and turn every
 * way it can end into an exit code:
 * 0 success, 1 user error or failed check (reported, no stack), 1 internal error (with stack in debug).
 */
export async function execute<A extends ActionSpec>(
  spec: A,
  load: () => Promise<ActionMain<A>>,
  baseHost: Host,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const host = redactingHost(baseHost);
  const workspace = realWorkspace(env.GITHUB_WORKSPACE || process.cwd());
  try {
    for (const secret of credentialsFromEnv(env)) host.setSecret(secret);
    // Every input (secrets masked first; every missing or malformed one at once), before the action's code loads.
    const ctx: ContextOf<A> = {
      host,
      inputs: parseInputs(spec, host, workspace),
      workspace,
      env,
      now: () => now(env),
    };
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
