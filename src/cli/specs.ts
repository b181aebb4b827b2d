import { actions } from '../actions/registry.js';
import { inputForm } from '../lib/spec.js';

/**
 * `kfp-gitops specs`: every action's inputs and outputs as JSON (drives action.yml and the README); each input
 * with a `form` (its allowed values or range, when its kind has any) for the generated descriptions.
 */
export async function printSpecs(): Promise<number> {
  const withForms = actions.map(({ spec }) => ({
    ...spec,
    inputs: Object.fromEntries(Object.entries(spec.inputs).map(([name, i]) => [name, { ...i, form: inputForm(i) }])),
  }));
  process.stdout.write(JSON.stringify(withForms, null, 2) + '\n');
  return 0;
}
