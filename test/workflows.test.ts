import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parse } from 'yaml';
import { RECONCILER_NODE_OPTIONS } from '../src/reconcile/node-options.js';
import { repoRoot } from './support/paths.js';

/**
 * Rules for our reusable workflows and starter templates that test/metadata.test.ts (GitHub's parser
 * plus the security rules) does not cover: the contract between a workflow, the actions it calls and
 * the templates that call it. Each rule is a function returning problems, so the negative tests
 * below can show that it fails on a broken file.
 */
type Doc = Record<string, any>;
const WORKFLOWS = path.join(repoRoot, '.github/workflows');
const TEMPLATES = path.join(repoRoot, 'workflows-templates');
const TEMPLATE_OWNER = 'your-org';

const readYaml = (file: string): Doc => parse(fs.readFileSync(file, 'utf8'));
const yamlIn = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : []);
const reusable = Object.fromEntries(
  yamlIn(WORKFLOWS)
    .map((f) => [f, readYaml(path.join(WORKFLOWS, f))] as const)
    .filter(([, d]) => d.on?.workflow_call),
);
const actionYml = (name: string): Doc | undefined => {
  const file = path.join(repoRoot, 'actions', name, 'action.yml');
  return fs.existsSync(file) ? readYaml(file) : undefined;
};
const jobsOf = (doc: Doc): [string, Doc][] => Object.entries(doc.jobs ?? {});

/** Every workflow_call input, secret and output documented; inputs typed; outputs pointing at real job outputs. */
export function interfaceProblems(doc: Doc): string[] {
  const call = doc.on?.workflow_call ?? {};
  const problems: string[] = [];
  for (const kind of ['inputs', 'secrets', 'outputs'] as const) {
    for (const [id, def] of Object.entries<Doc>(call[kind] ?? {}))
      if (!def?.description) problems.push(`${kind}.${id} has no description`);
  }
  for (const [id, def] of Object.entries<Doc>(call.inputs ?? {}))
    if (!['string', 'boolean', 'number'].includes(def?.type)) problems.push(`inputs.${id} has no valid type`);
  for (const [id, def] of Object.entries<Doc>(call.outputs ?? {})) {
    for (const [, job, output] of String(def?.value ?? '').matchAll(/jobs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      if (doc.jobs?.[job!]?.outputs?.[output!] === undefined)
        problems.push(`outputs.${id} reads jobs.${job}.outputs.${output}, which no job sets`);
    }
  }
  return problems;
}

/** Least privilege: top-level permissions declared and read-only (`{}` or reads); writes only on the jobs that need them. */
export function permissionProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const grants = (p: unknown): [string, string][] =>
    typeof p === 'string' ? [['*', p]] : Object.entries((p ?? {}) as Record<string, string>);
  if (doc.permissions === undefined) problems.push('no top-level permissions (use {} and give each job what it needs)');
  const writes = grants(doc.permissions).filter(([, v]) => v !== 'read' && v !== 'none');
  if (writes.length)
    problems.push(
      `top-level permissions grant ${writes.map(([k, v]) => `${k}: ${v}`).join(', ')}; grant writes on the jobs that need them`,
    );
  for (const [id, job] of jobsOf(doc))
    if (typeof job.permissions === 'string')
      problems.push(`job ${id} asks for ${job.permissions}; list the scopes it needs`);
  return problems;
}

