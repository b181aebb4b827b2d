import { describe, expect, test } from '@jest/globals';
import { UserError } from '../../src/lib/errors.js';
import { locate, parseYaml, toData } from '../../src/lib/yaml.js';

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
