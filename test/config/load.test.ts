import path from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { TempRepo } from '../support/git-repo.js';
import { repoRoot } from '../support/paths.js';
import { loadDesiredState } from '../../src/config/load.js';
import type { DesiredState } from '../../src/config/types.js';
import type { Diagnostic } from '../../src/lib/errors.js';

const NOW = new Date('2026-06-01T12:00:00Z');
const repos: TempRepo[] = [];
afterAll(async () => {
  await Promise.all(repos.map((r) => r.remove()));
});

const EXPERIMENTS = `experiments:
  - name: exp
    description: "the experiment"
`;

// Line numbers matter: the tests below point at them.
const RUNS = `recurring_runs:
  - pipeline_source:
      path: pipelines/train-model/RENDERED_PIPELINE/workflow.yaml
    pipeline_parameters:
      - name: learning_rate
        value: "0.01"
      - name: dataset_uri
        value: gs://b/d
    job:
      enabled: true
      name: train
      experiment: exp
      max_concurrency: 1
      trigger:
        catchup: false
        cron: "0 30 2 * * *"
`;

/** A repo with the example pipelines and config folder `cfg`; returns the loaded state. */
async function load(
  files: Record<string, string>,
  folders = ['cfg'],
): Promise<{ state: DesiredState; repo: TempRepo }> {
  const repo = await TempRepo.create(
    { 'cfg/experiments.yaml': EXPERIMENTS, 'cfg/recurring_runs.yaml': RUNS, ...files },
    { copyFrom: path.join(repoRoot, 'examples') },
  );
  repos.push(repo);
  const state = await loadDesiredState(folders, { root: repo.dir, now: NOW });
  return { state, repo };
}

const errors = (s: DesiredState) => s.diagnostics.filter((d) => d.severity !== 'warning');
const warnings = (s: DesiredState) => s.diagnostics.filter((d) => d.severity === 'warning');
const where = (d: Diagnostic) => `${d.location?.file}:${d.location?.line}:${d.location?.column}`;

/** The single error of a config, checked to carry a file, line, column and a fix. */
async function onlyError(files: Record<string, string>): Promise<Diagnostic> {
  const { state } = await load(files);
  const errs = errors(state);
  expect(errs.map((e) => `${where(e)} ${e.message}`)).toHaveLength(1);
  const e = errs[0]!;
  expect(e.location).toMatchObject({ file: expect.any(String), line: expect.any(Number), column: expect.any(Number) });
  expect(e.fix).toBeTruthy();
  expect(state.namespaces[0]?.jobs ?? []).toHaveLength(0);
  return e;
}

const runs = (edit: (s: string) => string) => ({ 'cfg/recurring_runs.yaml': edit(RUNS) });

