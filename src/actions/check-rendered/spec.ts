import type { ActionSpec } from '../../lib/spec.js';
import { DEFAULT_IGNORE_KEYS } from '../../pipeline/inputs.js';

export const spec = {
  name: 'check-rendered',
  title: 'KFP GitOps: check rendered pipelines',
  description:
    'Re-runs each pipeline render script and fails, with file annotations and a diff, when the committed rendered YAML is stale or rendering is not deterministic.',
  inputs: {
    'render-scripts': {
      kind: 'list',
      description:
        'Render scripts to run, one path or glob per line, relative to working-directory. Each runs with bash from its own folder (e.g. `pipelines/*/render_pipeline.sh`).',
      required: true,
    },
    'ignore-keys': {
      kind: 'list',
      description:
        'YAML keys ignored at any depth when comparing a rendered file with the committed one, one per line (volatile keys such as compile timestamps).',
      default: DEFAULT_IGNORE_KEYS.join('\n'),
    },
    'check-determinism': {
      kind: 'boolean',
      description: 'Render twice and fail when the two renders differ in a key that is not ignored.',
      default: 'true',
    },
    parallelism: {
      kind: 'integer',
      min: 1,
      max: 64,
      description: 'How many render scripts run at once.',
      default: '4',
    },
    'max-diff-lines': {
      kind: 'integer',
      min: 1,
      description: 'Longest unified diff shown per stale file in the log and the job summary.',
      default: '200',
    },
    'working-directory': {
      kind: 'path',
      folder: true,
      description: 'Folder inside the git checkout that render-scripts are relative to.',
      default: '.',
    },
  },
  outputs: {
    result: { description: '`fresh` when every rendered file matches the committed one, `stale` otherwise.' },
    'stale-files': { description: 'JSON array of repo-relative paths of stale rendered files.' },
  },
} as const satisfies ActionSpec;
