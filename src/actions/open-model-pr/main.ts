import type { ActionContext, ContextOf } from '../../lib/action.js';
import { UserError } from '../../lib/errors.js';
import { branchNameProblem } from '../../lib/names.js';
import { createGitHub, parseRepo, repoFromEnv } from '../../lib/github.js';
import { type AutoMergeResult, armAutoMerge, mergedModelPr } from '../../models/auto-merge.js';
import { type Model, modelFromInput, pinsModel } from '../../models/model.js';
import { reconcileModelPr } from '../../models/model-pr.js';
import { prBody, modelPrMarkdown } from '../../models/pr-report.js';
import { type PinLocator, parseConfigKey, parseDocumentSelector } from '../../models/pin.js';
import { modelSourceContext } from '../../models/inputs.js';
import { listTrainedModels, parseModelSource } from '../../models/sources/index.js';
import type { spec } from './spec.js';

const DEFAULT_TOKEN_WARNING =
  'This pull request is opened with the default GITHUB_TOKEN: GitHub starts no pull_request or push workflows for it, so required checks (e.g. quality-gate) never report and the PR cannot merge under branch protection. Fix: pass a GitHub App installation token (actions/create-github-app-token) or a personal access token as `token`.';

export async function run(ctx: ContextOf<typeof spec>): Promise<void> {
  const { inputs, host, env } = ctx;
  const sourceText = inputs['model-source'];
  const modelText = inputs.model;
  if (!sourceText === !modelText)
    throw new UserError(
      `Give exactly one of model-source and model (got ${sourceText ? 'both' : 'neither'}). Fix: set model-source to where models are listed, or model to the model from an earlier step.`,
    );
  const pin = inputs.pin;
  const branch = branchInput(inputs.branch, 'branch');
  const base = inputs.base && branchInput(inputs.base, 'base');
  const path = inputs['config-file'].replace(/^\.\//, '');
  const locator = locatorFrom(inputs['config-key'], inputs.marker, inputs.document);
  const repo = inputs.repository ? parseRepo(inputs.repository) : repoFromEnv(env);
  if (!repo)
    throw new UserError(
      'No repository to work on. Fix: set repository to owner/name (GITHUB_REPOSITORY is set automatically inside GitHub Actions).',
    );
  const token = inputs.token ?? '';
  const draft = inputs.draft;
  const autoMerge = inputs['auto-merge'];
  const clock = ctx.now();

  // ── the newest model ──
  let known: Model[] = [];
  let origin = 'the model input';
  let latest: Model | undefined;
  if (modelText) latest = modelFromInput(modelText);
  else {
    const listing = await listTrainedModels(host, parseModelSource(sourceText!), modelSourceContext(ctx));
    known = listing.models;
    origin = listing.origin;
    latest = known[0];
  }
  if (!latest) {
    // Never propose without a resolved candidate (the label bot's "notavlidmodel" PRs).
    host.warning(`No trained model found in ${origin}; nothing to propose.`);
    setOutputs(host, { operation: 'none', branch: inputs.branch, current: '', latest: '' });
    await host.appendSummary(
      `## No model to promote\n\nNo trained model was found in ${origin}; no pull request was opened or changed.\n`,
    );
    return;
  }
  const desired = pin === 'uri' ? latest.uri : latest.id;
  host.info(`Latest model: ${latest.id} → pinning ${desired}`);

  if (env.GITHUB_TOKEN && token === env.GITHUB_TOKEN) host.warning(DEFAULT_TOKEN_WARNING);
  let warned = false;
  const gh = await createGitHub({ token, apiUrl: env.GITHUB_API_URL, host });
  const title = inputs.title ?? `Update model to ${latest.id}`;
  const userBody = inputs.body;
  const labels = splitList(inputs.labels ?? '');
  const reviewers = splitList(inputs.reviewers ?? '');
  const describe = (value: string) => known.find((m) => pinsModel(value, m));

  const result = await host.group('Reconciling the model pull request', () =>
    reconcileModelPr(gh, {
      repo,
      base: base || undefined,
      branch,
      path,
      locator,
      desired,
      latest: { id: latest.id, uri: latest.uri, ...(latest.created ? { created: latest.created } : {}) },
      title,
      body: ({ current, pinned }) =>
        prBody({ userBody, current, currentModel: describe(current), pinned, latest, desired, path, branch, origin }),
      // Lineage trailers (Model-Id, Model-Uri, Model-Created) are appended by reconcileModelPr.
      commitMessage: (current) => `${title}\n\n${path}: ${current || '(empty)'} → ${desired}`,
      labels,
      reviewers,
      draft,
      pinnedCreated: (current) => describe(current)?.created,
      // Only a listing can tell that a model is gone; a `model` input cannot.
      isWithdrawn: sourceText ? (m) => !known.some((k) => k.id === m.id || k.uri === m.uri) : () => undefined,
      allowDowngrade: inputs['allow-downgrade'],
      reconsiderRejected: inputs['reconsider-rejected'],
      log: (m) => host.info(m),
      onDefaultToken: () => {
        if (!warned && !(env.GITHUB_TOKEN && token === env.GITHUB_TOKEN)) host.warning(DEFAULT_TOKEN_WARNING);
        warned = true;
      },
    }),
  );

  setOutputs(host, {
    operation: result.operation,
    pr: result.pr,
    headSha: result.headSha,
    branch,
    current: result.current,
    latest: desired,
  });
  host.info(`operation=${result.operation}${result.pr ? ` ${result.pr.url}` : ''}`);
  let armed: AutoMergeResult | undefined;
  if (autoMerge) {
    armed = await host.group('Auto-merge', async () => {
      let a: AutoMergeResult | undefined;
      if (result.pr?.open)
        a = await armAutoMerge(gh, {
          repo,
          pr: result.pr,
          headSha: result.headSha,
          method: autoMerge,
          base: result.base,
        });
      else if (result.current === desired) {
        const merged = await mergedModelPr(gh, { repo, branch, base: result.base, desired });
        if (merged)
          a = { state: 'merged', note: `[#${merged.number}](${merged.url}) pinning it is merged.`, warn: false };
      }
      if (a?.warn) host.warning(a.note);
      else host.info(a?.note ?? 'No pull request is open: nothing to arm.');
      return a;
    });
    host.setOutput('auto-merge', armed?.state ?? '');
  }
  const summary = modelPrMarkdown({
    result,
    latest,
    desired,
    currentModel: describe(result.current),
    path,
    clock,
    repo: `${repo.owner}/${repo.repo}`,
  });
  await host.appendSummary(
    armed ? `${summary}\n${armed.warn ? '⚠️' : armed.state === 'merged' ? '✅' : '🤖'} ${armed.note}\n` : summary,
  );
}

/** A branch input, checked before any call (it goes into the refs API). */
function branchInput(name: string, input: string): string {
  const problem = branchNameProblem(name);
  if (problem) throw new UserError(`Input '${input}': ${problem}. Fix: give a branch name such as auto-update-model.`);
  return name;
}

function locatorFrom(key: string | undefined, marker: string | undefined, document: string | undefined): PinLocator {
  if (!key === !marker)
    throw new UserError(
      `Give exactly one of config-key and marker (got ${key ? 'both' : 'neither'}). Fix: set config-key to the YAML path of the pinned value (e.g. spec.predictor.model.storageUri) or marker to the comment on its line.`,
    );
  const doc = document ? { document: parseDocumentSelector(document) } : {};
  return key
    ? { kind: 'key', text: key, path: parseConfigKey(key), ...doc }
    : { kind: 'marker', marker: marker!, ...doc };
}

function splitList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function setOutputs(
  host: ActionContext['host'],
  o: {
    operation: string;
    pr?: { number: number; url: string };
    headSha?: string;
    branch: string;
    current: string;
    latest: string;
  },
): void {
  host.setOutput('operation', o.operation);
  // create-pull-request's names, so workflows written for it read the same outputs.
  host.setOutput('pull-request-operation', o.operation);
  host.setOutput('pull-request-number', o.pr ? String(o.pr.number) : '');
  host.setOutput('pull-request-url', o.pr?.url ?? '');
  host.setOutput('pull-request-head-sha', o.headSha ?? '');
  host.setOutput('pull-request-branch', o.branch);
  host.setOutput('current-model', o.current);
  host.setOutput('latest-model', o.latest);
}
