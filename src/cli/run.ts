import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { actions, findAction } from '../actions/registry.js';
import { execute } from '../lib/action.js';
import { cliHost } from '../lib/cli-host.js';
import { UserError, errorMessage } from '../lib/errors.js';
import { didYouMean } from '../lib/suggest.js';
import { actionHelp, parseActionArgs } from './args.js';
import { extraCommands } from './commands.js';

function usage(): string {
  const width = Math.max(
    ...[...actions.map((a) => a.spec.name), ...extraCommands.map((c) => c.name)].map((n) => n.length),
  );
  return [
    'Usage: kfp-gitops <command> [flags]  |  kfp-gitops --version',
    '',
    'Actions (flags mirror the action inputs; see kfp-gitops <command> --help):',
    ...actions.map((a) => `  ${a.spec.name.padEnd(width)}  ${a.spec.description.split('. ')[0]}`),
    '',
    'Other commands:',
    ...extraCommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** The installed version: package.json is two folders up from src/cli/ and from dist/cli/. */
export function cliVersion(): string {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

/** Run one CLI invocation; returns the exit code. */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  opts: { quiet?: boolean } = {},
): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version') {
    process.stdout.write(`${cliVersion()}\n`);
    return 0;
  }
  if (!command || isHelp(command) || command === 'help') {
    process.stdout.write(usage() + '\n');
    return command ? 0 : 2;
  }
  const extra = extraCommands.find((c) => c.name === command);
  if (extra?.help && rest.some(isHelp)) {
    process.stdout.write(extra.help() + '\n');
    return 0;
  }
  if (extra) return extra.run(rest, env, opts);
  const entry = findAction(command);
  if (!entry) {
    const names = [...actions.map((a) => a.spec.name), ...extraCommands.map((c) => c.name)];
    process.stderr.write(`error: unknown command '${command}'.${didYouMean(command, names)}\n\n${usage()}\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseActionArgs(entry.spec, rest);
  } catch (err) {
    process.stderr.write(`error: ${err instanceof UserError ? err.message : errorMessage(err)}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(actionHelp(entry.spec) + '\n');
    return 0;
  }
  const host = cliHost({ inputs: parsed.inputs, verbose: parsed.verbose, env });
  const code = await execute(entry.spec, entry.load, host, env);
  if (host.outputs.size && !opts.quiet) {
    process.stdout.write('\nOutputs:\n');
    for (const [k, v] of host.outputs) process.stdout.write(`  ${k}=${v}\n`);
  }
  return code;
}
