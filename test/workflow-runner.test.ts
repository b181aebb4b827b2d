import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { git } from '../src/lib/git.js';
import { TempRepo } from './support/git-repo.js';
import { runWorkflow, type RunWorkflowOptions } from './support/workflow-runner/runner.js';
import { UnsupportedError } from './support/workflow-runner/steps.js';
import { expandMatrix } from './support/workflow-runner/matrix.js';

/** The artifact actions at the commits reconcile.yml pins (upload-artifact v7.0.0, download-artifact v8.0.1). */
const UPLOAD = 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f';
const DOWNLOAD = '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c';

/**
 * The test workflow executor (test/support/workflow-runner) against documented runner behaviour, with
 * `run:` steps only (cheap). Each expectation cites the GitHub documentation it follows.
 */
let repo: TempRepo;
let workflows: string;
let mainSha: string;

beforeAll(async () => {
  repo = await TempRepo.create({ 'README.md': 'hello\n' });
  mainSha = (await git(repo.dir, ['rev-parse', 'HEAD'])).trim();
  await git(repo.dir, ['checkout', '-q', '-b', 'feature']);
  await repo.write({ 'feature.txt': 'new\n' });
  await repo.commit('feature');
  await git(repo.dir, ['update-ref', 'refs/pull/3/merge', 'HEAD']);
  await git(repo.dir, ['checkout', '-q', 'main']);
  workflows = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-wfdir-'));
});
afterAll(async () => {
  await repo.remove();
  await fs.rm(workflows, { recursive: true, force: true });
});

const run = (content: string, opts: Partial<RunWorkflowOptions> = {}) =>
  runWorkflow({
    workflow: 'test.yml',
    content,
    repository: { dir: repo.dir, fullName: 'acme/app' },
    event: 'push',
    ref: 'refs/heads/main',
    workflowsDir: workflows,
    ...opts,
  });

