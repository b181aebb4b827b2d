import type { SourceLocation } from '../lib/errors.js';
import { atLeast, atMost, formatNumber, formatPercent, formatSigned, nearlyEqual, toNumber } from './numbers.js';
import { type Metrics, sampleOf } from './metrics.js';
import type { Paired } from './paired.js';
import { type Interval, type PairedTest, Z95, changeInterval, mcnemarWorse, wilson } from './stats.js';
import { type Bounds, CHECKS, type CheckName, type Rule, expandRule, suggestFor } from './thresholds.js';

/** What to do with a change check (min_absolute_change, min_relative_change) when there is no baseline value. */
export type MissingBaseline = 'pass' | 'warn' | 'fail';

export type Status = 'fail' | 'warn' | 'skip' | 'pass';

/** The verdict for one metric under one rule. */
export interface MetricResult {
  /** The metric's dotted path; the rule's pattern when it matched no metric. */
  metric: string;
  /** The rule's key as written in the thresholds. */
  rule: string;
  /** The rule for people: `≥ 0.85, Δ ≥ −0.01; warn: ≥ 0.9`. */
  ruleText: string;
  candidate?: number;
  baseline?: number;
  /** candidate − baseline. */
  delta?: number;
  /** (candidate − baseline) / |baseline|, a fraction; ±∞ when the baseline is 0 and the value moved. */
  relativeDelta?: number;
  /** Examples behind a `{value, n}` metric, and the 95 % Wilson interval of its value. */
  candidateN?: number;
  baselineN?: number;
  candidateInterval?: Interval;
  baselineInterval?: Interval;
  /** With `significance` and n on both sides: Newcombe's interval for Δ that the change checks used. */
  deltaInterval?: Interval & { confidence: number };
  /** With `significance` and paired predictions for the metric: McNemar's test, used instead of the interval. */
  pairedTest?: PairedTest;
  status: Status;
  /** Why it is not a plain pass, one phrase each. */
  reasons: string[];
  /** Where to point an annotation: the first check that failed (or warned), else the rule. */
  at: SourceLocation;
}

export interface GateResult {
  passed: boolean;
  results: MetricResult[];
  counts: Record<Status, number>;
}

/**
 * Apply every rule to every metric it matches and return all verdicts (nothing stops at the first failure).
 *
 * Semantics follow MLflow's MetricThreshold with the baseline's sign removed from the relative
 * change: with Δ = candidate − baseline and higher-is-better,
 *   min: candidate ≥ min · max: candidate ≤ max
 *   min_absolute_change: Δ ≥ m · min_relative_change: Δ / |baseline| ≥ r
 * and with lower-is-better the change checks mirror: Δ ≤ −m, Δ / |baseline| ≤ −r. Negative m or r
 * therefore allow a bounded regression. With a zero baseline the relative change is 0 when the value
 * did not move and ±∞ otherwise (so any improvement passes and any regression fails).
 *
 * Wildcard rules expand over the metric names of the candidate and the baseline, so a metric that
 * disappeared from the candidate fails as missing unless the rule is `optional`.
 */
export interface EvaluateOptions {
  missingBaseline: MissingBaseline;
  /** Both models' outcomes on the same examples, by metric: significance then uses McNemar's test. */
  paired?: ReadonlyMap<string, Paired>;
}

export function evaluate(
  rules: readonly Rule[],
  candidate: Metrics,
  baseline: Metrics | undefined,
  opts: EvaluateOptions,
): GateResult {
  const names = [...new Set([...candidate.keys(), ...(baseline?.keys() ?? [])])];
  const results: MetricResult[] = [];
  for (const rule of rules) {
    const matched = expandRule(rule, names);
    if (matched.length === 0) {
      const what = rule.pattern.match(/[*?]/)
        ? `No metric matches '${rule.pattern}'`
        : `No metric named '${rule.pattern}'`;
      results.push({
        metric: rule.pattern,
        rule: rule.pattern,
        ruleText: describeRule(rule),
        status: rule.optional ? 'skip' : 'fail',
        reasons: [rule.optional ? `${what} (optional)` : `${what}.${suggestFor(rule.pattern, names)}`],
        at: rule.at,
      });
      continue;
    }
    if (rule.aggregate) {
      results.push(evaluateAggregate(rule, matched, candidate, baseline, opts.missingBaseline));
      continue;
    }
    const ruleResults = matched.map((metric) =>
      evaluateMetric(
        rule,
        metric,
        candidate.get(metric),
        baseline?.get(metric),
        opts.missingBaseline,
        opts.paired?.get(metric),
      ),
    );
    if (rule.maxFailing !== undefined) applyBudget(ruleResults, rule.maxFailing);
    results.push(...ruleResults);
  }
  const counts: Record<Status, number> = { fail: 0, warn: 0, skip: 0, pass: 0 };
  for (const r of results) counts[r.status]++;
  return { passed: counts.fail === 0, results, counts };
}

