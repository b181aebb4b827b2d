import type { ActionSpec } from '../../lib/spec.js';
import { kfpInputSpecs } from '../../kfp/inputs.js';
import { DEFAULT_IGNORE_KEYS } from '../../pipeline/inputs.js';

export const spec = {
  name: 'push-reconcile',
  title: 'KFP GitOps: reconcile schedules',
  description:
    'Makes the recurring runs of KFP namespaces match the schedule configs in git: observes the KFP API, prints the plan, and in apply mode creates the new version disabled, disables the old, enables the new and prunes beyond keep_history. A second run writes nothing.',
  inputs: {
    'config-folders': {
      kind: 'list',
      description:
        'Config folders (each with experiments.yaml and recurring_runs.yaml), one path or glob per line. A folder maps to the namespace named like the folder unless `namespace` or `namespace-map` says otherwise.',
      required: true,
    },
    mode: {
      kind: 'enum',
      values: ['plan', 'apply'],
      description: '`plan` shows what would change and writes nothing; `apply` makes the changes.',
      default: 'plan',
    },
    ...kfpInputSpecs,
    namespace: {
      kind: 'string',
      description:
        'KFP namespace (profile) for a single config folder; empty: each folder goes to the namespace named like the folder (deployKF convention), or per `namespace-map`.',
      default: '',
    },
    'namespace-map': {
      kind: 'list',
      description:
        'Explicit folder → namespace mapping, one `folder=namespace` per line (folders as given in config-folders).',
      default: '',
    },
    'default-service-account': {
      kind: 'string',
      description:
        'Service account of runs whose config has no `job.service_account` (deployKF: `--kfp-default-runner-sa`).',
      default: 'default-editor',
    },
    prune: {
      kind: 'enum',
      values: ['none', 'disable', 'delete'],
      description:
        'What to do with `GIT::` schedules that are no longer in the configs (orphans): `none` (only report), `disable`, or `delete`.',
      default: 'none',
    },
    'max-catchup-runs': {
      kind: 'integer',
      min: -1,
      max: 1_000_000,
      description:
        'How many missed runs re-enabling a disabled version may start at once. With `catchup: true` KFP runs every slot missed while the version was disabled; the plan says how many. Beyond this number a new version replaces the disabled one instead (it has no missed slots unless its start_date is past). `-1`: no limit.',
      default: '0',
    },
    parallelism: {
      kind: 'integer',
      min: 1,
      max: 64,
      description:
        'Schedules of one namespace reconciled at once (steps of one schedule always run in order). Namespaces are reconciled all at once; `max-parallel-requests` bounds the requests in flight for the whole run.',
      default: '8',
    },
    'max-parallel-requests': {
      kind: 'integer',
      min: 1,
      max: 256,
      description:
        'Most KFP API requests in flight at once for the whole run, however many namespaces and schedules: more namespaces never means more load on the API server at once. Retry waits hold no slot.',
      default: '16',
    },
    'ignore-keys': {
      kind: 'list',
      description:
        'Pipeline keys ignored at any depth when comparing the deployed pipeline with git (volatile compile metadata), one per line.',
      default: DEFAULT_IGNORE_KEYS.join('\n'),
    },
    comment: {
      kind: 'boolean',
      description:
        'In a pull request, post the plan as ONE sticky comment, updated in place on every push (needs `pull-requests: write`).',
      default: 'true',
    },
    'github-token': {
      kind: 'secret',
      description:
        'Token for remote pipeline sources (GitHub contents API) and the plan comment. The CLI falls back to GITHUB_TOKEN; without any token, public repositories are read unauthenticated.',
      actionDefault: '${{ github.token }}',
    },
    'working-directory': {
      kind: 'path',
      folder: true,
      description: 'Folder inside the git checkout that config-folders are relative to.',
      default: '.',
    },
    'plan-file': {
      kind: 'string',
      description:
        "Also write the plan and its outcome (apply results, failures, retries) as JSON to this file, for `reconcile-shards` `gather` to put many jobs' plans in one comment and summary. Empty: none.",
      default: '',
    },
  },
  outputs: {
    plan: {
      description:
        'The plan as JSON: per namespace, experiment steps and per-schedule changes with reasons, field diffs and steps.',
    },
    changes: { description: 'Number of write calls the plan makes (0 = KFP already matches git).' },
    applied: { description: '`true` when mode is apply and every planned write succeeded.' },
  },
} as const satisfies ActionSpec;
