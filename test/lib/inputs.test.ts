import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type ContextOf, execute } from '../../src/lib/action.js';
import { cliHost } from '../../src/lib/cli-host.js';
import { parseInputs } from '../../src/lib/inputs.js';
import type { ActionSpec } from '../../src/lib/spec.js';
import { UserError } from '../../src/lib/errors.js';
import { actionHelp, parseActionArgs } from '../../src/cli/args.js';
import { spec as pushReconcile } from '../../src/actions/push-reconcile/spec.js';

const spec = {
  name: 'demo',
  title: 'demo',
  description: 'A made-up action with one input of every kind.',
  inputs: {
    name: { kind: 'string', description: 'A name.', default: 'anon' },
    note: { kind: 'string', description: 'An optional note.' },
    token: { kind: 'secret', description: 'A token.' },
    dry: { kind: 'boolean', description: 'Dry run.', default: 'false' },
    // A string whose default merely looks boolean: the CLI must not treat it as a flag without a value.
    answer: { kind: 'string', description: 'An answer.', default: 'true' },
    count: { kind: 'integer', description: 'How many.', default: '4', min: 1, max: 64 },
    mode: { kind: 'enum', description: 'Mode.', values: ['plan', 'apply'], default: 'plan' },
    wait: { kind: 'duration', description: 'How long.', default: '2m' },
    keys: { kind: 'list', description: 'Keys.' },
    dir: { kind: 'path', folder: true, description: 'A folder.', default: '.' },
    file: { kind: 'path', description: 'A file.' },
  },
  outputs: {},
} as const satisfies ActionSpec;

let workspace: string;
beforeAll(() => {
  workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'inputs-')));
  fs.mkdirSync(path.join(workspace, 'sub'));
  fs.writeFileSync(path.join(workspace, 'sub', 'f.txt'), 'x');
});
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

function host(values: Record<string, string>) {
  const secrets: string[] = [];
  return {
    secrets,
    ...cliHost({ inputs: new Map(Object.entries(values)) }),
    setSecret: (s: string) => secrets.push(s),
  };
}
const parse = (values: Record<string, string>) => parseInputs(spec, host(values), workspace);
function problems(values: Record<string, string>): string {
  try {
    parse(values);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('the inputs were accepted');
}

describe('parseInputs reads every input by its declared kind', () => {
  test('defaults, trimming, and empty optional values', () => {
    expect(parse({ keys: '\n a \n# comment\n\nb\n', note: '  hi  ' })).toEqual({
      name: 'anon',
      note: 'hi',
      token: undefined,
      dry: false,
      answer: 'true',
      count: 4,
      mode: 'plan',
      wait: 120,
      keys: ['a', 'b'],
      dir: workspace,
      file: undefined,
    });
  });

  test('each kind converts its text', () => {
    const v = parse({
      dry: 'TRUE',
      count: '64',
      mode: 'apply',
      wait: '1d12h',
      dir: 'sub',
      file: 'sub/f.txt',
      token: 't0k',
    });
    expect([v.dry, v.count, v.mode, v.wait, v.dir, v.file, v.token]).toEqual([
      true,
      64,
      'apply',
      129600,
      path.join(workspace, 'sub'),
      path.join(workspace, 'sub', 'f.txt'),
      't0k',
    ]);
  });

  test('errors name the input, the expected form and the value given', () => {
    expect(problems({ dry: 'yes' })).toBe('Input \'dry\' must be true or false (got "yes").');
    expect(problems({ count: '0' })).toBe('Input \'count\' must be a whole number ≥ 1 and ≤ 64 (got "0").');
    expect(problems({ count: '65' })).toBe('Input \'count\' must be a whole number ≥ 1 and ≤ 64 (got "65").');
    expect(problems({ count: '2.5' })).toBe('Input \'count\' must be a whole number ≥ 1 and ≤ 64 (got "2.5").');
    expect(problems({ mode: 'destroy' })).toBe('Input \'mode\' must be one of plan | apply (got "destroy").');
    expect(problems({ wait: '2 hours' })).toMatch(/^Input 'wait' must be a duration such as 24h/);
    expect(problems({ dir: 'sub/f.txt' })).toBe(
      `Input 'dir' is 'sub/f.txt', but ${path.join(workspace, 'sub/f.txt')} is not a folder. Fix: give a folder inside the checkout (relative to ${workspace}), or leave it empty for the checkout itself.`,
    );
    expect(problems({ file: '../outside' })).toMatch(/^Input 'file': '..\/outside' is outside the repository checkout/);
  });

  test('every problem at once, missing required inputs included', () => {
    const required = {
      ...spec,
      inputs: { ...spec.inputs, need: { kind: 'list', description: 'Needed.', required: true } },
    } as const;
    let message = '';
    try {
      parseInputs(required, host({ need: '# only a comment', dry: 'maybe', mode: 'x' }), workspace);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'Input \'dry\' must be true or false (got "maybe").',
      'Input \'mode\' must be one of plan | apply (got "x").',
      "Input required and not supplied: need. Fix: set the input 'need' (CLI: --need): Needed.",
    ]);
  });

  test('secrets are masked before any problem is reported', () => {
    const h = host({ token: 's3cret', dry: 'nope' });
    expect(() => parseInputs(spec, h, workspace)).toThrow(/dry/);
    expect(h.secrets).toEqual(['s3cret']);
  });
});