/** Our actions are called with inputs they declare, every required one given, and pass-through defaults that agree. */
export function actionCallProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const wfInputs: Record<string, Doc> = doc.on?.workflow_call?.inputs ?? {};
  for (const [id, job] of jobsOf(doc)) {
    for (const step of job.steps ?? []) {
      const m = /^\$\/actions\/([\w-]+)$/.exec(step.uses ?? '');
      if (!m) continue;
      const action = actionYml(m[1]!);
      if (!action) {
        problems.push(`job ${id}: ${step.uses} does not exist`);
        continue;
      }
      const declared: Record<string, Doc> = action.inputs ?? {};
      const given: Record<string, unknown> = step.with ?? {};
      for (const name of Object.keys(given))
        if (!declared[name]) problems.push(`job ${id}: ${step.uses} has no input '${name}'`);
      for (const [name, def] of Object.entries(declared))
        if (def.required && given[name] === undefined) problems.push(`job ${id}: ${step.uses} needs input '${name}'`);
      for (const [name, value] of Object.entries(given)) {
        const through = new RegExp(`^\\$\\{\\{ inputs\\.${name} \\}\\}$`).exec(String(value));
        const ours = wfInputs[name]?.default;
        const theirs = declared[name]?.default;
        if (
          through &&
          ours !== undefined &&
          ours !== '' &&
          theirs !== undefined &&
          !String(theirs).startsWith('${{') &&
          String(ours) !== String(theirs)
        ) {
          problems.push(`job ${id}: input '${name}' defaults to '${ours}' here but '${theirs}' in ${step.uses}`);
        }
      }
    }
  }
  return problems;
}

/** With several jobs, one `gate` job needs all others, always runs, and is the stable required check. */
export function aggregatorProblems(doc: Doc): string[] {
  const jobs = jobsOf(doc);
  if (jobs.length < 2) return [];
  const gate = doc.jobs.gate;
  if (!gate) return ['several jobs but no `gate` aggregator job'];
  const needs = [gate.needs ?? []].flat();
  const problems = jobs
    .filter(([id]) => id !== 'gate' && !needs.includes(id))
    .map(([id]) => `gate does not need job ${id}`);
  if (!/always\(\)/.test(String(gate.if ?? ''))) problems.push('gate must run with if: always()');
  if (JSON.stringify(gate.permissions) !== '{}') problems.push('gate needs no permissions');
  return problems;
}

/** The header comment names the required check as "<caller job id> / <job>" of a job that exists. */
export function requiredCheckProblems(text: string, doc: Doc): string[] {
  const header = text
    .split('\n')
    .filter((l) => l.startsWith('#'))
    .join('\n');
  const named = [...header.matchAll(/"<caller job id> \/ ([\w-]+)"/g)].map((m) => m[1]!);
  if (named.length === 0) return ['the header comment does not name the required check ("<caller job id> / <job>")'];
  return named.filter((j) => !doc.jobs?.[j]).map((j) => `the header names check "/ ${j}", but there is no job ${j}`);
}

/** Grants are ordered none < read < write. */
const level = (v: unknown) => (v === 'write' ? 2 : v === 'read' ? 1 : 0);

/** A template job calling our reusable workflow: declared inputs and secrets, required ones given, enough permissions. */
export function templateCallProblems(doc: Doc): string[] {
  const problems: string[] = [];
  for (const [id, job] of jobsOf(doc)) {
    if (!job.uses) continue;
    const m = new RegExp(`^${TEMPLATE_OWNER}/kfp-gitops/\\.github/workflows/([\\w-]+\\.yml)@v1$`).exec(job.uses);
    if (!m) {
      problems.push(`job ${id}: uses '${job.uses}', not ${TEMPLATE_OWNER}/kfp-gitops/.github/workflows/<file>@v1`);
      continue;
    }
    const called = reusable[m[1]!];
    if (!called) {
      problems.push(`job ${id}: ${m[1]} is not one of our reusable workflows`);
      continue;
    }
    const call = called.on.workflow_call;
    for (const name of Object.keys(job.with ?? {}))
      if (!call.inputs?.[name]) problems.push(`job ${id}: ${m[1]} has no input '${name}'`);
    for (const [name, def] of Object.entries<Doc>(call.inputs ?? {}))
      if (def.required && job.with?.[name] === undefined) problems.push(`job ${id}: ${m[1]} needs input '${name}'`);
    if (job.secrets !== 'inherit')
      for (const name of Object.keys(job.secrets ?? {}))
        if (!call.secrets?.[name]) problems.push(`job ${id}: ${m[1]} has no secret '${name}'`);
    // A called job may not ask for more than the calling job grants (GitHub refuses to start the run).
    for (const [calledId, calledJob] of jobsOf(called)) {
      for (const [scope, want] of Object.entries<string>(calledJob.permissions ?? {})) {
        const granted = (job.permissions ?? doc.permissions)?.[scope];
        if (level(want) > level(granted))
          problems.push(
            `job ${id}: ${m[1]} job ${calledId} needs ${scope}: ${want}, the template grants ${granted ?? 'none'}`,
          );
      }
    }
  }
  return problems;
}

