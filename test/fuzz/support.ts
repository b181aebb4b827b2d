import { expect } from '@jest/globals';
import fc from 'fast-check';
import type { InProcessRun } from '../support/in-process.js';

/**
 * The fuzzers of issue 11, kept in the suite: bounded (numRuns) and seeded, so a run is fast and the
 * same inputs are tried every time; a failure prints the seed and path fast-check needs to replay it.
 */
export const FUZZ = { seed: 11, numRuns: Number(process.env.FUZZ_RUNS) || undefined } as const;

/** A credential given to every run; it must appear in no output, summary or log line. */
export const SECRET = 'kfpgitops_fuzz_secret_7Qx9';

/** A V8 stack frame: `    at fn (file.js:1:2)`. */
const STACK_FRAME = /\n\s+at (?:.+ \()?[^\s()]+:\d+:\d+\)?/;

/**
 * What every run must show, whatever its input: exit 0 or 1, no internal failure or stack trace,
 * every error annotation at a file and line, and no secret anywhere a user (or a PR) can read it.
 */
export function expectWellBehaved(r: InProcessRun): void {
  expect([0, 1]).toContain(r.code);
  expect(r.failure ?? '').not.toMatch(/failed unexpectedly/);
  expect(r.everything).not.toMatch(STACK_FRAME);
  expect(r.everything).not.toContain(SECRET);
  for (const a of r.annotations.filter((x) => x.kind === 'error')) {
    expect({ message: a.message, file: a.file, line: a.line }).toEqual({
      message: a.message,
      file: expect.any(String),
      line: expect.any(Number),
    });
  }
  if (r.code === 1) expect(r.annotations.some((a) => a.kind === 'error') || !!r.failure).toBe(true);
}

/** Text that breaks parsers and checkers: controls, bidi, quotes, YAML syntax, huge and odd numbers. */
export const NASTY = [
  '\0',
  '\u202E',
  '\uFFFD',
  '\t',
  '"',
  "'",
  ':',
  ': ',
  '#',
  '&a ',
  '*a',
  '<<: *a',
  '{',
  '}',
  '[',
  ']',
  '- ',
  '\\',
  '---',
  '9007199254740993',
  '1e309',
  '-1',
  '0',
  '.nan',
  '.inf',
  '~',
  'null',
  'true',
  '[]',
  '{}',
  'é'.repeat(70),
  'x'.repeat(140),
  '../../etc/passwd',
  '/etc/passwd',
  '2026-02-30',
  '@every 0s',
  '0 0 0 31 2 *',
];

export type Mutation =
  | { kind: 'insert'; line: number; col: number; text: string }
  | { kind: 'replace-value'; line: number; text: string }
  | { kind: 'delete-line'; line: number }
  | { kind: 'duplicate-line'; line: number }
  | { kind: 'truncate'; at: number };

export const arbMutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    line: fc.nat(60),
    col: fc.nat(40),
    text: fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 6 })),
  }),
  fc.record({
    kind: fc.constant('replace-value' as const),
    line: fc.nat(60),
    text: fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 8 })),
  }),
  fc.record({ kind: fc.constant('delete-line' as const), line: fc.nat(60) }),
  fc.record({ kind: fc.constant('duplicate-line' as const), line: fc.nat(60) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(3000) }),
);

/** Apply mutations to a text, line-wise (indices wrap around, so every mutation lands somewhere). */
export function mutate(text: string, mutations: readonly Mutation[]): string {
  let lines = text.split('\n');
  for (const m of mutations) {
    const i = 'line' in m ? m.line % Math.max(1, lines.length) : 0;
    const line = lines[i] ?? '';
    switch (m.kind) {
      case 'insert':
        lines[i] = line.slice(0, m.col) + m.text + line.slice(m.col);
        break;
      case 'replace-value':
        lines[i] = /^(\s*(?:- )?[\w.-]+:\s)/.test(line)
          ? line.replace(/^(\s*(?:- )?[\w.-]+:\s).*$/, `$1${m.text}`)
          : line;
        break;
      case 'delete-line':
        lines.splice(i, 1);
        break;
      case 'duplicate-line':
        lines.splice(i, 0, line);
        break;
      case 'truncate':
        lines = lines.join('\n').slice(0, m.at).split('\n');
        break;
    }
  }
  return lines.join('\n');
}