describe('execute() parses the inputs before loading the action', () => {
  test('a bad input fails without loading main; a secret given as another value is redacted', async () => {
    let loaded = false;
    const failures: string[] = [];
    const h = {
      ...cliHost({
        inputs: new Map([
          ['token', 'hunter2'],
          ['dry', 'hunter2'],
        ]),
      }),
      fail: (m: string) => void failures.push(m),
    };
    const code = await execute(
      spec,
      async () => {
        loaded = true;
        return async () => undefined;
      },
      h,
      { GITHUB_WORKSPACE: workspace },
    );
    expect([code, loaded]).toEqual([1, false]);
    expect(failures).toEqual(['Input \'dry\' must be true or false (got "***").']);
  });

  test('main gets the typed values', async () => {
    let got: ContextOf<typeof spec>['inputs'] | undefined;
    const h = cliHost({ inputs: new Map([['count', '7']]) });
    const main = async (ctx: ContextOf<typeof spec>) => void (got = ctx.inputs);
    expect(await execute(spec, async () => main, h, { GITHUB_WORKSPACE: workspace })).toBe(0);
    expect(got?.count).toBe(7);
  });
});

describe('the CLI reads the declared kinds', () => {
  test('a boolean input is a flag by its kind, not by its default', () => {
    expect(parseActionArgs(spec, ['--dry', '--count', '3']).inputs).toEqual(
      new Map([
        ['dry', 'true'],
        ['count', '3'],
      ]),
    );
    expect(parseActionArgs(spec, ['--no-dry']).inputs.get('dry')).toBe('false');
    // `answer` defaults to "true" but is a string: it takes the next argument as its value.
    expect(parseActionArgs(spec, ['--answer', 'yes']).inputs.get('answer')).toBe('yes');
    expect(() => parseActionArgs(spec, ['--no-answer'])).toThrow(/Unknown flag '--no-answer'/);
    expect(() => parseActionArgs(spec, ['--answer'])).toThrow("Flag '--answer' needs a value.");
  });

  test('--help shows allowed values and ranges', () => {
    const help = actionHelp(pushReconcile);
    expect(help).toContain('--mode (default: "plan")');
    expect(help).toContain('One of `plan`, `apply`.');
    expect(help).toContain('One of `none`, `disable`, `delete`.');
    expect(help).toContain('A whole number from 1 to 64.');
    expect(help).toContain('`true` or `false`. --comment alone means true, --no-comment false.');
  });
});

test('inputs are typed by the spec: a misspelled name does not compile', () => {
  const typed = (ctx: ContextOf<typeof pushReconcile>) => {
    const mode: 'plan' | 'apply' = ctx.inputs.mode;
    const parallelism: number = ctx.inputs.parallelism;
    const folders: string[] = ctx.inputs['config-folders'];
    const namespace: string | undefined = ctx.inputs.namespace;
    // @ts-expect-error: no input 'paralellism' (typo) in push-reconcile's spec
    const typo = ctx.inputs.paralellism;
    // @ts-expect-error: an optional input may be undefined
    const token: string = ctx.inputs['github-token'];
    return [mode, parallelism, folders, namespace, typo, token];
  };
  expect(typeof typed).toBe('function');
});
