import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { repoRoot } from '../support/paths.js';
import { DEPLOYKF_EXPERIMENTS, DEPLOYKF_RECURRING_RUNS } from './deploykf-fixture.js';
import { parseConfigDate } from '../../src/config/dates.js';
import { describeTrigger, nextRuns, desiredStateMarkdown } from '../../src/config/report.js';
import { formatDurationExact } from '../../src/lib/duration.js';
import { parseCron } from '../../src/kfp/cron.js';
import type { DesiredState, Trigger } from '../../src/config/types.js';

const schemaFile = (name: string) => path.join(repoRoot, 'schemas', `${name}.schema.json`);
const readSchema = (name: string) => JSON.parse(fs.readFileSync(schemaFile(name), 'utf8'));

describe('the published JSON Schemas (what editors load)', () => {
  // A plain draft-07 validator, as editors have: no kfp-gitops code involved.
  const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, strictRequired: false });
  const validate = {
    experiments: ajv.compile(readSchema('experiments')),
    recurring_runs: ajv.compile(readSchema('recurring_runs')),
  };

  test('both are draft-07 schemas that compile in strict mode', () => {
    for (const name of ['experiments', 'recurring_runs'])
      expect(readSchema(name).$schema).toBe('http://json-schema.org/draft-07/schema#');
  });

  test("deployKF's files and the examples validate; typical mistakes do not", () => {
    expect(validate.experiments(parse(DEPLOYKF_EXPERIMENTS))).toBe(true);
    expect(validate.recurring_runs(parse(DEPLOYKF_RECURRING_RUNS))).toBe(true);
    const dir = path.join(repoRoot, 'examples/schedules/team-ml');
    expect(validate.experiments(parse(fs.readFileSync(path.join(dir, 'experiments.yaml'), 'utf8')))).toBe(true);
    expect(validate.recurring_runs(parse(fs.readFileSync(path.join(dir, 'recurring_runs.yaml'), 'utf8')))).toBe(true);
    const runs = parse(DEPLOYKF_RECURRING_RUNS);
    runs.recurring_runs[0].job.trigger.interval_seconds = 60; // both cron and interval
    expect(validate.recurring_runs(runs)).toBe(false);
    expect(
      validate.recurring_runs(parse(DEPLOYKF_RECURRING_RUNS.replace('max_concurrency: 1', 'max_concurrency: 11'))),
    ).toBe(false);
    expect(
      validate.recurring_runs(
        parse(DEPLOYKF_RECURRING_RUNS.replace('keep_history: 5', 'keep_history: 5\n    keep_histroy: 1')),
      ),
    ).toBe(false);
  });

  test('the examples point editors at these files', () => {
    for (const name of ['experiments', 'recurring_runs']) {
      const file = path.join(repoRoot, `examples/schedules/team-ml/${name}.yaml`);
      const modeline = /# yaml-language-server: \$schema=(\S+)/.exec(fs.readFileSync(file, 'utf8'))![1]!;
      expect(path.resolve(path.dirname(file), modeline)).toBe(schemaFile(name));
    }
  });

  test('keep_history is documented: older versions besides the newest, default 5, -1 keeps all', () => {
    const kh = readSchema('recurring_runs').definitions.recurringRun.properties.keep_history;
    expect(kh).toMatchObject({ type: 'integer', minimum: -1, default: 5 });
    expect(kh.description).toMatch(/OLDER versions .* besides the newest/);
    expect(kh.description).toMatch(/-1 keeps all/);
  });
});

