import type { ActionSpec } from './spec.js';
import { type ActionMain, execute } from './action.js';
import { actionsHost } from './actions-host.js';

/** Entry point of a bundled action: run it on the GitHub Actions host and set the exit code. */
export async function runAsAction<A extends ActionSpec>(spec: A, load: () => Promise<ActionMain<A>>): Promise<void> {
  process.exitCode = await execute(spec, load, actionsHost());
}
