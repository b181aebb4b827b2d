import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from '@jest/globals';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Reference fixtures: ../shared/ beside the checkout, or KFP_GITOPS_SHARED_DIR (as in scripts/fetch-shared.mjs). */
export const sharedDir = path.resolve(repoRoot, process.env.KFP_GITOPS_SHARED_DIR || '../shared');
export const hasShared = fs.existsSync(path.join(sharedDir, 'README.md'));

/** Whether these fixture sets (folders of ../shared/) are there; a fetched copy has those with a public upstream. */
export const hasSharedSets = (...sets: string[]) =>
  hasShared && sets.every((set) => fs.existsSync(path.join(sharedDir, set)));

/*
 * When the fixtures are absent, a block is registered as skipped without running its body (a body may
 * read the fixtures while tests are collected). test/support/shared-notice.mjs prints the one message
 * saying how to get them; each skipped block carries the reason in its name.
 */
function skipping(reason: string): typeof describe {
  const tag = `[skipped: ${reason}]`;
  const placeholder = () => test.skip('needs the shared fixtures', () => {});
  const skip = ((name: string) => describe.skip(`${name} ${tag}`, placeholder)) as unknown as typeof describe;
  skip.each = ((table: unknown) => (name: string) =>
    describe.skip.each(table as never[])(`${name} ${tag}`, placeholder)) as never;
  return skip;
}

/** describe() (and describe.each) that skips, without collecting its tests, when ../shared/ is absent. */
export const describeWithShared: typeof describe = hasShared ? describe : skipping('shared fixtures absent');

/**
 * The same for blocks that read sets scripts/fetch-shared.mjs cannot fetch (no public upstream: kfp-cron,
 * kfp-sdk-traces, reference), so that they skip on a CI runner that fetched the others.
 */
export const describeWithSharedSets = (...sets: string[]): typeof describe =>
  hasSharedSets(...sets)
    ? describe
    : skipping(hasShared ? `../shared/${sets.join(', ')} absent` : 'shared fixtures absent');
