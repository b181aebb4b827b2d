import type { ContextOf } from '../../lib/action.js';
import { UserError } from '../../lib/errors.js';
import type { KfpClientOptions } from '../../kfp/client.js';
import { kfpOptionsFromInputs } from '../../kfp/inputs.js';
import { formatDuration } from '../../lib/duration.js';
import { decideFreshness } from '../../models/freshness.js';
import { freshnessMarkdown } from '../../models/freshness-report.js';
import { type InFlight, checkInFlight, parseInFlightCheck } from '../../models/in-flight.js';
import { modelJson } from '../../models/model.js';
import { modelSourceContext } from '../../models/inputs.js';
import { listTrainedModels, parseModelSource } from '../../models/sources/index.js';
import type { spec } from './spec.js';

export async function run(ctx: ContextOf<typeof spec>): Promise<void> {
  const { inputs, host } = ctx;
  const source = parseModelSource(inputs['model-source']);
  const maxAgeSeconds = inputs['max-age'];
  const inFlightRef = inputs['in-flight-check'];
  const check = inFlightRef ? parseInFlightCheck(inFlightRef) : undefined;
  // Checked before anything runs, even when the model turns out fresh: a broken setting fails now, not on the day it matters.
  const kfp = check?.kind === 'kfp-experiment' ? { options: kfpOptions(inputs, inFlightRef!), host } : undefined;
  const clock = ctx.now();
  const sourceCtx = modelSourceContext(ctx);
  const listing = await listTrainedModels(host, source, sourceCtx);
  const newest = listing.models[0];
  let decision = decideFreshness({ newest, now: clock, maxAgeSeconds });
  let inFlight: InFlight | undefined;
  // Only ask about in-flight training when it would change the answer (it may be a slow CLI call).
  if (decision.needsRetrain && check) {
    inFlight = await host.group('Checking for training in flight', () => checkInFlight(check, { ...sourceCtx, kfp }));
    host.info(`In flight: ${inFlight.active ? 'yes' : 'no'} (${inFlight.detail})`);
    decision = decideFreshness({ newest, now: clock, maxAgeSeconds, inFlight });
  }
  if (decision.clockSkewSeconds !== undefined) {
    host.warning(
      `The newest model's creation time is ${formatDuration(decision.clockSkewSeconds)} in the future (clock skew?); its age is taken as 0.`,
    );
  }

  host.setOutput('needs-retrain', String(decision.needsRetrain));
  host.setOutput('reason', decision.reason);
  host.setOutput('newest-model', modelJson(newest));
  host.setOutput('model-age-seconds', decision.ageSeconds === undefined ? '' : String(decision.ageSeconds));
  host.info(decision.explanation);
  await host.appendSummary(
    freshnessMarkdown({
      decision,
      newest,
      origin: listing.origin,
      maxAgeSeconds,
      clock,
      inFlight,
      notes: listing.notes,
    }),
  );
}

/** The KFP connection of a kfp-experiment: check; kfp-host is optional for this action, so its absence is named here. */
function kfpOptions(inputs: ContextOf<typeof spec>['inputs'], check: string): KfpClientOptions {
  const kfpHost = inputs['kfp-host'];
  if (!kfpHost) {
    throw new UserError(
      `in-flight-check '${check}' asks KFP, but kfp-host is not set. Fix: set kfp-host to the KFP API prefix (e.g. https://kubeflow.example.com/pipeline), with namespace and a credential such as kfp-token; or use a command: check.`,
    );
  }
  return kfpOptionsFromInputs({ ...inputs, 'kfp-host': kfpHost });
}
