import { UserError } from '../lib/errors.js';
import { didYouMean } from '../lib/suggest.js';
import { type KfpClientHost, type KfpClientOptions, createKfpClient } from '../kfp/client.js';
import type { Run, RunState } from '../kfp/types.js';
import type { InFlight } from './in-flight.js';

/**
 * A training run is in flight while it is PENDING (queued, or not yet picked up), RUNNING, or PAUSED
 * (it can resume and deliver a model). Not CANCELING: someone asked it to stop, so it will not deliver
 * the fresh model. Not the final states, nor a state KFP did not name (UNKNOWN).
 */
export const IN_FLIGHT_RUN_STATES: readonly RunState[] = ['PENDING', 'RUNNING', 'PAUSED'];

/** Pure: the verdict for an experiment's runs. */
export function inFlightFromRuns(runs: readonly Run[], experiment: string): InFlight {
  const active = runs.filter((r) => IN_FLIGHT_RUN_STATES.includes(r.state));
  if (active.length === 0)
    return { active: false, detail: `no run pending, running or paused in KFP experiment '${experiment}'` };
  const shown = active.slice(0, 3).map((r) => `${r.name} ${r.state.toLowerCase()}`);
  return {
    active: true,
    detail: `${active.length} active in KFP experiment '${experiment}': ${shown.join(', ')}${active.length > 3 ? ', …' : ''}`,
  };
}

/** Is a run of this KFP experiment pending, running or paused? One experiment lookup and one run listing. */
export async function kfpExperimentInFlight(
  experiment: string,
  kfp: { options: KfpClientOptions; host?: KfpClientHost },
): Promise<InFlight> {
  const client = createKfpClient(kfp.options, kfp.host);
  const namespace = kfp.options.namespace ?? '';
  try {
    const found = await client.findExperiment(experiment, namespace);
    if (!found) {
      // A typo must not read as "nothing in flight": that is how training gets started twice.
      const names = (await client.listExperiments(namespace || undefined)).map((e) => e.name);
      const where = namespace ? ` in namespace '${namespace}'` : '';
      throw new UserError(
        `in-flight-check: KFP experiment '${experiment}' does not exist${where}.${didYouMean(experiment, names)} Fix: name the experiment your training runs go in (kfp-experiment:<name>)${names.length ? `, one of: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}` : ''}; or check namespace.`,
      );
    }
    const runs = await client.listRuns(
      { experimentId: found.id },
      { states: IN_FLIGHT_RUN_STATES, sortBy: 'created_at desc' },
    );
    return inFlightFromRuns(runs, found.name);
  } finally {
    client.close();
  }
}
