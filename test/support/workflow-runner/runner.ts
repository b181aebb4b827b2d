import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import type { Job, ReusableWorkflowJob, WorkflowJob } from '@actions/workflow-parser/model/workflow-template';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/template-token';
import type { FileReference } from '@actions/workflow-parser/workflows/file-reference';
import { git } from '../../../src/lib/git.js';
import { repoRoot } from '../paths.js';
import {
  asString,
  entries,
  evaluate,
  evaluateToken,
  ExpressionFailure,
  refuseBlockScalar,
  seq,
  truthy,
  UnsupportedError,
  type Contexts,
  type Status,
} from './expressions.js';
import { type Combination, matrixJobName, strategyOf } from './matrix.js';
import { Artifacts, mask, runAction, runScript, type StepEnvironment, type StepResult } from './steps.js';

/**
 * A small workflow executor for tests. GitHub's parser (@actions/workflow-parser) reads the workflow
 * into jobs and steps (it also adds the implicit `success() &&` to every if:); GitHub's expression engine
 * evaluates every `${{ }}`; jobs run one after the other in `needs` order, with the skipping rules and
 * contexts the runner and the Actions service apply. Whatever it does not implement throws
 * UnsupportedError instead of being skipped. Documented behaviour it follows:
 * - contexts: https://docs.github.com/en/actions/reference/workflows-and-actions/contexts
 * - status functions and the implicit success(): https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#status-check-functions
 * - needs and skipping: https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idneeds
 * - job outputs (secrets are not passed on): https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/pass-job-outputs
 * - reusable workflows: https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations
 * - matrix jobs (one after the other; fail-fast cancels the rest): see matrix.ts
 * - artifacts shared by the run's jobs: the upload-artifact / download-artifact stand-ins in steps.ts
 */

export type Result = 'success' | 'failure' | 'cancelled' | 'skipped';

export interface StepRun {
  id: string;
  name: string;
  outcome: Result;
  conclusion: Result;
  outputs: Record<string, string>;
  summary: string;
  log: string;
  annotations: StepResult['annotations'];
  warnings: string[];
}

export interface JobRun {
  /** The check name: `<job>` or, inside a called workflow, `<caller job> / <job>`. */
  name: string;
  result: Result;
  outputs: Record<string, string>;
  steps: StepRun[];
  /** Effective GITHUB_TOKEN permissions (scope → read/write). */
  permissions: Record<string, string>;
  environment?: string;
  concurrency?: { group: string; cancelInProgress: boolean };
  /** Why the job failed without a step failing (expression error, environment rule…). */
  error?: string;
}

export interface WorkflowRun {
  conclusion: 'success' | 'failure';
  /** Every job by check name, in the order they ran or were skipped. */
  jobs: Record<string, JobRun>;
  /** Every step log line, masked, prefixed by the check name. */
  log: string;
  /** All runner warnings (unexpected inputs, outputs skipped because they contain a secret). */
  warnings: string[];
}

export interface Environment {
  secrets?: Record<string, string>;
  /** Deployment branch policy: branch names allowed to run jobs in this environment. */
  branches?: string[];
}

export interface RunWorkflowOptions {
  /** The workflow file to run (a starter template or a caller), or give `content` with a name. */
  workflow: string;
  content?: string;
  /** The repository the workflow runs for: a local git repository (cloned by checkout) and its name. */
  repository: { dir: string; fullName: string; defaultBranch?: string };
  event: string;
  /** The webhook payload (github.event); repository and sender are filled in when absent. */
  payload?: Record<string, unknown>;
  /** github.ref, e.g. refs/heads/main or refs/pull/7/merge; github.sha is what it points to in the repository. */
  ref: string;
  /** workflow_dispatch inputs, checked against the workflow's definitions as GitHub checks a dispatch. */
  inputs?: Record<string, string | boolean>;
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  environments?: Record<string, Environment>;
  /** Extra variables of the runner machine (e.g. GITHUB_API_URL of a GitHub double). */
  env?: Record<string, string>;
  /** Folder our reusable workflows are read from (default: .github/workflows of this repository). */
  workflowsDir?: string;
}

interface Scope {
  jobs: WorkflowJob[];
  raw: Map<string, Map<string, TemplateToken>>;
  inputs: Record<string, unknown>;
  secrets: Record<string, string>;
  env: Record<string, string>;
  /** Permissions a job gets when it declares none. */
  permissions: Record<string, string>;
  prefix: string;
}

