import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, test } from '@jest/globals';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Reference fixtures: ../shared/ beside the checkout, or KFP_GITOPS_SHARED_DIR (as in scripts/fetch-shared.mjs). */
export const sharedDir = path.resolve(repoRoot, process.env.KFP_GITOPS_SHARED_DIR || '../shared');
export const hasShared = fs.existsSync(path.join(sharedDir, 'README.md'));

/*
 * When the fixtures are absent, a block is registered as skipped without running its body (a body may
 * read the fixtures while tests are collected). test/support/shared-notice.mjs prints the one message
 * saying how to get them; each skipped block carries the reason in its name.
 */
const SKIPPED = '[skipped: shared fixtures absent]';
const placeholder = () => test.skip('needs the shared fixtures', () => {});
const skipping = ((name: string) => describe.skip(`${name} ${SKIPPED}`, placeholder)) as unknown as typeof describe;
skipping.each = ((table: unknown) => (name: string) => describe.skip.each(table as never[])(`${name} ${SKIPPED}`, placeholder)) as never;

/** describe() (and describe.each) that skips, without collecting its tests, when ../shared/ is absent. */
export const describeWithShared: typeof describe = hasShared ? describe : skipping;
