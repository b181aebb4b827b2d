import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { type GitHubDouble, startGitHubDouble } from '../support/github-double/index.js';
import { spawnAction } from '../support/run-action.js';
import { describeWithShared } from '../support/paths.js';
import { createGitHub } from '../../src/lib/github.js';
import { git } from '../../src/lib/git.js';

const repos: TempRepo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.remove()));
});

type Labels = Record<string, number | { value: number; n: number }>;

/** A per-label table as the label bot logs it: recall per label, with the number of examples of each. */
function perLabel(recall: Labels): string {
  return JSON.stringify({ accuracy: 0.91, recall }, null, 2) + '\n';
}

const BASELINE: Labels = {
  'area-jupyter': { value: 0.875, n: 8 },
  'area-katib': { value: 0.8, n: 10 },
  'kind-bug': { value: 0.875, n: 5000 },
  'kind-feature': { value: 0.7, n: 2400 },
};

async function gateRepo(candidate: Labels, thresholds: string): Promise<TempRepo> {
  const repo = await TempRepo.create({
    'eval/metrics.json': perLabel({ ...BASELINE, ...candidate }),
    'eval/baseline.json': perLabel(BASELINE),
    'eval/thresholds.yaml': thresholds,
  });
  repos.push(repo);
  return repo;
}

const INPUTS = {
  metrics: 'metrics.json',
  baseline: 'baseline.json',
  thresholds: 'thresholds.yaml',
  'working-directory': 'eval',
  comment: 'false',
};
const CHANGE = '"recall.*": {min_absolute_change: -0.05, greater_is_better: true}\n';
const SIGNIFICANT = `significance: 0.05\n${CHANGE}`;

