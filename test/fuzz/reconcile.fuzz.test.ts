import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { TempRepo } from '../support/git-repo.js';
import { runInProcess } from '../support/in-process.js';
import { repoRoot } from '../support/paths.js';
import { FUZZ, SECRET, arbMutation, expectWellBehaved, mutate } from './support.js';

const FOLDER = 'schedules/team-fuzz';
let emu: KfpEmulator;
let repo: TempRepo;
beforeAll(async () => {
  emu = await startKfpEmulator({ auth: { tokens: [SECRET] } });
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  await fs.rm(repo.path('schedules/team-ml'), { recursive: true });
});
afterAll(async () => {
  await emu.close();
  await repo.remove();
});

const quoted = (s: string) => JSON.stringify(s); // a JSON string is a YAML double-quoted scalar

const arbJob = fc.record({
  name: fc.constantFrom('train-a', 'train-b', 'score-a', 'score-ü'),
  experiment: fc.constantFrom('exp-1', 'exp-2'),
  train: fc.boolean(),
  enabled: fc.boolean(),
  keepHistory: fc.constantFrom(undefined, -1, 0, 1, 2),
  maxConcurrency: fc.integer({ min: 1, max: 3 }),
  trigger: fc.oneof(
    fc.constantFrom('cron: "0 30 2 * * *"', 'cron: "@daily"', 'cron: "0 0 */6 * * *"'),
    fc.constantFrom('interval_seconds: 3600', 'interval_seconds: 86400'),
  ),
  catchup: fc.boolean(),
  description: fc.oneof(
    fc.constant('~'),
    fc.string({ minLength: 1, maxLength: 12 }).map(quoted),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }).map(quoted),
  ),
  batch: fc.integer({ min: 1, max: 512 }),
  value: fc.oneof(
    fc.string({ maxLength: 10 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.constantFrom('0.01', '', 'a: b # c'),
  ),
});

/** A config folder: two experiments and up to three schedules, valid unless a value is one KFP cannot take. */
const arbConfig = fc.uniqueArray(arbJob, { selector: (j) => j.name, minLength: 1, maxLength: 3 }).map((jobs) => ({
  experiments: 'experiments:\n  - name: exp-1\n  - name: exp-2\n    description: "the second"\n',
  recurring_runs: `recurring_runs:\n${jobs
    .map(
      (j) => `  - pipeline_source:
      path: pipelines/${j.train ? 'train-model/RENDERED_PIPELINE/workflow.yaml' : 'batch-predict/RENDERED_PIPELINE/pipeline.yaml'}
    pipeline_parameters:
${j.train ? `      - name: learning_rate\n        value: ${quoted(j.value)}\n      - name: dataset_uri\n        value: "gs://b/d"` : `      - name: model_uri\n        valueFrom:\n          path: pipelines/batch-predict/RENDERED_PIPELINE/params/model_uri\n      - name: batch_size\n        value: "${j.batch}"`}
${j.keepHistory === undefined ? '' : `    keep_history: ${j.keepHistory}\n`}    job:
      enabled: ${j.enabled}
      name: ${j.name}
      description: ${j.description}
      experiment: ${j.experiment}
      max_concurrency: ${j.maxConcurrency}
      trigger:
        catchup: ${j.catchup}
        ${j.trigger}
`,
    )
    .join('')}`,
}));

/** Sometimes a commit is broken by hand: then nothing may be written. */
const arbCommit = fc.record({
  config: arbConfig,
  mutations: fc.oneof(
    { arbitrary: fc.constant([]), weight: 4 },
    { arbitrary: fc.array(arbMutation, { minLength: 1, maxLength: 2 }), weight: 1 },
  ),
});

const reconcile = (mode: 'plan' | 'apply') =>
  runInProcess(
    'push-reconcile',
    { 'config-folders': 'schedules/*', 'kfp-host': emu.url, 'kfp-token': SECRET, mode },
    { workspace: repo.dir, env: { GITHUB_SHA: '0123456789abcdef0123' } },
  );

test('plan → apply → plan over random commits converges, writes nothing for a bad config, and never leaks the token', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(arbCommit, { minLength: 1, maxLength: 3 }), async (commits) => {
      for (const id of [...emu.state.jobs.keys()]) emu.state.jobs.delete(id);
      for (const id of [...emu.state.experiments.keys()]) emu.state.experiments.delete(id);
      let lastApplied = false;
      for (const { config, mutations } of commits) {
        await repo.write({
          [`${FOLDER}/experiments.yaml`]: config.experiments,
          [`${FOLDER}/recurring_runs.yaml`]: mutate(config.recurring_runs, mutations),
        });
        const before = emu.log.writes;
        const plan = await reconcile('plan');
        expectWellBehaved(plan);
        expect(emu.log.writes).toBe(before);
        const apply = await reconcile('apply');
        expectWellBehaved(apply);
        // A config with an error is refused whole: not one write.
        if (apply.outputs.plan === '[]') expect(emu.log.writes).toBe(before);
        lastApplied = apply.code === 0;
      }
      if (lastApplied) {
        const again = await reconcile('plan');
        expectWellBehaved(again);
        expect(again.outputs.changes).toBe('0');
      }
    }),
    { ...FUZZ, numRuns: FUZZ.numRuns ?? 20 },
  );
}, 120_000);
