import { describe, expect, test } from '@jest/globals';
import { UserError } from '../../src/lib/errors.js';
import fc from 'fast-check';
import { differingPaths, locate, parseYaml, sameData, toData, withoutKeys } from '../../src/lib/yaml.js';

function diagnosticsOf(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err.diagnostics;
    throw err;
  }
  throw new Error('expected a UserError');
}

describe('YAML with source positions', () => {
  test('an empty file (only comments) is no data, not a crash', () => {
    expect(toData(parseYaml('# nothing here yet\n', 'f.yaml'))).toBeUndefined();
  });

  test('values are located at file:line:col', () => {
    const yf = parseYaml('jobs:\n  - name: a\n    cron: "0 0 * * * *"\n', 'f.yaml');
    expect(locate(yf, ['jobs', 0, 'cron'])).toMatchObject({ file: 'f.yaml', line: 3, column: 11 });
    expect(locate(yf, ['jobs', 0, 'cron'], { key: true })).toMatchObject({ line: 3, column: 5 });
  });

  test('duplicate keys and syntax errors are located, with a fix', () => {
    const [dup] = diagnosticsOf(() => parseYaml('a: 1\nb: 2\na: 3\n', 'f.yaml'));
    expect(dup).toMatchObject({ location: { file: 'f.yaml', line: 3 }, fix: expect.stringContaining('duplicated') });
    const syntax = diagnosticsOf(() => parseYaml('a: [1,\nb: 2\n', 'f.yaml'));
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax[0]!.location?.line).toBeGreaterThanOrEqual(1);
  });

  test('alias bombs and oversized files are refused', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
            .fill(`*${String.fromCharCode(97 + i)}`)
            .join(', ')}]`,
      ),
    ].join('\n');
    expect(() => toData(parseYaml(bomb, 'bomb.yaml'))).toThrow(/YAML refused/);
    expect(diagnosticsOf(() => parseYaml('x'.repeat(100), 'big.yaml', { maxBytes: 10 }))[0]!.message).toContain(
      'over the 10-byte limit',
    );
  });
});

describe('sameData', () => {
  const ignore = new Set(['compiled_at']);
  // Data as JSON and YAML give it (no undefined in arrays), with an ignored key and an undefined value here and there.
  const data = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(null, true, false, 0, 1, 'a', 'b'),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'compiled_at'), fc.oneof(tie('value'), fc.constant(undefined)), {
        maxKeys: 3,
      }),
    ),
  })).value;

  test('agrees with differingPaths on the data stripped of ignored keys (what diffSpecs compares)', () => {
    fc.assert(
      fc.property(data, data, (a, b) => {
        const differs = differingPaths(withoutKeys(a, ignore), withoutKeys(b, ignore)).length > 0;
        expect(sameData(a, b, ignore)).toBe(!differs);
        expect(sameData(a, a, ignore)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  test('ignored keys at any depth, absent equals undefined, arrays by position', () => {
    expect(sameData({ x: { compiled_at: 1, y: [1] } }, { x: { compiled_at: 2, y: [1] } }, ignore)).toBe(true);
    expect(sameData({ a: undefined }, {}, ignore)).toBe(true);
    expect(sameData({ a: 1 }, {}, ignore)).toBe(false);
    expect(sameData([1, 2], [2, 1], ignore)).toBe(false);
    expect(sameData([1], { 0: 1 }, ignore)).toBe(false);
  });
});