describe('contexts (https://docs.github.com/en/actions/reference/workflows-and-actions/contexts)', () => {
  test('github, runner, env precedence, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY and step outputs on a push', async () => {
    const r = await run(`
on: push
env: {LEVEL: workflow, WF: w}
jobs:
  a:
    runs-on: ubuntu-latest
    env: {LEVEL: job}
    outputs:
      sha: \${{ steps.one.outputs.sha }}
      env: \${{ env.FROM_FILE }}
    steps:
      - id: one
        env: {LEVEL: step}
        run: |
          echo "sha=$GITHUB_SHA" >> "$GITHUB_OUTPUT"
          echo "FROM_FILE=set by step one" >> "$GITHUB_ENV"
          echo "### step one" >> "$GITHUB_STEP_SUMMARY"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\\necho tool ran\\n' > "$RUNNER_TEMP/bin/my-tool" && chmod +x "$RUNNER_TEMP/bin/my-tool"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
          echo "level=$LEVEL wf=$WF ref=$GITHUB_REF name=$GITHUB_REF_NAME event=$GITHUB_EVENT_NAME repo=$GITHUB_REPOSITORY os=$RUNNER_OS ci=$CI"
      - env:
          CTX: \${{ github.event_name }}/\${{ github.ref_name }}/\${{ github.event.repository.default_branch }}/\${{ runner.os }}/\${{ job.status }}/\${{ steps.one.outcome }}/\${{ env.LEVEL }}
        run: echo "ctx=$CTX file=$FROM_FILE $(my-tool)"
`);
    expect(r.conclusion).toBe('success');
    expect(r.log).toContain('level=step wf=w ref=refs/heads/main name=main event=push repo=acme/app os=Linux ci=true');
    expect(r.log).toContain('ctx=push/main/main/Linux/success/success/job file=set by step one tool ran');
    expect(r.jobs.a!.steps[0]!.summary).toBe('### step one\n');
    expect(r.jobs.a!.outputs).toEqual({ sha: mainSha, env: 'set by step one' });
  });

  test('pull_request: ref is the merge ref, head_ref and base_ref come from the payload; checkout gets that commit', async () => {
    const merge = (await git(repo.dir, ['rev-parse', 'refs/pull/3/merge'])).trim();
    const r = await run(
      `
on: pull_request
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8
        with: {fetch-depth: 0, persist-credentials: false}
      - run: |
          echo "ref=$GITHUB_REF head=$GITHUB_HEAD_REF base=$GITHUB_BASE_REF sha=$GITHUB_SHA"
          echo "at=$(git rev-parse HEAD) file=$(cat feature.txt) main=$(git rev-parse origin/main)"
          echo "pr=$(jq .pull_request.number "$GITHUB_EVENT_PATH")"
`,
      {
        event: 'pull_request',
        ref: 'refs/pull/3/merge',
        payload: { number: 3, pull_request: { number: 3, head: { ref: 'feature' }, base: { ref: 'main' } } },
      },
    );
    expect(r.conclusion).toBe('success');
    expect(r.log).toContain(`ref=refs/pull/3/merge head=feature base=main sha=${merge}`);
    expect(r.log).toContain(`at=${merge} file=new main=${mainSha}`);
    expect(r.log).toContain('pr=3');
  });

  test('workflow_dispatch: inputs typed in the inputs context, strings in github.event.inputs; bad values refused', async () => {
    const wf = `
on:
  workflow_dispatch:
    inputs:
      mode: {type: choice, options: [plan, apply], default: plan, required: true}
      force: {type: boolean, default: false}
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - env:
          OUT: \${{ inputs.mode }} \${{ inputs.force == true }} \${{ github.event.inputs.force == 'true' }}
        run: echo "got $OUT"
`;
    const r = await run(wf, { event: 'workflow_dispatch', inputs: { mode: 'apply', force: true } });
    expect(r.log).toContain('got apply true true');
    expect((await run(wf, { event: 'workflow_dispatch' })).log).toContain('got plan false false');
    await expect(run(wf, { event: 'workflow_dispatch', inputs: { mode: 'destroy' } })).rejects.toThrow(
      "input 'mode' must be one of plan, apply, got 'destroy'",
    );
    await expect(run(wf, { event: 'workflow_dispatch', inputs: { mood: 'x' } })).rejects.toThrow(
      "Unexpected input 'mood'",
    );
  });
});

describe('status functions (https://docs.github.com/en/actions/reference/workflows-and-actions/expressions#status-check-functions)', () => {
  test('steps: a failure skips the default success() steps; failure() and always() run; continue-on-error keeps the job green', async () => {
    const r = await run(`
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: soft
        continue-on-error: true
        run: exit 3
      - id: after-soft
        run: echo "still running, soft was \${{ steps.soft.outcome }}/\${{ steps.soft.conclusion }}"
      - id: boom
        run: exit 1
      - id: skipped
        run: echo never
      - id: on-failure
        if: failure()
        run: echo "failure() ran"
      - id: on-success
        if: success()
        run: echo never
      - id: on-always
        if: always() && steps.boom.outcome == 'failure'
        run: echo "always() ran"
`);
    expect(r.jobs.a!.result).toBe('failure');
    expect(Object.fromEntries(r.jobs.a!.steps.map((s) => [s.id, `${s.outcome}/${s.conclusion}`]))).toEqual({
      soft: 'failure/success',
      'after-soft': 'success/success',
      boom: 'failure/failure',
      skipped: 'skipped/skipped',
      'on-failure': 'success/success',
      'on-success': 'skipped/skipped',
      'on-always': 'success/success',
    });
    expect(r.log).toContain('still running, soft was failure/success');
  });

  test('jobs: a failed or skipped need skips its dependents unless their if: has a status function; toJSON(needs) as the gate reads it', async () => {
    const r = await run(`
on: push
permissions: {}
jobs:
  fails:
    runs-on: ubuntu-latest
    steps: [{run: exit 1}]
  off:
    if: github.event_name == 'schedule'
    runs-on: ubuntu-latest
    steps: [{run: echo never}]
  after-fail:
    needs: fails
    runs-on: ubuntu-latest
    steps: [{run: echo never}]
  after-off:
    needs: off
    runs-on: ubuntu-latest
    steps: [{run: echo never}]
  cleanup:
    needs: after-fail
    if: failure()
    runs-on: ubuntu-latest
    steps: [{run: echo "an ancestor failed"}]
  gate:
    needs: [fails, off, after-fail]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - env:
          NEEDS: \${{ toJSON(needs) }}
        run: jq -c 'map_values(.result)' <<< "$NEEDS"
`);
    expect(Object.fromEntries(Object.values(r.jobs).map((j) => [j.name, j.result]))).toEqual({
      fails: 'failure',
      off: 'skipped',
      'after-fail': 'skipped',
      'after-off': 'skipped',
      cleanup: 'success',
      gate: 'success',
    });
    expect(r.log).toContain('gate | {"fails":"failure","off":"skipped","after-fail":"skipped"}');
    expect(r.log).toContain('cleanup | an ancestor failed');
    expect(r.conclusion).toBe('failure');
  });
});

