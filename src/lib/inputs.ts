import fs from 'node:fs';
import path from 'node:path';
import type { InputSpec, InputSpecs, InputValues } from './spec.js';
import type { Host } from './host.js';
import { UserError } from './errors.js';
import { parseDuration } from './duration.js';
import { resolveInside } from './inside.js';

/**
 * Read, check and convert every declared input at once, before the action's code runs: secrets are
 * masked first, then every problem (missing or malformed) is reported together, each naming the input,
 * the expected form and the value given. Empty optional values are `undefined` (lists: `[]`).
 */
export function parseInputs<I extends InputSpecs>(
  action: { name: string; inputs: I },
  host: Host,
  workspace: string,
): InputValues<I> {
  const raw = new Map<string, string>();
  for (const [name, def] of Object.entries(action.inputs)) {
    const given = host.getInput(name).trim();
    const value = given !== '' ? given : (def.default ?? '');
    // Every secret input is known (and so redacted everywhere) before anything can log it.
    if (def.kind === 'secret' && value) host.setSecret(value);
    raw.set(name, value);
  }
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, def] of Object.entries(action.inputs)) {
    try {
      const value = parseInput(name, def, raw.get(name)!, workspace);
      const empty = value === undefined || (Array.isArray(value) && value.length === 0);
      if (def.required && empty) problems.push(missingInputMessage(action, name));
      else values[name] = value;
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      problems.push(err.message);
    }
  }
  if (problems.length) throw new UserError(problems.join('\n'));
  return values as InputValues<I>;
}

/** One input's value from its text (already trimmed, default applied); throws a UserError naming it. */
export function parseInput(name: string, def: InputSpec, value: string, workspace: string): unknown {
  switch (def.kind) {
    case 'boolean':
      if (/^(true|True|TRUE)$/.test(value)) return true;
      if (/^(false|False|FALSE)$/.test(value)) return false;
      throw new UserError(`Input '${name}' must be true or false (got "${value}").`);
    case 'list':
      return value
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'));
  }
  if (value === '') return undefined;
  switch (def.kind) {
    case 'integer':
      return integer(name, value, def);
    case 'enum':
      if (!def.values.includes(value))
        throw new UserError(`Input '${name}' must be one of ${def.values.join(' | ')} (got "${value}").`);
      return value;
    case 'duration':
      return parseDuration(value, name);
    case 'path':
      return insidePath(name, value, workspace, def.folder ?? false);
    default:
      return value;
  }
}

function integer(name: string, value: string, range: { min?: number; max?: number }): number {
  const n = Number(value);
  const { min = -Infinity, max = Infinity } = range;
  if (!/^-?\d+$/.test(value) || n < min || n > max) {
    const bounds = [Number.isFinite(min) ? `≥ ${min}` : '', Number.isFinite(max) ? `≤ ${max}` : '']
      .filter(Boolean)
      .join(' and ');
    throw new UserError(`Input '${name}' must be a whole number${bounds ? ` ${bounds}` : ''} (got "${value}").`);
  }
  return n;
}

/** The real path of a path input inside the checkout; a folder input must exist (a typo fails here, not in a spawn). */
function insidePath(name: string, given: string, workspace: string, folder: boolean): string {
  const inside = resolveInside(workspace, given);
  const fix = folder
    ? `give a folder inside the checkout (relative to ${workspace}), or leave it empty for the checkout itself.`
    : undefined;
  if (!inside.ok) throw new UserError(`Input '${name}': ${inside.message} Fix: ${fix ?? inside.fix}`);
  if (folder && (!inside.exists || !fs.statSync(inside.path).isDirectory())) {
    throw new UserError(
      `Input '${name}' is '${given}', but ${path.resolve(workspace, given)} is not a folder. Fix: ${fix}`,
    );
  }
  return inside.path;
}

/** The one wording of a missing required input, for the action and the CLI (flags mirror inputs). */
export function missingInputMessage(spec: { inputs: InputSpecs }, name: string): string {
  const what = (spec.inputs[name]?.description ?? '').split('. ')[0]!.replace(/\.$/, '');
  return `Input required and not supplied: ${name}. Fix: set the input '${name}' (CLI: --${name})${what ? `: ${what}` : ''}.`;
}