const WORKFLOW_KEYS = new Set(['name', 'on', 'permissions', 'env', 'jobs']);
const JOB_KEYS = new Set([
  'name',
  'needs',
  'if',
  'runs-on',
  'permissions',
  'environment',
  'concurrency',
  'outputs',
  'env',
  'steps',
  'timeout-minutes',
  'strategy',
]);
const CALL_KEYS = new Set(['name', 'needs', 'if', 'permissions', 'uses', 'with', 'secrets', 'concurrency']);
const STEP_KEYS = new Set([
  'id',
  'name',
  'if',
  'uses',
  'with',
  'env',
  'run',
  'shell',
  'working-directory',
  'continue-on-error',
  'timeout-minutes',
]);
const SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'security-events',
  'statuses',
];
const rank = (v: string | undefined) => (v === 'write' ? 2 : v === 'read' ? 1 : 0);

function mapOf(token: TemplateToken | undefined): Map<string, TemplateToken> {
  return new Map(entries(token));
}

/** Parse a workflow with GitHub's parser; any error it reports fails the run. */
function parseFile(name: string, content: string) {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length || !parsed.value) throw new Error(`${name} is not a valid workflow:\n${errors.join('\n')}`);
  return parsed;
}

function rawJobs(root: TemplateToken): Map<string, Map<string, TemplateToken>> {
  return new Map(entries(mapOf(root).get('jobs')).map(([id, t]) => [id, mapOf(t)]));
}

function permissionsOf(value: unknown, where: string): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value === 'string') {
    if (value === 'read-all' || value === 'write-all')
      return Object.fromEntries(SCOPES.map((s) => [s, value.slice(0, -4)]));
    throw new Error(`${where}: permissions '${value}' is not read-all or write-all`);
  }
  return Object.fromEntries(Object.entries(value as Record<string, string>).filter(([, v]) => v !== 'none'));
}

/** Inputs of a workflow_dispatch or workflow_call, typed, defaults applied; bad values refused as GitHub does. */
function typedInputs(
  defs: Record<string, Record<string, unknown>>,
  given: Record<string, unknown>,
  where: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(given))
    if (!defs[name]) throw new Error(`${where}: Unexpected input '${name}' (not defined in the workflow)`);
  for (const [name, def] of Object.entries(defs)) {
    let value = given[name];
    if (value === undefined) {
      if (def.required && def.default === undefined)
        throw new Error(`${where}: Input required and not supplied: ${name}`);
      value = def.default ?? (def.type === 'boolean' ? false : def.type === 'number' ? 0 : '');
    }
    if (def.type === 'boolean') {
      if (value === 'true' || value === 'false') value = value === 'true';
      if (typeof value !== 'boolean')
        throw new Error(`${where}: input '${name}' must be a boolean, got '${String(value)}'`);
    } else if (def.type === 'number') {
      if (typeof value !== 'number')
        throw new Error(`${where}: input '${name}' must be a number, got '${String(value)}'`);
    } else {
      if (typeof value === 'boolean' || typeof value === 'number' || value === null)
        value = value === null ? '' : String(value);
      if (typeof value !== 'string') throw new Error(`${where}: input '${name}' must be a string`);
      if (def.type === 'choice' && !(def.options as string[]).includes(value)) {
        throw new Error(
          `${where}: input '${name}' must be one of ${(def.options as string[]).join(', ')}, got '${value}'`,
        );
      }
    }
    out[name] = value;
  }
  return out;
}