describe('secrets and masking (https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/pass-job-outputs)', () => {
  test('secrets and ::add-mask:: values are *** in logs; a job output holding a secret is not passed on', async () => {
    const r = await run(
      `
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      leaky: \${{ steps.s.outputs.leaky }}
      fine: \${{ steps.s.outputs.fine }}
    steps:
      - id: s
        env: {TOKEN: '\${{ secrets.KFP_TOKEN }}', GH: '\${{ github.token }}'}
        run: |
          echo "token is $TOKEN, github token is $GH"
          echo "::add-mask::dynamic-value"
          echo "and dynamic-value is hidden"
          echo "leaky=x-$TOKEN" >> "$GITHUB_OUTPUT"
          echo "fine=ok" >> "$GITHUB_OUTPUT"
  b:
    needs: a
    runs-on: ubuntu-latest
    steps:
      - env: {GOT: '\${{ needs.a.outputs.leaky }}|\${{ needs.a.outputs.fine }}'}
        run: echo "b got $GOT"
`,
      { secrets: { KFP_TOKEN: 'kfp-secret-123' } },
    );
    expect(r.log).toContain('token is ***, github token is ***');
    expect(r.log).toContain('and *** is hidden');
    expect(r.log).not.toMatch(/kfp-secret-123|ghs_|dynamic-value/);
    expect(r.jobs.a!.outputs).toEqual({ fine: 'ok' });
    expect(r.warnings).toEqual(["a: Skip output 'leaky' since it may contain secret."]);
    expect(r.log).toContain('b got |ok');
  });
});