function evaluateMetric(
  rule: Rule,
  metric: string,
  candidateRaw: unknown,
  baselineRaw: unknown,
  missingBaseline: MissingBaseline,
  paired?: Paired,
): MetricResult {
  const result: MetricResult = {
    metric,
    rule: rule.pattern,
    ruleText: describeRule(rule),
    status: 'pass',
    reasons: [],
    at: rule.at,
  };
  const mark = (status: 'fail' | 'warn', check: string, reason: string) => {
    if (result.status === 'pass' || (status === 'fail' && result.status !== 'fail')) {
      result.status = status;
      result.at = rule.checkAt[check] ?? rule.at;
    }
    result.reasons.push(reason);
  };

  // A non-finite value (NaN, ±Infinity, 1e309) says the metric broke, not that it is very good: it fails.
  const candSample = sampleOf(candidateRaw);
  const baseSample = sampleOf(baselineRaw);
  const candidateValue = candSample.value;
  const baselineValue = baseSample.value;
  const base = toNumber(baselineValue);
  if (base !== undefined && Number.isFinite(base)) result.baseline = base;
  if (result.baseline !== undefined && baseSample.n !== undefined) {
    result.baselineN = baseSample.n;
    result.baselineInterval = wilson(result.baseline, baseSample.n, Z95);
  }
  if (candidateRaw === undefined) {
    if (rule.optional) {
      result.status = 'skip';
      result.reasons.push('missing from the candidate (optional)');
    } else {
      mark('fail', '', 'missing from the candidate metrics');
    }
    return result;
  }
  const cand = toNumber(candidateValue);
  if (cand === undefined || !Number.isFinite(cand)) {
    if (cand !== undefined) result.candidate = cand;
    mark(
      'fail',
      '',
      cand === undefined
        ? notANumber(candidateValue)
        : `the candidate value is ${formatNumber(cand)}${Number.isNaN(cand) ? '' : ' (not a finite number)'}`,
    );
    return result;
  }
  result.candidate = cand;
  if (candSample.n !== undefined) {
    result.candidateN = candSample.n;
    result.candidateInterval = wilson(cand, candSample.n, Z95);
  }
  if (result.baseline !== undefined) {
    result.delta = cand - result.baseline;
    result.relativeDelta = relativeChange(cand, result.baseline);
  }
  const greaterIsBetter = rule.greaterIsBetter ?? true;
  const hasChangeChecks = [rule.hard, rule.warn].some((b) => CHECKS.some((c) => isChange(c) && b[c] !== undefined));
  if (rule.significance !== undefined && hasChangeChecks && result.baseline !== undefined) {
    if (paired) {
      // Worse means fewer 1s when higher is better (fewer found), more 1s when lower is better (more errors).
      const [losses, wins] = greaterIsBetter
        ? [paired.baselineOnly, paired.candidateOnly]
        : [paired.candidateOnly, paired.baselineOnly];
      result.pairedTest = mcnemarWorse(losses, wins);
    } else if (result.candidateN !== undefined && result.baselineN !== undefined) {
      const i = changeInterval(cand, result.candidateN, result.baseline, result.baselineN, rule.significance);
      result.deltaInterval = { ...i, confidence: 1 - 2 * rule.significance };
    } else {
      const without = [result.candidateN === undefined && 'candidate', result.baselineN === undefined && 'baseline']
        .filter(Boolean)
        .join(' and ');
      result.reasons.push(`significance not assessed: no n on the ${without} (give {value, n})`);
    }
  }

  let noBaselineNoted = false;
  for (const [band, bounds] of [
    ['', rule.hard],
    ['warn.', rule.warn],
  ] as const) {
    for (const check of CHECKS) {
      const bound = bounds[check];
      if (bound === undefined) continue;
      const outcome = applyCheck(check, bound, cand, result.baseline, greaterIsBetter);
      if (outcome === true) continue;
      // Worse than the tolerance, but is it more than noise? A paired test, else the interval's better end, decides.
      let noise: { seen: string; significant: boolean } | undefined;
      if (outcome !== 'no-baseline' && isChange(check) && result.pairedTest) {
        const t = result.pairedTest;
        const seen = `McNemar ${t.method === 'exact' ? 'exact' : 'χ²'} one-sided p = ${formatNumber(Number(t.p.toPrecision(2)))}, ${t.losses} lost vs ${t.wins} won`;
        noise = { seen, significant: !(t.p > rule.significance!) };
      } else if (outcome !== 'no-baseline' && isChange(check) && result.deltaInterval) {
        const limit = changeLimit(check, bound, result.baseline!, greaterIsBetter);
        const i = result.deltaInterval;
        const seen = `${formatNumber(i.confidence * 100)}% interval for Δ ${formatSigned(round3(i.lo))} to ${formatSigned(round3(i.hi))}`;
        noise = { seen, significant: greaterIsBetter ? !atLeast(i.hi, limit) : !atMost(i.lo, limit) };
      }
      if (noise) {
        if (!noise.significant) {
          result.reasons.push(`${outcome}, within noise (${noise.seen}, significance ${rule.significance})`);
          continue;
        }
        if (band && result.status === 'fail') continue;
        mark(
          band ? 'warn' : 'fail',
          band + check,
          `${outcome} (significant: ${noise.seen})${band ? ' (warn band)' : ''}`,
        );
        continue;
      }
      if (outcome === 'no-baseline') {
        if (noBaselineNoted) continue;
        noBaselineNoted = true;
        const why =
          baselineRaw === undefined
            ? 'no baseline value'
            : `baseline value ${describeValue(baselineRaw)} is not a ${base === undefined || Number.isNaN(base) ? '' : 'finite '}number`;
        if (missingBaseline === 'pass') result.reasons.push(`${why}: change checks skipped`);
        else
          mark(
            band ? 'warn' : missingBaseline,
            band + check,
            `${why} to compare with (missing-baseline: ${missingBaseline})`,
          );
        continue;
      }
      if (band && result.status === 'fail') continue; // a soft miss adds nothing to a hard failure
      mark(band ? 'warn' : 'fail', band + check, band ? `${outcome} (warn band)` : outcome);
    }
  }
  return result;
}

