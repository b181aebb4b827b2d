import type { ActionSpec } from '../../lib/spec.js';
import { modelSourceInputs } from '../../models/inputs.js';

export const spec = {
  name: 'open-model-pr',
  title: 'KFP GitOps: open a PR pinning the newest model',
  description:
    'Keeps ONE pull request from a fixed branch that pins the newest trained model in a config file (e.g. a KServe storageUri): creates it, updates it for a newer model, writes nothing when it already proposes that model, and closes it once the base branch pins the newest model. Commits through the GitHub API; no checkout needed.',
  inputs: {
    'model-source': {
      ...modelSourceInputs['model-source'],
      description: `${modelSourceInputs['model-source'].description} Give this or model.`,
    },
    model: {
      kind: 'string',
      description:
        'The model to pin, from an earlier step instead of model-source: a URI/id string, or the JSON `{id, uri, created}` that model-freshness outputs as newest-model.',
    },
    pin: {
      kind: 'enum',
      values: ['uri', 'id'],
      description:
        'Which property of the model is written into the config: `uri` (the immutable artifact URI, e.g. for KServe storageUri) or `id`.',
      default: 'uri',
    },
    'config-file': {
      kind: 'string',
      description:
        'Path, from the repository root, of the YAML/JSON file that pins the model, e.g. `serving/churn-model.yaml`.',
      required: true,
    },
    'config-key': {
      kind: 'string',
      description:
        'YAML path of the pinned value, e.g. `spec.predictor.model.storageUri`, `spec.predictors[0].graph.modelUri` or `data.modelId` (`["a.b"]` for keys with dots). Give this or marker. Matching no value, or values in several documents, is an error.',
    },
    marker: {
      kind: 'string',
      description:
        'Instead of config-key: a comment marking the pinned value\'s line, e.g. `kpt-set: ${model}` or `{"$imagepolicy": "flux-system:model"}`. Exactly one value may carry it.',
    },
    document: {
      kind: 'string',
      description: 'In a multi-document file, the document to edit as kind/name, e.g. `InferenceService/churn-model`.',
    },
    branch: {
      kind: 'string',
      description:
        'The fixed PR branch, rebuilt from the base head on every change and force-updated. Do not push to it by hand.',
      default: 'auto-update-model',
    },
    base: {
      kind: 'string',
      description: "Branch the PR targets. Default: the repository's default branch.",
    },
    title: {
      kind: 'string',
      description: 'PR title. Default: `Update model to <model id>`.',
    },
    body: {
      kind: 'string',
      description:
        "PR body, e.g. the quality-gate report. A table of the current and proposed model is appended. Truncated to GitHub's 65,536 characters.",
    },
    labels: {
      kind: 'string',
      description: 'Labels to add to the PR, comma or newline separated. Labels are only ever added, never removed.',
    },
    reviewers: {
      kind: 'string',
      description:
        'Reviewers to request, comma or newline separated; `org/team` for a team (needs an App or PAT with members: read). Requested where missing on every run, once per proposed model (someone who has reviewed, or whose request was removed, is not asked again for the same model); retried while GitHub has not caught up with a new PR.',
    },
    'allow-downgrade': {
      kind: 'boolean',
      description:
        'Propose the newest model even when it is older than the model pinned on base (when both creation times are known: from the model source, a merged PR of this action, or the trailer of the commit that pinned it).',
      default: 'false',
    },
    'reconsider-rejected': {
      kind: 'boolean',
      description: `Propose a model again although a person rejected it (closed its PR without merging, or merged it and reverted the pin). A single closed PR's rejection is taken back by labelling it \`reconsider\`.`,
      default: 'false',
    },
    draft: {
      kind: 'boolean',
      description: 'Open the PR as a draft.',
      default: 'false',
    },
    'auto-merge': {
      kind: 'enum',
      values: ['merge', 'squash', 'rebase'],
      description:
        'Arm GitHub\'s auto-merge on the PR with this method: `merge`, `squash` or `rebase` (empty: off). The PR then merges itself once the required checks of the base branch (e.g. the quality gate) pass. Armed again on every run that finds it disarmed. The repository needs Settings → "Allow auto-merge" (else a warning, and the PR stays open for a person), and the token pull-requests: write and contents: write.',
    },
    token: {
      kind: 'secret',
      description:
        'Token with contents: write and pull-requests: write. Use a GitHub App installation token (actions/create-github-app-token) or a PAT: PRs opened with the default GITHUB_TOKEN do not trigger pull_request workflows, so required checks never run.',
      actionDefault: '${{ github.token }}',
    },
    repository: {
      kind: 'string',
      description: "Repository as owner/name. Default: the workflow's repository (GITHUB_REPOSITORY).",
    },
    'mlflow-tracking-uri': modelSourceInputs['mlflow-tracking-uri'],
    'mlflow-token': modelSourceInputs['mlflow-token'],
    'working-directory': modelSourceInputs['working-directory'],
  },
  outputs: {
    operation: {
      description:
        "`created`, `updated`, `closed` or `none` (create-pull-request's values; `none` also when a model is rejected, older or not rewound: the log and summary say why).",
    },
    'pull-request-operation': { description: "The same as operation, under create-pull-request's name." },
    'pull-request-number': { description: 'Number of the PR (also when closed); empty when there is none.' },
    'pull-request-url': { description: 'URL of the PR (also when closed); empty when there is none.' },
    'pull-request-head-sha': {
      description: 'Head commit of the PR branch after the run; empty when the branch does not exist.',
    },
    'pull-request-branch': { description: 'The PR branch (the branch input).' },
    'auto-merge': {
      description:
        'With auto-merge set: `armed`, `not-allowed` (the repository does not allow auto-merge), `refused` (GitHub refused for another reason: the summary says why), `merged` (the PR pinning the newest model is merged), or empty when no PR is open.',
    },
    'current-model': { description: 'The value pinned on the base branch before this run.' },
    'latest-model': { description: 'The value of the newest model (what the PR pins).' },
  },
} as const satisfies ActionSpec;