describe('a valid folder becomes the desired state', () => {
  test('the example config folder examples/schedules/team-ml: every job resolved, located and frozen', async () => {
    const repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
    repos.push(repo);
    const state = await loadDesiredState(['schedules/team-ml'], { root: repo.dir, now: NOW });
    expect(state.diagnostics).toEqual([]);
    const [ns] = state.namespaces;
    expect(ns).toMatchObject({
      folder: 'schedules/team-ml',
      namespace: 'team-ml',
      experimentsFile: 'schedules/team-ml/experiments.yaml',
      recurringRunsFile: 'schedules/team-ml/recurring_runs.yaml',
    });
    expect(ns!.experiments.map((e) => e.name)).toEqual(['issue-classifier-training', 'issue-classifier-scoring']);
    const [nightly, hourly, weekly] = ns!.jobs;
    expect(nightly).toMatchObject({
      name: 'train-nightly',
      experiment: 'issue-classifier-training',
      enabled: true,
      keepHistory: 3,
      maxConcurrency: 1,
      catchup: false,
      // valueFrom files verbatim (no trailing newline added or removed)
      parameters: { learning_rate: '0.01', dataset_uri: 'gs://example-bucket/datasets/issues/latest', epochs: '20' },
      trigger: { type: 'cron', cron: '0 30 2 * * *', start: new Date('2026-01-01T00:00:00Z') },
      pipeline: {
        kind: 'v1',
        name: 'train-model',
        source: { type: 'local', path: 'pipelines/train-model/RENDERED_PIPELINE/workflow.yaml' },
      },
    });
    expect(nightly!.serviceAccount).toBeUndefined();
    expect(hourly).toMatchObject({
      name: 'score-hourly',
      keepHistory: 5,
      maxConcurrency: 2,
      trigger: { type: 'interval', intervalSeconds: 3600 },
      pipeline: { kind: 'v2', name: 'batch-predict' },
    });
    expect(hourly!.description).toBeUndefined();
    expect(weekly).toMatchObject({
      name: 'train-weekly-full',
      enabled: false,
      keepHistory: 0,
      serviceAccount: 'pipeline-runner',
      trigger: { type: 'cron', cron: '@weekly', end: new Date('2027-12-31T23:59:59Z') },
    });
    // Locations of values, as written in the file.
    const text = (await repo.read('schedules/team-ml/recurring_runs.yaml')).split('\n');
    expect(text[nightly!.fieldAt.cron!.line! - 1]).toContain('cron: "0 30 2 * * *"');
    expect(text[weekly!.fieldAt.serviceAccount!.line! - 1]).toContain('service_account: pipeline-runner');
    expect(text[nightly!.parameterAt.dataset_uri!.line! - 1]).toContain(
      'path: pipelines/train-model/RENDERED_PIPELINE/params/dataset_uri',
    );
    expect(text[nightly!.parameterAt.epochs!.line! - 1]).toContain('value: "20"');
    expect(text[nightly!.at.line! - 1]).toContain('- pipeline_source:');
    expect(nightly!.fieldAt.keepHistory).toBeDefined();
    expect(hourly!.fieldAt.keepHistory).toBeUndefined(); // defaulted
    // Immutable, deeply.
    expect(Object.isFrozen(state)).toBe(true);
    expect(Object.isFrozen(nightly!.parameters)).toBe(true);
    expect(Object.isFrozen(nightly!.pipeline!.workflow)).toBe(true);
    // Entries naming one pipeline file share its parse (a fleet of schedules on one 49 KB IR is not 1,000 copies).
    expect(weekly!.pipeline!.workflow).toBe(nightly!.pipeline!.workflow);
    expect(hourly!.pipeline!.workflow).not.toBe(nightly!.pipeline!.workflow);
    expect(() => {
      (nightly as { name: string }).name = 'x';
    }).toThrow(TypeError);
  });

  test('valueFrom content is used verbatim, newlines included; .yml files are accepted; namespace is the folder name', async () => {
    const { state } = await load(
      {
        'cfg/recurring_runs.yaml': '',
        'team-a/experiments.yml': EXPERIMENTS,
        'team-a/recurring_runs.yml': RUNS.replace('value: gs://b/d', 'valueFrom:\n          path: msg.txt'),
        'msg.txt': 'Hello world!\n'.repeat(3),
      },
      ['team-a'],
    );
    expect(state.diagnostics).toEqual([]);
    expect(state.namespaces[0]).toMatchObject({ namespace: 'team-a', recurringRunsFile: 'team-a/recurring_runs.yml' });
    expect(state.namespaces[0]!.jobs[0]!.parameters.dataset_uri).toBe('Hello world!\nHello world!\nHello world!\n');
  });

  test.each([
    ['0 30 2 * * *'],
    ['0 */15 * * * *'],
    ['@daily'],
    ['@every 1h30m'],
    ['0 0 9 * * MON-FRI'],
    // Accepted by KFP's robfig/cron v1.2.0 and once refused here (see test/kfp/cron.test.ts).
    ['0 0/15 * * * *'],
    ['0 0 1/6 * * *'],
    ['0 0 0 ? * Mon/2'],
    ['0 0 */25 * * *'],
    ['1,,2 * * * * *'],
    ['*-5 * * * * *'],
    ['+5 * * * * *'],
    ['@every 1h30m'],
  ])("cron '%s' (refused by deployKF's schema) is accepted", async (cron) => {
    const { state } = await load(runs((s) => s.replace('"0 30 2 * * *"', `"${cron}"`)));
    expect(state.diagnostics).toEqual([]);
    expect(state.namespaces[0]!.jobs[0]!.trigger).toMatchObject({ type: 'cron', cron });
  });

  test('dates: date-only is midnight UTC, no offset is UTC, offsets are applied', async () => {
    const { state } = await load(
      runs((s) =>
        s.replace(
          'catchup: false',
          'catchup: false\n        start_date: 2026-07-01\n        end_date: 2026-08-01T10:00:00+02:00',
        ),
      ),
    );
    expect(state.diagnostics).toEqual([]);
    expect(state.namespaces[0]!.jobs[0]!.trigger).toMatchObject({
      start: new Date('2026-07-01T00:00:00Z'),
      end: new Date('2026-08-01T08:00:00Z'),
    });
    const naive = await load(
      runs((s) => s.replace('catchup: false', 'catchup: false\n        start_date: "2026-07-01 06:30:00"')),
    );
    expect(naive.state.namespaces[0]!.jobs[0]!.trigger.start).toEqual(new Date('2026-07-01T06:30:00Z'));
  });

  test('a 5-field cron passes with a warning: KFP reads its first field as seconds', async () => {
    const { state } = await load(runs((s) => s.replace('"0 30 2 * * *"', '"30 2 * * *"')));
    expect(errors(state)).toEqual([]);
    expect(warnings(state)).toHaveLength(1);
    expect(warnings(state)[0]).toMatchObject({
      message: expect.stringContaining("Add a leading seconds field, e.g. '0 30 2 * * *'"),
      location: { file: 'cfg/recurring_runs.yaml', line: 16, column: 15 },
    });
  });

  test('catchup with a past start_date and an end_date in the past are warned about', async () => {
    const { state } = await load(
      runs((s) =>
        s.replace('catchup: false', 'catchup: true\n        start_date: 2020-01-01\n        end_date: 2021-01-01'),
      ),
    );
    expect(errors(state)).toEqual([]);
    expect(warnings(state).map((w) => [w.location?.line, w.message.split(':')[0]])).toEqual([
      [15, 'catchup'],
      [17, 'end_date (2021-01-01 00'],
    ]);
  });
});

