import { describe, expect, test } from '@jest/globals';
import { UserError } from '../../src/lib/errors.js';
import { forAnnotations, loadThresholds, parseMetricsSource } from '../../src/gate/metrics-sources.js';

describe('parseMetricsSource: the documented syntax of metrics and baseline', () => {
  test.each([
    ['metrics/candidate.json', { kind: 'file', path: 'metrics/candidate.json' }],
    ['git:origin/main', { kind: 'git', ref: 'origin/main', path: undefined }],
    ['git:main:metrics/old.json', { kind: 'git', ref: 'main', path: 'metrics/old.json' }],
    ['mlflow:4f1c2a9e0b7d', { kind: 'mlflow-run', runId: '4f1c2a9e0b7d' }],
    ['mlflow:models:/label-bot@champion', { kind: 'mlflow-model', name: 'label-bot', alias: 'champion' }],
  ])('%s', (value, expected) => {
    expect(parseMetricsSource(value, 'baseline')).toEqual(expected);
  });

  test.each<[string, 'metrics' | 'baseline', string]>([
    ['git:', 'baseline', 'is not git:<ref> or git:<ref>:<path>'],
    ['git:main:', 'baseline', 'is not git:<ref> or git:<ref>:<path>'],
    ['git:main', 'metrics', "Input 'metrics' cannot be a git: reference"],
    ['mlflow:models:/label-bot/3', 'baseline', 'is not mlflow:models:/<name>@<alias>'],
    ['mlflow:runs:/abc/model', 'baseline', 'is not mlflow:<run-id>'],
  ])('%s as %s is refused with the fix', (value, input, message) => {
    expect(() => parseMetricsSource(value, input)).toThrow(UserError);
    expect(() => parseMetricsSource(value, input)).toThrow(message);
  });
});

describe('thresholds input', () => {
  test('inline YAML is parsed; its problems carry the line in the message, not a file', async () => {
    const ok = await loadThresholds('accuracy: {min: 0.9}', '/nowhere', '/nowhere');
    expect(ok.file).toBeUndefined();
    expect(ok.rules.map((r) => r.pattern)).toEqual(['accuracy']);
    const err = await loadThresholds('accuracy: {min: 0.9}\nf1: {mni: 0.8}\n', '/nowhere', '/nowhere').catch(
      (e: UserError) => e,
    );
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).diagnostics).toEqual([
      {
        message: "Unknown key 'mni' in the rule for 'f1'. Did you mean 'min'? (thresholds input:2:6)",
        fix: 'use only min, max, min_absolute_change, min_relative_change, threshold, greater_is_better, optional, warn, significance, max_failing, aggregate.',
        location: undefined,
      },
    ]);
  });

  test('a path that does not exist is named', async () => {
    await expect(loadThresholds('quality/thresholds.yml', '/work/x', '/work/x')).rejects.toThrow(
      "The thresholds file 'quality/thresholds.yml' does not exist.",
    );
  });

  test('forAnnotations leaves file diagnostics alone', () => {
    const d = [{ message: 'm', location: { file: 't.yaml', line: 3 } }];
    expect(forAnnotations('t.yaml', d)).toBe(d);
  });
});
