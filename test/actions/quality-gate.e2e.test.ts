import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { git } from '../../src/lib/git.js';
import { type ActionRun, spawnAction, spawnCli } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

const EXAMPLE = path.join(repoRoot, 'examples/quality');
const THRESHOLDS = 'quality/thresholds.yaml';

/** A repository holding examples/quality under quality/. */
async function exampleRepo(): Promise<TempRepo> {
  const files: Record<string, string> = {};
  for (const name of await fs.readdir(EXAMPLE))
    files[`quality/${name}`] = await fs.readFile(path.join(EXAMPLE, name), 'utf8');
  const repo = await TempRepo.create(files);
  repos.push(repo);
  return repo;
}

/** The 1-based line of the thresholds file that contains `text`. */
async function lineOf(repo: TempRepo, text: string): Promise<string> {
  const lines = (await repo.read(THRESHOLDS)).split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`'${text}' is not in ${THRESHOLDS}`);
  return String(i + 1);
}

async function editMetrics(repo: TempRepo, file: string, edit: (m: any) => void): Promise<void> {
  const m = JSON.parse(await repo.read(file));
  edit(m);
  await repo.write({ [file]: JSON.stringify(m, null, 2) + '\n' });
}

const EXAMPLE_INPUTS = {
  metrics: 'metrics.json',
  baseline: 'baseline.json',
  thresholds: 'thresholds.yaml',
  'working-directory': 'quality',
  comment: 'false',
};

function errors(r: ActionRun) {
  return r.annotations.filter((a) => a.kind === 'error');
}

