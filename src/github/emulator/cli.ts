import path from 'node:path';
import { filesAtHead } from './seed.js';
import { startGitHubEmulator } from './server.js';

const USAGE = `Usage: kfp-gitops github-emulator [--port N] [--repo OWNER/NAME[=DIR]]... [--allow-auto-merge] [--login NAME]

Serve an emulator of the GitHub API on 127.0.0.1 until interrupted: the REST routes the toolkit calls
(contents, git database, pull requests, comments, labels, reviewers, check runs, statuses, workflow runs)
and GraphQL auto-merge, with git objects hashed as git hashes them. Give the printed URL to actions as
GITHUB_API_URL (CLI: environment variable), e.g. to try open-model-pr without touching github.com.

  --port N                   port to listen on (0 = any free port; default 3000)
  --repo OWNER/NAME[=DIR]    serve a repository; with =DIR its default branch holds the files committed
                             at HEAD of the git repository DIR (repeatable)
  --allow-auto-merge         the repositories allow auto-merge (Settings → "Allow auto-merge")
  --login NAME               who requests act as (default github-actions[bot])`;

/** `kfp-gitops github-emulator`: run the emulator in the foreground until SIGINT/SIGTERM. */
export async function runGitHubEmulatorCli(argv: string[]): Promise<number> {
  const repos: string[] = [];
  let port = 3000;
  let login: string | undefined;
  let allowAutoMerge = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (arg === '--allow-auto-merge') {
      allowAutoMerge = true;
      continue;
    }
    const m = /^--(port|repo|login)(?:=(.*))?$/.exec(arg);
    const value = m?.[2] ?? argv[i + 1];
    if (!m || value === undefined) {
      process.stderr.write(`error: ${m ? `flag '${arg}' needs a value` : `unknown argument '${arg}'`}\n\n${USAGE}\n`);
      return 2;
    }
    if (m[2] === undefined) i++;
    if (m[1] === 'repo') repos.push(value);
    else if (m[1] === 'login') login = value;
    else if (/^\d+$/.test(value)) port = Number(value);
    else {
      process.stderr.write(`error: --port must be a whole number (got "${value}")\n`);
      return 2;
    }
  }
  let emulator;
  try {
    emulator = await startGitHubEmulator({ port, recordRequests: false, ...(login ? { login } : {}) });
    for (const spec of repos) {
      const [name, dir] = spec.split(/=(.*)/s) as [string, string | undefined];
      if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(name))
        throw new Error(`--repo must be OWNER/NAME or OWNER/NAME=DIR (got "${spec}")`);
      const seed = dir ? await filesAtHead(path.resolve(dir)) : undefined;
      emulator.createRepo(name, { allowAutoMerge, ...(seed ? { files: seed.files, defaultBranch: seed.branch } : {}) });
      process.stdout.write(
        `  ${name}${seed ? `: ${Object.keys(seed.files).length} files from ${dir} (${seed.branch})` : ''}\n`,
      );
    }
  } catch (err) {
    await emulator?.close();
    process.stderr.write(`error: cannot start the GitHub emulator: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`GitHub API emulator listening at ${emulator.url} (GITHUB_API_URL=${emulator.url})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await emulator.close();
  process.stdout.write(`GitHub API emulator stopped after ${emulator.served} requests.\n`);
  return 0;
}