function isChange(check: CheckName): boolean {
  return check === 'min_absolute_change' || check === 'min_relative_change';
}

/** The least Δ (greater is better) or the most Δ (lower is better) a change check accepts. */
function changeLimit(check: CheckName, bound: number, base: number, greaterIsBetter: boolean): number {
  const allowed = check === 'min_absolute_change' ? bound : bound * Math.abs(base);
  return greaterIsBetter ? allowed : -allowed;
}

/**
 * A regression budget: when at most `max` of a wildcard rule's metrics fail, they turn into warnings
 * (named in the report, the gate passes); beyond it they all stay failures.
 */
function applyBudget(results: MetricResult[], max: number): void {
  const failing = results.filter((r) => r.status === 'fail');
  if (failing.length === 0) return;
  const within = failing.length <= max;
  for (const r of failing) {
    if (within) r.status = 'warn';
    const where = within ? 'within' : 'over';
    r.reasons.push(`${failing.length} of ${results.length} failing, ${where} the budget (max_failing: ${max})`);
  }
}

/** Higher is better unless the rule says otherwise or has only a `max`. */
function higherIsBetter(rule: Rule): boolean {
  if (rule.greaterIsBetter !== undefined) return rule.greaterIsBetter;
  const has = (k: CheckName) => rule.hard[k] !== undefined || rule.warn[k] !== undefined;
  return !(has('max') && !has('min'));
}

/**
 * `aggregate: min | mean`: the worst (lowest, or highest when lower is better) or the mean of the matched
 * metrics, candidate and baseline each over their own values, checked as one metric named `min(pattern)`.
 * A matched metric missing from the candidate or not a number fails the aggregate (skipped when optional).
 */
function evaluateAggregate(
  rule: Rule,
  matched: readonly string[],
  candidate: Metrics,
  baseline: Metrics | undefined,
  missingBaseline: MissingBaseline,
): MetricResult {
  const up = higherIsBetter(rule);
  const name = `${rule.aggregate}(${rule.pattern})`;
  const values = (metrics: Metrics | undefined) =>
    matched
      .map((m) => ({ m, v: toNumber(sampleOf(metrics?.get(m)).value) }))
      .filter((x): x is { m: string; v: number } => x.v !== undefined && Number.isFinite(x.v));
  const cand = values(candidate);
  const base = values(baseline);
  const broken = matched.filter((m) => !cand.some((c) => c.m === m));
  const combine = (xs: { m: string; v: number }[]) => {
    if (xs.length === 0) return undefined;
    if (rule.aggregate === 'mean') return { v: xs.reduce((s, x) => s + x.v, 0) / xs.length };
    return xs.reduce((w, x) => ((up ? x.v < w.v : x.v > w.v) ? x : w));
  };
  const c = broken.length && !rule.optional ? undefined : combine(cand);
  const b = combine(base);
  const result = evaluateMetric(rule, name, c?.v, b?.v, missingBaseline);
  if (broken.length && !rule.optional) {
    const verb = broken.length === 1 ? 'is' : 'are';
    result.reasons = [`${broken.join(', ')} ${verb} missing or not a number in the candidate`];
  } else if (c && 'm' in c) {
    result.reasons.push(`worst: ${(c as { m: string }).m}`);
  }
  return result;
}

