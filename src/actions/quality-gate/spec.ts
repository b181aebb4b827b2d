import type { ActionSpec } from '../../lib/spec.js';

export const spec = {
  name: 'quality-gate',
  title: 'KFP GitOps: model quality gate',
  description:
    "Compares a candidate model's metrics with thresholds and with the baseline (champion) model, reports a table in the job summary and one sticky PR comment, and fails when a rule is broken: make it a required status check so worse models do not merge.",
  inputs: {
    metrics: {
      kind: 'string',
      description:
        'Candidate metrics: a JSON, YAML or TOML file relative to working-directory (nested objects become dotted paths as in DVC: `{"precision": {"area-jupyter": 0.9}}` → `precision.area-jupyter`; numeric strings, `NaN` and `Infinity` are read as numbers; `{"value": 0.62, "n": 45}` is a proportion measured on 45 examples, shown with its 95 % Wilson interval; a file is at most 5 MB and a `.json` file must be strict JSON), or `mlflow:<run-id>`.',
      required: true,
    },
    thresholds: {
      kind: 'string',
      description:
        'Rules: a YAML file relative to working-directory, or inline YAML. Each key is a metric path or a `*` pattern (`"precision.area-*"`); each value holds `min`, `max`, `min_absolute_change`, `min_relative_change` (vs the baseline; negative values allow a bounded regression), `greater_is_better`, `optional: true`, a `warn:` band of soft checks, `significance: 0.05` (change checks fail only when worse beyond the tolerance with 95 % confidence; also at the top level), and on a `*` rule `max_failing: K` or `aggregate: min|mean`.',
      required: true,
    },
    baseline: {
      kind: 'string',
      description:
        "The champion's metrics to compare with: a file; `git:<ref>` for the metrics file as it is at that ref (e.g. `git:origin/main`; `git:<ref>:<path>` for another path); `mlflow:<run-id>`; or `mlflow:models:/<name>@<alias>` (the run behind a registered model alias, e.g. `@champion`). Empty: no baseline.",
      default: '',
    },
    'paired-predictions': {
      kind: 'string',
      description:
        'Both models\' outcomes on the same examples, for `significance` by McNemar\'s test instead of Newcombe\'s interval: a JSON, YAML or TOML file relative to working-directory mapping metric paths to `{"baseline": [1, 0, …], "candidate": [1, 1, …]}` (one 0/1 per example, same order; e.g. for a label\'s recall, 1 where the label was found).',
      default: '',
    },
    history: {
      kind: 'string',
      description:
        'Earlier champions for a trend chart of each headline (top-level) metric in the report: `git:<ref>` reads the metrics file at the last commits on that ref that changed it (e.g. `git:origin/main`; needs the history: actions/checkout with `fetch-depth: 0`); `git:<ref>:<path>` for another path. Empty: no trend.',
      default: '',
    },
    'history-length': {
      kind: 'integer',
      min: 1,
      max: 100,
      description: 'How many earlier champions the trend shows (1–100).',
      default: '10',
    },
    'missing-baseline': {
      kind: 'enum',
      values: ['pass', 'warn', 'fail'],
      description:
        'What a change check (`min_absolute_change`, `min_relative_change`) does when there is no baseline value: `pass`, `warn` (default: a first model has no champion, and the gate says so without blocking it) or `fail` (as MLflow does).',
      default: 'warn',
    },
    comment: {
      kind: 'boolean',
      description:
        'Post the report as one sticky pull request comment, updated in place on every run (skipped outside pull requests). Needs `pull-requests: write`.',
      default: 'true',
    },
    token: {
      kind: 'secret',
      description: 'GitHub token for the PR comment.',
      actionDefault: '${{ github.token }}',
    },
    'mlflow-tracking-uri': {
      kind: 'string',
      description:
        'MLflow tracking server for `mlflow:` metrics and baselines (default: the MLFLOW_TRACKING_URI environment variable).',
      default: '',
    },
    'mlflow-token': {
      kind: 'secret',
      description: 'Bearer token for the MLflow server (default: the MLFLOW_TRACKING_TOKEN environment variable).',
    },
    'working-directory': {
      kind: 'path',
      folder: true,
      description: 'Folder inside the checkout that metrics, thresholds and baseline paths are relative to.',
      default: '.',
    },
    title: {
      kind: 'string',
      description: 'Heading of the report; also tells apart the sticky comments of several gates on one pull request.',
      default: 'Quality gate',
    },
  },
  outputs: {
    passed: { description: '`true` when no rule failed (warnings allowed), else `false`.' },
    results: {
      description:
        'JSON: `{passed, counts: {fail, warn, skip, pass}, results: [{metric, rule, status, candidate, baseline, delta, relative_delta, condition, reasons, file, line}]}`.',
    },
    report: {
      description:
        "The markdown report (verdict and table, within a comment's size limit), e.g. for a pull request body.",
    },
  },
} as const satisfies ActionSpec;
