import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from '@jest/globals';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const hasShared = fs.existsSync(path.join(sharedDir, 'README.md'));

/** describe() that skips, saying why, when ../shared/ (reference fixtures) is absent. */
export const describeWithShared: typeof describe = (hasShared
  ? describe
  : ((name: string, fn: () => void) => {
      process.stderr.write(`skipping "${name}": ../shared/ is absent (expected at ${sharedDir})\n`);
      return describe.skip(`${name} [skipped: ../shared/ is absent]`, fn);
    })) as typeof describe;
