/**
 * The declaration of one action: its inputs and outputs. The single source for action.yml,
 * the README tables, the CLI's flags, the defaults applied when an input is absent, and the
 * typed object the action's main function gets (see `InputValues`).
 */
interface InputBase {
  description: string;
  required?: boolean;
  /** Always a string, as in action.yml. */
  default?: string;
  /** Shown in action.yml as a default expression (e.g. `${{ github.token }}`) but not applied by the CLI. */
  actionDefault?: string;
}

/** Each kind says how the text an input arrives as (action.yml inputs are strings) is read and checked. */
export type InputSpec =
  | (InputBase & { kind: 'string' })
  /** Masked in logs before anything runs. */
  | (InputBase & { kind: 'secret' })
  | (InputBase & { kind: 'boolean' })
  | (InputBase & { kind: 'integer'; min?: number; max?: number })
  | (InputBase & { kind: 'enum'; values: readonly string[] })
  /** Read as seconds (`24h`, `90m`, `1d12h`, or a bare number of seconds: src/lib/duration.ts). */
  | (InputBase & { kind: 'duration' })
  /** Newline-separated; blank lines and lines starting with '#' are dropped. */
  | (InputBase & { kind: 'list' })
  /** Resolved (after symlinks) inside the checkout, relative to it; `folder`: must be an existing folder. */
  | (InputBase & { kind: 'path'; folder?: boolean });

export type InputSpecs = Readonly<Record<string, InputSpec>>;

export interface ActionSpec {
  name: string;
  /** One line for action.yml `name:`. */
  title: string;
  description: string;
  inputs: InputSpecs;
  outputs: Readonly<Record<string, { description: string }>>;
}

/** An input that always has a value: required, or with a non-empty default. */
type AlwaysSet<S> = S extends { required: true }
  ? true
  : S extends { default: infer D }
    ? D extends ''
      ? false
      : true
    : false;

type Parsed<S> = S extends { kind: 'boolean' }
  ? boolean
  : S extends { kind: 'integer' | 'duration' }
    ? number
    : S extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : string;

/** The value `main` gets for one input: booleans and lists always, the others undefined when empty. */
export type InputValue<S> = S extends { kind: 'boolean' }
  ? boolean
  : S extends { kind: 'list' }
    ? string[]
    : AlwaysSet<S> extends true
      ? Parsed<S>
      : Parsed<S> | undefined;

/** The typed inputs of an action: declare specs `as const satisfies ActionSpec` so names and kinds are known. */
export type InputValues<I extends InputSpecs> = { readonly [K in keyof I]: InputValue<I[K]> };

/** The allowed values or range of an input, as a sentence for action.yml, the README and `--help`. */
export function inputForm(input: InputSpec): string | undefined {
  switch (input.kind) {
    case 'boolean':
      return '`true` or `false`.';
    case 'integer': {
      const { min, max } = input;
      if (min !== undefined && max !== undefined) return `A whole number from ${min} to ${max}.`;
      if (min !== undefined) return `A whole number ≥ ${min}.`;
      if (max !== undefined) return `A whole number ≤ ${max}.`;
      return 'A whole number.';
    }
    case 'enum':
      return `One of ${input.values.map((v) => `\`${v}\``).join(', ')}.`;
    case 'duration':
      return 'A duration (units w, d, h, m, s, e.g. `1d12h`; a bare number is seconds).';
    default:
      return undefined;
  }
}
