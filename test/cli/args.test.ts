import { describe, expect, test } from '@jest/globals';
import { actions } from '../../src/actions/registry.js';
import { parseActionArgs } from '../../src/cli/args.js';
import { UserError } from '../../src/lib/errors.js';

const spec = (name: string) => actions.find((a) => a.spec.name === name)!.spec;

function refusal(action: string, argv: string[]): string {
  try {
    parseActionArgs(spec(action), argv);
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message;
  }
  throw new Error('the flags were accepted');
}

describe('unknown CLI flags get a did-you-mean', () => {
  test.each([
    ['push-reconcile', ['--host', 'http://x'], "Unknown flag '--host' for push-reconcile. Did you mean 'kfp-host'?"],
    [
      'push-reconcile',
      ['--token', 't'],
      "Unknown flag '--token' for push-reconcile. Did you mean 'kfp-token' or 'github-token'?",
    ],
    ['run-pipeline', ['--poll', '5s'], "Did you mean 'poll-interval'?"],
    ['push-reconcile', ['--config-folder', 'x'], "Did you mean 'config-folders'?"],
  ])('%s %j', (action, argv, message) => {
    expect(refusal(action, argv)).toContain(message);
  });

  test.each([
    [
      'no',
      "Flag '--wait' takes true or false, not 'no'. Did you mean '--no-wait'? Fix: write --wait false (or --no-wait).",
    ],
    ['yes', "Flag '--wait' takes true or false, not 'yes'. Did you mean '--wait'? Fix: write --wait true (or --wait)."],
  ])('--wait %s', (word, message) => {
    expect(refusal('run-pipeline', ['--wait', word])).toBe(message);
  });

  test('true/false and bare boolean flags still work', () => {
    expect(parseActionArgs(spec('run-pipeline'), ['--wait', 'false', '--timeout', '120']).inputs).toEqual(
      new Map([
        ['wait', 'false'],
        ['timeout', '120'],
      ]),
    );
    expect(parseActionArgs(spec('run-pipeline'), ['--wait']).inputs.get('wait')).toBe('true');
  });
});
