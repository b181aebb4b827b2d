// Jest globalSetup: the one message saying which shared reference fixtures are absent and how to get them
// (the suites that need them are skipped by describeWithShared / describeWithSharedSets in test/support/paths.ts).
import fs from 'node:fs';
import path from 'node:path';
import { UNFETCHABLE, sharedDir } from '../../scripts/fetch-shared.mjs';

export default function sharedNotice() {
  if (!fs.existsSync(path.join(sharedDir, 'README.md'))) {
    process.stdout.write(
      `\nShared reference fixtures are absent (looked in ${sharedDir}): the suites that need them are skipped ` +
        "and named '[skipped: shared fixtures absent]'.\nTo run them: 'node scripts/fetch-shared.mjs' downloads them " +
        'from their pinned upstream sources (checksums verified), or point KFP_GITOPS_SHARED_DIR at a copy.\n\n',
    );
    return;
  }
  const missing = UNFETCHABLE.filter((set) => !fs.existsSync(path.join(sharedDir, set)));
  if (missing.length) {
    process.stdout.write(
      `\n${sharedDir} has no ${missing.join(', ')} (no public upstream, so scripts/fetch-shared.mjs cannot fetch ` +
        'them): the suites that need them are skipped. Point KFP_GITOPS_SHARED_DIR at a full copy to run them.\n\n',
    );
  }
}
