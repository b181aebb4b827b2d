import type { ActionSpec } from '../../lib/spec.js';
import { kfpInputSpecs } from '../../kfp/inputs.js';

export const spec = {
  name: 'run-pipeline',
  title: 'KFP GitOps: run a pipeline once',
  description:
    'Submits a rendered pipeline (KFP v1 Argo workflow with its params/ folder, or KFP v2 IR) as a one-off KFP run, after checking its parameters against the inputs the pipeline declares; optionally waits for the run and fails when it fails or times out.',
  inputs: {
    pipeline: {
      kind: 'string',
      description:
        'The compiled pipeline, relative to working-directory: a KFP v1 Argo `workflow.yaml` or a KFP v2 IR file (e.g. `pipelines/train/RENDERED_PIPELINE/workflow.yaml`), or the folder holding it. Files in a `params/` folder next to it give parameter values, one file per parameter named like it (deployKF layout). Or a pipeline registered in KFP: `kfp:<name>` runs its newest version, `kfp:<name>@<version name>` that version (looked up in `namespace`, then among the shared pipelines; its inputs are checked as for a file).',
      required: true,
    },
    parameters: {
      kind: 'string',
      description:
        'Parameter values as a YAML or JSON mapping (`learning_rate: 0.02` per line, or `{"learning_rate": 0.02}`); they override `params/` files. Names must be inputs of the pipeline, and every required input must get a value; both are checked before anything is sent.',
      default: '',
    },
    experiment: {
      kind: 'string',
      description:
        'KFP experiment to run in. It must already exist in the namespace (as deployKF requires): a typo never creates a new experiment. Create experiments with push-reconcile (experiments.yaml) or the KFP UI.',
      required: true,
    },
    'run-name': {
      kind: 'string',
      description:
        'Name of the run. Default: `MANUAL::<pipeline name>__<UTC time YYYY-MM-DDTHH-MM-SSZ>` (deployKF convention).',
      default: '',
    },
    wait: {
      kind: 'boolean',
      description:
        'Wait for the run to finish, printing a line on every state change, and fail unless it ends SUCCEEDED (or SKIPPED). `false`: submit and return.',
      default: 'true',
    },
    timeout: {
      kind: 'duration',
      description:
        'How long to wait, e.g. `2h`, `90m`, `1h30m` (a bare number is seconds). When it passes the step fails; the run keeps going in KFP unless `on-timeout: terminate`.',
      default: '2h',
    },
    'on-timeout': {
      kind: 'enum',
      values: ['keep-running', 'terminate'],
      description:
        'What happens to the KFP run when `timeout` passes: `keep-running` (the step fails, the run goes on) or `terminate` (the step terminates the run, then fails). The summary says which.',
      default: 'keep-running',
    },
    'terminate-on-cancel': {
      kind: 'boolean',
      description:
        'When the workflow run is cancelled while the step waits (the runner sends SIGINT, then SIGTERM), terminate the KFP run before exiting. `false`: leave it running. The summary says which.',
      default: 'true',
    },
    'poll-interval': {
      kind: 'duration',
      description: 'Time between two status checks while waiting, e.g. `15s` or `1m`.',
      default: '15s',
    },
    'service-account': {
      kind: 'string',
      description:
        'Kubernetes service account the run uses. Empty: the KFP default (e.g. `default-editor` in a Kubeflow profile).',
      default: '',
    },
    ...kfpInputSpecs,
    namespace: {
      kind: 'string',
      description: 'Kubeflow profile namespace to run in; required on multi-user installs.',
      default: '',
    },
    'kfp-ui-url': {
      kind: 'string',
      description:
        'Base URL of the KFP UI, for run-url. Default: the origin of kfp-host + `/pipeline` (where the Kubeflow gateway serves the UI). Set it when kfp-host is an in-cluster address such as `http://ml-pipeline.kubeflow:8888`.',
      default: '',
    },
    'working-directory': {
      kind: 'path',
      folder: true,
      description: 'Folder inside the checkout that `pipeline` is relative to.',
      default: '.',
    },
  },
  outputs: {
    'run-id': { description: 'ID of the KFP run; empty when nothing was submitted.' },
    'run-url': {
      description:
        'The run in the KFP UI: `<kfp-ui-url>/#/runs/details/<run-id>` (default UI: `<origin of kfp-host>/pipeline`); empty when nothing was submitted.',
    },
    state: {
      description:
        'The run state last seen: SUCCEEDED, SKIPPED, FAILED or CANCELED when it finished; PENDING or RUNNING without `wait` or after a timeout; empty when nothing was submitted.',
    },
  },
} as const satisfies ActionSpec;
