import * as core from '@actions/core';
import { actions, findAction } from './actions/registry.js';
import { execute } from './lib/action.js';
import { actionsHost } from './lib/actions-host.js';
import { didYouMean } from './lib/suggest.js';

/** Root action: `uses: owner/kfp-gitops@v1` with `command: <action>` runs that action. */
const command = core.getInput('command').trim();
const entry = findAction(command);
if (!entry) {
  const names = actions.map((a) => a.spec.name);
  core.setFailed(
    command
      ? `Unknown command '${command}'.${didYouMean(command, names)} Fix: set 'command' to one of ${names.join(', ')}.`
      : `Input required and not supplied: command. Fix: set 'command' to one of ${names.join(', ')}.`,
  );
} else {
  process.exitCode = await execute(entry.spec, entry.load, actionsHost());
}
