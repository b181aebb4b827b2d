import { UserError } from '../lib/errors.js';
import type { Metrics } from './metrics.js';

/** Both models' outcomes on the same examples for one metric: 1 where the example counts toward the proportion. */
export interface Paired {
  n: number;
  /** Examples where only the baseline has a 1 (e.g. only the baseline was right). */
  baselineOnly: number;
  /** Examples where only the candidate has a 1. */
  candidateOnly: number;
}

/**
 * The paired predictions file, flattened like a metrics file: per metric, `baseline` and `candidate`
 * lists of 0/1 (or false/true) over the same examples in the same order, e.g.
 *   {"recall": {"area-jupyter": {"baseline": [1, 1, 0, 1], "candidate": [1, 0, 0, 1]}}}
 * For accuracy every evaluated example; for a label's recall the examples that are that label (1: found).
 * Precision has no pairing (each model's predicted set differs) and is not accepted here by meaning,
 * only by form: the file's author decides.
 */
export function pairedOutcomes(flat: Metrics, file: string): Map<string, Paired> {
  const out = new Map<string, Paired>();
  const problem = (metric: string, what: string, fix: string) =>
    new UserError(`${file}: paired predictions for '${metric}' ${what}. Fix: ${fix}`);
  for (const key of flat.keys()) {
    const m = /^(.*)\.(baseline|candidate)$/.exec(key);
    if (!m)
      throw problem(
        key,
        'are not a `baseline` and `candidate` list',
        'write {"<metric>": {"baseline": [1, 0, …], "candidate": [1, 1, …]}}.',
      );
    const metric = m[1]!;
    if (out.has(metric) || m[2] === 'candidate') {
      if (!flat.has(`${metric}.baseline`))
        throw problem(metric, 'have no `baseline` list', 'give both lists over the same examples.');
      continue;
    }
    const base = flat.get(`${metric}.baseline`);
    const cand = flat.get(`${metric}.candidate`);
    if (cand === undefined)
      throw problem(metric, 'have no `candidate` list', 'give both lists over the same examples.');
    const b = outcomes(base);
    const c = outcomes(cand);
    if (!b || !c)
      throw problem(metric, 'hold something other than 0/1 or true/false lists', 'write one 0 or 1 per example.');
    if (b.length !== c.length) {
      throw problem(
        metric,
        `cover ${b.length} (baseline) and ${c.length} (candidate) examples`,
        'list both models on the same examples, in the same order.',
      );
    }
    let baselineOnly = 0;
    let candidateOnly = 0;
    for (let i = 0; i < b.length; i++) {
      if (b[i] && !c[i]) baselineOnly++;
      if (c[i] && !b[i]) candidateOnly++;
    }
    out.set(metric, { n: b.length, baselineOnly, candidateOnly });
  }
  return out;
}

function outcomes(value: unknown): boolean[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: boolean[] = [];
  for (const v of value) {
    if (v === 1 || v === true) out.push(true);
    else if (v === 0 || v === false) out.push(false);
    else return undefined;
  }
  return out;
}
