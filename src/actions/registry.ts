import type { ActionSpec } from '../lib/spec.js';
import type { ActionMain } from '../lib/action.js';
import { spec as checkRendered } from './check-rendered/spec.js';

/**
 * Every action: its spec (cheap, imported eagerly for help and action.yml generation) and its
 * main function (loaded on demand, so a command pays only for the modules it uses).
 */
export interface ActionEntry {
  spec: ActionSpec;
  load: () => Promise<ActionMain>;
}

export const actions: readonly ActionEntry[] = [
  { spec: checkRendered, load: async () => (await import('./check-rendered/main.js')).run },
];

export function findAction(name: string): ActionEntry | undefined {
  return actions.find((a) => a.spec.name === name);
}