describe('parseConfigDate', () => {
  test.each([
    ['2026-03-01', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T06:30:00Z', '2026-03-01T06:30:00.000Z'],
    ['2026-03-01T06:30:00', '2026-03-01T06:30:00.000Z'],
    ['2026-03-01 06:30:00.5 +02:00', '2026-03-01T04:30:00.500Z'],
    ['2026-03-01T06:30:00-0130', '2026-03-01T08:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('%s → %s', (text, iso) => {
    expect(parseConfigDate(text)?.toISOString()).toBe(iso);
  });

  test.each(['2023-02-29', '2026-13-01', '2026-01-01T24:00:00Z', '01/02/2026', 'tomorrow'])('%s is refused', (text) => {
    expect(parseConfigDate(text)).toBeUndefined();
  });
});

describe('summary pieces (clock injected)', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const cron = (expr: string, window: Partial<Pick<Trigger, 'start' | 'end'>> = {}): Trigger => {
    const r = parseCron(expr);
    if (!r.ok) throw new Error(r.error);
    return { type: 'cron', cron: expr, schedule: r.schedule, ...window };
  };
  const iso = (ds: Date[] | undefined) => ds?.map((d) => d.toISOString());

  test('next fire times follow KFP: after max(now, start_date), none after end_date', () => {
    expect(iso(nextRuns(cron('0 30 2 * * *'), now))).toEqual([
      '2026-06-02T02:30:00.000Z',
      '2026-06-03T02:30:00.000Z',
      '2026-06-04T02:30:00.000Z',
    ]);
    expect(iso(nextRuns(cron('@daily', { start: new Date('2026-07-01T00:00:00Z') }), now))).toEqual([
      '2026-07-02T00:00:00.000Z',
      '2026-07-03T00:00:00.000Z',
      '2026-07-04T00:00:00.000Z',
    ]);
    expect(iso(nextRuns(cron('@daily', { end: new Date('2026-06-02T12:00:00Z') }), now))).toEqual([
      '2026-06-02T00:00:00.000Z',
    ]);
    expect(
      iso(nextRuns({ type: 'interval', intervalSeconds: 3600, start: new Date('2026-06-02T00:00:00Z') }, now)),
    ).toEqual(['2026-06-02T01:00:00.000Z', '2026-06-02T02:00:00.000Z', '2026-06-02T03:00:00.000Z']);
    expect(nextRuns({ type: 'interval', intervalSeconds: 3600 }, now)).toBeUndefined();
  });

  test('triggers and durations in words', () => {
    expect(describeTrigger(cron('0 30 2 * * *', { start: new Date('2026-01-01T00:00:00Z') }))).toBe(
      'At 02:30 (`0 30 2 * * *`), from 2026-01-01 00:00 UTC',
    );
    expect(describeTrigger({ type: 'interval', intervalSeconds: 5400 })).toBe('Every 1 h 30 min');
    expect(formatDurationExact(90061)).toBe('1 d 1 h 1 min 1 s');
  });

  test('the summary lists problems with their place and fix', () => {
    const state: DesiredState = {
      namespaces: [
        {
          folder: 'cfg',
          namespace: 'cfg',
          experimentsFile: 'cfg/experiments.yaml',
          recurringRunsFile: 'cfg/recurring_runs.yaml',
          experiments: [],
          jobs: [],
        },
      ],
      diagnostics: [
        { message: 'Bad | thing', location: { file: 'cfg/recurring_runs.yaml', line: 3, column: 5 }, fix: 'do it' },
      ],
    };
    const md = desiredStateMarkdown(state, now);
    expect(md).toContain('## ❌ Schedule configs: 1 error(s)');
    expect(md).toContain('No valid schedules.');
    expect(md).toContain('| ❌ | `cfg/recurring_runs.yaml:3:5` | Bad \\| thing | do it |');
  });

  test('problems render as written: user values are not read as emphasis or HTML', () => {
    const state: DesiredState = {
      namespaces: [],
      diagnostics: [
        {
          message: "Duplicate job name '__nightly__' in <team>.",
          location: { file: 'cfg/recurring_runs.yaml', line: 3 },
          fix: "rename '*/5 * * * *'",
        },
      ],
    };
    expect(desiredStateMarkdown(state, now)).toContain(
      "| Duplicate job name '\\_\\_nightly\\_\\_' in \\<team\\>. | rename '\\*/5 \\* \\* \\* \\*' |",
    );
  });
});
