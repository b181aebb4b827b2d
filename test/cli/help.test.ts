import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, jest, test } from '@jest/globals';
import { actions } from '../../src/actions/registry.js';
import { extraCommands } from '../../src/cli/commands.js';
import { runCli } from '../../src/cli/run.js';
import { repoRoot } from '../support/paths.js';

/** Runs the CLI in process; returns its exit code and what it wrote. */
async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const capture = (chunk: unknown) => ((out += String(chunk)), true);
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    return { code: await runCli(argv, {}), out };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

afterEach(() => {
  jest.restoreAllMocks();
});

test('--version prints the version in package.json', async () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  expect(await cli(['--version'])).toEqual({ code: 0, out: `${version}\n` });
  expect((await cli(['--help'])).out).toMatch(/^Usage: kfp-gitops <command> \[flags\] {2}\| {2}kfp-gitops --version\n/);
});

const commands = [...actions.map((a) => a.spec.name), ...extraCommands.map((c) => c.name)];

test.each(commands)('%s --help explains the command and does nothing else', async (name) => {
  const r = await cli([name, '--help']);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(new RegExp(`^(Usage: )?kfp-gitops ${name}\\b`));
  // Not the work itself: no demo repository, no JSON specs, no emulator serving.
  expect(r.out).not.toMatch(/examples\/ copied|^\[|listening at/);
  expect(r.out.split('\n').length).toBeLessThan(120);
});
