import { actions } from '../actions/registry.js';

/** `kfp-gitops specs`: every action's inputs and outputs as JSON (drives action.yml and the README). */
export async function printSpecs(): Promise<number> {
  process.stdout.write(
    JSON.stringify(
      actions.map((a) => a.spec),
      null,
      2,
    ) + '\n',
  );
  return 0;
}
