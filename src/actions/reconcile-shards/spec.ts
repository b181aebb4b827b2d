import type { ActionSpec } from '../../lib/spec.js';

export const spec = {
  name: 'reconcile-shards',
  title: 'KFP GitOps: spread a reconcile over jobs',
  description:
    "Spreads push-reconcile over jobs when one is not enough. `list` cuts the config folders into shards (JSON for a matrix: one job per shard); `gather` reads the shards' plan files and posts ONE plan comment and job summary, failing when any shard failed.",
  inputs: {
    step: {
      kind: 'enum',
      values: ['list', 'gather'],
      description:
        "`list`: print the shards of config-folders as JSON (output `shards`). `gather`: read the shards' plan files (`plans`) into one report.",
      required: true,
    },
    'config-folders': {
      kind: 'list',
      description:
        'list: config folders or globs, one per line, as given to push-reconcile (same rules: relative to working-directory, a glob matching none is an error).',
      default: '',
    },
    'shard-size': {
      kind: 'integer',
      min: 0,
      max: 10_000,
      description:
        'list: config folders per shard (per job). 1 gives each namespace its own job and concurrency group; 0 puts every folder in one shard.',
      default: '0',
    },
    namespace: {
      kind: 'string',
      description: "list: push-reconcile's `namespace`, for the namespace each shard reconciles.",
      default: '',
    },
    'namespace-map': {
      kind: 'list',
      description: "list: push-reconcile's `namespace-map` (one `folder=namespace` per line).",
      default: '',
    },
    plans: {
      kind: 'list',
      description:
        "gather: the plan files the shards wrote (push-reconcile's `plan-file`), one path or glob per line, inside the checkout.",
      default: '',
    },
    shards: {
      kind: 'string',
      description:
        "gather: the list step's `shards` output, so that a shard whose job wrote no plan is reported by name. Empty: not checked.",
      default: '',
    },
    mode: {
      kind: 'enum',
      values: ['plan', 'apply'],
      description: 'gather: `plan` or `apply`, the mode the shards ran in.',
      default: 'plan',
    },
    comment: {
      kind: 'boolean',
      description:
        'gather, plan mode, in a pull request: post the gathered plan as ONE sticky comment (the same comment one push-reconcile job keeps).',
      default: 'true',
    },
    'github-token': {
      kind: 'secret',
      description: 'Token for the plan comment (`pull-requests: write`). The CLI falls back to GITHUB_TOKEN.',
      actionDefault: '${{ github.token }}',
    },
    'working-directory': {
      kind: 'path',
      folder: true,
      description: 'Folder inside the git checkout that config-folders and plans are relative to.',
      default: '.',
    },
  },
  outputs: {
    shards: {
      description:
        'list: the shards as a JSON array of `{index, folders, namespaces}` (folders one per line, namespaces space separated), for `strategy.matrix`.',
    },
    count: { description: 'list: the number of shards.' },
    plan: { description: "gather: every shard's plan as one JSON array (push-reconcile's `plan`)." },
    changes: { description: 'gather: write calls planned over all shards.' },
    applied: { description: 'gather: `true` when mode is apply and every shard applied every planned write.' },
  },
} as const satisfies ActionSpec;
