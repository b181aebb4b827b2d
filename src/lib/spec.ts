/**
 * The declaration of one action: its inputs and outputs. The single source for action.yml,
 * the README tables, the CLI's flags and the defaults applied when an input is absent.
 */
export interface InputSpec {
  description: string;
  required?: boolean;
  /** Always a string, as in action.yml. */
  default?: string;
  /** Shown in action.yml as a default expression (e.g. `${{ github.token }}`) but not applied by the CLI. */
  actionDefault?: string;
  /** The value is a secret: masked in logs. */
  secret?: boolean;
}

export interface ActionSpec {
  name: string;
  /** One line for action.yml `name:`. */
  title: string;
  description: string;
  inputs: Record<string, InputSpec>;
  outputs: Record<string, { description: string }>;
}
