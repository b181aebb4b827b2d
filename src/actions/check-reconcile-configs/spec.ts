import type { ActionSpec } from '../../lib/spec.js';
import { API_VERSIONS } from '../../kfp/types.js';

export const spec = {
  name: 'check-reconcile-configs',
  title: 'KFP GitOps: check schedule configs',
  description:
    'Validates KFP schedule config folders (experiments.yaml + recurring_runs.yaml, deployKF format) and the pipelines and parameter files they reference, without contacting KFP; fails with file/line annotations.',
  inputs: {
    'config-folders': {
      kind: 'list',
      description:
        'Config folders to check, one folder or glob per line, relative to working-directory (e.g. `schedules/*`). Each holds experiments.yaml and recurring_runs.yaml (.yml also accepted).',
      required: true,
    },
    'github-token': {
      kind: 'secret',
      description:
        'Token to read pipelines and parameter files in GitHub repositories (pipeline_source with github_owner/github_repo/git_reference/file_path), through the API at GITHUB_API_URL. Needs contents: read on those repositories; the CLI falls back to GITHUB_TOKEN, and without any token public repositories are read unauthenticated (60 requests an hour).',
      actionDefault: '${{ github.token }}',
    },
    'api-version': {
      kind: 'enum',
      values: API_VERSIONS,
      description:
        "The KFP REST API version push-reconcile uses (`v1beta1` or `v2beta1`): with `v2beta1`, Argo (KFP v1) pipelines with parameters are refused, as KFP's v2beta1 API cannot pass them; a `pipelines.yaml` needs `v2beta1`.",
      default: 'v1beta1',
    },
    'working-directory': {
      kind: 'path',
      folder: true,
      description:
        'Folder inside the checkout that config-folders are relative to. Paths inside the configs (pipeline_source.path, valueFrom.path) are relative to the repository root.',
      default: '.',
    },
  },
  outputs: {
    errors: { description: 'Number of errors found (0 when the configs are valid).' },
    schedules: { description: 'Number of valid schedules (recurring runs) across all folders.' },
  },
} as const satisfies ActionSpec;