/** Why a metric value that is not a number cannot be judged: null and lists are named as such. */
function notANumber(raw: unknown): string {
  if (raw === null) return 'not a number: the value is null';
  if (Array.isArray(raw)) return 'not a number: the value is a list (give one number per metric)';
  return `not a number: ${describeValue(raw)}`;
}

function describeValue(raw: unknown): string {
  return typeof raw === 'number' ? formatNumber(raw) : (JSON.stringify(raw) ?? String(raw));
}

/** true when the check passes, 'no-baseline' when it needs one, else why it failed. */
function applyCheck(
  check: CheckName,
  bound: number,
  cand: number,
  base: number | undefined,
  greaterIsBetter: boolean,
): true | 'no-baseline' | string {
  switch (check) {
    case 'min':
      return atLeast(cand, bound) || `${formatNumber(cand)} is below min ${formatNumber(bound)}`;
    case 'max':
      return atMost(cand, bound) || `${formatNumber(cand)} is above max ${formatNumber(bound)}`;
    case 'min_absolute_change': {
      if (base === undefined) return 'no-baseline';
      // Compare values, not differences, so the tolerance scales with the metric's magnitude.
      const ok = greaterIsBetter ? atLeast(cand, base + bound) : atMost(cand, base - bound);
      const limit = greaterIsBetter ? bound : -bound;
      return ok || `Δ ${formatSigned(cand - base)} is ${greaterIsBetter ? 'below' : 'above'} ${formatSigned(limit)}`;
    }
    case 'min_relative_change': {
      if (base === undefined) return 'no-baseline';
      const rel = relativeChange(cand, base);
      let ok: boolean;
      if (base === 0) ok = greaterIsBetter ? atLeast(rel, bound) : atMost(rel, -bound);
      else
        ok = greaterIsBetter
          ? atLeast(cand, base + bound * Math.abs(base))
          : atMost(cand, base - bound * Math.abs(base));
      const limit = greaterIsBetter ? bound : -bound;
      return ok || `Δ% ${formatPercent(rel)} is ${greaterIsBetter ? 'below' : 'above'} ${formatPercent(limit)}`;
    }
  }
}

/** (cand − base) / |base|; at base 0: 0 when unchanged, ±∞ when moved. */
export function relativeChange(cand: number, base: number): number {
  if (base !== 0) return (cand - base) / Math.abs(base);
  return nearlyEqual(cand, 0) ? 0 : cand > 0 ? Infinity : -Infinity;
}

/** `≥ 0.85, Δ ≥ −0.01; warn: ≥ 0.9` — the rule as people read it, in terms of the candidate and Δ. */
export function describeRule(rule: Rule): string {
  const describe = (b: Bounds) => {
    const up = rule.greaterIsBetter ?? true;
    const parts: string[] = [];
    if (b.min !== undefined) parts.push(`≥ ${formatNumber(b.min)}`);
    if (b.max !== undefined) parts.push(`≤ ${formatNumber(b.max)}`);
    if (b.min_absolute_change !== undefined)
      parts.push(`Δ ${up ? '≥' : '≤'} ${formatSigned(up ? b.min_absolute_change : -b.min_absolute_change)}`);
    if (b.min_relative_change !== undefined)
      parts.push(`Δ% ${up ? '≥' : '≤'} ${formatPercent(up ? b.min_relative_change : -b.min_relative_change)}`);
    return parts.join(', ');
  };
  const hard = describe(rule.hard);
  const warn = describe(rule.warn);
  const text = [hard, warn && `warn: ${warn}`].filter(Boolean).join('; ');
  return rule.optional ? `${text} (optional)` : text;
}

/** Interval ends for people: 3 decimals are plenty for a decision made on the interval's side of a bound. */
function round3(n: number): number {
  return Number(n.toFixed(3));
}
