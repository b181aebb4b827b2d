import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, test } from '@jest/globals';
import fc from 'fast-check';
import { TempRepo } from '../support/git-repo.js';
import { runInProcess } from '../support/in-process.js';
import { repoRoot } from '../support/paths.js';
import { FUZZ, SECRET, arbMutation, expectWellBehaved, mutate } from './support.js';

const FOLDER = 'schedules/team-ml';
let repo: TempRepo;
let originals: Record<string, string>;
let closedApi: string;

beforeAll(async () => {
  repo = await TempRepo.create({}, { copyFrom: path.join(repoRoot, 'examples') });
  originals = {
    experiments: await repo.read(`${FOLDER}/experiments.yaml`),
    recurring_runs: await repo.read(`${FOLDER}/recurring_runs.yaml`),
  };
  // A GitHub API that refuses connections: a mutated config naming a GitHub source never leaves the machine.
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closedApi = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await new Promise((resolve) => server.close(resolve));
});
afterAll(async () => repo.remove());

const arbCase = fc.record({
  file: fc.constantFrom('experiments', 'recurring_runs'),
  mutations: fc.array(arbMutation, { minLength: 1, maxLength: 3 }),
  // Sometimes the bytes are written as Latin-1: not UTF-8 wherever a character is above U+007F.
  latin1: fc.boolean(),
});

test('check-reconcile-configs on mutated configs: exit 0/1, no stack trace, errors located, no secret', async () => {
  await fc.assert(
    fc.asyncProperty(arbCase, async ({ file, mutations, latin1 }) => {
      const text = mutate(originals[file]!, mutations);
      await fs.writeFile(repo.path(`${FOLDER}/${file}.yaml`), latin1 ? Buffer.from(text, 'latin1') : text);
      const other = file === 'experiments' ? 'recurring_runs' : 'experiments';
      await fs.writeFile(repo.path(`${FOLDER}/${other}.yaml`), originals[other]!);
      const r = await runInProcess(
        'check-reconcile-configs',
        { 'config-folders': 'schedules/*', 'github-token': SECRET },
        { workspace: repo.dir, env: { GITHUB_API_URL: closedApi } },
      );
      expectWellBehaved(r);
    }),
    { ...FUZZ, numRuns: FUZZ.numRuns ?? 80 },
  );
}, 120_000);