describe('quality-gate: noise or regression', () => {
  test('a 0.125 drop on 8 examples passes with significance, and the report shows why', async () => {
    const repo = await gateRepo({ 'area-jupyter': { value: 0.75, n: 8 } }, SIGNIFICANT);
    const r = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.outputs.passed).toBe('true');
    const row = r.summary.split('\n').find((l) => l.startsWith('| `recall.area-jupyter`'))!;
    expect(row).toContain('| 0.875 (0.529–0.978, n=8) | 0.75 (0.409–0.929, n=8) | −0.125 (');
    expect(row).toMatch(/within noise \(90% interval for Δ −0\.\d+ to \+0\.\d+, significance 0\.05\)/);
    const result = JSON.parse(r.outputs.results!).results.find(
      (x: { metric: string }) => x.metric === 'recall.area-jupyter',
    );
    expect(result).toMatchObject({ status: 'pass', candidate_n: 8, baseline_n: 8 });
    expect(result.delta_interval.hi).toBeGreaterThan(0);
  });

  test('the same drop on 8 examples fails without significance', async () => {
    const repo = await gateRepo({ 'area-jupyter': { value: 0.75, n: 8 } }, CHANGE);
    const r = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(r.outputs.passed).toBe('false');
    expect(r.stdout).toContain('❌ Quality gate failed: 1 of 4 checks failed (recall.area-jupyter)');
  });

  test("the issue's case as written: a 0.1 drop on 8 examples passes with significance, fails without", async () => {
    const drop = { 'area-jupyter': { value: 0.775, n: 8 } };
    const withIt = await spawnAction('quality-gate', INPUTS, { workspace: (await gateRepo(drop, SIGNIFICANT)).dir });
    expect(withIt.code).toBe(0);
    expect(withIt.summary).toMatch(/Δ −0\.1 is below −0\.05, within noise/);
    const without = await spawnAction('quality-gate', INPUTS, { workspace: (await gateRepo(drop, CHANGE)).dir });
    expect(without.code).toBe(1);
    expect(without.stdout).toContain('recall.area-jupyter = 0.775  [Δ ≥ −0.05]  Δ −0.1 is below −0.05');
  });

  test('the same drop on 5,000 examples fails with significance', async () => {
    const repo = await gateRepo({ 'kind-bug': { value: 0.75, n: 5000 } }, SIGNIFICANT);
    const r = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('❌ Quality gate failed: 1 of 4 checks failed (recall.kind-bug)');
    const err = r.annotations.find((a) => a.kind === 'error' && a.props.file);
    expect(err?.props).toMatchObject({ file: 'eval/thresholds.yaml', line: '2' });
    expect(err?.message).toMatch(/Δ −0\.125 is below −0\.05 \(significant: 90% interval for Δ −0\.1\d+ to −0\.1\d+\)/);
  });

  test('a plain number on one side: the rule behaves as without significance and says so', async () => {
    const repo = await gateRepo({ 'area-jupyter': 0.75 }, SIGNIFICANT);
    const r = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(r.summary).toContain('significance not assessed: no n on the candidate (give {value, n})');
  });

  test('max_failing: 2 passes two failing labels, naming them, and fails three', async () => {
    const rule = '"recall.*": {min: 0.85, max_failing: 2}\n';
    // Baseline labels: area-katib 0.8 and kind-feature 0.7 are below 0.85 already: two failing.
    const two = await gateRepo({}, rule);
    let r = await spawnAction('quality-gate', INPUTS, { workspace: two.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '⚠️ Quality gate passed: 2 of 4 checks passed; 2 warnings (recall.area-katib, recall.kind-feature).',
    );
    expect(r.summary).toContain('0.8 is below min 0.85; 2 of 4 failing, within the budget (max_failing: 2)');

    const three = await gateRepo({ 'area-jupyter': { value: 0.75, n: 8 } }, rule);
    r = await spawnAction('quality-gate', INPUTS, { workspace: three.dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '❌ Quality gate failed: 3 of 4 checks failed (recall.area-jupyter, recall.area-katib, recall.kind-feature)',
    );
    expect(r.summary).toContain('3 of 4 failing, over the budget (max_failing: 2)');
  });

  test('aggregate: min checks the worst label as one value', async () => {
    const repo = await gateRepo({}, '"recall.*": {min: 0.75, aggregate: min}\n');
    const r = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(r.summary).toContain('| `min(recall.*)` | 0.7 | 0.7 | 0 |');
    expect(r.summary).toContain('0.7 is below min 0.75; worst: recall.kind-feature');
  });

  test('the job summary holds a chart of candidate vs baseline per label, above the table', async () => {
    const repo = await gateRepo({ 'area-jupyter': { value: 0.75, n: 8 } }, SIGNIFICANT);
    const r = await spawnAction('quality-gate', INPUTS, { workspace: repo.dir });
    const chart = [
      '```mermaid',
      'xychart-beta',
      '  title "recall: candidate (bars) vs baseline (line)"',
      '  x-axis ["area-jupyter", "area-katib", "kind-bug", "kind-feature"]',
      '  y-axis "recall" 0 --> 1',
      '  bar [0.75, 0.8, 0.875, 0.7]',
      '  line [0.875, 0.8, 0.875, 0.7]',
      '```',
    ].join('\n');
    expect(r.summary).toContain(chart);
    expect(r.summary.indexOf(chart)).toBeLessThan(r.summary.indexOf('| metric | baseline |'));
    expect(r.outputs.report).toContain(chart);
  });
});

const FULL = 'acme/label-bot';
const TOKEN = 'ghs_quality_gate_noise_token';

describeWithShared('quality-gate PR comment with the chart, against the GitHub API double', () => {
  let double: GitHubDouble;
  let tmp: string;
  beforeAll(async () => {
    double = await startGitHubDouble({ tokens: [TOKEN] });
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'kfp-gitops-gate-noise-'));
  });
  afterAll(async () => {
    await double.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  test('the sticky comment contains the chart and the table, within the comment limit', async () => {
    const [owner, name] = FULL.split('/') as [string, string];
    double.createRepo(FULL, { files: { 'README.md': '# label bot\n' } });
    double.commitFiles(FULL, { branch: 'auto-update-model', files: { 'model.yaml': 'uri: v9\n' } });
    const gh = await createGitHub({ token: TOKEN, apiUrl: double.url });
    const { data: pr } = await gh.rest.pulls.create({
      owner,
      repo: name,
      head: 'auto-update-model',
      base: 'main',
      title: 'Update the model',
    });
    const eventPath = path.join(tmp, 'event.json');
    await fs.writeFile(
      eventPath,
      JSON.stringify({ action: 'synchronize', number: pr.number, pull_request: { number: pr.number } }),
    );
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: FULL,
      GITHUB_API_URL: double.url,
    };

    const repo = await gateRepo({ 'area-jupyter': { value: 0.75, n: 8 } }, SIGNIFICANT);
    const r = await spawnAction(
      'quality-gate',
      { ...INPUTS, comment: 'true', token: TOKEN },
      { workspace: repo.dir, env },
    );
    expect(r.code).toBe(0);
    const [comment] = double.comments(FULL, pr.number);
    expect(comment!.body).toContain('```mermaid\nxychart-beta\n  title "recall: candidate (bars) vs baseline (line)"');
    expect(comment!.body).toContain('| `recall.area-jupyter` | 0.875 (0.529–0.978, n=8) |');
    expect(comment!.body.length).toBeLessThanOrEqual(65536);
    expect(double.violations).toEqual([]);
  });
});

