import type { ActionSpec } from './spec.js';
import type { Host } from './host.js';
import { UserError } from './errors.js';

/** Typed, validated access to an action's inputs; errors name the input and the expected form. */
export class Inputs {
  constructor(
    private readonly spec: ActionSpec,
    private readonly host: Host,
  ) {}

  /** The trimmed value, or the spec default when absent. */
  string(name: string): string {
    const def = this.spec.inputs[name];
    if (!def) throw new Error(`internal: input '${name}' is not declared by ${this.spec.name}`);
    const raw = this.host.getInput(name).trim();
    const value = raw !== '' ? raw : (def.default ?? '');
    if (def.secret && value) this.host.setSecret(value);
    return value;
  }

  required(name: string): string {
    const value = this.string(name);
    if (!value) throw new UserError(missingInputMessage(this.spec, name));
    return value;
  }

  optional(name: string): string | undefined {
    return this.string(name) || undefined;
  }

  bool(name: string): boolean {
    const value = this.string(name);
    if (/^(true|True|TRUE)$/.test(value)) return true;
    if (/^(false|False|FALSE)$/.test(value)) return false;
    throw new UserError(`Input '${name}' must be true or false (got "${value}").`);
  }

  /** Newline-separated list; blank lines and lines starting with '#' are dropped. */
  list(name: string): string[] {
    return this.string(name)
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
  }

  int(name: string, range: { min?: number; max?: number } = {}): number {
    const value = this.string(name);
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

  oneOf<T extends string>(name: string, values: readonly T[]): T {
    const value = this.string(name);
    if (!(values as readonly string[]).includes(value)) {
      throw new UserError(`Input '${name}' must be one of ${values.join(' | ')} (got "${value}").`);
    }
    return value as T;
  }
}

/** The one wording of a missing required input, for the action and the CLI (flags mirror inputs). */
export function missingInputMessage(spec: ActionSpec, name: string): string {
  const what = (spec.inputs[name]?.description ?? '').split('. ')[0]!.replace(/\.$/, '');
  return `Input required and not supplied: ${name}. Fix: set the input '${name}' (CLI: --${name})${what ? `: ${what}` : ''}.`;
}
