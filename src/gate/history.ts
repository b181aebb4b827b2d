import path from 'node:path';
import { UserError } from '../lib/errors.js';
import { git, repoRoot, showFile } from '../lib/git.js';
import { runProcess } from '../lib/proc.js';
import { type Metrics, formatOf, parseMetricsText } from './metrics.js';

/** One earlier champion: the metrics file as a commit left it. */
export interface HistoryPoint {
  /** The commit's short SHA (the chart's x label). */
  label: string;
  metrics: Metrics;
}

/**
 * The metrics file at each of the last `count` commits on `ref` that changed it, oldest first: each merged
 * model PR is one champion. A version that no longer parses is left out (history decorates the report;
 * it does not decide it).
 */
export async function metricsHistory(
  workdir: string,
  ref: string,
  relPath: string,
  count: number,
): Promise<HistoryPoint[]> {
  const root = await repoRoot(workdir).catch(() => {
    throw new UserError(
      `Input 'history' git:${ref}: ${workdir} is not inside a git repository. Fix: check out the repository with its history (actions/checkout with fetch-depth: 0).`,
    );
  });
  const inRepo = path.relative(root, path.resolve(workdir, relPath)).split(path.sep).join('/');
  if (inRepo.startsWith('..') || path.isAbsolute(inRepo)) {
    throw new UserError(
      `Input 'history': '${relPath}' is outside the repository. Fix: give a path inside the checkout.`,
    );
  }
  const verify = await runProcess('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root });
  if (verify.code !== 0) {
    throw new UserError(
      `Input 'history': git ref '${ref}' does not exist in this checkout. Fix: fetch it with its history (actions/checkout with fetch-depth: 0), or correct the ref.`,
    );
  }
  const shas = (await git(root, ['log', `-n${count}`, '--format=%h', ref, '--', inRepo]))
    .split('\n')
    .filter(Boolean)
    .reverse();
  const points: HistoryPoint[] = [];
  for (const sha of shas) {
    const text = await showFile(root, sha, inRepo);
    if (text === undefined) continue; // the commit deleted the file
    try {
      points.push({ label: sha, metrics: await parseMetricsText(text, `${inRepo}@${sha}`, formatOf(inRepo)) });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
    }
  }
  return points;
}
