import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { startKfpEmulator, type KfpEmulator } from '../../src/kfp/emulator/server.js';
import { plan } from '../../src/reconcile/plan.js';
import { TempRepo } from '../support/git-repo.js';
import { runInProcess } from '../support/in-process.js';
import { repoRoot } from '../support/paths.js';
import { desired, options } from '../reconcile/fixtures.js';

const EMPTY_NAMESPACE =
  /^Namespace 'ns' has no experiments and no recurring runs in KFP at all, so everything is planned as new\. If it should have some, check the namespace name \(a typo\?\)/;

describe('plan warnings', () => {
  const want = { namespace: 'ns', experiments: [{ name: 'exp', description: '' }], schedules: [desired('daily')] };

  test('a namespace with nothing in KFP (a typo?) is warned about before everything is planned as new', () => {
    expect(plan(want, { namespace: 'ns', experiments: [], jobs: [] }, options()).warnings).toEqual([
      expect.stringMatching(EMPTY_NAMESPACE),
    ]);
  });

  test('a namespace with only an experiment is not', () => {
    const p = plan(
      want,
      { namespace: 'ns', experiments: [{ id: 'e', name: 'other', description: '', archived: false }], jobs: [] },
      options(),
    );
    expect(p.warnings).toEqual([]);
  });
});

describe('push-reconcile apply from a dirty working tree', () => {
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

  const apply = () =>
    runInProcess(
      'push-reconcile',
      { 'config-folders': 'schedules/*', 'kfp-host': emu.url, mode: 'apply' },
      { workspace: repo.dir },
    );
  const dirtyWarnings = (r: Awaited<ReturnType<typeof apply>>) =>
    r.annotations.filter((a) => a.kind === 'warning' && a.message.startsWith('Applying uncommitted changes'));

  test('a clean tree applies without the warning; an uncommitted config edit warns that the lineage names HEAD', async () => {
    const clean = await apply();
    expect(clean.code).toBe(0);
    expect(dirtyWarnings(clean)).toEqual([]);

    const file = 'schedules/team-ml/recurring_runs.yaml';
    await repo.write({ [file]: (await repo.read(file)).replace('value: "20"', 'value: "21"') });
    const head = (await import('../../src/lib/git.js')).git(repo.dir, ['rev-parse', 'HEAD']);
    const dirty = await apply();
    expect(dirty.code).toBe(0);
    expect(dirtyWarnings(dirty).map((w) => w.message)).toEqual([
      `Applying uncommitted changes (${file}): the lineage written to KFP names commit ${(await head).trim().slice(0, 12)}, which does not hold them. Commit first so KFP points at what it runs.`,
    ]);
  });
});

test('check-rendered outside a git repository says so, with the fix', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'not-a-repo-'));
  try {
    await fs.writeFile(path.join(dir, 'render.sh'), '#!/bin/sh\n');
    const r = await runInProcess('check-rendered', { 'render-scripts': 'render.sh' }, { workspace: dir });
    expect(r.code).toBe(1);
    expect(r.failure).toMatch(
      /^check-rendered compares fresh renders with the last commit, but .* is not inside a git repository\. Fix: run it in a git checkout/,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
