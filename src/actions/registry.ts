import type { ActionSpec } from '../lib/spec.js';
import type { ActionMain } from '../lib/action.js';
import { spec as checkRendered } from './check-rendered/spec.js';
import { spec as pushReconcile } from './push-reconcile/spec.js';
import { spec as reconcileShards } from './reconcile-shards/spec.js';
import { spec as checkReconcileConfigs } from './check-reconcile-configs/spec.js';
import { spec as modelFreshness } from './model-freshness/spec.js';
import { spec as openModelPr } from './open-model-pr/spec.js';
import { spec as qualityGate } from './quality-gate/spec.js';
import { spec as runPipeline } from './run-pipeline/spec.js';

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
  { spec: checkReconcileConfigs, load: async () => (await import('./check-reconcile-configs/main.js')).run },
  { spec: pushReconcile, load: async () => (await import('./push-reconcile/main.js')).run },
  { spec: reconcileShards, load: async () => (await import('./reconcile-shards/main.js')).run },
  { spec: qualityGate, load: async () => (await import('./quality-gate/main.js')).run },
  { spec: modelFreshness, load: async () => (await import('./model-freshness/main.js')).run },
  { spec: openModelPr, load: async () => (await import('./open-model-pr/main.js')).run },
  { spec: runPipeline, load: async () => (await import('./run-pipeline/main.js')).run },
];

export function findAction(name: string): ActionEntry | undefined {
  return actions.find((a) => a.spec.name === name);
}