describe('quality-gate: paired predictions', () => {
  /** Outcomes on the same 40 `kind-bug` issues: the baseline finds 36, the candidate loses `lost` of them. */
  function paired(lost: number): string {
    const baseline = Array.from({ length: 40 }, (_, i) => (i < 36 ? 1 : 0));
    const candidate = baseline.map((v, i) => (i < lost ? 0 : v));
    return JSON.stringify({ recall: { 'kind-bug': { baseline, candidate } } });
  }

  test.each([
    [
      3,
      0,
      'Δ −0.075 is below −0.05, within noise (McNemar exact one-sided p = 0.13, 3 lost vs 0 won, significance 0.05)',
    ],
    [6, 1, 'Δ −0.15 is below −0.05 (significant: McNemar exact one-sided p = 0.016, 6 lost vs 0 won)'],
  ])('%i of 36 found issues lost → exit %i', async (lost, code, reason) => {
    const recall = (36 - lost) / 40;
    const repo = await gateRepo({ 'kind-bug': recall }, SIGNIFICANT);
    await repo.write({
      'eval/metrics.json': perLabel({ ...BASELINE, 'kind-bug': recall }),
      'eval/baseline.json': perLabel({ ...BASELINE, 'kind-bug': 0.9 }),
      'eval/paired.json': paired(lost),
    });
    const r = await spawnAction(
      'quality-gate',
      { ...INPUTS, 'paired-predictions': 'paired.json' },
      { workspace: repo.dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(code);
    expect(r.summary).toContain('**Paired predictions:** `eval/paired.json`');
    const row = r.summary.split('\n').find((l) => l.startsWith('| `recall.kind-bug`'))!;
    expect(row).toContain(reason);
    expect(row).toContain('(McNemar p=');
  });

  test('a paired file with lists of different lengths: not evaluated, naming the file and metric', async () => {
    const repo = await gateRepo({}, SIGNIFICANT);
    await repo.write({
      'eval/paired.json': JSON.stringify({ recall: { 'kind-bug': { baseline: [1, 0], candidate: [1] } } }),
    });
    const r = await spawnAction(
      'quality-gate',
      { ...INPUTS, 'paired-predictions': 'paired.json' },
      { workspace: repo.dir },
    );
    expect(r.code).toBe(1);
    expect(r.outputs.report).toContain(
      "eval/paired.json: paired predictions for 'recall.kind-bug' cover 2 (baseline) and 1 (candidate) examples",
    );
  });
});

describe('quality-gate: trend of the last champions', () => {
  test('history: git:main charts accuracy over the champions merged on main and the candidate', async () => {
    const repo = await gateRepo({}, 'accuracy: {min: 0.8}\n');
    const shas: string[] = [];
    for (const accuracy of [0.88, 0.9]) {
      await repo.write({ 'eval/metrics.json': JSON.stringify({ accuracy, recall: BASELINE }) });
      await repo.commit(`champion ${accuracy}`);
      shas.push((await git(repo.dir, ['rev-parse', '--short', 'HEAD'])).trim());
    }
    await repo.write({ 'eval/metrics.json': JSON.stringify({ accuracy: 0.93, recall: BASELINE }) }); // the candidate, not committed
    const r = await spawnAction(
      'quality-gate',
      { ...INPUTS, history: 'git:main', 'history-length': '2' },
      { workspace: repo.dir },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('History: 2 champion(s) of metrics.json on main.');
    expect(r.summary).toContain(
      [
        '```mermaid',
        'xychart-beta',
        '  title "accuracy: last 2 champions and the candidate"',
        `  x-axis ["${shas[0]}", "${shas[1]}", "candidate"]`,
        '  y-axis "accuracy" 0.7 --> 1',
        '  line [0.88, 0.9, 0.93]',
        '```',
      ].join('\n'),
    );
    expect(r.outputs.report).toContain('title "accuracy: last 2 champions and the candidate"');
  });

  test('an unknown ref is a clear error', async () => {
    const repo = await gateRepo({}, 'accuracy: {min: 0.8}\n');
    const r = await spawnAction('quality-gate', { ...INPUTS, history: 'git:nope' }, { workspace: repo.dir });
    expect(r.code).toBe(1);
    expect(r.outputs.report).toContain("Input 'history': git ref 'nope' does not exist in this checkout.");
  });
});
