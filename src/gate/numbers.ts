/**
 * Numbers as the gate compares them. Metrics arrive as floats that were rounded somewhere else
 * (0.1 + 0.2 is 0.30000000000000004), so a value within EPSILON of a bound counts as on the bound:
 * the same inputs give the same verdict on every machine, and a metric exactly at `min` passes.
 */

/** Relative tolerance of every comparison (absolute for magnitudes below 1). */
export const EPSILON = 1e-12;

function tolerance(a: number, b: number): number {
  return EPSILON * Math.max(1, Math.abs(a), Math.abs(b));
}

/** x ≥ bound, allowing for float noise. NaN is never at least anything. */
export function atLeast(x: number, bound: number): boolean {
  if (!Number.isFinite(x) || !Number.isFinite(bound)) return x >= bound;
  return x >= bound - tolerance(x, bound);
}

/** x ≤ bound, allowing for float noise. */
export function atMost(x: number, bound: number): boolean {
  if (!Number.isFinite(x) || !Number.isFinite(bound)) return x <= bound;
  return x <= bound + tolerance(x, bound);
}

export function nearlyEqual(a: number, b: number): boolean {
  return atLeast(a, b) && atMost(a, b);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, infinity: Infinity };

/**
 * A metric value as a number: numbers as they are; numeric strings parsed, including the
 * `NaN`/`Infinity` that Python's json module writes and the `nan`/`inf` of str(float);
 * undefined for anything else (text, booleans, objects).
 */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  const s = value.trim();
  if (DECIMAL.test(s)) return Number(s);
  const special = /^([+-]?)\.?(nan|inf|infinity)$/i.exec(s);
  if (special) {
    const n = SPECIAL[special[2]!.toLowerCase()]!;
    return special[1] === '-' ? -n : n;
  }
  return undefined;
}

/** A number for people: integers as they are, others to 6 significant digits, no trailing zeros. */
export function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '∞' : '−∞';
  if (Number.isInteger(n) && Math.abs(n) < 1e15) return String(n);
  const s = Number(n.toPrecision(6)).toString();
  return s === '-0' ? '0' : s;
}

/** "+0.012", "−0.5", "0" — a change with its sign. */
export function formatSigned(n: number): string {
  if (nearlyEqual(n, 0)) return '0';
  const s = formatNumber(Math.abs(n));
  return n > 0 ? `+${s}` : `−${s}`;
}

/** "+1.25%", "−0.4%" — a relative change (a fraction) as a percentage. */
export function formatPercent(fraction: number): string {
  if (Number.isNaN(fraction)) return 'NaN';
  if (!Number.isFinite(fraction)) return fraction > 0 ? '+∞%' : '−∞%';
  const pct = Math.round(fraction * 100 * 100) / 100;
  if (pct === 0) return '0%';
  return `${pct > 0 ? '+' : '−'}${Math.abs(pct)}%`;
}

/** A bound of an interval for people: 3 decimals, no trailing zeros ("0.474", "0.1"). */
export function formatBound(n: number): string {
  return formatNumber(Number(n.toFixed(3)));
}
