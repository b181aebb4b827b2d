import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { TempRepo } from '../support/git-repo.js';
import { entryArgs, spawnCli } from '../support/run-action.js';
import { repoRoot } from '../support/paths.js';

let emu: KfpEmulator;
let repo: TempRepo;
beforeAll(async () => {
  emu = await startKfpEmulator();
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
});
afterAll(async () => {
  await emu.close();
  await repo.remove();
});

/**
 * `kfp-gitops <args> | head -0`: the reader is gone before the first line is written, so every write
 * to stdout fails with EPIPE. Returns the exit code and stderr.
 */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entryArgs('cli'), ...args], {
      cwd: repo.dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const FLAGS = ['--config-folders', 'schedules/*', '--kfp-host'];

test("a closed stdout neither crashes plan nor stops an apply midway; the exit code is the work's", async () => {
  const plan = await runWithClosedStdout(['plan', ...FLAGS, emu.url]);
  expect(plan.stderr).not.toMatch(/EPIPE|\n\s+at /);
  expect(plan.code).toBe(0);
  expect(emu.log.writes).toBe(0);

  const apply = await runWithClosedStdout(['apply', ...FLAGS, emu.url]);
  expect(apply.stderr).not.toMatch(/EPIPE|\n\s+at /);
  expect(apply.code).toBe(0);
  // The whole apply happened: a plan afterwards has nothing to do.
  const after = await spawnCli(['plan', ...FLAGS, emu.url], { cwd: repo.dir });
  expect(after.code).toBe(0);
  expect(after.stdout).toMatch(/\bchanges=0\b/);
}, 60_000);