describe('reusable workflows (https://docs.github.com/en/actions/reference/workflows-and-actions/reusing-workflow-configurations)', () => {
  beforeAll(async () => {
    await fs.writeFile(
      path.join(workflows, 'called.yml'),
      `
on:
  workflow_call:
    inputs:
      who: {type: string, required: true}
      loud: {type: boolean, default: true}
      level: {type: string, default: info}
    secrets:
      TOKEN: {required: true}
      OTHER: {required: false}
    outputs:
      greeting: {value: '\${{ jobs.hello.outputs.greeting || jobs.never.outputs.greeting }}'}
permissions: {}
jobs:
  hello:
    runs-on: ubuntu-latest
    permissions: {contents: read}
    outputs:
      greeting: \${{ steps.g.outputs.greeting }}
    steps:
      - id: g
        env: {WHO: '\${{ inputs.who }}', LOUD: '\${{ inputs.loud }}', LEVEL: '\${{ inputs.level }}', HAS: '\${{ secrets.TOKEN != '''' }}/\${{ secrets.OTHER == '''' }}/\${{ secrets.UNPASSED == '''' }}', CALLER: '\${{ github.workflow }}/\${{ github.event_name }}'}
        run: |
          echo "hello $WHO loud=$LOUD level=$LEVEL secrets=$HAS caller=$CALLER"
          echo "greeting=hello $WHO" >> "$GITHUB_OUTPUT"
  never:
    if: inputs.loud == false
    runs-on: ubuntu-latest
    outputs:
      greeting: nope
    steps: [{run: echo never}]
`,
    );
  });

  const caller = (perms = '{contents: read}') => `
name: caller
on: push
permissions: {}
jobs:
  call:
    permissions: ${perms}
    uses: ./.github/workflows/called.yml
    with:
      who: \${{ github.repository_owner }}
    secrets:
      TOKEN: \${{ secrets.TOKEN }}
  after:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - env: {G: '\${{ needs.call.outputs.greeting }}'}
        run: echo "after got $G"
`;

  test("typed inputs with defaults, only the secrets passed, the caller's github context, outputs through jobs and needs", async () => {
    const r = await run(caller(), { secrets: { TOKEN: 't0k3n', UNPASSED: 'not-passed-on' } });
    expect(Object.fromEntries(Object.values(r.jobs).map((j) => [j.name, j.result]))).toEqual({
      call: 'success',
      'call / hello': 'success',
      'call / never': 'skipped',
      after: 'success',
    });
    expect(r.log).toContain('call / hello | hello acme loud=true level=info secrets=true/true/true caller=caller/push');
    expect(r.jobs.call!.outputs).toEqual({ greeting: 'hello acme' });
    expect(r.log).toContain('after got hello acme');
  });

  test('GitHub refuses a call missing a required input or secret, or granting less than a nested job asks for', async () => {
    await expect(run(caller().replace(/ {4}with:\n {6}who: .*\n/, ''))).rejects.toThrow(
      'Input who is required, but not provided while calling.',
    );
    await expect(run(caller().replace(/ {4}secrets:\n {6}TOKEN: .*\n/, ''))).rejects.toThrow(
      'Secret TOKEN is required, but not provided while calling.',
    );
    await expect(run(caller('{}'), { secrets: { TOKEN: 't' } })).rejects.toThrow(
      "The nested job 'hello' is requesting 'contents: read', but is only allowed 'contents: none'.",
    );
  });
});