/** `<name>.properties.json` as an org's .github repository serves it. */
export function propertiesProblems(props: Doc): string[] {
  const problems: string[] = [];
  for (const key of ['name', 'description', 'iconName'])
    if (typeof props[key] !== 'string' || props[key] === '') problems.push(`${key} must be a non-empty string`);
  for (const key of ['categories', 'filePatterns']) {
    if (!Array.isArray(props[key]) || props[key].length === 0 || props[key].some((x: unknown) => typeof x !== 'string'))
      problems.push(`${key} must be a non-empty array of strings`);
  }
  for (const p of Array.isArray(props.filePatterns) ? props.filePatterns : []) {
    try {
      new RegExp(p);
    } catch {
      problems.push(`filePatterns: '${p}' is not a regular expression`);
    }
  }
  return problems;
}

/** Every `needs.<job>.outputs.<name>` read is an output of a job this one needs; job outputs read existing steps. */
export function jobOutputProblems(doc: Doc): string[] {
  const problems: string[] = [];
  for (const [id, job] of jobsOf(doc)) {
    const needs = [job.needs ?? []].flat();
    for (const [, from, name] of JSON.stringify(job).matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
      if (!needs.includes(from)) problems.push(`job ${id} reads needs.${from} but does not need ${from}`);
      else if (doc.jobs?.[from!]?.outputs?.[name!] === undefined)
        problems.push(`job ${id} reads needs.${from}.outputs.${name}, which ${from} does not set`);
    }
    const stepIds = (job.steps ?? []).map((step: Doc) => step.id);
    for (const [name, value] of Object.entries<string>(job.outputs ?? {})) {
      for (const [, step] of String(value).matchAll(/steps\.([\w-]+)\.outputs/g))
        if (!stepIds.includes(step)) problems.push(`job ${id} output ${name} reads step ${step}, which does not exist`);
    }
  }
  return problems;
}

/** The scopes each job may write, and nothing more. */
const writes = (doc: Doc) =>
  Object.fromEntries(
    jobsOf(doc).map(([id, job]) => [
      id,
      Object.entries<string>(job.permissions ?? {})
        .filter(([, v]) => v === 'write')
        .map(([k]) => k),
    ]),
  );

