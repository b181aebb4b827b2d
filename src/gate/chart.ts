import { fence } from '../lib/markdown.js';
import type { MetricResult } from './evaluate.js';
import type { HistoryPoint } from './history.js';
import { type Metrics, sampleOf } from './metrics.js';
import { formatNumber, toNumber } from './numbers.js';

/** More bars than this are unreadable in a comment: a chart shows the first ones and says so. */
export const MAX_BARS = 40;

interface Point {
  label: string;
  candidate: number;
  baseline?: number;
}

/**
 * One Mermaid `xychart-beta` per metric group (the dotted prefix: `precision` for `precision.area-jupyter`)
 * of two or more metrics: the candidate as bars, the baseline as a line when every metric of the group
 * has one. Ungrouped metrics are left to the table: their scales differ (accuracy vs latency in ms).
 */
export function metricCharts(results: readonly MetricResult[]): string[] {
  const groups = new Map<string, Map<string, Point>>();
  for (const r of results) {
    if (r.candidate === undefined || !Number.isFinite(r.candidate) || /[*?(]/.test(r.metric)) continue;
    const dot = r.metric.lastIndexOf('.');
    if (dot <= 0) continue;
    const group = groups.get(r.metric.slice(0, dot)) ?? new Map<string, Point>();
    const point = { label: r.metric.slice(dot + 1), candidate: r.candidate, baseline: r.baseline };
    if (!group.has(r.metric)) group.set(r.metric, point);
    groups.set(r.metric.slice(0, dot), group);
  }
  const charts: string[] = [];
  for (const [name, group] of groups) {
    if (group.size < 2) continue;
    charts.push(chart(name, [...group.values()]));
  }
  return charts;
}

/** At most this many headline metrics get a trend chart. */
export const MAX_TRENDS = 6;

/**
 * A line chart per headline metric (a top-level name, no dot) of the last champions and the candidate,
 * oldest first: `history` from the baseline ref's log. Champions without the metric are left out.
 */
export function trendCharts(history: readonly HistoryPoint[], candidate: Metrics): string[] {
  const value = (m: Metrics, name: string) => {
    const n = toNumber(sampleOf(m.get(name)).value);
    return n !== undefined && Number.isFinite(n) ? n : undefined;
  };
  const headline = [...candidate.keys()]
    .filter((k) => !k.includes('.') && value(candidate, k) !== undefined)
    .slice(0, MAX_TRENDS);
  const charts: string[] = [];
  for (const name of headline) {
    const points = history.flatMap((h) => {
      const v = value(h.metrics, name);
      return v === undefined ? [] : [{ label: h.label, v }];
    });
    if (points.length === 0) continue;
    points.push({ label: 'candidate', v: value(candidate, name)! });
    const values = points.map((p) => p.v);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const [bottom, top] =
      lo >= 0 && hi <= 1 ? [Math.max(0, niceFloor(lo)), 1] : [lo < 0 ? -niceCeil(-lo) : 0, niceCeil(hi)];
    const lines = [
      'xychart-beta',
      `  title "${quoted(name)}: last ${points.length - 1} champion${points.length === 2 ? '' : 's'} and the candidate"`,
      `  x-axis [${points.map((p) => `"${quoted(p.label)}"`).join(', ')}]`,
      `  y-axis "${quoted(name)}" ${formatNumber(bottom)} --> ${formatNumber(top)}`,
      `  line [${values.map(formatNumber).join(', ')}]`,
    ];
    charts.push(fence(lines.join('\n'), 'mermaid'));
  }
  return charts;
}

/** A tenth below x, for proportions that sit near the top (accuracy 0.9 → axis from 0.8). */
function niceFloor(x: number): number {
  return Math.floor(x * 10) / 10 - 0.1;
}

function chart(name: string, all: Point[]): string {
  const points = all.slice(0, MAX_BARS);
  const withBaseline = points.every((p) => p.baseline !== undefined && Number.isFinite(p.baseline));
  const values = points.flatMap((p) => (withBaseline ? [p.candidate, p.baseline!] : [p.candidate]));
  const lo = Math.min(0, ...values);
  const hi = Math.max(...values);
  const top = lo >= 0 && hi <= 1 ? 1 : niceCeil(hi);
  const shown = all.length > points.length ? `, first ${points.length} of ${all.length}` : '';
  const what = withBaseline ? 'candidate (bars) vs baseline (line)' : 'candidate (no baseline for every metric)';
  const lines = [
    'xychart-beta',
    `  title "${quoted(name)}: ${what}${shown}"`,
    `  x-axis [${points.map((p) => `"${quoted(p.label)}"`).join(', ')}]`,
    `  y-axis "${quoted(name)}" ${formatNumber(lo < 0 ? -niceCeil(-lo) : 0)} --> ${formatNumber(top)}`,
    `  bar [${points.map((p) => formatNumber(p.candidate)).join(', ')}]`,
  ];
  if (withBaseline) lines.push(`  line [${points.map((p) => formatNumber(p.baseline!)).join(', ')}]`);
  return fence(lines.join('\n'), 'mermaid');
}

/** Mermaid strings cannot hold a double quote. */
function quoted(s: string): string {
  return s.replace(/["\\]/g, "'").replace(/[\r\n]+/g, ' ');
}

/** 1, 2 or 5 times a power of ten, at or above x (an axis top). */
function niceCeil(x: number): number {
  if (x <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= x) ?? 10 * p;
}
