import { type ActionSpec, type InputSpec, inputForm } from '../lib/spec.js';
import { UserError } from '../lib/errors.js';
import { didYouMean } from '../lib/suggest.js';

export interface ParsedArgs {
  inputs: Map<string, string>;
  help: boolean;
  verbose: boolean;
}

/**
 * Flags mirror the action's inputs one to one: `--render-scripts x` ⇔ input `render-scripts`.
 * A repeated flag builds a newline-separated list; a bare boolean flag means true, `--no-x` false.
 */
export function parseActionArgs(spec: ActionSpec, argv: readonly string[]): ParsedArgs {
  const inputs = new Map<string, string>();
  const names = Object.keys(spec.inputs);
  const isBool = (name: string) => spec.inputs[name]?.kind === 'boolean';
  let help = false;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--verbose' || arg === '-v') {
      verbose = true;
      continue;
    }
    if (!arg.startsWith('--'))
      throw new UserError(
        `Unexpected argument '${arg}'. Fix: pass inputs as --name value (see 'kfp-gitops ${spec.name} --help').`,
      );
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    if (value === undefined && name.startsWith('no-') && isBool(name.slice(3))) {
      name = name.slice(3);
      value = 'false';
    }
    if (!spec.inputs[name])
      throw new UserError(
        `Unknown flag '--${name}' for ${spec.name}.${suggestFlag(name, names)} Fix: see 'kfp-gitops ${spec.name} --help'.`,
      );
    if (value === undefined) {
      const next = argv[i + 1];
      if (isBool(name) && next !== undefined && /^(yes|no|y|n|on|off|0|1)$/i.test(next)) {
        const on = /^(yes|y|on|1)$/i.test(next);
        throw new UserError(
          `Flag '--${name}' takes true or false, not '${next}'. Did you mean '--${on ? name : `no-${name}`}'? Fix: write --${name} ${on} (or --${on ? name : `no-${name}`}).`,
        );
      }
      if (isBool(name) && (next === undefined || next.startsWith('--') || !/^(true|false)$/i.test(next)))
        value = 'true';
      else if (next === undefined) throw new UserError(`Flag '--${name}' needs a value.`);
      else value = argv[++i]!;
    }
    inputs.set(name, inputs.has(name) ? `${inputs.get(name)}\n${value}` : value);
  }
  return { inputs, help, verbose };
}

/**
 * " Did you mean …?" for an unknown flag: a close spelling, else the flags it is a word of
 * (`--host` → `kfp-host`, `--token` → `kfp-token` or `github-token`).
 */
export function suggestFlag(name: string, names: readonly string[]): string {
  const near = didYouMean(name, names);
  if (near) return near;
  const ending = names.filter((n) => n.endsWith(`-${name}`) || n.startsWith(`${name}-`));
  if (ending.length === 0 || ending.length > 3) return '';
  return ` Did you mean ${ending.map((n) => `'${n}'`).join(' or ')}?`;
}

export function actionHelp(spec: ActionSpec): string {
  const lines = [
    `kfp-gitops ${spec.name} [flags]`,
    '',
    spec.description,
    '',
    'Flags (each mirrors the action input of the same name):',
  ];
  for (const [name, input] of Object.entries(spec.inputs)) {
    const def =
      input.default !== undefined && input.default !== '' ? ` (default: ${JSON.stringify(input.default)})` : '';
    lines.push(`  --${name}${input.required ? ' (required)' : ''}${def}`, `      ${input.description}`);
    const form = flagForm(name, input);
    if (form) lines.push(`      ${form}`);
  }
  lines.push('', 'Outputs (printed as name=value at the end):');
  for (const [name, output] of Object.entries(spec.outputs)) lines.push(`  ${name}: ${output.description}`);
  return lines.join('\n');
}

/** What a flag takes, from the input's kind: allowed values, range, and how booleans and lists are written. */
function flagForm(name: string, input: InputSpec): string | undefined {
  if (input.kind === 'boolean') return `${inputForm(input)} --${name} alone means true, --no-${name} false.`;
  if (input.kind === 'list') return 'One value per line; repeat the flag for each value.';
  if (input.kind === 'secret') return 'Secret: masked in the output.';
  return inputForm(input);
}