describe('reusable workflows', () => {
  test('there is one for each step of the story', () => {
    expect(Object.keys(reusable).sort()).toEqual(
      expect.arrayContaining([
        'check-pipelines-rendered.yml',
        'check-reconcile-configs.yml',
        'model-quality-gate.yml',
        'promote-model.yml',
        'reconcile.yml',
        'retrain.yml',
      ]),
    );
  });

  test.each(Object.keys(reusable))(
    '%s: documented interface, least privilege, valid action calls, aggregator, required-check name',
    (file) => {
      const doc = reusable[file]!;
      const text = fs.readFileSync(path.join(WORKFLOWS, file), 'utf8');
      expect({
        interface: interfaceProblems(doc),
        permissions: permissionProblems(doc),
        actions: actionCallProblems(doc),
        aggregator: aggregatorProblems(doc),
        check: requiredCheckProblems(text, doc),
      }).toEqual({ interface: [], permissions: [], actions: [], aggregator: [], check: [] });
    },
  );

  test("reconcile: plan and apply never overlap on one KFP host, and never share the caller's concurrency group", () => {
    const { plan, apply } = reusable['reconcile.yml']!.jobs;
    for (const job of [plan, apply]) expect(job.concurrency.group).toMatch(/^kfp-gitops-/);
    expect(apply.concurrency.group).toContain('${{ inputs.kfp-host }}');
    expect(apply.concurrency['cancel-in-progress']).toBe(false); // an apply is never cut in half
    expect(plan.concurrency['cancel-in-progress']).toBe(true);
    // Only the plan job can write the PR comment; apply reads the checkout and nothing else.
    expect(plan.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    expect(apply.permissions).toEqual({ contents: 'read' });
    // Exactly one of them runs for any mode: plan when the derived mode is plan, apply otherwise.
    expect(plan.if.replace(/ == 'plan'$/, '')).toBe(apply.if.replace(/ != 'plan'$/, ''));
    // Apply only after the guard (default branch or apply-branches), in a GitHub environment; unsharded only.
    const { guard } = reusable['reconcile.yml']!.jobs;
    expect(apply.if).toBe(`inputs.shard-size == 0 && ${guard.if}`);
    expect(guard.permissions).toEqual({});
    expect(apply.needs).toBe('guard');
    expect(apply.environment).toBe('${{ inputs.environment }}');
  });

  test('reconcile with shard-size: a matrix per mode, fail-fast off, a group per shard, one gather that always runs', () => {
    const jobs = reusable['reconcile.yml']!.jobs;
    const { guard, shards, 'plan-shards': planShards, 'apply-shards': applyShards } = jobs;
    const { 'gather-plan': gatherPlan, 'gather-apply': gatherApply, gate } = jobs;
    expect(shards.if).toBe('inputs.shard-size > 0');
    expect(jobs.plan.if).toBe(`inputs.shard-size == 0 && ${planShards.if}`);
    expect(applyShards.if).toBe(guard.if);
    expect(applyShards.needs).toEqual(['guard', 'shards']);
    for (const job of [planShards, applyShards]) {
      expect(job.strategy).toEqual({
        'fail-fast': false,
        'max-parallel': '${{ inputs.max-parallel-shards }}',
        matrix: { shard: '${{ fromJSON(needs.shards.outputs.shards) }}' },
      });
      expect(job.permissions).toEqual({ contents: 'read' });
    }
    expect(applyShards.environment).toBe('${{ inputs.environment }}');
    expect(applyShards.concurrency).toEqual({
      group: 'kfp-gitops-apply-${{ inputs.kfp-host }}-${{ matrix.shard.namespaces }}',
      'cancel-in-progress': false,
    });
    // Only the plan gather comments; both run whatever the shards' results, once the shards were listed.
    expect(gatherPlan.permissions).toEqual({ 'pull-requests': 'write' });
    expect(gatherApply.permissions).toEqual({});
    for (const job of [gatherPlan, gatherApply])
      expect(job.if).toMatch(/^always\(\) && .*needs\.shards\.result == 'success'/);
    expect(gate.needs).toEqual(expect.arrayContaining(Object.keys(jobs).filter((id) => id !== 'gate')));
  });

  test('every push-reconcile step runs with the reconciler Node options (bounded young generation)', () => {
    const steps = Object.values(reusable)
      .flatMap((doc) => jobsOf(doc))
      .flatMap(([, job]) => (job.steps ?? []) as Doc[])
      .filter((step) => /\/actions\/push-reconcile$/.test(String(step.uses ?? '')));
    expect(steps.length).toBeGreaterThanOrEqual(4); // plan, apply and their sharded twins
    for (const step of steps) expect(step.env).toEqual({ NODE_OPTIONS: RECONCILER_NODE_OPTIONS });
  });

  test('promote-model: contents write only without MODEL_PR_TOKEN; one promotion per PR branch at a time', () => {
    const { pr, 'pr-github-token': fallback } = reusable['promote-model.yml']!.jobs;
    expect(pr.permissions).toEqual({});
    expect(fallback.permissions).toEqual({ contents: 'write', 'pull-requests': 'write' });
    expect(pr.if.replace(" == 'true'", '')).toBe(fallback.if.replace(" != 'true'", ''));
    for (const job of [pr, fallback])
      expect(job.concurrency).toEqual({
        group: 'kfp-gitops-promote-${{ inputs.branch }}',
        'cancel-in-progress': false,
      });
  });
});

describe('the release workflow', () => {
  const file = path.join(WORKFLOWS, 'release.yml');
  const doc = readYaml(file);

  test('on a vX.Y.Z tag: CI, then npm with provenance, then the GitHub release and the major tag; least privilege per job', () => {
    expect(doc.on).toEqual({ push: { tags: ['v*.*.*'] } });
    expect({ permissions: permissionProblems(doc), outputs: jobOutputProblems(doc) }).toEqual({
      permissions: [],
      outputs: [],
    });
    expect(doc.permissions).toEqual({});
    expect(writes(doc)).toEqual({ ci: [], publish: ['id-token'], 'github-release': ['contents'] });
    const { ci, publish, 'github-release': release } = doc.jobs;
    expect([publish.needs, release.needs]).toEqual(['ci', 'publish']);
    const runs = (job: Doc): string[] => job.steps.filter((st: Doc) => st.run).map((st: Doc) => st.run.trim());
    expect(runs(ci)).toEqual(['node scripts/fetch-shared.mjs', 'bash .ci/run']);
    // The same command test/package.e2e.test.ts runs with --dry-run.
    expect(runs(publish)).toEqual(['node scripts/release.mjs --tag "$GITHUB_REF_NAME"']);
    expect(publish.steps.find((st: Doc) => st.uses?.startsWith('actions/setup-node@')).with['registry-url']).toBe(
      'https://registry.npmjs.org',
    );
    // Nothing from the repository runs where contents can be written: no checkout, only gh.
    expect(release.steps.some((st: Doc) => st.uses)).toBe(false);
    expect(runs(release).join('\n')).toMatch(
      /gh release create "\$GITHUB_REF_NAME"[^]*--notes "\$NOTES"[^]*gh api -X PATCH "repos\/\$GITHUB_REPOSITORY\/git\/refs\/tags\/\$MAJOR_TAG"/,
    );
  });

  test('the rules fail on a broken release workflow', () => {
    const broken: Doc = {
      jobs: {
        a: { outputs: { x: '${{ steps.nope.outputs.x }}' }, steps: [{ id: 'release', run: 'true' }] },
        b: { needs: 'a', steps: [{ env: { X: '${{ needs.a.outputs.y }}', Z: '${{ needs.c.outputs.z }}' } }] },
      },
    };
    expect(jobOutputProblems(broken)).toEqual([
      'job a output x reads step nope, which does not exist',
      'job b reads needs.a.outputs.y, which a does not set',
      'job b reads needs.c but does not need c',
    ]);
  });
});

describe('starter templates', () => {
  const templates = yamlIn(TEMPLATES);

  test('a pipelines repo and a schedules repo template, each with its properties.json (and no stray one)', () => {
    expect(templates.sort()).toEqual(['kfp-pipelines.yml', 'kfp-schedules.yml']);
    const props = fs.readdirSync(TEMPLATES).filter((f) => f.endsWith('.properties.json'));
    expect(props.map((f) => f.replace('.properties.json', '.yml')).sort()).toEqual(templates.sort());
  });

  test.each(templates)(
    '%s: thin caller of our workflows with valid inputs, secrets and permissions; valid properties',
    (file) => {
      const doc = readYaml(path.join(TEMPLATES, file));
      const props = JSON.parse(
        fs.readFileSync(path.join(TEMPLATES, file.replace(/\.yml$/, '.properties.json')), 'utf8'),
      );
      expect({
        calls: templateCallProblems(doc),
        permissions: permissionProblems(doc),
        properties: propertiesProblems(props),
      }).toEqual({ calls: [], permissions: [], properties: [] });
      expect(jobsOf(doc).every(([, job]) => job.uses && !job.steps)).toBe(true);
      expect(JSON.stringify(doc.on)).toContain('$default-branch');
    },
  );
});

describe('the rules fail on broken files', () => {
  const broken: Doc = {
    on: {
      workflow_call: {
        inputs: { a: { type: 'string' }, comment: { description: 'x', type: 'boolean', default: false } },
        outputs: { o: { description: 'x', value: '${{ jobs.one.outputs.nope }}' } },
      },
    },
    permissions: { contents: 'write' },
    jobs: {
      one: {
        steps: [
          { uses: '$/actions/push-reconcile', with: { 'config-folder': 'x', comment: '${{ inputs.comment }}' } },
          { uses: '$/actions/no-such-action' },
        ],
      },
      two: { permissions: {}, steps: [] },
      gate: { needs: ['one'], permissions: { contents: 'read' } },
    },
  };

  test('interface, permissions, action calls and the aggregator', () => {
    expect(interfaceProblems(broken)).toEqual([
      'inputs.a has no description',
      'outputs.o reads jobs.one.outputs.nope, which no job sets',
    ]);
    expect(permissionProblems(broken)).toEqual([
      'top-level permissions grant contents: write; grant writes on the jobs that need them',
    ]);
    expect(permissionProblems({ jobs: { a: { permissions: 'write-all' } } })).toEqual([
      'no top-level permissions (use {} and give each job what it needs)',
      'job a asks for write-all; list the scopes it needs',
    ]);
    expect(actionCallProblems(broken)).toEqual([
      "job one: $/actions/push-reconcile has no input 'config-folder'",
      "job one: $/actions/push-reconcile needs input 'config-folders'",
      "job one: $/actions/push-reconcile needs input 'kfp-host'",
      "job one: input 'comment' defaults to 'false' here but 'true' in $/actions/push-reconcile",
      'job one: $/actions/no-such-action does not exist',
    ]);
    expect(aggregatorProblems(broken)).toEqual([
      'gate does not need job two',
      'gate must run with if: always()',
      'gate needs no permissions',
    ]);
    expect(requiredCheckProblems('# make "<caller job id> / gates" required\non: push', broken)).toEqual([
      'the header names check "/ gates", but there is no job gates',
    ]);
  });

  test('template calls and properties', () => {
    const template: Doc = {
      jobs: {
        a: {
          uses: 'your-org/kfp-gitops/.github/workflows/reconcile.yml@v1',
          permissions: { contents: 'read' },
          with: { 'kfp-host': 'h', modes: 'x' },
          secrets: { KFP_TOKN: 't' },
        },
        b: { uses: 'someone/else/.github/workflows/x.yml@main' },
      },
    };
    expect(templateCallProblems(template)).toEqual([
      "job a: reconcile.yml has no input 'modes'",
      "job a: reconcile.yml needs input 'config-folders'",
      "job a: reconcile.yml has no secret 'KFP_TOKN'",
      'job a: reconcile.yml job plan needs pull-requests: write, the template grants none',
      'job a: reconcile.yml job gather-plan needs pull-requests: write, the template grants none',
      "job b: uses 'someone/else/.github/workflows/x.yml@main', not your-org/kfp-gitops/.github/workflows/<file>@v1",
    ]);
    expect(propertiesProblems({ name: 'x', description: '', categories: 'CI', filePatterns: ['(unclosed'] })).toEqual([
      'description must be a non-empty string',
      'iconName must be a non-empty string',
      'categories must be a non-empty array of strings',
      "filePatterns: '(unclosed' is not a regular expression",
    ]);
  });
});
