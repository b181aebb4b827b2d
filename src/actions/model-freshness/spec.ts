import type { ActionSpec } from '../../lib/spec.js';
import { kfpInputSpecs } from '../../kfp/inputs.js';
import { modelSourceInputs } from '../../models/inputs.js';

export const spec = {
  name: 'model-freshness',
  title: 'KFP GitOps: is the newest model too old?',
  description:
    'Decides whether to retrain: true when there is no trained model or the newest one is older than max-age, unless a training run is already in flight. Never fails on a stale model; use the needs-retrain output.',
  inputs: {
    'model-source': { ...modelSourceInputs['model-source'], required: true },
    'max-age': {
      kind: 'duration',
      description:
        'Retrain when the newest model is older than this: a duration such as `24h`, `7d`, `90m` or `1d12h` (units w, d, h, m, s); a bare number is seconds.',
      required: true,
    },
    'in-flight-check': {
      kind: 'string',
      description:
        'Optional. `kfp-experiment:<name>`: a run of that KFP experiment is PENDING, RUNNING or PAUSED (not CANCELING or finished); uses the `kfp-*` connection inputs. Or `command:<cmd>` printing the states of training runs (JSON with state/status/phase fields, or plain words), e.g. `command:gh run list --workflow train.yml --json status`; in flight when any state is pending, running, queued, in_progress, requested, waiting or starting. Either way no retrain is requested while training is in flight. Checked only when a retrain would otherwise be requested.',
    },
    'mlflow-tracking-uri': modelSourceInputs['mlflow-tracking-uri'],
    'mlflow-token': modelSourceInputs['mlflow-token'],
    'working-directory': modelSourceInputs['working-directory'],
    ...kfpInputSpecs,
    // Only a kfp-experiment: check talks to KFP.
    'kfp-host': {
      kind: 'string',
      description: `${kfpInputSpecs['kfp-host'].description} Needed only for \`in-flight-check: kfp-experiment:<name>\`.`,
    },
  },
  outputs: {
    'needs-retrain': { description: '`true` when a training run should be started, else `false`.' },
    reason: { description: '`no-model`, `too-old`, `fresh` or `training-in-flight`.' },
    'newest-model': {
      description: 'The newest usable model as JSON `{id, uri, created, version?, runId?}`; empty when there is none.',
    },
    'model-age-seconds': {
      description:
        'Age of the newest model in whole seconds (0 if its time is in the future); empty when there is none.',
    },
  },
} as const satisfies ActionSpec;
