import type { ActionSpec } from '../../lib/spec.js';
import { DEFAULT_IGNORE_KEYS } from '../../pipeline/inputs.js';

export const spec: ActionSpec = {
  name: 'check-rendered',
  title: 'KFP GitOps: check rendered pipelines',
  description:
    'Re-runs each pipeline render script and fails, with file annotations and a diff, when the committed rendered YAML is stale or rendering is not deterministic.',
  inputs: {
    'render-scripts': {
      description:
        'Render scripts to run, one path or glob per line, relative to working-directory. Each runs with bash from its own folder (e.g. `pipelines/*/render_pipeline.sh`).',
      required: true,
    },
    'ignore-keys': {
      description:
        'YAML keys ignored at any depth when comparing a rendered file with the committed one, one per line (volatile keys such as compile timestamps).',
      default: DEFAULT_IGNORE_KEYS.join('\n'),
    },
    'check-determinism': {
      description: 'Render twice and fail when the two renders differ in a key that is not ignored.',
      default: 'true',
    },
    parallelism: {
      description: 'How many render scripts run at once.',
      default: '4',
    },
    'max-diff-lines': {
      description: 'Longest unified diff shown per stale file in the log and the job summary.',
      default: '200',
    },
    'working-directory': {
      description: 'Folder inside the git checkout that render-scripts are relative to.',
      default: '.',
    },
  },
  outputs: {
    result: { description: '`fresh` when every rendered file matches the committed one, `stale` otherwise.' },
    'stale-files': { description: 'JSON array of repo-relative paths of stale rendered files.' },
  },
};
