import { UserError } from '../lib/errors.js';
import { didYouMean } from '../lib/suggest.js';
import type { Experiment, KfpClient, Run } from '../kfp/types.js';
import { stampOf, withLineage } from '../reconcile/identity.js';
import type { PreparedRun } from './prepare.js';

/** deployKF's name for a one-off run: `MANUAL::<pipeline>__<YYYY-MM-DDTHH-MM-SSZ>` (UTC). */
export function defaultRunName(pipelineName: string, now: Date): string {
  return `MANUAL::${pipelineName}__${stampOf(now)}`;
}

/**
 * The run's page in the KFP UI: `<ui>/#/runs/details/<id>`, where `<ui>` defaults to the origin of
 * kfp-host + `/pipeline` (where the Kubeflow gateway serves the KFP UI).
 */
export function runUrl(kfpHost: string, runId: string, uiUrl?: string): string {
  const base = uiUrl ? uiUrl.replace(/\/+$/, '').replace(/\/#.*$/, '') : `${new URL(kfpHost).origin}/pipeline`;
  return `${base}/#/runs/details/${encodeURIComponent(runId)}`;
}

/** The experiment to run in, which must exist (as deployKF's run_pipeline.py requires): a typo never creates a new one. */
export async function findRunExperiment(client: KfpClient, name: string, namespace: string): Promise<Experiment> {
  const found = await client.findExperiment(name, namespace);
  const where = namespace ? ` in namespace '${namespace}'` : '';
  if (!found) {
    const existing = (await client.listExperiments(namespace || undefined)).map((e) => e.name);
    throw new UserError(
      `Experiment '${name}' does not exist${where}.${didYouMean(name, existing)} Fix: create it first (list it in the schedules' experiments.yaml and reconcile, or create it in the KFP UI), or set 'experiment' to an existing one${existing.length ? ` (${existing.slice(0, 10).join(', ')}${existing.length > 10 ? ', …' : ''})` : ''}.`,
    );
  }
  if (found.archived)
    throw new UserError(
      `Experiment '${name}'${where} is archived, and KFP refuses new runs in it. Fix: unarchive it in the KFP UI, or choose another experiment.`,
    );
  return found;
}

export interface SubmitOptions {
  name: string;
  experiment: Experiment;
  serviceAccount?: string;
  /** Free text kept in the run's description: where it was submitted from. */
  lineage?: string;
}

/** Create the run (never twice: the client checks by name before retrying an ambiguous create). */
export function submitRun(client: KfpClient, prepared: PreparedRun, opts: SubmitOptions): Promise<Run> {
  const common = {
    name: opts.name,
    description: withLineage(`One-off run of ${prepared.file}.`, opts.lineage),
    experimentId: opts.experiment.id,
    serviceAccount: opts.serviceAccount,
    parameters: prepared.parameters.values,
  };
  // A registered version runs by reference, pinned to the version resolved (and reported) here.
  if (prepared.registered)
    return client.createRun({
      ...common,
      pipelineVersion: { pipelineId: prepared.registered.pipelineId, versionId: prepared.registered.versionId },
      pipelineVersionKind: prepared.pipeline.kind,
    });
  return client.createRun({
    ...common,
    pipeline: { ...prepared.pipeline.workflow },
    platformSpec: prepared.pipeline.platformSpec ? { ...prepared.pipeline.platformSpec } : undefined,
  });
}