describe('each invalid case: one error at the right line, with the fix', () => {
  test('unknown key, with a suggestion', async () => {
    const e = await onlyError(runs((s) => s.replace('experiment: exp', 'experimnt: exp')));
    expect(e.message).toBe("Unknown key 'experimnt' in recurring_runs[0].job. Did you mean 'experiment'?");
    expect(where(e)).toBe('cfg/recurring_runs.yaml:12:7');
  });

  test('a number where text is expected: quote it (as written)', async () => {
    const e = await onlyError(runs((s) => s.replace('value: "0.01"', 'value: 0.010')));
    expect(e.message).toBe('recurring_runs[0].pipeline_parameters[0].value must be a string, not the number 0.01.');
    expect(e.fix).toBe('quote the value so YAML keeps it as text: value: "0.010".');
    expect(where(e)).toBe('cfg/recurring_runs.yaml:6:16');
  });

  test('missing required key', async () => {
    const e = await onlyError(runs((s) => s.replace('        catchup: false\n', '')));
    expect(e.message).toBe("Missing required key 'catchup' in recurring_runs[0].job.trigger.");
    expect(e.location?.line).toBe(15);
  });

  test('cron and interval_seconds both set, or neither', async () => {
    const both = await onlyError(
      runs((s) => s.replace('cron: "0 30 2 * * *"', 'cron: "0 30 2 * * *"\n        interval_seconds: 60')),
    );
    expect(both.message).toBe(
      "recurring_runs[0].job.trigger sets 'cron' or 'interval_seconds'; only one of them may be set.",
    );
    expect(both.location?.line).toBe(15);
    const neither = await onlyError(
      runs((s) => s.replace('cron: "0 30 2 * * *"', 'cron: ~\n        interval_seconds: ~')),
    );
    expect(neither.message).toBe(
      "recurring_runs[0].job.trigger needs exactly one of 'cron' or 'interval_seconds' with a value ('cron', 'interval_seconds' are null).",
    );
  });

  test("invalid cron: the parser's reason", async () => {
    const e = await onlyError(runs((s) => s.replace('"0 30 2 * * *"', '"0 30 25 * * *"')));
    expect(e.message).toBe(
      "Invalid cron '0 30 25 * * *': KFP refuses it in the hour field (robfig/cron: End of range (25) above maximum (23): 25).",
    );
    expect(where(e)).toBe('cfg/recurring_runs.yaml:16:15');
    expect(e.fix).toMatch(/second minute hour day-of-month month day-of-week/);
  });

  test('KFP does not trim a cron: surrounding whitespace is an error, shown escaped, with the fix', async () => {
    const e = await onlyError(runs((s) => s.replace('"0 30 2 * * *"', '"@daily\\n"')));
    expect(e.message).toBe(
      'Invalid cron "@daily\\n": KFP refuses it (robfig/cron: Unrecognized descriptor: @daily\\n).',
    );
    expect(e.fix).toMatch(/KFP does not trim the cron \(a `\|` block scalar adds a newline/);
    const block = await onlyError(runs((s) => s.replace('cron: "0 30 2 * * *"', 'cron: |\n          @daily')));
    expect(block.message).toBe(e.message);
    expect(where(block)).toBe('cfg/recurring_runs.yaml:16:15');
    const spaced = await onlyError(runs((s) => s.replace('"0 30 2 * * *"', '"@every  1h"')));
    expect(spaced.message).toBe(
      'Invalid cron \'@every  1h\': KFP refuses it (robfig/cron: Failed to parse duration @every  1h: time: invalid duration " 1h").',
    );
  });

  test('a cron KFP accepts but that never fires is an error', async () => {
    const e = await onlyError(runs((s) => s.replace('"0 30 2 * * *"', '"0 0 0 30 2 *"')));
    expect(e.message).toBe(
      "Cron '0 0 0 30 2 *' never fires: KFP accepts it, but robfig/cron finds no time matching it within five years after 2026-06-01 12:00 UTC, so no run would ever start.",
    );
    expect(where(e)).toBe('cfg/recurring_runs.yaml:16:15');
  });

  test('start_date after end_date; an impossible date; not a date', async () => {
    const order = await onlyError(
      runs((s) =>
        s.replace('catchup: false', 'catchup: false\n        start_date: 2026-09-01\n        end_date: 2026-08-01'),
      ),
    );
    expect(order.message).toBe(
      'start_date (2026-09-01 00:00 UTC) is not before end_date (2026-08-01 00:00 UTC); the schedule would never run.',
    );
    expect(order.location?.line).toBe(17);
    const feb = await onlyError(
      runs((s) => s.replace('catchup: false', 'catchup: false\n        start_date: 2027-02-29')),
    );
    expect(feb.message).toBe("recurring_runs[0].job.trigger.start_date '2027-02-29' is not a real date.");
    const text = await onlyError(
      runs((s) => s.replace('catchup: false', 'catchup: false\n        start_date: next monday')),
    );
    expect(text.message).toBe("recurring_runs[0].job.trigger.start_date 'next monday' is not a date or a date-time.");
    expect(text.location?.line).toBe(16);
  });

  test('max_concurrency above KFP limit, keep_history below -1', async () => {
    const mc = await onlyError(runs((s) => s.replace('max_concurrency: 1', 'max_concurrency: 11')));
    expect(mc.message).toBe('recurring_runs[0].job.max_concurrency must be <= 10, not 11.');
    expect(mc.location?.line).toBe(13);
    const kh = await onlyError(runs((s) => s.replace('    job:', '    keep_history: -2\n    job:')));
    expect(kh.message).toBe('recurring_runs[0].keep_history must be >= -1, not -2.');
    expect(kh.fix).toMatch(/OLDER versions/);
  });

  test('duplicate job names, duplicate experiments, unknown experiment', async () => {
    const { state } = await load({
      'cfg/experiments.yaml': EXPERIMENTS + '  - name: exp\n  - name: scoring\n',
      'cfg/recurring_runs.yaml':
        RUNS + RUNS.replace('recurring_runs:\n', '').replace('experiment: exp', 'experiment: scorng'),
    });
    expect(errors(state).map((e) => `${where(e)} ${e.message}`)).toEqual([
      "cfg/experiments.yaml:4:11 Experiment 'exp' is declared twice (first at line 2).",
      "cfg/recurring_runs.yaml:26:13 Duplicate job name 'train' (also at line 11).",
      "cfg/recurring_runs.yaml:27:19 Experiment 'scorng' is not declared in experiments.yaml of this folder. Did you mean 'scoring'?",
    ]);
  });

  // KFP's experiments table has a unique index on (Name, Namespace) under MySQL's utf8mb4_0900_ai_ci
  // collation (backend/src/apiserver/storage/experiment_store.go CreateExperiment; kubeflow/pipelines#5172).
  test('experiment names that collide in KFP (case, accents) are flagged where the second one is', async () => {
    const { state } = await load({
      'cfg/experiments.yaml': EXPERIMENTS + '  - name: EXP\n  - name: scöring\n  - name: Scoring\n',
      'cfg/recurring_runs.yaml': RUNS,
    });
    expect(errors(state).map((e) => `${where(e)} ${e.message}`)).toEqual([
      "cfg/experiments.yaml:4:11 Experiment 'EXP' collides with 'exp' (line 2): KFP compares experiment names ignoring case and accents, so it refuses the second one (HTTP 409).",
      "cfg/experiments.yaml:6:11 Experiment 'Scoring' collides with 'scöring' (line 5): KFP compares experiment names ignoring case and accents, so it refuses the second one (HTTP 409).",
    ]);
  });

  test('pipeline file missing: a suggestion for the near name', async () => {
    const e = await onlyError(
      runs((s) => s.replace('RENDERED_PIPELINE/workflow.yaml', 'RENDERED_PIPELINE/workflow.yml')),
    );
    expect(e.message).toBe(
      "Pipeline file: 'pipelines/train-model/RENDERED_PIPELINE/workflow.yml' does not exist in the repository.",
    );
    expect(e.fix).toMatch(/^did you mean 'pipelines\/train-model\/RENDERED_PIPELINE\/workflow.yaml'\?/);
    expect(where(e)).toBe('cfg/recurring_runs.yaml:3:13');
  });

  test('pipeline path outside the repository', async () => {
    const e = await onlyError(runs((s) => s.replace('path: pipelines/', 'path: ../pipelines/')));
    expect(e.message).toMatch(/is outside the repository/);
  });

  test('pipeline file that is not YAML, or not a pipeline: errors inside that file, reported once', async () => {
    const notYaml = await load({
      'p/bad.yaml': 'a: [1,\nb: 2\n',
      ...runs(
        (s) =>
          s.replace('pipelines/train-model/RENDERED_PIPELINE/workflow.yaml', 'p/bad.yaml') +
          s
            .replace('recurring_runs:\n', '')
            .replace('pipelines/train-model/RENDERED_PIPELINE/workflow.yaml', 'p/bad.yaml')
            .replace('name: train', 'name: train-2'),
      ),
    });
    const errs = errors(notYaml.state);
    expect(errs.length).toBeGreaterThan(0);
    expect(
      errs.every(
        (e) => e.location?.file === 'p/bad.yaml' && e.message.startsWith('Not a valid KFP pipeline: YAML syntax error'),
      ),
    ).toBe(true);
    expect(new Set(errs.map(where)).size).toBe(errs.length); // not repeated for the second entry
    expect(notYaml.state.namespaces[0]!.jobs).toEqual([]);
    const component = await onlyError({
      'p/c.yaml': 'name: my-component\nimplementation: {container: {image: x}}\n',
      ...runs((s) => s.replace('pipelines/train-model/RENDERED_PIPELINE/workflow.yaml', 'p/c.yaml')),
    });
    expect(component.message).toMatch(/Neither a KFP v1 Argo Workflow .* nor a KFP v2 IR/);
    expect(where(component)).toBe('p/c.yaml:1:1');
    const v2 = await onlyError({
      'p/v2.yaml': 'pipelineInfo: {name: x}\nroot: {}\nschemaVersion: 2.1.0\ncomponent: {}\n',
      ...runs((s) => s.replace('pipelines/train-model/RENDERED_PIPELINE/workflow.yaml', 'p/v2.yaml')),
    });
    expect(v2.message).toBe(
      "Not a valid KFP pipeline: Unknown top-level key 'component' in a KFP v2 pipeline spec. Did you mean 'components'?",
    );
    expect(where(v2)).toBe('p/v2.yaml:4:1');
  });

  test('a required pipeline input not given', async () => {
    const e = await onlyError(runs((s) => s.replace('      - name: dataset_uri\n        value: gs://b/d\n', '')));
    expect(e.message).toBe("pipeline 'train-model' requires 'dataset_uri', which is not given.");
    expect(where(e)).toBe('cfg/recurring_runs.yaml:4:5');
  });

  test('an unknown parameter, with a suggestion; a duplicated one', async () => {
    const e = await onlyError(
      runs((s) =>
        s
          .replace('- name: dataset_uri', '- name: dataset_url')
          .replace('    job:', '    job:')
          .replace('        value: "0.01"\n', '        value: "0.01"\n      - name: dataset_uri\n        value: x\n'),
      ),
    );
    expect(e.message).toBe(
      "Parameter 'dataset_url' is not an input of pipeline 'train-model'. Did you mean 'dataset_uri'?",
    );
    expect(e.location?.line).toBe(9);
    expect(e.fix).toBe('remove it, or use one of its inputs: learning_rate, epochs, dataset_uri.');
    const dup = await onlyError(
      runs((s) =>
        s.replace(
          '        value: "0.01"\n',
          '        value: "0.01"\n      - name: learning_rate\n        value: "0.02"\n',
        ),
      ),
    );
    expect(dup.message).toBe("Parameter 'learning_rate' is given twice (also at line 5).");
  });

  test('a v2 typed input given a value KFP would refuse', async () => {
    const e = await onlyError({
      'cfg/recurring_runs.yaml': `recurring_runs:
  - pipeline_source: {path: pipelines/batch-predict/RENDERED_PIPELINE/pipeline.yaml}
    pipeline_parameters:
      - {name: model_uri, value: "gs://m"}
      - {name: batch_size, value: "lots"}
    job: {enabled: true, name: s, experiment: exp, max_concurrency: 1, trigger: {catchup: false, interval_seconds: 60}}
`,
    });
    expect(e.message).toBe("Parameter 'batch_size' is an integer input; 'lots' is not a whole number.");
    expect(where(e)).toBe('cfg/recurring_runs.yaml:5:35');
  });

  test('valueFrom file missing', async () => {
    const e = await onlyError(
      runs((s) => s.replace('value: gs://b/d', 'valueFrom:\n          file_path: params/nope')),
    );
    expect(e.message).toBe("Parameter 'dataset_uri': 'params/nope' does not exist in the repository.");
    expect(where(e)).toBe('cfg/recurring_runs.yaml:9:22');
  });

  test('a missing valueFrom file does not hide the other parameter problems of the entry', async () => {
    const { state } = await load(
      runs((s) =>
        s
          .replace('value: gs://b/d', 'valueFrom:\n          file_path: params/nope')
          .replace('- name: learning_rate\n        value: "0.01"', '- name: learning_rat\n        value: "0.01"'),
      ),
    );
    expect(errors(state).map((e) => `${where(e)} ${e.message}`)).toEqual([
      "cfg/recurring_runs.yaml:4:5 pipeline 'train-model' requires 'learning_rate', which is not given.",
      "cfg/recurring_runs.yaml:5:15 Parameter 'learning_rat' is not an input of pipeline 'train-model'. Did you mean 'learning_rate'?",
      "cfg/recurring_runs.yaml:9:22 Parameter 'dataset_uri': 'params/nope' does not exist in the repository.",
    ]);
    expect(state.namespaces[0]!.jobs).toHaveLength(0);
  });

  test('a value out of range says which values are allowed', async () => {
    const e = await onlyError(runs((s) => s.replace('max_concurrency: 1', 'max_concurrency: 0')));
    expect(e.fix).toMatch(/Use a value >= 1\.$/);
  });

  test('path mixed with GitHub keys', async () => {
    const e = await onlyError(
      runs((s) => s.replace('      path: pipelines', '      github_owner: me\n      path: pipelines')),
    );
    expect(e.message).toBe(
      "pipeline_source has 'path' (a file in this repository) and 'github_owner' (a GitHub repository).",
    );
  });

  test('a remote source without GitHub access configured', async () => {
    const e = await onlyError(
      runs((s) =>
        s.replace(
          '      path: pipelines/train-model/RENDERED_PIPELINE/workflow.yaml',
          '      github_owner: o\n      github_repo: r\n      git_reference: main\n      file_path: w.yaml',
        ),
      ),
    );
    expect(e.message).toMatch(/Reading o\/r needs GitHub access/);
  });

  test('a GitHub source missing one key says which', async () => {
    const e = await onlyError(
      runs((s) =>
        s.replace(
          '      path: pipelines/train-model/RENDERED_PIPELINE/workflow.yaml',
          '      github_owner: o\n      github_repo: r\n      file_path: w.yaml',
        ),
      ),
    );
    expect(e.message).toBe(
      "recurring_runs[0].pipeline_source needs exactly one of 'path', 'github_owner' + 'github_repo' + 'git_reference' + 'file_path' or 'kfp_pipeline'; missing 'git_reference'.",
    );
    expect(e.location?.line).toBe(3);
  });
});

describe('files and YAML refused before anything else', () => {
  test('YAML syntax error, duplicate key, alias bomb, oversized file', async () => {
    const syntax = errors((await load(runs((s) => s.replace('name: train', 'name: [train')))).state);
    expect(syntax[0]).toMatchObject({
      message: expect.stringMatching(/^YAML syntax error/),
      location: { file: 'cfg/recurring_runs.yaml', line: 12 },
    });
    const dup = await onlyError(runs((s) => s.replace('name: train', 'name: train\n      name: again')));
    expect(dup.message).toMatch(/^YAML duplicate key/);
    // The parser's reason ends with a period before the fix.
    expect(dup.message).toBe('YAML duplicate key: Map keys must be unique.');
    expect(dup.location?.line).toBe(12);
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`),
    ].join('\n');
    const bombed = await onlyError({ 'cfg/experiments.yaml': bomb + '\n' });
    expect(bombed.message).toMatch(/YAML refused/);
    const big = await onlyError({ 'cfg/experiments.yaml': `experiments:\n${'  - name: x\n'.repeat(500_000)}` });
    expect(big.message).toMatch(/over the 5242880-byte limit/);
  });

  test('an empty file and a missing file', async () => {
    const empty = await onlyError({ 'cfg/experiments.yaml': '# nothing yet\n' });
    expect(empty.message).toBe("The file is empty: it must hold a 'experiments:' list.");
    const twoDocs = await onlyError({ 'cfg/experiments.yaml': EXPERIMENTS + '---\nexperiments: []\n' });
    expect(twoDocs).toMatchObject({
      message: 'cfg/experiments.yaml holds 2 YAML documents; a config file is one.',
      location: { line: 4 },
    });
    const repo = await TempRepo.create({ 'cfg/experiments.yaml': EXPERIMENTS });
    repos.push(repo);
    const state = await loadDesiredState(['cfg'], { root: repo.dir });
    expect(errors(state).map((e) => e.message)).toEqual(["Config folder 'cfg' has no recurring_runs.yaml (or .yml)."]);
    expect(state.namespaces).toEqual([]);
  });

  test('both .yaml and .yml', async () => {
    const e = await onlyError({ 'cfg/experiments.yml': EXPERIMENTS });
    expect(e.message).toBe("Config folder 'cfg' has both experiments.yaml and experiments.yml.");
  });
});

test('ALL errors are collected across files and folders, sorted by place', async () => {
  const { state } = await load(
    {
      'cfg/recurring_runs.yaml': RUNS.replace('max_concurrency: 1', 'max_concurrency: 0').replace(
        '"0 30 2 * * *"',
        '"bad"',
      ),
      'other/experiments.yaml': EXPERIMENTS.replace('description: "the experiment"', 'descripton: x'),
      'other/recurring_runs.yaml': RUNS.replace('experiment: exp', 'experiment: nope').replace('learning_rate', 'lr'),
    },
    ['cfg', 'other'],
  );
  expect(errors(state).map((e) => `${where(e)} ${e.message}`)).toEqual([
    'cfg/recurring_runs.yaml:13:24 recurring_runs[0].job.max_concurrency must be >= 1, not 0.',
    "other/experiments.yaml:3:5 Unknown key 'descripton' in experiments[0]. Did you mean 'description'?",
    "other/recurring_runs.yaml:4:5 pipeline 'train-model' requires 'learning_rate', which is not given.",
    "other/recurring_runs.yaml:5:15 Parameter 'lr' is not an input of pipeline 'train-model'.",
    "other/recurring_runs.yaml:12:19 Experiment 'nope' is not declared in experiments.yaml of this folder.",
  ]);
  // The schema-invalid entry is not checked further (no cascade: its bad cron is not reported);
  // the other entry's errors are all reported; neither entry is in the state.
  expect(state.namespaces.map((n) => [n.namespace, n.jobs.length])).toEqual([
    ['cfg', 0],
    ['other', 0],
  ]);
});
