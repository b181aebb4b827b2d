// Jest globalSetup: the one message saying that the shared reference fixtures are absent and how to get
// them (the suites that need them are skipped by describeWithShared in test/support/paths.ts).
import fs from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../../scripts/fetch-shared.mjs';

export default function sharedNotice() {
  if (fs.existsSync(path.join(sharedDir, 'README.md'))) return;
  process.stdout.write(
    `\nShared reference fixtures are absent (looked in ${sharedDir}): the suites that need them are skipped ` +
      "and named '[skipped: shared fixtures absent]'.\nTo run them: 'node scripts/fetch-shared.mjs' downloads them " +
      'from their pinned upstream sources (checksums verified), or point KFP_GITOPS_SHARED_DIR at a copy.\n\n',
  );
}