export async function runWorkflow(opts: RunWorkflowOptions): Promise<WorkflowRun> {
  const workflowsDir = opts.workflowsDir ?? path.join(repoRoot, '.github/workflows');
  const content = opts.content ?? (await fs.readFile(opts.workflow, 'utf8'));
  const entryName = opts.content ? opts.workflow : path.relative(repoRoot, opts.workflow);
  const parsed = parseFile(entryName, content);
  const called = new Map<string, TemplateToken>();
  // Our reusable workflows, referenced as in the templates (<owner>/kfp-gitops/…@ref) or locally (./…).
  const fileProvider = {
    getFileContent: async (ref: FileReference) => {
      const local = !('repository' in ref);
      if (!local && ref.repository !== 'kfp-gitops')
        throw new UnsupportedError(`reusable workflow ${ref.owner}/${ref.repository} is not ours`);
      const m = /^\.github\/workflows\/([\w.-]+\.ya?ml)$/.exec(ref.path.replace(/^\.\//, ''));
      if (!m) throw new UnsupportedError(`reusable workflow ${ref.path} is not under .github/workflows`);
      const name = `.github/workflows/${m[1]}`;
      const text = await fs.readFile(path.join(workflowsDir, m[1]!), 'utf8');
      called.set(m[1]!, parseFile(name, text).value!);
      return { name, content: text };
    },
  };
  const template = await convertWorkflowTemplate(parsed.context, parsed.value!, fileProvider, {
    fetchReusableWorkflowDepth: 1,
  });
  const errors = [
    ...(template.errors ?? []).map((e) => e.Message),
    ...parsed.context.errors.getErrors().map((e) => e.message),
  ];
  if (errors.length)
    throw new Error(`the workflow does not start (GitHub refuses it):\n${[...new Set(errors)].join('\n')}`);

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-wf-'));
  try {
    const run = new Run(opts, tmp, called);
    const root = mapOf(parsed.value!);
    for (const key of root.keys())
      if (!WORKFLOW_KEYS.has(key))
        throw new UnsupportedError(`${entryName}: '${key}' is not supported by the test runner`);
    const wfName = (evaluateToken(root.get('name'), {}) as string | undefined) ?? entryName;
    await run.start(wfName, entryName);
    const on = root.get('on');
    const triggers = on && on.templateTokenType === 2 ? mapOf(on) : new Map<string, TemplateToken>(); // `on: push` has no inputs
    const dispatchDefs =
      opts.event === 'workflow_dispatch'
        ? (evaluateToken(mapOf(triggers.get('workflow_dispatch')).get('inputs'), {}) ?? {})
        : {};
    const inputs =
      opts.event === 'workflow_dispatch'
        ? typedInputs(dispatchDefs as Record<string, Record<string, unknown>>, opts.inputs ?? {}, 'workflow_dispatch')
        : {};
    if (opts.event === 'workflow_dispatch')
      run.github.event = {
        ...(run.github.event as object),
        inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, String(v)])),
      };
    await run.writeEvent();
    const env = (evaluateToken(root.get('env'), run.contexts({ inputs })) ?? {}) as Record<string, string>;
    const scope: Scope = {
      jobs: template.jobs,
      raw: rawJobs(parsed.value!),
      inputs,
      env,
      secrets: { ...opts.secrets, GITHUB_TOKEN: run.token },
      permissions: permissionsOf(evaluateToken(root.get('permissions'), {}), entryName),
      prefix: '',
    };
    await run.runJobs(scope);
    const results = Object.values(run.jobs).map((j) => j.result);
    return {
      conclusion: results.some((r) => r === 'failure') ? 'failure' : 'success',
      jobs: run.jobs,
      log: run.log.join(''),
      warnings: run.warnings,
    };
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

class Run {
  readonly jobs: Record<string, JobRun> = {};
  readonly log: string[] = [];
  readonly warnings: string[] = [];
  readonly masks = new Set<string>();
  readonly artifacts: Artifacts;
  readonly token = `ghs_${randomBytes(18).toString('hex')}`;
  github: Record<string, unknown> = {};
  private eventPath = '';

  constructor(
    private readonly opts: RunWorkflowOptions,
    private readonly tmp: string,
    private readonly called: Map<string, TemplateToken>,
  ) {
    this.masks.add(this.token);
    this.artifacts = new Artifacts(path.join(tmp, 'artifacts'));
    for (const v of Object.values(opts.secrets ?? {})) this.masks.add(v);
    for (const e of Object.values(opts.environments ?? {}))
      for (const v of Object.values(e.secrets ?? {})) this.masks.add(v);
  }

  /** The github context as the runner fills it for this event. */
  async start(workflowName: string, workflowPath: string): Promise<void> {
    const { repository, ref, event, payload = {} } = this.opts;
    const sha = (await git(repository.dir, ['rev-parse', `${ref}^{commit}`])).trim();
    const [owner] = repository.fullName.split('/');
    const pr = (payload.pull_request ?? {}) as { head?: { ref?: string }; base?: { ref?: string } };
    const isPr = event.startsWith('pull_request');
    const apiUrl = this.opts.env?.GITHUB_API_URL ?? 'https://api.github.com';
    this.eventPath = path.join(this.tmp, 'event.json');
    this.github = {
      event: {
        repository: {
          full_name: repository.fullName,
          name: repository.fullName.split('/')[1],
          owner: { login: owner },
          default_branch: repository.defaultBranch ?? 'main',
        },
        sender: { login: 'octocat' },
        ...payload,
      },
      event_name: event,
      event_path: this.eventPath,
      ref,
      sha,
      ref_name: ref.replace(/^refs\/(heads|tags|pull)\//, ''),
      ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
      ref_protected: false,
      head_ref: isPr ? (pr.head?.ref ?? '') : '',
      base_ref: isPr ? (pr.base?.ref ?? '') : '',
      repository: repository.fullName,
      repository_owner: owner,
      repository_id: '1',
      repository_owner_id: '1',
      actor: 'octocat',
      actor_id: '1',
      triggering_actor: 'octocat',
      workflow: workflowName,
      workflow_ref: `${repository.fullName}/${workflowPath}@${ref}`,
      workflow_sha: sha,
      run_id: '4242',
      run_number: '7',
      run_attempt: '1',
      retention_days: '90',
      secret_source: 'Actions',
      server_url: 'https://github.com',
      api_url: apiUrl,
      graphql_url: apiUrl.replace(/\/?$/, '/graphql'),
      token: this.token,
      action: '',
      job: '',
      workspace: '',
    };
  }

  async writeEvent(): Promise<void> {
    await fs.writeFile(this.eventPath, JSON.stringify(this.github.event));
  }

  contexts(extra: Contexts = {}): Contexts {
    return { github: this.github, vars: this.opts.vars ?? {}, ...extra };
  }

  /** Jobs in `needs` order; a job whose needs did not all finish waits (sequential, like a runner with one slot). */
  async runJobs(scope: Scope): Promise<Record<string, { result: Result; outputs: Record<string, string> }>> {
    const done: Record<string, { result: Result; outputs: Record<string, string> }> = {};
    const pending = [...scope.jobs];
    while (pending.length) {
      const i = pending.findIndex((j) => (j.needs ?? []).every((n) => done[n.value]));
      if (i < 0) throw new Error(`jobs ${pending.map((j) => j.id.value).join(', ')} wait for each other`);
      const job = pending.splice(i, 1)[0]!;
      done[job.id.value] = await this.runJob(job, scope, done);
    }
    return done;
  }

  /**
   * Status functions of a job: over all its ancestors (needs, transitively). "If a job fails or is
   * skipped, all jobs that need it are skipped unless the jobs use a conditional expression that causes
   * the job to continue"; failure() "returns true if any ancestor job fails".
   */
  private jobStatus(job: WorkflowJob, scope: Scope, done: Record<string, { result: Result }>): Status {
    const byId = new Map(scope.jobs.map((j) => [j.id.value, j]));
    const ancestors = new Set<string>();
    const visit = (j: WorkflowJob) => {
      for (const n of j.needs ?? []) {
        if (ancestors.has(n.value)) continue;
        ancestors.add(n.value);
        visit(byId.get(n.value)!);
      }
    };
    visit(job);
    const results = [...ancestors].map((a) => done[a]!.result);
    return {
      success: results.every((r) => r === 'success'),
      failure: results.includes('failure'),
      cancelled: results.includes('cancelled'),
    };
  }

  private async runJob(
    job: WorkflowJob,
    scope: Scope,
    done: Record<string, { result: Result; outputs: Record<string, string> }>,
  ) {
    const id = job.id.value;
    const raw = scope.raw.get(id)!;
    const name = `${scope.prefix}${id}`;
    for (const key of raw.keys()) {
      if (!(job.type === 'job' ? JOB_KEYS : CALL_KEYS).has(key))
        throw new UnsupportedError(`job ${name}: '${key}' is not supported by the test runner`);
    }
    refuseBlockScalar(raw.get('if'), `job ${name} if:`);
    const needs = Object.fromEntries((job.needs ?? []).map((n) => [n.value, done[n.value]]));
    const base = this.contexts({ inputs: scope.inputs, needs });
    const permissions = raw.has('permissions')
      ? permissionsOf(evaluateToken(raw.get('permissions'), {}), name)
      : scope.permissions;
    const record: JobRun = { name, result: 'skipped', outputs: {}, steps: [], permissions };
    this.jobs[name] = record;
    let run: boolean;
    try {
      run = truthy(evaluate(job.if.expression, base, this.jobStatus(job, scope, done)));
    } catch (e) {
      if (!(e instanceof ExpressionFailure)) throw e;
      record.result = 'failure';
      record.error = e.message;
      return record;
    }
    if (!run) return record;
    if (!raw.has('strategy')) {
      await this.runInstance(job, raw, scope, base, record);
      return record;
    }
    // A matrix: one job per combination, each with its own check name, matrix and strategy contexts.
    let strategy: ReturnType<typeof strategyOf>;
    try {
      strategy = strategyOf(evaluateToken(raw.get('strategy'), base));
    } catch (e) {
      if (!(e instanceof ExpressionFailure)) throw e;
      record.result = 'failure';
      record.error = e.message;
      return record;
    }
    delete this.jobs[name];
    const total = strategy.combinations.length;
    const instances: JobRun[] = [];
    for (const [index, matrix] of strategy.combinations.entries()) {
      const contexts: Contexts = {
        ...base,
        matrix,
        strategy: {
          'fail-fast': strategy.failFast,
          'job-index': index,
          'job-total': total,
          'max-parallel': strategy.maxParallel ?? total,
        },
      };
      const instance: JobRun = {
        name: `${scope.prefix}${this.matrixName(id, raw, contexts, matrix)}`,
        result: 'cancelled',
        outputs: {},
        steps: [],
        permissions,
      };
      this.jobs[instance.name] = instance;
      instances.push(instance);
      // fail-fast: GitHub cancels the matrix's queued and running jobs once one fails.
      if (strategy.failFast && instances.some((i) => i.result === 'failure')) continue;
      await this.runInstance(job, raw, scope, contexts, instance);
    }
    return matrixResult(name, instances, permissions);
  }

  /** `name:` evaluated with the matrix, or GitHub's default: the job id and the combination's values. */
  private matrixName(id: string, raw: Map<string, TemplateToken>, contexts: Contexts, matrix: Combination): string {
    if (!raw.has('name')) return matrixJobName(id, matrix);
    return asString(evaluateToken(raw.get('name'), contexts), `job ${id} name`);
  }

  /** One job (or one combination of a matrix) from its concurrency group on. */
  private async runInstance(
    job: WorkflowJob,
    raw: Map<string, TemplateToken>,
    scope: Scope,
    base: Contexts,
    record: JobRun,
  ): Promise<void> {
    try {
      const concurrency = evaluateToken(raw.get('concurrency'), base);
      if (concurrency !== undefined) {
        const c = (typeof concurrency === 'string' ? { group: concurrency } : concurrency) as Record<string, unknown>;
        record.concurrency = { group: String(c.group), cancelInProgress: c['cancel-in-progress'] === true };
      }
      if (job.type === 'job') await this.runStepsJob(job, raw, scope, base, record);
      else await this.runCall(job, raw, scope, base, record);
    } catch (e) {
      if (e instanceof UnsupportedError || !(e instanceof ExpressionFailure || e instanceof JobError)) throw e;
      record.result = 'failure';
      record.error = e.message;
      this.log.push(`${record.name}: Error: ${e.message}\n`);
    }
  }

  private async runStepsJob(
    job: Job,
    raw: Map<string, TemplateToken>,
    scope: Scope,
    base: Contexts,
    record: JobRun,
  ): Promise<void> {
    const runsOn = evaluateToken(raw.get('runs-on'), base);
    if (typeof runsOn !== 'string' || !runsOn.startsWith('ubuntu-'))
      throw new UnsupportedError(`job ${record.name}: runs-on ${JSON.stringify(runsOn)} (only ubuntu-*)`);
    let secrets = scope.secrets;
    const environment = evaluateToken(raw.get('environment'), base);
    if (environment !== undefined) {
      const envName = String(
        typeof environment === 'object' ? (environment as Record<string, unknown>).name : environment,
      );
      record.environment = envName;
      const env = this.opts.environments?.[envName];
      const branch = String(this.github.ref).replace(/^refs\/heads\//, '');
      // GitHub's message when a deployment branch policy refuses the ref.
      if (env?.branches && !env.branches.includes(branch))
        throw new JobError(
          `Branch "${branch}" is not allowed to deploy to ${envName} due to environment protection rules.`,
        );
      secrets = { ...secrets, ...env?.secrets };
    }
    const ws = path.join(this.tmp, record.name.replace(/[^\w.-]+/g, '_'));
    const workspace = path.join(ws, 'work');
    const runnerTemp = path.join(ws, 'temp');
    await fs.mkdir(workspace, { recursive: true });
    await fs.mkdir(runnerTemp, { recursive: true });
    const github = { ...this.github, job: job.id.value, workspace };
    const runner = {
      os: 'Linux',
      arch: 'X64',
      name: 'GitHub Actions 1',
      environment: 'github-hosted',
      temp: runnerTemp,
      tool_cache: path.join(ws, 'tools'),
      debug: '',
    };
    const jobCtx = { status: 'success', container: {}, services: {} };
    const ctx = (extra: Contexts): Contexts => ({ ...base, github, runner, secrets, job: jobCtx, ...extra });
    const jobEnv: Record<string, string> = { ...scope.env };
    for (const [k, v] of entries(raw.get('env')))
      jobEnv[k] = asString(evaluateToken(v, ctx({ env: jobEnv })), `env.${k}`);
    const steps: Record<string, { outcome: Result; conclusion: Result; outputs: Record<string, string> }> = {};
    const fileEnv: Record<string, string> = {};
    const pathAdds: string[] = [];
    const rawSteps = seq(raw.get('steps')!).map(mapOf);
    let status: 'success' | 'failure' = 'success';
    for (const [index, step] of job.steps.entries()) {
      const rs = rawSteps[index]!;
      for (const key of rs.keys())
        if (!STEP_KEYS.has(key))
          throw new UnsupportedError(
            `job ${record.name} step ${index + 1}: '${key}' is not supported by the test runner`,
          );
      // Unnamed steps are shown as GitHub shows them: "Run <action>" or "Run <first line of the script>".
      const uses = 'uses' in step ? step.uses.value : undefined;
      const shown = uses?.replace(/@.*$/, '') ?? String(evaluateToken(rs.get('run'), {})).split('\n')[0];
      const stepName = String(
        evaluateToken(rs.get('name'), ctx({ steps, env: { ...jobEnv, ...fileEnv } })) ?? `Run ${shown}`,
      );
      refuseBlockScalar(rs.get('if'), `job ${record.name} step ${index + 1} if:`);
      const stepRun: StepRun = {
        id: step.id,
        name: stepName,
        outcome: 'skipped',
        conclusion: 'skipped',
        outputs: {},
        summary: '',
        log: '',
        annotations: [],
        warnings: [],
      };
      record.steps.push(stepRun);
      jobCtx.status = status;
      const env = { ...jobEnv, ...fileEnv };
      const stepStatus: Status = { success: status === 'success', failure: status === 'failure', cancelled: false };
      let result: StepResult;
      try {
        if (!('if' in step) || !step.if)
          throw new UnsupportedError(`job ${record.name} step ${index + 1}: only run: and uses: steps are supported`);
        if (!truthy(evaluate(step.if.expression, ctx({ steps, env }), stepStatus))) {
          steps[step.id] = { outcome: 'skipped', conclusion: 'skipped', outputs: {} };
          continue;
        }
        const stepEnv = { ...env };
        for (const [k, v] of entries(rs.get('env')))
          stepEnv[k] = asString(evaluateToken(v, ctx({ steps, env: stepEnv })), `env.${k}`);
        const c = ctx({ steps, env: stepEnv });
        const processEnv: Record<string, string> = {
          ...this.machineEnv(github, runner, { ...stepEnv }),
          ...(pathAdds.length ? { PATH: [...pathAdds, process.env.PATH].join(':') } : {}),
        };
        const se: StepEnvironment = {
          env: processEnv,
          workspace,
          runnerTemp,
          contexts: c,
          sourceRepo: this.opts.repository.dir,
          masks: this.masks,
          artifacts: this.artifacts,
        };
        processEnv.GITHUB_ACTION = step.id;
        if ('run' in step) {
          const script = asString(evaluateToken(rs.get('run'), c), 'run');
          const shell = rs.has('shell') ? asString(evaluateToken(rs.get('shell'), c), 'shell') : undefined;
          const wd = rs.has('working-directory')
            ? asString(evaluateToken(rs.get('working-directory'), c), 'working-directory')
            : undefined;
          result = await runScript(script, shell, wd, processEnv, se);
        } else {
          const withValues = Object.fromEntries(
            entries(rs.get('with')).map(([k, v]) => [k, asString(evaluateToken(v, c), `with.${k}`)]),
          );
          result = await runAction(uses!, withValues, processEnv, se).catch((e: Error) => {
            if (e instanceof UnsupportedError) throw e;
            return {
              code: 1,
              outputs: {},
              env: {},
              path: [],
              summary: '',
              log: `Error: ${e.message}\n`,
              annotations: [],
              warnings: [],
            };
          });
        }
      } catch (e) {
        if (!(e instanceof ExpressionFailure)) throw e;
        result = {
          code: 1,
          outputs: {},
          env: {},
          path: [],
          summary: '',
          log: `Error: ${e.message}\n`,
          annotations: [],
          warnings: [],
        };
      }
      Object.assign(fileEnv, result.env);
      pathAdds.unshift(...result.path);
      const continueOnError = truthy(evaluateToken(rs.get('continue-on-error'), ctx({ steps, env })) ?? false);
      stepRun.outcome = result.code === 0 ? 'success' : 'failure';
      stepRun.conclusion = stepRun.outcome === 'failure' && continueOnError ? 'success' : stepRun.outcome;
      Object.assign(stepRun, {
        outputs: result.outputs,
        summary: result.summary,
        log: result.log,
        annotations: result.annotations,
        warnings: result.warnings,
      });
      this.warnings.push(...result.warnings.map((w) => `${record.name}: ${w}`));
      this.log.push(
        ...result.log
          .split('\n')
          .filter(Boolean)
          .map((l) => `${record.name} | ${l}\n`),
      );
      steps[step.id] = { outcome: stepRun.outcome, conclusion: stepRun.conclusion, outputs: result.outputs };
      if (stepRun.conclusion === 'failure') status = 'failure';
    }
    record.result = status;
    // Outputs are evaluated after the steps, also when the job failed; a value containing a secret is
    // not passed on ("Skip output '…' since it may contain secret.", the runner's warning).
    const outCtx = ctx({ steps, env: { ...jobEnv, ...fileEnv } });
    for (const [k, v] of entries(job.outputs)) {
      const value = asString(evaluateToken(v, outCtx), `outputs.${k}`);
      if (mask(value, this.masks) !== value)
        this.warnings.push(`${record.name}: Skip output '${k}' since it may contain secret.`);
      else record.outputs[k] = value;
    }
  }

  /** The variables the runner sets for every step. https://docs.github.com/en/actions/reference/workflows-and-actions/variables#default-environment-variables */
  private machineEnv(
    github: Record<string, unknown>,
    runner: Record<string, string>,
    env: Record<string, string>,
  ): Record<string, string> {
    const g = (k: string) => String(github[k] ?? '');
    return {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LANG: 'C.UTF-8',
      ...this.opts.env,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_ACTOR: g('actor'),
      GITHUB_API_URL: g('api_url'),
      GITHUB_GRAPHQL_URL: g('graphql_url'),
      GITHUB_SERVER_URL: g('server_url'),
      GITHUB_BASE_REF: g('base_ref'),
      GITHUB_HEAD_REF: g('head_ref'),
      GITHUB_EVENT_NAME: g('event_name'),
      GITHUB_EVENT_PATH: g('event_path'),
      GITHUB_JOB: g('job'),
      GITHUB_REF: g('ref'),
      GITHUB_REF_NAME: g('ref_name'),
      GITHUB_REF_TYPE: g('ref_type'),
      GITHUB_SHA: g('sha'),
      GITHUB_REPOSITORY: g('repository'),
      GITHUB_REPOSITORY_OWNER: g('repository_owner'),
      GITHUB_RUN_ID: g('run_id'),
      GITHUB_RUN_NUMBER: g('run_number'),
      GITHUB_RUN_ATTEMPT: g('run_attempt'),
      GITHUB_WORKFLOW: g('workflow'),
      GITHUB_WORKFLOW_REF: g('workflow_ref'),
      GITHUB_WORKSPACE: g('workspace'),
      RUNNER_OS: runner.os!,
      RUNNER_ARCH: runner.arch!,
      RUNNER_TEMP: runner.temp!,
      RUNNER_TOOL_CACHE: runner.tool_cache!,
      ...env,
    };
  }

  /** A job that calls a reusable workflow: typed inputs, declared secrets, nested permissions within the caller's. */
  private async runCall(
    job: ReusableWorkflowJob,
    raw: Map<string, TemplateToken>,
    scope: Scope,
    base: Contexts,
    record: JobRun,
  ): Promise<void> {
    const root = this.called.get(path.basename(job.ref.value.replace(/@.*$/, '')));
    if (!root) throw new UnsupportedError(`job ${record.name}: ${job.ref.value} was not loaded`);
    const defs = (evaluateToken(job['input-definitions'], {}) ?? {}) as Record<string, Record<string, unknown>>;
    const given = (evaluateToken(job['input-values'], base) ?? {}) as Record<string, unknown>;
    const inputs = typedInputs(defs, given, `job ${record.name}`);
    const secretDefs = (evaluateToken(job['secret-definitions'], {}) ?? {}) as Record<string, { required?: boolean }>;
    const passed = job['inherit-secrets']
      ? { ...scope.secrets }
      : ((evaluateToken(job['secret-values'], { ...base, secrets: scope.secrets }) ?? {}) as Record<string, string>);
    for (const [name, def] of Object.entries(secretDefs))
      if (def.required && passed[name] === undefined)
        throw new JobError(`Secret ${name} is required, but not provided while calling.`);
    const calledMap = mapOf(root);
    for (const key of calledMap.keys())
      if (!WORKFLOW_KEYS.has(key))
        throw new UnsupportedError(`${job.ref.value}: '${key}' is not supported by the test runner`);
    const calledPerms = calledMap.has('permissions')
      ? permissionsOf(evaluateToken(calledMap.get('permissions'), {}), job.ref.value)
      : undefined;
    const rawCalled = rawJobs(root);
    // GitHub refuses to start a nested job asking for more than the calling job grants.
    for (const [nestedId, nested] of rawCalled) {
      const asked = nested.has('permissions')
        ? permissionsOf(evaluateToken(nested.get('permissions'), {}), nestedId)
        : (calledPerms ?? record.permissions);
      for (const [scopeName, level] of Object.entries(asked)) {
        if (rank(level) > rank(record.permissions[scopeName])) {
          throw new Error(
            `The nested job '${nestedId}' is requesting '${scopeName}: ${level}', but is only allowed '${scopeName}: ${record.permissions[scopeName] ?? 'none'}'.`,
          );
        }
      }
    }
    const env = (evaluateToken(calledMap.get('env'), this.contexts({ inputs })) ?? {}) as Record<string, string>;
    const results = await this.runJobs({
      jobs: job.jobs ?? [],
      raw: rawCalled,
      inputs,
      env,
      secrets: {
        ...Object.fromEntries(Object.entries(passed).map(([k, v]) => [k, String(v ?? '')])),
        GITHUB_TOKEN: this.token,
      },
      permissions: calledPerms ?? record.permissions,
      prefix: `${record.name} / `,
    });
    record.result = Object.values(results).some((r) => r.result === 'failure') ? 'failure' : 'success';
    const jobsCtx = results;
    for (const [k, def] of entries(job.outputs)) {
      const value = mapOf(def).get('value');
      record.outputs[k] = asString(evaluateToken(value, this.contexts({ inputs, jobs: jobsCtx })), `outputs.${k}`);
    }
  }
}

class JobError extends Error {}

/**
 * What `needs.<matrix job>` says: failure when any combination failed, cancelled when one was cancelled
 * and none failed, success when all succeeded; outputs of every combination, a later one's non-empty value
 * winning (GitHub documents no order for a matrix's outputs: workflows should not rely on them).
 */
function matrixResult(name: string, instances: JobRun[], permissions: Record<string, string>): JobRun {
  const results = instances.map((i) => i.result);
  const result: Result = results.includes('failure')
    ? 'failure'
    : results.includes('cancelled')
      ? 'cancelled'
      : 'success';
  const outputs: Record<string, string> = {};
  for (const i of instances)
    for (const [k, v] of Object.entries(i.outputs)) if (v !== '' || !(k in outputs)) outputs[k] = v;
  return { name, result, outputs, steps: [], permissions };
}
