#!/usr/bin/env node
import { runCli } from './run.js';

// `kfp-gitops plan | head -1`: a reader that stops early closes stdout. That must not crash the CLI
// with an EPIPE stack trace, and above all never stop an apply midway: the rest of the output is
// dropped, the work finishes, and the exit code is the work's.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
});

process.exitCode = await runCli(process.argv.slice(2));
