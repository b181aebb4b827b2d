import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadDesiredState } from '../../src/config/load.js';
import type { Diagnostic } from '../../src/lib/errors.js';
import { repoRoot } from '../support/paths.js';

const EXPERIMENTS = 'experiments:\n  - name: exp\n';
const run = (o: { name?: string; trigger?: string; experiment?: string } = {}) => `recurring_runs:
  - pipeline_source:
      path: pipelines/train-model/RENDERED_PIPELINE/workflow.yaml
    pipeline_parameters:
      - name: learning_rate
        value: "0.01"
      - name: dataset_uri
        value: gs://b/d
    job:
      enabled: true
      name: ${o.name ?? 'train'}
      experiment: ${o.experiment ?? 'exp'}
      max_concurrency: 1
      trigger:
        catchup: false
        ${o.trigger ?? 'cron: "0 30 2 * * *"'}
`;

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bad-values-'));
  await fs.cp(path.join(repoRoot, 'examples/pipelines'), path.join(dir, 'pipelines'), { recursive: true });
  await fs.mkdir(path.join(dir, 'cfg'));
});
afterAll(async () => fs.rm(dir, { recursive: true, force: true }));

/** The errors of a config folder written with these files (raw bytes allowed). */
async function errorsOf(
  experiments: string | Buffer,
  runs: string | Buffer,
): Promise<{ errors: Diagnostic[]; jobs: number }> {
  await fs.writeFile(path.join(dir, 'cfg/experiments.yaml'), experiments);
  await fs.writeFile(path.join(dir, 'cfg/recurring_runs.yaml'), runs);
  const state = await loadDesiredState(['cfg'], { root: dir, now: new Date('2026-06-01T00:00:00Z') });
  return {
    errors: state.diagnostics.filter((d) => d.severity !== 'warning'),
    jobs: state.namespaces[0]?.jobs.length ?? 0,
  };
}

test('the base config is valid (so each case below fails for its own reason)', async () => {
  expect(await errorsOf(EXPERIMENTS, run())).toEqual({ errors: [], jobs: 1 });
});

describe('values the schema accepts but KFP cannot take are located errors', () => {
  test.each([
    [
      'interval_seconds above 2^53',
      { trigger: 'interval_seconds: 9007199254740993' },
      16,
      /^recurring_runs\[0\]\.job\.trigger\.interval_seconds is 9007199254740992, too large to be sent exactly/,
    ],
    [
      'interval_seconds above int64',
      { trigger: 'interval_seconds: 1e30' },
      16,
      /interval_seconds is 1e\+30, too large/,
    ],
    [
      'a NUL byte in a name',
      { name: '"train\\0x"' },
      11,
      /^recurring_runs\[0\]\.job\.name contains a NUL byte, which KFP cannot store\.$/,
    ],
    [
      'a bidi override in a name',
      { name: '"train\u202Egnp.exe"' },
      11,
      /job\.name contains the invisible bidirectional control U\+202E/,
    ],
    ['a control character in a name', { name: '"train\\tb"' }, 11, /job\.name contains the control character U\+0009/],
    [
      "a job name over KFP's limit once versioned (101 bytes)",
      { name: 'é'.repeat(51) },
      11,
      /job\.name is 102 bytes long, over the 101 bytes KFP can take here/,
    ],
  ])('%s', async (_what, o, line, message) => {
    const { errors, jobs } = await errorsOf(EXPERIMENTS, run(o));
    expect(errors.map((e) => [e.location?.file, e.location?.line, e.message])).toEqual([
      ['cfg/recurring_runs.yaml', line, expect.stringMatching(message)],
    ]);
    expect(errors[0]!.fix).toBeTruthy();
    expect(jobs).toBe(0);
  });

  test('a 101-byte job name is fine: its versions are exactly 128 bytes', async () => {
    expect((await errorsOf(EXPERIMENTS, run({ name: 'a'.repeat(101) }))).errors).toEqual([]);
  });

  test('an experiment name over 128 bytes (though not characters), and a NUL in a description', async () => {
    const long = 'é'.repeat(65);
    const { errors } = await errorsOf(
      `experiments:\n  - name: ${long}\n    description: "a\\0b"\n`,
      run({ experiment: long }),
    );
    expect(errors.map((e) => [e.location?.file, e.location?.line, e.message])).toEqual([
      ['cfg/experiments.yaml', 2, 'experiments[0].name is 130 bytes long, over the 128 bytes KFP can take here.'],
      ['cfg/experiments.yaml', 3, 'experiments[0].description contains a NUL byte, which KFP cannot store.'],
      [
        'cfg/recurring_runs.yaml',
        12,
        'recurring_runs[0].job.experiment is 130 bytes long, over the 128 bytes KFP can take here.',
      ],
    ]);
  });

  test('a file that is not UTF-8 is refused at the first bad byte', async () => {
    const latin1 = Buffer.concat([
      Buffer.from('experiments:\n  - name: exp\n    description: "caf'),
      Buffer.from([0xe9]),
      Buffer.from('"\n'),
    ]);
    const { errors } = await errorsOf(latin1, run());
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'The file is not valid UTF-8 (byte 0xe9 at offset 48).',
        location: expect.objectContaining({ file: 'cfg/experiments.yaml', line: 3, column: 22 }),
      }),
    ]);
  });
});
