import type { ContextOf } from '../../lib/action.js';
import { CheckFailed } from '../../lib/errors.js';
import { repoRoot } from '../../lib/git.js';
import { createKfpClient } from '../../kfp/client.js';
import { kfpOptionsFromInputs } from '../../kfp/inputs.js';
import { formatDuration } from '../../lib/duration.js';
import { prepareRegistered, prepareRun } from '../../run/prepare.js';
import { parseRegisteredRef } from '../../run/registered.js';
import { type RunReport, runMarkdown, verdict } from '../../run/report.js';
import { defaultRunName, findRunExperiment, runUrl, submitRun } from '../../run/submit.js';
import { type WaitOptions, type WaitResult, waitForRun } from '../../run/wait.js';
import type { KfpClient } from '../../kfp/types.js';
import type { spec } from './spec.js';

export async function run(ctx: ContextOf<typeof spec>): Promise<void> {
  const { inputs, host, env } = ctx;
  const outputs = { 'run-id': '', 'run-url': '', state: '' };
  try {
    const wait = inputs.wait;
    const timeout = formatDuration(inputs.timeout);
    const timeoutMs = inputs.timeout * 1000;
    const pollMs = inputs['poll-interval'] * 1000;
    const onTimeout = inputs['on-timeout'];
    const terminateOnCancel = inputs['terminate-on-cancel'];
    const experimentName = inputs.experiment;
    const kfp = kfpOptionsFromInputs(inputs);
    const workdir = inputs['working-directory'];
    const root = await repoRoot(workdir).catch(() => ctx.workspace);

    // Everything KFP would refuse is checked before the first call (a registered pipeline: its inputs first).
    const registered = parseRegisteredRef(inputs.pipeline);
    const fromFile = registered
      ? undefined
      : await prepareRun({
          workdir,
          root,
          pipeline: inputs.pipeline,
          parameters: inputs.parameters ?? '',
          apiVersion: kfp.apiVersion,
        });
    const client = createKfpClient(kfp, host);
    try {
      const prepared =
        fromFile ??
        (await prepareRegistered(client, registered!, {
          parameters: inputs.parameters ?? '',
          apiVersion: kfp.apiVersion,
          namespace: kfp.namespace ?? '',
        }));
      if (prepared.registered)
        host.info(
          `Running version ${prepared.registered.version} of the registered pipeline ${prepared.registered.pipeline}.`,
        );
      const name =
        inputs['run-name'] ?? defaultRunName(prepared.registered?.pipeline ?? prepared.pipeline.name, ctx.now());
      const experiment = await findRunExperiment(client, experimentName, kfp.namespace ?? '');
      const submitted = await submitRun(client, prepared, {
        name,
        experiment,
        serviceAccount: inputs['service-account'],
        lineage: lineage(env),
      });
      const url = runUrl(kfp.host, submitted.id, inputs['kfp-ui-url']);
      Object.assign(outputs, { 'run-id': submitted.id, 'run-url': url, state: submitted.state });
      host.info(`Submitted ${prepared.file} as run ${name} (${submitted.id}) in experiment ${experiment.name}: ${url}`);

      const waited = wait
        ? await host.group(`Waiting for run ${name} (timeout ${timeout})`, () =>
            waitCancellably(client, submitted.id, { timeoutMs, pollMs, onProgress: (line) => host.info(line) }),
          )
        : undefined;
      const report: RunReport = { prepared, experiment, run: waited?.run ?? submitted, url, waited, timeout };
      if (
        (waited?.outcome === 'cancelled' && terminateOnCancel) ||
        (waited?.outcome === 'timeout' && onTimeout === 'terminate')
      ) {
        report.terminated = await terminate(client, submitted.id);
        if (report.terminated.ok) report.run = await client.getRun(submitted.id).catch(() => report.run);
      }
      outputs.state = report.run.state;
      await host.appendSummary(runMarkdown(report));
      const v = verdict(report);
      if (waited && waited.outcome !== 'succeeded') throw new CheckFailed(`${v.text}. See ${url}`);
      host.info(`${v.text}. ${url}`);
    } finally {
      client.close();
    }
  } finally {
    for (const [k, v] of Object.entries(outputs)) host.setOutput(k, v);
  }
}

/**
 * Wait for the run; SIGINT/SIGTERM (the runner cancelling the workflow) end the wait instead of the
 * process, so that the run can be terminated and the summary written before the step exits.
 */
async function waitCancellably(
  client: KfpClient,
  runId: string,
  opts: Omit<WaitOptions, 'signal'>,
): Promise<WaitResult> {
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await waitForRun(client, runId, { ...opts, signal: cancel.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function terminate(client: KfpClient, runId: string): Promise<NonNullable<RunReport['terminated']>> {
  try {
    await client.terminateRun(runId);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** Where the run came from, kept in its description: the commit and the workflow run when on GitHub. */
function lineage(env: NodeJS.ProcessEnv): string {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const workflowRun =
    env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
      ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
      : '';
  return [env.GITHUB_SHA && `commit ${env.GITHUB_SHA.slice(0, 12)}`, workflowRun].filter(Boolean).join(' · ');
}