describe('quality-gate, run as the runner runs it', () => {
  test('the example passes, with the two soft misses as warnings at their thresholds lines', async () => {
    const repo = await exampleRepo();
    const r = await spawnAction('quality-gate', EXAMPLE_INPUTS, { workspace: repo.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('true');
    const results = JSON.parse(r.outputs.results!);
    expect(results.counts).toEqual({ fail: 0, warn: 2, skip: 1, pass: 47 }); // 3 overall + 23 labels × 2 + auc_roc skipped
    expect(errors(r)).toEqual([]);
    const warnings = r.annotations.filter((a) => a.kind === 'warning');
    expect(warnings.map((w) => [w.props.file, w.props.line])).toEqual([
      [THRESHOLDS, await lineOf(repo, 'warn: {max: 40}')],
      [THRESHOLDS, await lineOf(repo, '"precision.area-*"')],
    ]);
    expect(warnings[1]!.message).toContain('precision.area-engprod: 0.58 is below min 0.6 (warn band)');
    expect(r.stdout).toContain(
      '⚠️ Quality gate passed: 47 of 50 checks passed; 2 warnings (latency_ms, precision.area-engprod); 1 skipped.',
    );
    expect(r.summary).toContain('| metric | baseline | candidate | Δ | Δ% | rule | status |');
    expect(r.summary).toContain('**Baseline:** `quality/baseline.json`');
    expect(r.summary).toContain(
      '| `latency_ms` | 39.8 | 41.5 | +1.7 | +4.27% | ≤ 50, Δ% ≤ +10%; warn: ≤ 40 | ⚠️ warn: 41.5 is above max 40 (warn band) |',
    );
    expect(r.outputs.report!.trimEnd()).toBe(r.summary.trimEnd()); // small enough: the same text in both
  });

  test('a degraded model fails: exit 1, ::error at the line of each broken rule, failures first', async () => {
    const repo = await exampleRepo();
    await editMetrics(repo, 'quality/metrics.json', (m) => {
      m.precision['area-katib'] = 0.42;
      m.latency_ms = 57;
      m.recall['kind-bug'] = 0.7; // baseline 0.81: −0.11 > the 0.05 allowed
    });
    const r = await spawnAction('quality-gate', EXAMPLE_INPUTS, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(r.outputs.passed).toBe('false');
    const errs = errors(r).filter((a) => a.props.file);
    expect(errs.map((a) => a.props.line)).toEqual([
      await lineOf(repo, 'max: 50'),
      await lineOf(repo, '"precision.area-*"'),
      await lineOf(repo, 'min_absolute_change: -0.05'),
    ]);
    expect(errs[0]!.message).toBe("'latency_ms' failed: 57 is above max 50; Δ% +43.22% is above +10%");
    expect(errs[1]!.message).toContain('precision.area-katib: 0.42 is below min 0.5');
    expect(errs[2]!.message).toContain('recall.kind-bug: Δ −0.11 is below −0.05');
    // The final ::error (the step's failure) is the one-line verdict.
    expect(r.stdout).toContain(
      '::error::❌ Quality gate failed: 3 of 50 checks failed (latency_ms, precision.area-katib, recall.kind-bug); 1 warning (precision.area-engprod); 1 skipped.',
    );
    const rows = r.summary.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows.slice(0, 3).map((l) => l.split(' | ')[0])).toEqual([
      '| `latency_ms`',
      '| `precision.area-katib`',
      '| `recall.kind-bug`',
    ]);
    expect(
      JSON.parse(r.outputs.results!)
        .results.filter((x: { status: string }) => x.status === 'fail')
        .map((x: { metric: string }) => x.metric),
    ).toEqual(['latency_ms', 'precision.area-katib', 'recall.kind-bug']);
  });

  test('baseline git:<ref>: the metrics file as it is on the base branch, via git show', async () => {
    const repo = await exampleRepo();
    // The base branch holds the champion's metrics in the same file the PR changes.
    await repo.write({ 'quality/metrics.json': await repo.read('quality/baseline.json') });
    await repo.commit('champion metrics');
    await git(repo.dir, ['checkout', '-q', '-b', 'model-update']);
    await editMetrics(repo, 'quality/metrics.json', (m) => {
      m.f1_score = 0.84; // −3.3% against main's 0.869: more than the 2% allowed
    });
    await repo.commit('new model');
    const r = await spawnAction('quality-gate', { ...EXAMPLE_INPUTS, baseline: 'git:main' }, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(r.summary).toContain('**Baseline:** `quality/metrics.json` at `main`');
    expect(errors(r).find((a) => a.props.file)?.message).toBe("'f1_score' failed: Δ% −3.34% is below −2%");
    expect(errors(r).find((a) => a.props.file)?.props.line).toBe(await lineOf(repo, 'f1_score:'));

    // A first model: no metrics file on the base branch → missing-baseline (default warn) applies.
    const emptyTree = (await git(repo.dir, ['hash-object', '-w', '-t', 'tree', '/dev/null'])).trim();
    const root = (
      await git(repo.dir, [
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@example.com',
        'commit-tree',
        emptyTree,
        '-m',
        'empty base',
      ])
    ).trim();
    await git(repo.dir, ['branch', 'empty', root]);
    const first = await spawnAction(
      'quality-gate',
      { ...EXAMPLE_INPUTS, baseline: 'git:empty', thresholds: 'accuracy: {min: 0.85, min_absolute_change: -0.01}' },
      { workspace: repo.dir },
    );
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      'Baseline: no quality/metrics.json at empty; change checks warn (missing-baseline: warn).',
    );
    expect(first.summary).toContain(
      '**Baseline:** no `quality/metrics.json` at `empty` — change checks warn (`missing-baseline: warn`)',
    );
    const warned = first.annotations.filter((a) => a.kind === 'warning');
    expect(warned).toHaveLength(1);
    expect(warned[0]!.props.file).toBeUndefined(); // inline thresholds: no file to point at…
    expect(warned[0]!.message).toMatch(
      /^'accuracy' warns: no baseline value to compare with \(missing-baseline: warn\) \(thresholds input:1:\d+\)$/,
    ); // …so the line is in the text
    const strict = await spawnAction(
      'quality-gate',
      {
        ...EXAMPLE_INPUTS,
        baseline: 'git:empty',
        thresholds: 'accuracy: {min: 0.85, min_absolute_change: -0.01}',
        'missing-baseline': 'fail',
      },
      { workspace: repo.dir },
    );
    expect(strict.code).toBe(1);

    const typo = await spawnAction(
      'quality-gate',
      { ...EXAMPLE_INPUTS, baseline: 'git:origin/mian' },
      { workspace: repo.dir },
    );
    expect(typo.code).toBe(1);
    expect(typo.stdout).toContain(
      "git ref 'origin/mian' does not exist in this checkout. Fix: fetch it first (actions/checkout with fetch-depth: 0",
    );
    expect(typo.outputs.passed).toBe('false');
  });

  test('a bad thresholds file: every problem at file:line with the fix, nothing evaluated', async () => {
    const repo = await exampleRepo();
    const text = (await repo.read(THRESHOLDS))
      .replace('"recall.area-*": {min: 0.30}', '"recall.area-*": {mni: 0.30}')
      .replace('max: 50', 'max: fifty');
    await repo.write({ [THRESHOLDS]: text });
    const r = await spawnAction('quality-gate', EXAMPLE_INPUTS, { workspace: repo.dir });
    expect(r.code).toBe(1);
    const errs = errors(r).filter((a) => a.props.file === THRESHOLDS);
    expect(errs.map((a) => a.props.line)).toEqual([
      await lineOf(repo, 'max: fifty'),
      await lineOf(repo, '{mni: 0.30}'),
    ]);
    expect(errs[0]!.message).toBe(
      '\'max\' must be a finite number (got "fifty"). Fix: write a number, e.g. `max: 50`.',
    );
    expect(errs[1]!.message).toContain("Unknown key 'mni' in the rule for 'recall.area-*'. Did you mean 'min'?");
    expect(r.outputs.passed).toBe('false');
    expect(JSON.parse(r.outputs.results!).error).toContain('2 problem(s) in the thresholds');
    expect(r.summary).toBe('');
    const commenting = await spawnAction(
      'quality-gate',
      { ...EXAMPLE_INPUTS, comment: 'true' },
      { workspace: repo.dir },
    );
    expect(commenting.code).toBe(1);
    expect(commenting.stdout).not.toContain('the report is in the job summary'); // not a PR, and there is no summary to point to
  });

  test('a rule naming no metric fails with did-you-mean at its line; a bad metrics file names its line', async () => {
    const repo = await exampleRepo();
    await repo.write({ [THRESHOLDS]: (await repo.read(THRESHOLDS)).replace('f1_score:', 'f1score:') });
    const r = await spawnAction('quality-gate', EXAMPLE_INPUTS, { workspace: repo.dir });
    expect(r.code).toBe(1);
    const err = errors(r).find((a) => a.props.file === THRESHOLDS)!;
    expect(err.props.line).toBe(await lineOf(repo, 'f1score:'));
    expect(err.message).toBe("'f1score' failed: No metric named 'f1score'. Did you mean 'f1_score'?");

    await repo.write({ 'quality/metrics.json': '{\n  "accuracy": 0.9,\n  "f1_score": 0.8\n  "latency_ms": 40\n}\n' });
    const bad = await spawnAction('quality-gate', EXAMPLE_INPUTS, { workspace: repo.dir });
    expect(bad.code).toBe(1);
    expect(errors(bad)).toHaveLength(2); // the located one, then the step's failure
    expect(errors(bad)[0]).toMatchObject({
      props: { file: 'quality/metrics.json', line: '4', col: '3' },
      message: expect.stringContaining("JSON syntax error: expected ',' or '}', found '\"'"),
    });
  });

  test('inline thresholds and numeric strings; NaN fails', async () => {
    const repo = await exampleRepo();
    await repo.write({ 'm.yaml': 'accuracy: "0.93"\nauc: NaN\n' });
    const ok = await spawnAction(
      'quality-gate',
      { metrics: 'm.yaml', thresholds: 'accuracy: {min: 0.9}', comment: 'false' },
      { workspace: repo.dir },
    );
    expect(ok.code).toBe(0);
    expect(ok.summary).toContain('**Thresholds:** inline (1 rule)');
    const nan = await spawnAction(
      'quality-gate',
      { metrics: 'm.yaml', thresholds: 'accuracy: {min: 0.9}\nauc: {min: 0.5}\n', comment: 'false' },
      { workspace: repo.dir },
    );
    expect(nan.code).toBe(1);
    expect(errors(nan)[0]).toMatchObject({
      props: {},
      message: "'auc' failed: the candidate value is NaN (thresholds input:2:1)",
    });
  });

  test('inputs are checked: missing-baseline, a missing file, a git: candidate', async () => {
    const repo = await exampleRepo();
    const bad = await spawnAction(
      'quality-gate',
      { ...EXAMPLE_INPUTS, 'missing-baseline': 'ignore' },
      { workspace: repo.dir },
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('Input \'missing-baseline\' must be one of pass | warn | fail (got "ignore")');
    const missing = await spawnAction(
      'quality-gate',
      { ...EXAMPLE_INPUTS, baseline: 'champion.json' },
      { workspace: repo.dir },
    );
    expect(missing.stdout).toContain("The baseline file 'quality/champion.json' does not exist.");
    const git = await spawnAction('quality-gate', { ...EXAMPLE_INPUTS, metrics: 'git:main' }, { workspace: repo.dir });
    expect(git.stdout).toContain("Input 'metrics' cannot be a git: reference");
    const none = await spawnAction('quality-gate', {}, { workspace: repo.dir });
    expect(none.stdout).toContain('Input required and not supplied: metrics');
    expect(none.stdout).toContain('Input required and not supplied: thresholds');
  });
});

describe('kfp-gitops quality-gate (CLI)', () => {
  test('the same gate from a terminal, flags mirroring inputs', async () => {
    const repo = await exampleRepo();
    const cwd = repo.path('quality');
    const ok = await spawnCli(
      [
        'quality-gate',
        '--metrics',
        'metrics.json',
        '--baseline',
        'baseline.json',
        '--thresholds',
        'thresholds.yaml',
        '--no-comment',
      ],
      { cwd },
    );
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('passed=true');
    expect(ok.stdout).toContain(
      '| `precision.area-engprod` | 0.62 | 0.58 | −0.04 | −6.45% | ≥ 0.5; warn: ≥ 0.6 | ⚠️ warn: 0.58 is below min 0.6 (warn band) |',
    );
    expect(ok.stderr).toMatch(/thresholds\.yaml:\d+:\d+: warning: Rule 'precision\.area-\*'/);

    await editMetrics(repo, 'quality/metrics.json', (m) => {
      m.accuracy = 0.84;
    });
    const bad = await spawnCli(
      [
        'quality-gate',
        '--metrics',
        'metrics.json',
        '--thresholds',
        'thresholds.yaml',
        '--missing-baseline',
        'pass',
        '--comment',
        'false',
      ],
      { cwd },
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      `thresholds.yaml:${await lineOf(repo, 'min: 0.85')}:8: error: 'accuracy' failed: 0.84 is below min 0.85`,
    );
    expect(bad.stderr).toContain(
      'error: ❌ Quality gate failed: 1 of 50 checks failed (accuracy); 2 warnings (latency_ms, precision.area-engprod); 1 skipped.',
    );
    expect(bad.stdout).toContain('passed=false');
  });

  test('--help lists every input as a flag', async () => {
    const r = await spawnCli(['quality-gate', '--help'], { cwd: repoRoot });
    expect(r.code).toBe(0);
    for (const flag of [
      '--metrics',
      '--thresholds',
      '--baseline',
      '--missing-baseline',
      '--comment',
      '--token',
      '--mlflow-tracking-uri',
      '--mlflow-token',
      '--working-directory',
      '--title',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });
});
