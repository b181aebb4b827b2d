import { describe, expect, test } from '@jest/globals';
import { UserError } from '../../src/lib/errors.js';
import { parseYaml } from '../../src/lib/yaml.js';
import { expandRule, parseThresholds, patternToRegExp, suggestFor } from '../../src/gate/thresholds.js';

const parse = (text: string) => parseThresholds(parseYaml(text, 'quality/thresholds.yaml'));

function problems(text: string): { message: string; line?: number; fix?: string }[] {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as UserError).diagnostics.map((d) => ({ message: d.message, line: d.location?.line, fix: d.fix }));
  }
  throw new Error('expected the thresholds to be refused');
}

describe('parseThresholds', () => {
  test('reads checks, warn bands, optional and where each check is', () => {
    const rules = parse(`accuracy:
  min: 0.85
  warn:
    min: 0.9
latency_ms: {max: 50, min_relative_change: -0.1}
"precision.area-*": {min: "0.3", optional: true}
`);
    expect(rules.map((r) => r.pattern)).toEqual(['accuracy', 'latency_ms', 'precision.area-*']);
    const [acc, lat, prec] = rules;
    expect(acc!.hard).toEqual({ min: 0.85 });
    expect(acc!.warn).toEqual({ min: 0.9 });
    expect(acc!.at.line).toBe(1);
    expect(acc!.checkAt['min']?.line).toBe(2);
    expect(acc!.checkAt['warn.min']?.line).toBe(4);
    expect(lat!.greaterIsBetter).toBe(false); // direction from max
    expect(lat!.checkAt['min_relative_change']?.line).toBe(5);
    expect(prec!.hard).toEqual({ min: 0.3 }); // numeric strings are numbers
    expect(prec!.optional).toBe(true);
  });

  test("MLflow's threshold + greater_is_better is min or max", () => {
    const [a, b] = parse(
      'auc: {threshold: 0.8, greater_is_better: true}\nloss: {threshold: 0.2, greater_is_better: false}\n',
    );
    expect(a!.hard).toEqual({ min: 0.8 });
    expect(b!.hard).toEqual({ max: 0.2 });
  });

  test('direction: min ⇒ higher is better, max ⇒ lower, explicit wins, ambiguous is an error', () => {
    expect(parse('f1: {min: 0.8, min_absolute_change: -0.01}')[0]!.greaterIsBetter).toBe(true);
    expect(parse('lat: {max: 50, min_absolute_change: -5}')[0]!.greaterIsBetter).toBe(false);
    expect(parse('lat: {min_absolute_change: -5, greater_is_better: false}')[0]!.greaterIsBetter).toBe(false);
    expect(parse('acc: {min: 0.5}')[0]!.greaterIsBetter).toBeUndefined(); // no change check: direction unused
    const [p] = problems('r2: {min: 0, max: 1, min_relative_change: 0}\nrecall:\n  min_absolute_change: -0.01\n').slice(
      0,
      1,
    );
    expect(p).toMatchObject({
      line: 1,
      message: expect.stringContaining('does not say which direction is better') as unknown as string,
    });
    expect(p!.fix).toContain('greater_is_better: true');
  });

  test('every problem at once, each with its line and a fix', () => {
    const found = problems(`accuracy: {min: 0.85}
f1_score: {mni: 0.8}
latency_ms: 50
recall: {min: high}
precision: {min: 0.9, max: 0.1}
auc: {optional: yes, min: 0.5}
loss: {}
kind: {min: 0.5, warn: {mn: 0.6}}
band: {min: 0.5, warn: 0.6}
`);
    expect(found.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    expect(found[0]!.message).toBe("Unknown key 'mni' in the rule for 'f1_score'. Did you mean 'min'?");
    expect(found[1]!.fix).toBe('write `latency_ms: {min: 50}` (or `max` when lower is better).');
    expect(found[2]!.message).toContain("'min' must be a finite number");
    expect(found[3]!.message).toContain("'min' (0.9) is above 'max' (0.1)");
    expect(found[4]!.message).toContain("'optional' must be true or false");
    expect(found[5]!.message).toContain('has no check');
    expect(found[6]!.message).toContain("Unknown key 'mn' in the warn band");
    expect(found[7]!.message).toContain("'warn' must be a mapping");
  });

  test('NaN and infinite bounds are refused', () => {
    expect(problems('a: {min: .nan}')[0]!.message).toContain('finite number');
    expect(problems('a: {max: .inf}')[0]!.message).toContain('finite number');
  });

  test('empty, non-mapping and multi-document files are refused', () => {
    expect(() => parse('')).toThrow('The thresholds are empty');
    expect(() => parse('- accuracy\n')).toThrow('must be a mapping of metric names');
    expect(() => parse('a: {min: 1}\n---\nb: {min: 1}\n')).toThrow('one YAML document');
  });
});

describe('patterns', () => {
  test('* matches any text (dots included), ? one character, the rest literally', () => {
    expect(patternToRegExp('precision.area-*').test('precision.area-jupyter')).toBe(true);
    expect(patternToRegExp('precision.area-*').test('precisionXarea-jupyter')).toBe(false); // the dot is literal
    expect(patternToRegExp('*.kind-bug').test('recall.kind-bug')).toBe(true);
    expect(patternToRegExp('f?').test('f1')).toBe(true);
    expect(patternToRegExp('a+b').test('a+b')).toBe(true);
  });

  test('expandRule lists matching names sorted and once', () => {
    const [rule] = parse('"precision.*": {min: 0.3}');
    expect(expandRule(rule!, ['recall.x', 'precision.b', 'precision.a', 'precision.a'])).toEqual([
      'precision.a',
      'precision.b',
    ]);
    const [literal] = parse('accuracy: {min: 0.3}');
    expect(expandRule(literal!, ['accuracy', 'accuracy_top5'])).toEqual(['accuracy']);
  });

  test('did-you-mean for a mistyped name or pattern prefix', () => {
    const names = ['accuracy', 'precision.area-jupyter', 'precision.area-katib'];
    expect(suggestFor('acuracy', names)).toBe(" Did you mean 'accuracy'?");
    expect(suggestFor('precison.area-*', names)).toBe(" Did you mean 'precision.area-*'?");
    expect(suggestFor('precision.area-*x', names)).toBe('');
    expect(suggestFor('zzz*', names)).toBe('');
  });
});