describe('our actions, as the runner runs a node action (https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax#inputs)', () => {
  test('$/actions/<name>, <owner>/kfp-gitops/actions/<name>@ref and the root dispatcher run as node actions with INPUT_ variables', async () => {
    const r = await run(`
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8
      - id: local
        continue-on-error: true
        uses: $/actions/check-reconcile-configs
        with: {config-folders: no-such-folder/*}
      - id: remote
        continue-on-error: true
        uses: your-org/kfp-gitops/actions/check-reconcile-configs@v1
        with: {config-folders: no-such-folder/*, not-an-input: x}
      - id: root
        continue-on-error: true
        uses: your-org/kfp-gitops@0123456789abcdef0123456789abcdef01234567
        with: {command: check-reconcile-configs, config-folders: no-such-folder/*}
`);
    const steps = r.jobs.a!.steps.slice(1);
    expect(steps.map((s) => s.outcome)).toEqual(['failure', 'failure', 'failure']);
    // The action's own message each time; the runner's warning for an input the action does not declare.
    for (const s of steps) expect(s.annotations.map((a) => a.message).join('\n')).toContain('no-such-folder');
    expect(r.warnings).toEqual([
      expect.stringMatching(/^a: Unexpected input\(s\) 'not-an-input', valid inputs are \['config-folders', /),
    ]);
    await expect(
      run('on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps: [{uses: $/actions/nope}]\n'),
    ).rejects.toThrow(UnsupportedError);
  });
});

describe('matrix (https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations)', () => {
  test("include and exclude as the docs' examples expand them", () => {
    // "Example: Expanding configurations" of the page above, and its result, in its order.
    expect(
      expandMatrix({
        fruit: ['apple', 'pear'],
        animal: ['cat', 'dog'],
        include: [
          { color: 'green' },
          { color: 'pink', animal: 'cat' },
          { fruit: 'apple', shape: 'circle' },
          { fruit: 'banana' },
          { fruit: 'banana', animal: 'cat' },
        ],
      }),
    ).toEqual([
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
    // "Excluding matrix configurations": a partial match removes every combination it matches.
    const excluded = expandMatrix({
      os: ['macos-latest', 'windows-latest'],
      version: [12, 14, 16],
      environment: ['staging', 'production'],
      exclude: [
        { os: 'macos-latest', version: 12, environment: 'production' },
        { os: 'windows-latest', version: 16 },
      ],
    });
    expect(excluded).toHaveLength(12 - 1 - 2);
    // Only include: each entry is a job. Objects are values like any other.
    expect(expandMatrix({ include: [{ a: 1 }, { a: 2 }] })).toEqual([{ a: 1 }, { a: 2 }]);
    expect(expandMatrix({ shard: [{ index: 1 }, { index: 2 }] })).toEqual([
      { shard: { index: 1 } },
      { shard: { index: 2 } },
    ]);
    expect(() => expandMatrix({ a: [] })).toThrow("Matrix vector 'a' does not contain any values");
    expect(() => expandMatrix({ a: Array.from({ length: 257 }, (_, i) => i) })).toThrow('GitHub runs at most 256');
  });

  test('a matrix from a job output: one job per shard, fail-fast off, artifacts and outputs gathered by an always() job', async () => {
    const r = await run(`
on: push
permissions: {}
jobs:
  list:
    runs-on: ubuntu-latest
    outputs:
      shards: \${{ steps.l.outputs.shards }}
    steps:
      - id: l
        run: echo 'shards=[{"index":1,"ns":"a"},{"index":2,"ns":"b"},{"index":3,"ns":"c"}]' >> "$GITHUB_OUTPUT"
  work:
    needs: list
    name: work \${{ matrix.shard.ns }}
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      max-parallel: 2
      matrix:
        shard: \${{ fromJSON(needs.list.outputs.shards) }}
    concurrency:
      group: apply-\${{ matrix.shard.ns }}
      cancel-in-progress: false
    outputs:
      last: \${{ steps.w.outputs.ns }}
    steps:
      - id: w
        env:
          NS: \${{ matrix.shard.ns }}
          WHERE: \${{ strategy.job-index }}/\${{ strategy.job-total }}/\${{ strategy.fail-fast }}/\${{ strategy.max-parallel }}
        run: |
          mkdir -p "$RUNNER_TEMP/out" && echo "plan of $NS" > "$RUNNER_TEMP/out/$NS.txt"
          echo "ns=$NS" >> "$GITHUB_OUTPUT"
          echo "shard $NS at $WHERE"
          [ "$NS" != b ]
      - if: always()
        uses: actions/upload-artifact@${UPLOAD}
        with:
          name: plan-\${{ matrix.shard.index }}
          path: \${{ runner.temp }}/out/\${{ matrix.shard.ns }}.txt
          if-no-files-found: ignore
  gather:
    needs: [list, work]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@${DOWNLOAD}
        with:
          pattern: plan-*
          merge-multiple: true
          path: plans
      - env:
          RESULT: \${{ needs.work.result }}
          LAST: \${{ needs.work.outputs.last }}
        run: |
          echo "work=$RESULT last=$LAST files=$(ls plans | tr '\\n' ' ')"
          cat plans/*.txt
  after:
    needs: work
    runs-on: ubuntu-latest
    steps: [{run: echo should not run}]
`);
    expect(Object.fromEntries(Object.values(r.jobs).map((j) => [j.name, j.result]))).toEqual({
      list: 'success',
      'work a': 'success',
      'work b': 'failure',
      'work c': 'success',
      gather: 'success',
      after: 'skipped',
    });
    expect(r.conclusion).toBe('failure');
    expect(r.log).toContain('shard a at 0/3/false/2');
    expect(r.log).toContain('shard c at 2/3/false/2');
    expect(r.jobs['work c']!.concurrency).toEqual({ group: 'apply-c', cancelInProgress: false });
    expect(r.log).toContain('work=failure last=c files=a.txt b.txt c.txt');
    expect(r.log).toMatch(/plan of a\n.*plan of b\n.*plan of c/);
  });

  test('fail-fast (the default) cancels the rest of the matrix once one fails; default names show the values', async () => {
    const r = await run(`
on: push
permissions: {}
jobs:
  m:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        n: [1, 2, 3]
        os: [linux]
    steps: [{run: '[ \${{ matrix.n }} != 2 ]'}]
`);
    expect(Object.fromEntries(Object.values(r.jobs).map((j) => [j.name, j.result]))).toEqual({
      'm (1, linux)': 'success',
      'm (2, linux)': 'failure',
      'm (3, linux)': 'cancelled',
    });
  });

  test('artifacts: a name is uploaded once per run; if-no-files-found; download by name, a missing one fails', async () => {
    const job = (step: string) => `
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: mkdir -p d/sub && echo one > d/one.txt && echo two > d/sub/two.txt && echo h > d/.hidden
      - uses: actions/upload-artifact@${UPLOAD}
        with: {name: x, path: d}
      ${step}
`;
    const twice = await run(job(`- uses: actions/upload-artifact@${UPLOAD}\n        with: {name: x, path: d}`));
    expect(twice.jobs.a!.result).toBe('failure');
    expect(twice.log).toContain('(409) Conflict: an artifact with this name already exists on the workflow run');
    const none = await run(
      job(
        `- uses: actions/upload-artifact@${UPLOAD}\n        with: {name: y, path: nothing, if-no-files-found: error}`,
      ),
    );
    expect(none.log).toContain('No files were found with the provided path: nothing. No artifacts will be uploaded.');
    expect(none.jobs.a!.result).toBe('failure');
    const byName = await run(
      job(
        `- uses: actions/download-artifact@${DOWNLOAD}\n        with: {name: x, path: got}\n      - run: find got -type f | sort`,
      ),
    );
    expect(byName.jobs.a!.result).toBe('success');
    expect(byName.log).toContain('got/one.txt\na | got/sub/two.txt\n');
    expect(byName.log).not.toContain('.hidden');
    const missing = await run(job(`- uses: actions/download-artifact@${DOWNLOAD}\n        with: {name: z}`));
    expect(missing.log).toContain("Artifact 'z' not found");
    expect(missing.jobs.a!.result).toBe('failure');
  });
});

describe('anything unsupported fails loudly', () => {
  test.each([
    ['an artifact path with a wildcard', `steps: [{uses: 'actions/upload-artifact@${UPLOAD}', with: {path: 'out/*'}}]`],
    ['a container', 'container: node:24\n    steps: [{run: echo}]'],
    ['an unknown action', 'steps: [{uses: someone/else@v1}]'],
    ['an unpinned stand-in', 'steps: [{uses: actions/checkout@v5}]'],
    ['a docker action', 'steps: [{uses: "docker://alpine:3"}]'],
    [
      'an expression in a block scalar (misread by the parser)',
      "if: >-\n      ${{ github.event_name == 'push' }}\n    steps: [{run: echo}]",
    ],
    ['a runner function the executor does not implement', "steps: [{if: \"hashFiles('x') != ''\", run: echo}]"],
    ['workflow-level defaults', null],
    ['another shell', 'steps: [{run: print(1), shell: python}]'],
    [
      'a stand-in input it does not implement',
      'steps: [{uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8, with: {submodules: true}}]',
    ],
  ])('%s', async (_what, body) => {
    const head = body === null ? 'defaults: {run: {shell: sh}}\n' : '';
    await expect(
      run(
        `on: push\n${head}permissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    ${body ?? 'steps: [{run: echo}]'}\n`,
      ),
    ).rejects.toThrow(UnsupportedError);
  });
});
